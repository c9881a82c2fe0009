"""Community-reported contributions: the map overlay (drawn by the browser map, the HTML
download and the cards from a MapSpec's `Overlay("community", ...)`) and the public table.

Input is what lib.store.public_contributions returns (approved rows, public columns only).
Every string from a contributor is HTML-escaped here, before it reaches the browser (the
HTML download's tooltips are set as innerHTML; the browser map unescapes and sets text).
"""

from __future__ import annotations

import html

import geopandas as gpd
import pandas as pd

from lib.data import crs
from lib.render.own_data import OwnDataLayer
from lib.vocab import contributions as vocab

LABEL = "Community-reported"
TOOLTIP_FIELDS = {"name": "", "what": "Community report", "cat": "Category", "when": "Date"}


def _text(value) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def what_text(kind: str, correction) -> str:
    text = vocab.KIND_SHORT.get(kind, kind)
    if kind == "correction" and _text(correction):
        text += ": " + vocab.CORRECTIONS.get(correction, correction).lower()
    return text


def points(contributions: gpd.GeoDataFrame) -> pd.DataFrame:
    """The located contributions as lon, lat and escaped tooltip fields."""
    located = contributions[contributions.geometry.notna() & ~contributions.geometry.is_empty]
    if located.empty:
        return pd.DataFrame(columns=["lon", "lat", *TOOLTIP_FIELDS])
    lonlat = crs.to_crs(located.geometry, 4326)
    return pd.DataFrame(
        {
            "lon": lonlat.x.round(5),
            "lat": lonlat.y.round(5),
            "name": located["name"].map(lambda v: html.escape(_text(v))),
            "what": [
                html.escape(what_text(k, c))
                for k, c in zip(located["kind"], located["correction"], strict=True)
            ],
            "cat": located["category"].map(lambda v: html.escape(_text(v))),
            "when": located["event_date"].map(lambda v: html.escape(_text(v)) or "not given"),
        },
        index=located.index,
    )


def public_table(contributions: gpd.GeoDataFrame, site_names: dict | None = None) -> pd.DataFrame:
    """The contributions as a table for pages and CSV downloads (plain text: st.dataframe and
    CSV never interpret HTML), with the licence on every row."""
    frame = pd.DataFrame(contributions.drop(columns="geometry"))
    located = contributions.geometry.notna()
    lonlat = crs.to_crs(contributions.geometry[located], 4326)
    frame["lon"] = lonlat.x.round(5)
    frame["lat"] = lonlat.y.round(5)
    pairs = zip(frame["kind"], frame["correction"], strict=True)
    frame["what"] = [what_text(k, c) for k, c in pairs]
    if site_names is not None:
        frame["listed_site"] = frame["site_id"].map(site_names)
    return frame


def site_map_layer(contributions: gpd.GeoDataFrame | None):
    """The located contributions for the explorer's browser map (lib/render/site_map.py), in
    the shape of an upload's layer: escaped text, the name first in each tooltip."""
    frame = points(contributions) if contributions is not None else pd.DataFrame()
    if frame.empty:
        return None
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"row": name, "c0": what, "c1": cat, "c2": when},
        }
        for lon, lat, name, what, cat, when in zip(
            frame["lon"],
            frame["lat"],
            frame["name"],
            frame["what"],
            frame["cat"],
            frame["when"],
            strict=True,
        )
    ]
    labels = [html.escape(label or "Name") for label in TOOLTIP_FIELDS.values()]
    return OwnDataLayer(
        {"type": "FeatureCollection", "features": features, "labels": labels}, LABEL, len(features)
    )
