"""read_upload: one uploaded file's bytes in, features in EPSG:27700 and problems out."""

from __future__ import annotations

import logging

import geopandas as gpd
import pandas as pd
from pyproj import CRS

from lib.uploads import archive as zips
from lib.uploads.gdal import GdalRead, clean_message, safe_gdal, temporary_folder
from lib.uploads.geojson import read_geojson
from lib.uploads.geometry import London, check_geometries, crs_name, suggest_crs
from lib.uploads.model import (
    CRS_CHOICES,
    ERROR,
    INFO,
    MAX_FEATURES,
    ROW_COLUMN,
    WARNING,
    UploadResult,
    max_upload_bytes,
    megabytes,
    where_in_sentence,
)
from lib.uploads.sniff import ACCEPTED, sniff
from lib.uploads.tabular import Postcodes, read_csv

log = logging.getLogger(__name__)
C1_CONTROLS = "".join(chr(c) for c in range(0x80, 0xA0))


def read_upload(
    name: str,
    data: bytes,
    *,
    crs: str | None = None,
    layer: str | None = None,
    london: London | None = None,
    postcodes: Postcodes | None = None,
    max_bytes: int | None = None,
) -> UploadResult:
    """Read an uploaded file. Never raises on a bad file: the problems say what was wrong.

    `crs` answers a `needs_crs` question (one of CRS_CHOICES); `layer` a `needs_layer` one.
    `london` (London.from_boroughs) drops rows outside London and detects swapped
    coordinates; `postcodes` places CSV rows by postcode.
    """
    result = UploadResult(name=name)
    if crs is not None and crs not in CRS_CHOICES:
        raise ValueError(f"crs must be one of {', '.join(CRS_CHOICES)}, not {crs!r}")
    limit = max_upload_bytes() if max_bytes is None else max_bytes
    if len(data) > limit:
        return result.fail(
            f"{name} is {megabytes(len(data))}; the largest file accepted is {megabytes(limit)}."
        )
    found = sniff(name, data)
    if found.format is None:
        return result.fail(found.message)
    if found.message:
        result.add(found.message, INFO)
    try:
        if found.format == "csv":
            result.format = "csv"
            frame = read_csv(data, result, crs, london, postcodes)
        elif found.format == "geojson":
            result.format = "geojson"
            frame = read_geojson(data, result, crs)
        else:
            frame = _read_with_gdal(name, data, found.format, result, crs, layer, limit)
        if frame is None or result.needs_crs or result.needs_layer:
            result.features = None
            return result
        if frame.empty:
            return result.fail(f"{name} has no features to show.")
        if len(frame) > MAX_FEATURES:
            return result.fail(
                f"{name} has more than {MAX_FEATURES:,} features; at most {MAX_FEATURES:,} are "
                "accepted. Split it, or keep the features you need."
            )
        frame = check_geometries(_safe_columns(frame), result, london)
    except MemoryError:
        return result.fail(f"{name} is too large to read here.")
    except Exception as exc:  # noqa: BLE001 - a bad file must never crash the page
        log.exception("Reading the upload %r failed", name)
        return result.fail(
            f"{name} could not be read: an unexpected {type(exc).__name__}. Check that it is "
            f"{ACCEPTED}."
        )
    if frame.empty:
        return result.fail(f"No feature of {name} could be shown: see the problems above.")
    result.features = frame.reset_index(drop=True)
    return result


def _safe_columns(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The user's columns as text-safe names; a column of theirs called 'geometry' kept."""
    geometry = frame.geometry.name
    renames = {c: f"{c}_1" for c in frame.columns if c != geometry and str(c).lower() == "geometry"}
    frame = frame.rename(columns=renames)
    if geometry != "geometry":
        frame = frame.rename_geometry("geometry")
    columns = [ROW_COLUMN] + [c for c in frame.columns if c not in (ROW_COLUMN, "geometry")]
    return frame[columns + ["geometry"]]


def _read_with_gdal(name, data, fmt, result, crs, layer, limit):
    if fmt == "zip":
        result.format = "shapefile"
        try:
            archive = zips.open_checked(data, name, limit)
        except zips.ZipRefused as exc:
            result.fail(str(exc))
            return None
        found = zips.shapefiles(archive)
        if not found.layers:
            detail = " ".join(found.refused + found.incomplete)
            listed = ", ".join(found.ignored[:10])
            result.fail(
                f"{name} holds no shapefile (a .shp with its .shx and .dbf)."
                + (f" {detail}" if detail else "")
                + (f" It holds: {listed}." if listed and not detail else "")
            )
            return None
        for message in found.refused + found.incomplete:
            result.add(message, WARNING)
        choice = _choose_layer(result, list(found.layers), layer)
        if choice is None:
            return None
        parts = found.layers[choice]
        try:
            files = {
                suffix: zips.read_member(archive, info, name) for suffix, info in parts.items()
            }
        except zips.ZipRefused as exc:
            result.fail(str(exc))
            return None
    else:
        result.format = "gpkg"
        files = {".gpkg": data}
    result.row_label = "Feature"
    with temporary_folder() as folder, safe_gdal():
        for suffix, content in files.items():
            (folder / f"upload{suffix}").write_bytes(content)
        source = GdalRead(
            folder / ("upload.gpkg" if fmt == "gpkg" else "upload.shp"), result.format
        )
        try:
            return _read_layer(source, result, crs, layer, files)
        except Exception as exc:  # noqa: BLE001 - GDAL's own errors become a message
            result.fail(
                f"{name} could not be read as a {result.format_label}: it may be damaged or "
                f"incomplete ({clean_message(exc, folder, name)})."
            )
            return None


def _choose_layer(result: UploadResult, names: list[str], layer: str | None) -> str | None:
    result.layers = tuple(names)
    if layer is not None:
        if layer not in names:
            result.fail(f"There is no layer {layer!r}: choose one of {', '.join(names)}.")
            return None
        result.layer = layer
        return layer
    if len(names) == 1:
        result.layer = names[0]
        return names[0]
    result.needs_layer = True
    result.add(f"The file has {len(names)} layers: choose one.", ERROR)
    return None


def _read_layer(source: GdalRead, result, crs, layer, files):
    if source.format == "gpkg":
        layers = source.layers()
        spatial = [n for n, geom in layers if geom is not None]
        if not spatial:
            tables = ", ".join(n for n, _ in layers) or "none"
            result.fail(f"{result.name} has no spatial layer (tables: {tables}): nothing to map.")
            return None
        layer = _choose_layer(result, spatial, layer)
        if layer is None:
            return None
    else:
        layer = None
    info = source.info(layer)
    frame = _read_text(source, layer, result, has_cpg=".cpg" in files)
    frame = frame.rename(columns={ROW_COLUMN: f"{ROW_COLUMN}_original"})
    frame.insert(0, ROW_COLUMN, range(1, len(frame) + 1))
    file_crs = info.get("crs")
    if file_crs is None:
        if crs is None:
            present = frame.geometry[frame.geometry.notna() & ~frame.geometry.is_empty]
            bounds = tuple(present.total_bounds) if len(present) else (0, 0, 0, 0)
            result.needs_crs = True
            result.crs_suggestion = suggest_crs(bounds)
            what = (
                "has no .prj file" if source.format == "shapefile" else "has no coordinate system"
            )
            result.add(
                f"The {result.format_label} {what}, so which coordinate system it "
                "uses is not known: choose one.",
                ERROR,
            )
            return None
        file_crs = crs
    else:
        file_crs = crs_name(file_crs)
        try:
            CRS.from_user_input(file_crs)
        except Exception:  # noqa: BLE001
            result.fail(f"The {result.format_label}'s coordinate system is not understood.")
            return None
    result.crs = file_crs
    return frame.set_crs(file_crs, allow_override=True)


def _text_rows(frame, test) -> list[int]:
    """Feature numbers (from 1) of the rows with a text value for which `test` is true."""
    flags = pd.Series(False, index=frame.index)
    for column in frame.columns:
        if column != frame.geometry.name:
            flags |= frame[column].map(lambda v: isinstance(v, str) and test(v)).astype(bool)
    return [i + 1 for i, flag in enumerate(flags) if flag]


def _read_text(source: GdalRead, layer, result: UploadResult, has_cpg: bool):
    """The layer, its text decoded right: a .dbf that is not UTF-8 is read as Windows-1252."""
    if source.format != "shapefile":
        return source.read(layer)
    try:
        frame = source.read(layer, encoding=None if has_cpg else "UTF-8")
    except UnicodeDecodeError:
        frame = source.read(layer, encoding="cp1252")
        rows = _text_rows(frame, lambda v: not v.isascii())
        said = "its .cpg file says UTF-8" if has_cpg else "no .cpg file names its encoding"
        which = where_in_sentence(result.row_label, rows) if rows else "every feature"
        result.add(
            f"The shapefile's attribute table (.dbf) is not UTF-8 and {said}: read as "
            f"Windows-1252. Check the text of {which}.",
            WARNING,
            rows,
        )
        return frame
    result.add_rows(
        _text_rows(frame, lambda v: any(ch in C1_CONTROLS for ch in v)),
        "text with control characters: the .cpg file may name the wrong encoding.",
        WARNING,
    )
    return frame
