"""Check the features' geometries, put them in British National Grid, and keep London's.

Dropped (an error naming the rows): no geometry, an empty one, coordinates that are not
numbers, a geometry collection, more than MAX_FEATURE_VERTICES vertices, anything outside
London; nothing at all beyond MAX_VERTICES in all. Repaired (a warning): an invalid
polygon or line, made valid. Reported (a warning): a mix of points, lines and polygons.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from lib.uploads.model import (
    BNG,
    MAX_FEATURE_VERTICES,
    MAX_VERTICES,
    ROW_COLUMN,
    WARNING,
    WGS84,
    UploadResult,
    where_in_sentence,
)

#: Closing the boroughs' union by this much fills the Thames (the boroughs stop at mean high
#: water), so a point on the river or a bridge is in London; the outer edge barely moves.
THAMES_CLOSING_M = 500
FAMILIES = {
    "Point": "point",
    "MultiPoint": "point",
    "LineString": "line",
    "MultiLineString": "line",
    "LinearRing": "line",
    "Polygon": "polygon",
    "MultiPolygon": "polygon",
}
PLURALS = {"point": "points", "line": "lines", "polygon": "polygons"}


@dataclass(frozen=True)
class London:
    """London's outline in EPSG:27700, and its bounding boxes in both coordinate systems."""

    outline: shapely.Geometry
    bounds_bng: tuple[float, float, float, float]
    bounds_wgs84: tuple[float, float, float, float]

    @classmethod
    def from_boroughs(cls, boroughs: gpd.GeoDataFrame) -> London:
        union = shapely.union_all(boroughs.to_crs(BNG).geometry.values)
        outline = union.buffer(THAMES_CLOSING_M).buffer(-THAMES_CLOSING_M)
        return cls.from_outline(outline)

    @classmethod
    def from_outline(cls, outline: shapely.Geometry) -> London:
        shapely.prepare(outline)
        bounds = outline.bounds
        to_wgs = Transformer.from_crs(BNG, WGS84, always_xy=True)
        xs, ys = to_wgs.transform(
            [bounds[0], bounds[2], bounds[0], bounds[2]],
            [bounds[1], bounds[3], bounds[3], bounds[1]],
        )
        return cls(outline, bounds, (min(xs), min(ys), max(xs), max(ys)))

    def box_contains(self, x, y, crs: str) -> np.ndarray:
        x0, y0, x1, y1 = self.bounds_bng if crs == BNG else self.bounds_wgs84
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        return (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)


def suggest_crs(bounds: tuple[float, float, float, float]) -> str:
    """The choice the coordinates' values fit: degrees if they could be, else metres."""
    x0, y0, x1, y1 = bounds
    if -180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90:
        return WGS84
    return BNG


def crs_name(crs) -> str:
    try:
        parsed = CRS.from_user_input(crs)
    except Exception:  # noqa: BLE001 - any unreadable CRS is reported, not raised
        return str(crs)
    epsg = parsed.to_epsg()
    return f"EPSG:{epsg}" if epsg else parsed.name


def check_geometries(
    frame: gpd.GeoDataFrame, result: UploadResult, london: London | None
) -> gpd.GeoDataFrame:
    """The usable features in EPSG:27700; every dropped or changed row named in `result`."""
    rows = frame[ROW_COLUMN]
    geoms = frame.geometry.values
    missing = pd.isna(pd.Series(geoms, index=frame.index, dtype=object))
    result.add_rows(rows[missing], "no geometry (dropped).")
    frame = frame[~missing]
    if frame.empty:
        return frame

    empty = frame.geometry.is_empty
    result.add_rows(frame.loc[empty, ROW_COLUMN], "empty geometry (dropped).")
    frame = frame[~empty]

    coords, owner = shapely.get_coordinates(frame.geometry.values, return_index=True)
    bad = np.zeros(len(frame), dtype=bool)
    bad[np.unique(owner[~np.isfinite(coords).all(axis=1)])] = True
    result.add_rows(frame.loc[bad, ROW_COLUMN], "coordinates are not numbers (dropped).")
    frame = frame[~bad]

    kinds = frame.geometry.geom_type.map(FAMILIES)
    collections = kinds.isna()
    result.add_rows(
        frame.loc[collections, ROW_COLUMN],
        "a geometry collection: split it into points, lines or polygons (dropped).",
    )
    frame, kinds = frame[~collections], kinds[~collections]
    if frame.empty:
        return frame
    frame = frame.set_geometry(shapely.force_2d(frame.geometry.values), crs=frame.crs)

    vertices = shapely.get_num_coordinates(frame.geometry.values)
    huge = vertices > MAX_FEATURE_VERTICES
    result.add_rows(
        frame.loc[huge, ROW_COLUMN],
        f"more than {MAX_FEATURE_VERTICES:,} vertices: simplify it (dropped).",
    )
    frame, kinds = frame[~huge], kinds[~huge]
    if vertices[~huge].sum() > MAX_VERTICES:
        result.add(
            f"The features have {vertices[~huge].sum():,} vertices in all; at most "
            f"{MAX_VERTICES:,} are accepted. Simplify them, or send fewer."
        )
        return frame.iloc[:0]
    if frame.empty:
        return frame

    invalid = ~frame.geometry.is_valid
    if invalid.any():
        reasons = shapely.is_valid_reason(frame.geometry.values[invalid.values])
        first = str(reasons[0]).split("[")[0].strip().lower()
        repaired = [
            _repair(g, kind)
            for g, kind in zip(frame.geometry.values[invalid.values], kinds[invalid], strict=True)
        ]
        geometry = frame.geometry.values.copy()
        geometry[invalid.values] = repaired
        frame = frame.set_geometry(geometry, crs=frame.crs)
        result.add_rows(
            frame.loc[invalid, ROW_COLUMN], f"invalid geometry ({first}), repaired.", WARNING
        )
        emptied = frame.geometry.is_empty
        result.add_rows(
            frame.loc[emptied, ROW_COLUMN], "invalid geometry that could not be repaired (dropped)."
        )
        frame, kinds = frame[~emptied], kinds[~emptied]

    counts = kinds.value_counts()
    if len(counts) > 1:
        main = counts.index[0]
        others = kinds[kinds != main].index
        text = ", ".join(f"{n:,} {PLURALS[k] if n > 1 else k}" for k, n in counts.items())
        rows = frame.loc[others, ROW_COLUMN]
        verb = "is not a" if len(rows) == 1 else "are not"
        noun = main if len(rows) == 1 else PLURALS[main]
        result.add(
            f"Mixed geometry types ({text}): {where_in_sentence(result.row_label, rows)} "
            f"{verb} {noun}. Each feature is counted in every policy area it touches, and in "
            "the borough its centre is in.",
            WARNING,
            rows,
        )

    frame = to_bng(frame)
    if london is not None and not frame.empty:
        inside = shapely.intersects(london.outline, frame.geometry.values)
        result.add_rows(frame.loc[~inside, ROW_COLUMN], "outside London (dropped).")
        frame = frame[inside]
    return frame


def _repair(geom, kind: str):
    fixed = shapely.make_valid(geom)
    if FAMILIES.get(fixed.geom_type) == kind:
        return fixed
    # make_valid can return a collection (a polygon and a stray line): keep the parts of the
    # original kind
    parts = [p for p in shapely.get_parts(fixed) if FAMILIES.get(p.geom_type) == kind]
    if not parts:
        return shapely.Polygon()
    return shapely.union_all(parts)


def to_bng(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if frame.crs is None:
        raise ValueError("features without a CRS cannot be put in British National Grid")
    if CRS.from_user_input(frame.crs).to_epsg() == 27700:
        return frame.set_crs(BNG, allow_override=True)
    return frame.to_crs(BNG)
