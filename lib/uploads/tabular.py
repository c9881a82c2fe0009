"""Read a CSV: find its location columns by name and by the range of their values.

A location is, in this order of preference: a WKT geometry column; easting and northing
(British National Grid); latitude and longitude (WGS84); x and y (no coordinate system: the
user is asked); a postcode (placed at its Code-Point Open centroid). A row whose coordinates
are empty is placed by its postcode when the file has one. A row whose two coordinates are
the wrong way round for London is read the other way round and reported.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from lib.uploads.geometry import London, suggest_crs
from lib.uploads.model import BNG, ERROR, ROW_COLUMN, WARNING, WGS84, UploadResult

NAMES = {  # normalised column name (lower case, letters and digits only) -> role
    **dict.fromkeys(["lat", "latitude", "ylat"], "lat"),
    **dict.fromkeys(["lon", "lng", "long", "longitude", "xlon"], "lon"),
    **dict.fromkeys(["easting", "eastings", "east", "osgbeasting", "bngeasting"], "easting"),
    **dict.fromkeys(["northing", "northings", "north", "osgbnorthing", "bngnorthing"], "northing"),
    **dict.fromkeys(["x", "xcoord", "xcoordinate"], "x"),
    **dict.fromkeys(["y", "ycoord", "ycoordinate"], "y"),
    **dict.fromkeys(["wkt", "geometry", "geom", "thegeom", "wktgeom", "wktgeometry"], "wkt"),
    **dict.fromkeys(["postcode", "postalcode", "pcode", "pcd", "pcds"], "postcode"),
}
WKT_VALUE = re.compile(
    r"^\s*(SRID=\d+\s*;\s*)?(MULTI)?(POINT|LINESTRING|POLYGON)|"
    r"^\s*(SRID=\d+\s*;\s*)?GEOMETRYCOLLECTION",
    re.I,
)
EWKT = re.compile(r"^\s*SRID=(\d+)\s*;(.*)$", re.I | re.S)
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")
LOCATION_HELP = (
    "a postcode column, latitude and longitude, easting and northing, or a WKT geometry column"
)
PAIRS = {  # role of x, role of y, coordinate system, how to name them
    "en": ("easting", "northing", BNG, "easting and northing"),
    "latlon": ("lon", "lat", WGS84, "latitude and longitude"),
    "xy": ("x", "y", None, "x and y"),
}


@dataclass(frozen=True)
class Postcodes:
    """Postcode centroids (EPSG:27700): the build's `postcodes` layer indexed by postcode
    without spaces; `terminated` marks one only in an older list (lib/data/layers.py reads it)."""

    table: pd.DataFrame  # index postcode; easting, northing, terminated
    source: str


def normalise(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def decode(data: bytes, result: UploadResult) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        result.add(
            f"The file is not UTF-8 (first at line {line}): read as Windows-1252. "
            "Check accented letters.",
            WARNING,
        )
        return data.decode("cp1252", errors="replace")


def parse_rows(text: str, result: UploadResult) -> pd.DataFrame | None:
    sample = text[:65536]
    try:
        delimiter = csv.Sniffer().sniff(sample.split("\n", 20)[0] + "\n", ",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        records = list(reader)
    except csv.Error as exc:
        result.fail(f"The CSV could not be read at line {reader.line_num}: {exc}.")
        return None
    if not header or not any(h.strip() for h in header):
        result.fail("The CSV has no header row: its first row must name the columns.")
        return None
    header = _unique(
        [
            f"{h.strip()}_original" if h.strip() == ROW_COLUMN else h.strip() or f"column_{i + 1}"
            for i, h in enumerate(header)
        ]
    )
    width = len(header)
    kept, numbers, too_long = [], [], []
    for row, record in enumerate(records, start=2):
        if not "".join(record).strip():
            continue  # a blank line
        if len(record) != width:
            if len(record) > width and "".join(record[width:]).strip():
                too_long.append(row)
                continue
            record = (record + [""] * width)[:width]
        kept.append(record)
        numbers.append(row)
    result.add_rows(too_long, f"more values than the header's {width} columns (dropped).")
    frame = pd.DataFrame(kept, columns=header, dtype=object)
    frame[ROW_COLUMN] = numbers
    if frame.empty:
        result.fail("The CSV has a header but no rows.")
        return None
    return frame


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        seen.setdefault(name, 0)
        out.append(name)
    return out


def find_columns(frame: pd.DataFrame) -> dict[str, str]:
    roles: dict[str, str] = {}
    for column in frame.columns:
        role = NAMES.get(normalise(str(column)))
        if role == "wkt" and not _looks_like_wkt(frame[column], any_value=True):
            continue  # a 'geometry' column of something else
        if role and role not in roles and column != ROW_COLUMN:
            roles[role] = column
    if "wkt" not in roles:  # a column whose values are WKT, whatever its name
        for column in frame.columns:
            if column != ROW_COLUMN and _looks_like_wkt(frame[column]):
                roles["wkt"] = column
                break
    return roles


def _looks_like_wkt(column: pd.Series, any_value: bool = False) -> bool:
    values = column.astype(str).str.strip()
    values = values[values != ""].head(20)
    if values.empty:
        return False
    looks = values.map(lambda v: bool(WKT_VALUE.match(v)))
    return bool(looks.any() if any_value else looks.all())


def read_csv(
    data: bytes,
    result: UploadResult,
    crs: str | None,
    london: London | None,
    postcodes: Postcodes | None,
) -> gpd.GeoDataFrame | None:
    result.row_label = "Row"
    frame = parse_rows(decode(data, result), result)
    if frame is None:
        return None
    roles = find_columns(frame)
    if "wkt" in roles:
        return _from_wkt(frame, roles, result, crs)
    for pair in ("en", "latlon", "xy"):
        x_role, y_role, _, _ = PAIRS[pair]
        if x_role in roles and y_role in roles:
            return _from_pair(frame, roles, pair, result, crs, london, postcodes)
    if "postcode" in roles:
        return _from_postcodes(frame, roles["postcode"], result, postcodes)
    columns = ", ".join(str(c) for c in frame.columns if c != ROW_COLUMN)
    result.fail(
        f"No location columns found: the CSV needs {LOCATION_HELP}. Its columns are: {columns}."
    )
    return None


def _numbers(values: pd.Series) -> pd.Series:
    text = values.astype(str).str.strip().str.replace(",", "", regex=False)
    return pd.to_numeric(text.where(text != ""), errors="coerce")


def _from_pair(frame, roles, pair, result, crs, london, postcodes):
    x_role, y_role, declared, names = PAIRS[pair]
    x_text, y_text = frame[roles[x_role]], frame[roles[y_role]]
    x, y = _numbers(x_text), _numbers(y_text)
    blank = (x_text.astype(str).str.strip() == "") | (y_text.astype(str).str.strip() == "")
    bad = (x.isna() | y.isna()) & ~blank
    either = names.replace(" and ", " or ")
    result.add_rows(frame.loc[bad, ROW_COLUMN], f"{either} is not a number (dropped).")
    has = ~blank & ~bad
    if declared is None:
        declared = crs
        if declared is None:
            if not has.any():
                result.fail(f"The {names} columns have no numbers.")
                return None
            result.needs_crs = True
            result.crs_suggestion = suggest_crs(
                (x[has].min(), y[has].min(), x[has].max(), y[has].max())
            )
            result.add(
                f"The columns {roles[x_role]} and {roles[y_role]} do not say which "
                "coordinate system they use: choose one.",
                ERROR,
            )
            return None
    elif london is not None and has.any():
        declared = _check_declared(x[has], y[has], declared, names, london, result)
    if london is not None:
        swapped = has & ~london.box_contains(x, y, declared) & london.box_contains(y, x, declared)
        if swapped.any():
            x, y = x.where(~swapped, y), y.where(~swapped, x)
            result.add_rows(
                frame.loc[swapped, ROW_COLUMN],
                f"{names} are the wrong way round: read the other way round.",
                WARNING,
            )
    if declared == WGS84:
        out_of_range = has & ~((x.abs() <= 180) & (y.abs() <= 90))
        result.add_rows(
            frame.loc[out_of_range, ROW_COLUMN],
            "latitude not between -90 and 90 or longitude not between -180 and 180 (dropped).",
        )
        has &= ~out_of_range
    result.crs = declared
    points = gpd.GeoDataFrame(
        frame, geometry=gpd.points_from_xy(x.where(has), y.where(has)), crs=declared
    )
    points = points[has]
    missing = frame[blank]
    if not missing.empty:
        if "postcode" in roles and postcodes is not None:
            placed = _from_postcodes(
                missing, roles["postcode"], result, postcodes, why="no coordinates, and "
            )
            if placed is not None and not placed.empty:
                result.add_rows(placed[ROW_COLUMN], "no coordinates: placed by postcode.", WARNING)
                points = pd.concat([points, placed.to_crs(declared)]).sort_values(ROW_COLUMN)
        else:
            result.add_rows(missing[ROW_COLUMN], f"no coordinates ({either} is empty; dropped).")
    return points


def _check_declared(x, y, declared, names, london, result):
    """Named one way, valued the other: latitude/longitude columns holding metres."""
    other = BNG if declared == WGS84 else WGS84
    fits = london.box_contains(x, y, declared) | london.box_contains(y, x, declared)
    fits_other = london.box_contains(x, y, other) | london.box_contains(y, x, other)
    if not fits.any() and fits_other.mean() >= 0.5:
        what = (
            "British National Grid values (metres): read as easting and northing"
            if other == BNG
            else "longitude and latitude (degrees): read as WGS84"
        )
        result.add(f"The {names} columns hold {what}.", WARNING)
        return other
    return declared


def _from_wkt(frame, roles, result, crs):
    column = roles["wkt"]
    text = frame[column].astype(str).str.strip()
    srid = text.str.extract(EWKT)[0]
    body = text.where(srid.isna(), text.str.replace(EWKT, r"\2", regex=True))
    blank = body == ""
    geoms = shapely.from_wkt(body.where(~blank, None).to_numpy(dtype=object), on_invalid="ignore")
    bad = pd.isna(pd.Series(geoms, index=frame.index, dtype=object)) & ~blank
    result.add_rows(frame.loc[bad, ROW_COLUMN], f"{column}: not valid WKT (dropped).")
    result.add_rows(frame.loc[blank, ROW_COLUMN], f"{column}: empty (dropped).")
    keep = ~bad & ~blank
    frame, geoms, srid = frame[keep], geoms[keep.to_numpy()], srid[keep]
    if frame.empty:
        result.fail(f"No row has a geometry in {column}.")
        return None
    srids = set(srid.dropna())
    if len(srids) > 1:
        result.fail(
            f"The {column} column mixes coordinate systems (SRID "
            f"{', '.join(sorted(srids))}): use one."
        )
        return None
    if srids:
        file_crs = f"EPSG:{srids.pop()}"
        try:
            CRS.from_user_input(file_crs)
        except Exception:  # noqa: BLE001
            result.fail(f"The {column} column names an unknown coordinate system ({file_crs}).")
            return None
    elif crs is not None:
        file_crs = crs
    else:
        bounds = shapely.total_bounds(geoms)
        result.needs_crs = True
        result.crs_suggestion = suggest_crs(tuple(bounds)) if np.isfinite(bounds).all() else BNG
        result.add(
            f"The {column} column does not say which coordinate system it uses: choose one.", ERROR
        )
        return None
    result.crs = file_crs
    return gpd.GeoDataFrame(frame.drop(columns=[column]), geometry=list(geoms), crs=file_crs)


def _from_postcodes(frame, column, result, postcodes, why=""):
    if postcodes is None:
        result.fail(
            "This CSV is placed by postcode, but the postcode list (Code-Point Open) "
            "is not available here: give the rows coordinates instead."
        )
        return None
    codes = frame[column].astype(str).str.upper().str.replace(r"\s+", "", regex=True)
    blank = codes == ""
    positions = postcodes.table.index.get_indexer(codes.to_numpy(dtype=object))
    found = pd.Series(positions >= 0, index=frame.index)
    valid = codes.str.match(POSTCODE)
    result.add_rows(frame.loc[blank, ROW_COLUMN], f"{why}no postcode (dropped).")
    result.add_rows(frame.loc[~blank & ~valid, ROW_COLUMN], f"{why}not a postcode (dropped).")
    result.add_rows(
        frame.loc[valid & ~found, ROW_COLUMN],
        f"{why}postcode not found among London's postcodes: outside London, or "
        "not in Code-Point Open (dropped).",
    )
    placed = frame[found]
    where = postcodes.table.iloc[positions[positions >= 0]]
    old = where["terminated"].to_numpy(dtype=bool)
    result.add_rows(
        placed.loc[old, ROW_COLUMN],
        "a postcode no longer in use: placed where it was in 2014.",
        WARNING,
    )
    if result.crs is None:
        result.crs = BNG
    result.used_postcodes = bool(found.any())
    return gpd.GeoDataFrame(
        placed,
        geometry=gpd.points_from_xy(
            where["easting"].to_numpy(float), where["northing"].to_numpy(float)
        ),
        crs=BNG,
    )
