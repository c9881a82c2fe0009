"""Read GeoJSON in Python (json + shapely), feature by feature: no GDAL driver is involved,
so nothing in the file can make the reader open another file or a URL, and a bad feature is
named by its number instead of failing the whole file.

RFC 7946 GeoJSON is longitude/latitude (WGS84). An older `crs` member naming a coordinate
system by EPSG code or OGC URN is honoured; a `crs` link is not followed. A file with no `crs`
whose coordinates cannot be degrees is asked about.
"""

from __future__ import annotations

import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.geometry
from pyproj import CRS
from pyproj.exceptions import CRSError

from lib.uploads.geometry import suggest_crs
from lib.uploads.model import BNG, ERROR, ROW_COLUMN, WARNING, WGS84, UploadResult

GEOMETRY_TYPES = {
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
}
EPSG_NAME = re.compile(r"EPSG:{1,2}(\d+)$", re.I)


def _named_crs(member) -> tuple[str | None, str]:
    """(CRS, note) from a GeoJSON 2008 `crs` member."""
    if not isinstance(member, dict):
        return None, "its crs member is not understood"
    props = member.get("properties") or {}
    if member.get("type") != "name" or not isinstance(props.get("name"), str):
        return None, "its crs member is a link or not a name, and is not followed"
    name = props["name"].strip()
    if name.upper().endswith(("CRS84", "CRS:84")):
        return WGS84, ""
    match = EPSG_NAME.search(name)
    if match:
        return f"EPSG:{match.group(1)}", ""
    return None, f"its crs member names {name!r}, which is not understood"


def _cell(value):
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def read_geojson(data: bytes, result: UploadResult, crs: str | None) -> gpd.GeoDataFrame | None:
    result.row_label = "Feature"
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        result.fail("The GeoJSON is not UTF-8, as GeoJSON must be: save it again as UTF-8.")
        return None
    except RecursionError:
        result.fail("The GeoJSON is nested too deeply to read.")
        return None
    except json.JSONDecodeError as exc:
        result.fail(
            f"The GeoJSON is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        )
        return None
    if isinstance(doc, dict) and doc.get("type") == "FeatureCollection":
        features = doc.get("features")
    elif isinstance(doc, dict) and doc.get("type") == "Feature":
        features = [doc]
    elif isinstance(doc, dict) and doc.get("type") in GEOMETRY_TYPES:
        features = [{"type": "Feature", "geometry": doc, "properties": {}}]
    else:
        result.fail(
            "The file is JSON but not GeoJSON: it needs a FeatureCollection, a "
            "Feature or a geometry."
        )
        return None
    if not isinstance(features, list) or not features:
        result.fail("The GeoJSON has no features.")
        return None

    geoms, props, unreadable = [], [], []
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict):
            unreadable.append(number)
            continue
        raw = feature.get("geometry")
        geom = None
        if raw is not None:
            try:
                geom = shapely.geometry.shape(raw)
            except Exception:  # noqa: BLE001 - any malformed geometry is reported by number
                unreadable.append(number)
                continue
        properties = feature.get("properties")
        row = {k: _cell(v) for k, v in properties.items()} if isinstance(properties, dict) else {}
        if ROW_COLUMN in row:
            row[f"{ROW_COLUMN}_original"] = row.pop(ROW_COLUMN)
        row[ROW_COLUMN] = number
        geoms.append(geom)
        props.append(row)
    result.add_rows(unreadable, "not a valid GeoJSON feature or geometry (dropped).")
    if not geoms:
        result.fail("No feature in the GeoJSON could be read.")
        return None

    file_crs, note = (None, "it has no crs member")
    if "crs" in doc:
        file_crs, note = _named_crs(doc["crs"])
    present = [g for g in geoms if g is not None and not g.is_empty]
    bounds = tuple(shapely.total_bounds(present)) if present else (0.0, 0.0, 0.0, 0.0)
    if file_crs is None:
        fits_degrees = np.isfinite(bounds).all() and suggest_crs(bounds) == WGS84
        if crs is not None:
            file_crs = crs
        elif "crs" not in doc and fits_degrees:
            file_crs = WGS84  # what RFC 7946 says GeoJSON is
        else:
            result.needs_crs = True
            result.crs_suggestion = suggest_crs(bounds) if np.isfinite(bounds).all() else BNG
            question = (
                f"The GeoJSON does not say which coordinate system it uses ({note})"
                + (
                    ", and its coordinates are not longitude and latitude"
                    if "crs" not in doc
                    else ""
                )
                + ": choose one."
            )
            result.add(question, ERROR)
            return None
    elif crs is not None and crs != file_crs:
        result.add(f"The GeoJSON says it uses {file_crs}: read in {file_crs}, not {crs}.", WARNING)
    try:
        CRS.from_user_input(file_crs)
    except CRSError:
        result.fail(f"The GeoJSON's coordinate system ({file_crs}) is not known.")
        return None
    result.crs = file_crs
    table = pd.DataFrame(props)
    return gpd.GeoDataFrame(table, geometry=gpd.GeoSeries(geoms, index=table.index), crs=file_crs)
