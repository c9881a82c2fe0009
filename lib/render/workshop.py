"""A workshop's wall map and its join QR code.

The wall map is a fixed base (borough outlines on a pale land fill and their names, so it reads
with no basemap; Leaflet served by the app) and the session's reports as one feature group that
st_folium swaps in place on each refresh, so the map is never rebuilt while people watch. Every
string from a contributor is HTML-escaped here, before it reaches the browser.
"""

from __future__ import annotations

import html
import io
from functools import cache, lru_cache

import folium
import pandas as pd
import segno

from lib.render.community import KIND_SHORT
from lib.render.legend import LegendSection
from lib.render.maps import MapLayers, add_area_labels, add_legend, add_outlines, new_map
from lib.render.vendor import use_local_assets
from lib.vocab import contributions as vocab
from lib.vocab.sources import ONS_ATTR, OS_ATTR

POINTS_NAME = "Reports from the room"


def wall_map(map_layers: MapLayers, basemap: str = "none") -> folium.Map:
    """The wall's base map: boroughs, their names, the legend of kinds; no reports."""
    m = new_map(basemap)
    add_outlines(
        m,
        map_layers.boroughs,
        "Boroughs",
        attribution=html.escape(f"{ONS_ATTR}. {OS_ATTR}"),
        land=basemap == "none",
    )
    add_area_labels(m, map_layers.labels)
    rows = tuple((vocab.KIND_COLOURS[k], KIND_SHORT[k]) for k in vocab.KINDS if k != "area_need")
    add_legend(
        m,
        [LegendSection("Reports from the room", "edged", rows)],
        note="Not public until a moderator approves them. Area needs are counted, not mapped.",
    )
    return use_local_assets(m)


@cache
def _to_lonlat():
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


def placed(rows: pd.DataFrame) -> pd.DataFrame:
    """The reports the wall map shows: those with a point (an area need is a ward's)."""
    return rows[rows["x"].notna() & rows["y"].notna() & (rows["kind"] != "area_need")]


def wall_points(rows: pd.DataFrame) -> folium.FeatureGroup:
    """The session's placed reports as circle markers coloured by kind (one GeoJson layer)."""
    group = folium.FeatureGroup(name=POINTS_NAME, control=False)
    points = placed(rows)
    features = []
    if len(points):
        lon, lat = _to_lonlat().transform(
            points["x"].astype(float).to_numpy(), points["y"].astype(float).to_numpy()
        )
        for (_, row), x, y in zip(points.iterrows(), lon, lat, strict=True):
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [round(x, 6), round(y, 6)]},
                    "properties": {
                        "name": html.escape(str(row["name"])),
                        "what": html.escape(KIND_SHORT.get(row["kind"], row["kind"])),
                        "colour": vocab.KIND_COLOURS.get(row["kind"], "#555555"),
                    },
                }
            )
    if features:
        folium.GeoJson(
            {"type": "FeatureCollection", "features": features},
            name=POINTS_NAME,
            marker=folium.CircleMarker(radius=9, weight=2, fill_opacity=1.0),
            style_function=lambda f: {
                "color": "#333333",
                "fill": True,
                "fillColor": f["properties"]["colour"],
                "fillOpacity": 1.0,
            },
            tooltip=folium.GeoJsonTooltip(["name", "what"], labels=False),
        ).add_to(group)
    return group


@lru_cache(maxsize=32)  # the wall redraws every 3 s: one PNG per address
def qr_png(url: str, scale: int = 8) -> bytes:
    """A QR code of `url` as a PNG, made here (no network): dark on white, with the quiet
    zone phones need to read it off a projector."""
    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(
        out, kind="png", scale=scale, dark="#111111", light="#ffffff", border=4
    )
    return out.getvalue()
