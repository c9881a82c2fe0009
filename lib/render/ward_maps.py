"""Wards for the maps of the borough profile and the voluntary sector: their shapes without
slivers (for the HTML download and the cards) and their unique labels. The maps themselves are
lib/render/page_specs.py specs.
"""

from __future__ import annotations

import html

import geopandas as gpd
import pandas as pd
import shapely

from lib.render import maps


def without_slivers(geom, min_area: float = 100.0):
    """A ward dissolved from LSOAs keeps thousands of hairline holes and slivers where LSOA
    edges did not quite meet (23,000 in all, most under 1 cm²): drawn, they read as stray
    lines. Holes and parts under `min_area` m² are dropped."""
    parts = []
    for polygon in getattr(geom, "geoms", [geom]):
        if polygon.geom_type != "Polygon" or polygon.area < min_area:
            continue
        holes = [ring for ring in polygon.interiors if shapely.Polygon(ring).area >= min_area]
        parts.append(shapely.Polygon(polygon.exterior, holes))
    return shapely.MultiPolygon(parts) if parts else geom


def ward_geometry(wards: gpd.GeoDataFrame, borough_names: dict[str, str]) -> gpd.GeoDataFrame:
    """Ward polygons for the browser (WGS84, ~1 m grid, no slivers), with escaped names."""
    frame = wards[["ward_code", "name", "gss_code", "geometry"]].copy()
    frame["geometry"] = frame.geometry.map(without_slivers).simplify(10)
    frame["name"] = frame["name"].map(html.escape)
    frame["borough"] = frame["gss_code"].map(borough_names).fillna("").map(html.escape)
    return maps.to_browser(frame)


def ward_labels(wards: pd.DataFrame) -> dict[str, str]:
    """ward_code -> 'Ward (Borough)', unique across London (the code is added if not)."""
    labels = wards["ward"] + " (" + wards["borough"].fillna("?") + ")"
    dup = labels.duplicated(keep=False)
    labels = labels.where(~dup, labels + " " + wards["ward_code"])
    return dict(zip(wards["ward_code"], labels, strict=True))
