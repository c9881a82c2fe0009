"""A workshop's reports as map points, and its join QR code.

The wall's map is a MapSpec (lib/render/page_specs.py `wall_spec`) drawn by the browser map
(lib/render/site_map.py): borough outlines on a pale land fill and their names, so it reads
with no basemap, and the session's reports, which the browser redraws in place on each of the
wall's refreshes. Contributors' words stay plain text here; they are HTML-escaped where they
leave for the browser (site_map.py `_reports_spec`).
"""

from __future__ import annotations

import io
from functools import lru_cache

import pandas as pd
import segno

from lib.data import crs
from lib.vocab import contributions as vocab


def placed(rows: pd.DataFrame) -> pd.DataFrame:
    """The reports the wall map shows: those with a point (an area need is a ward's)."""
    return rows[rows["x"].notna() & rows["y"].notna() & rows["kind"].isin(vocab.MAPPED_KINDS)]


def report_points(rows: pd.DataFrame) -> pd.DataFrame:
    """The session's placed reports (store rows: x, y in EPSG:27700, kind, name) as lon, lat,
    kind and name, oldest first (the newest drawn on top)."""
    points = placed(rows)
    lon, lat = crs.transform(
        27700, 4326, points["x"].astype(float).to_numpy(), points["y"].astype(float).to_numpy()
    )
    return pd.DataFrame(
        {
            "lon": lon,
            "lat": lat,
            "kind": points["kind"].to_numpy(),
            "name": points["name"].astype(str).to_numpy(),
        },
        index=points.index,
    )


@lru_cache(maxsize=32)  # the wall redraws every 3 s: one PNG per address
def qr_png(url: str, scale: int = 8) -> bytes:
    """A QR code of `url` as a PNG, made here (no network): dark on white, with the quiet
    zone phones need to read it off a projector."""
    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(
        out, kind="png", scale=scale, dark="#111111", light="#ffffff", border=4
    )
    return out.getvalue()
