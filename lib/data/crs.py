"""Reprojection on one long-lived thread.

PROJ keeps a context per thread and sets a transformation up afresh in each new thread:
about 30 ms before the first point moves. Streamlit runs every rerun in a new thread, so a
page that reprojects anything (a borough's frame, the community reports) paid that on every
click. Here every reprojection runs on one thread, whose transformations stay set up.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import TypeVar

import geopandas as gpd
import numpy as np
from pyproj import Transformer

_PROJ = ThreadPoolExecutor(max_workers=1, thread_name_prefix="proj")

Geo = TypeVar("Geo", gpd.GeoSeries, gpd.GeoDataFrame)


@cache
def _transformer(source: int, target: int) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


def to_crs(geo: Geo, epsg: int) -> Geo:
    """`geo.to_crs(epsg)`, on the reprojection thread."""
    return _PROJ.submit(geo.to_crs, epsg).result()


def transform(source: int, target: int, xs, ys) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates (x, y as easting, northing or lon, lat) from EPSG `source` to `target`."""
    x, y = _PROJ.submit(_transformer(source, target).transform, xs, ys).result()
    return np.asarray(x), np.asarray(y)
