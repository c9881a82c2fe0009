"""Community-reported contributions on a folium map: a layer styled apart from official data.

Input is what lib.store.public_contributions returns (approved rows, public columns only).
Every string from a contributor is HTML-escaped here, before it reaches the browser (folium
sets tooltips and popups as innerHTML); links are only the http(s) evidence links the store
validated, escaped as attribute values and opened with rel="noopener noreferrer nofollow".
"""

from __future__ import annotations

import html
import json

import folium
import geopandas as gpd
import pandas as pd

from lib.data import crs
from lib.render import symbols
from lib.render.own_data import OwnDataLayer
from lib.vocab import contributions as vocab

LABEL = "Community-reported"
COLOUR = symbols.COMMUNITY_COLOUR
NEED_COLOUR = symbols.COMMUNITY_COLOUR
DESCRIPTION_CHARS = 280  # shown in a popup; the table and downloads have the whole text
KIND_SHORT = {
    "closed": "Closed",
    "under_threat": "Under threat",
    "missing": "Missing from the data",
    "correction": "Correction",
    "area_need": "Area need",
}
TOOLTIP_FIELDS = {"name": "", "what": "Community report", "cat": "Category", "when": "Date"}
POPUP_FIELDS = {
    "name": "",
    "what": "Community report",
    "cat": "Category",
    "when": "Date",
    "outcome": "Status",
    "text": "",
    "link": "",
    "licence": "Licence",
}


def _text(value) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def evidence_link(url) -> str:
    """An escaped anchor for a validated http(s) evidence link, or ''."""
    url = _text(url)
    if not url.lower().startswith(("http://", "https://")):
        return ""
    return (
        f'<a href="{html.escape(url, quote=True)}" target="_blank" '
        'rel="noopener noreferrer nofollow">evidence</a>'
    )


def what_text(kind: str, correction) -> str:
    text = KIND_SHORT.get(kind, kind)
    if kind == "correction" and _text(correction):
        text += ": " + vocab.CORRECTIONS.get(correction, correction).lower()
    return text


def points(contributions: gpd.GeoDataFrame) -> pd.DataFrame:
    """The located contributions as lon, lat and escaped display fields."""
    located = contributions[contributions.geometry.notna() & ~contributions.geometry.is_empty]
    if located.empty:
        return pd.DataFrame(columns=["lon", "lat", *POPUP_FIELDS])
    lonlat = crs.to_crs(located.geometry, 4326)
    description = located["description"].map(_text)
    short = description.map(
        lambda t: t if len(t) <= DESCRIPTION_CHARS else t[: DESCRIPTION_CHARS - 1] + "…"
    )
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
            "outcome": located["outcome"].map(
                lambda v: html.escape(vocab.OUTCOMES.get(v, _text(v)))
            ),
            "text": short.map(html.escape),
            "link": located["evidence_url"].map(evidence_link),
            "licence": located["licence"].map(lambda v: html.escape(_text(v))),
        },
        index=located.index,
    )


def add_community_layer(
    m: folium.Map, contributions: gpd.GeoDataFrame, name: str = LABEL
) -> list[tuple[str, str]]:
    """One GeoJson layer of circle markers (dashed purple rings, white centre) for the located
    contributions; returns the legend row (empty when there are none)."""
    frame = points(contributions)
    if frame.empty:
        return []
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {k: row[k] for k in POPUP_FIELDS},
        }
        for lon, lat, row in zip(frame["lon"], frame["lat"], frame.to_dict("records"), strict=True)
    ]
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=html.escape(f"{name} ({len(frame):,})"),
        marker=folium.CircleMarker(
            radius=6,
            color=COLOUR,
            weight=2.5,
            dash_array="3 2",
            fill=True,
            fill_color=symbols.WHITE,
            fill_opacity=0.9,
        ),
        tooltip=folium.GeoJsonTooltip(list(TOOLTIP_FIELDS), aliases=list(TOOLTIP_FIELDS.values())),
        popup=folium.GeoJsonPopup(
            list(POPUP_FIELDS), aliases=list(POPUP_FIELDS.values()), max_width=320
        ),
        attribution=html.escape(f"{LABEL}: contributors ({vocab.LICENCE})"),
    ).add_to(m)
    return [(COLOUR, f"{LABEL} ({len(frame):,}): reports by the public, moderated")]


def area_needs_by_ward(contributions: pd.DataFrame) -> pd.DataFrame:
    """Approved area needs per 2017 ward: ward_code, count, and the escaped titles and texts
    (one line each) for a tooltip."""
    needs = contributions[contributions["kind"] == "area_need"]
    if needs.empty:
        return pd.DataFrame(columns=["ward_code", "needs", "text"])
    rows = []
    for ward_code, group in needs.groupby("ward_code", sort=True):
        lines = [
            f"<b>{html.escape(_text(n))}</b>: {html.escape(_text(d)[:DESCRIPTION_CHARS])}"
            for n, d in zip(group["name"], group["description"], strict=True)
        ]
        rows.append({"ward_code": ward_code, "needs": len(group), "text": "<br>".join(lines)})
    return pd.DataFrame(rows)


def add_area_needs_layer(
    m: folium.Map,
    wards: gpd.GeoDataFrame,
    contributions: pd.DataFrame,
    names_escaped: bool = False,
) -> list[tuple[str, str]]:
    """Wards (EPSG:4326, with ward_code and name; names_escaped when the names are already
    HTML-escaped, as in ward_maps.ward_geometry) where the community said what the area
    needs, outlined in the community colour, their needs in the tooltip."""
    needs = area_needs_by_ward(contributions)
    if needs.empty:
        return []
    frame = wards[["ward_code", "name", "geometry"]].merge(needs, on="ward_code")
    if not names_escaped:
        frame["name"] = frame["name"].map(lambda v: html.escape(_text(v)))
    data = json.loads(frame[["name", "needs", "text", "geometry"]].to_json(drop_id=True))
    folium.GeoJson(
        data,
        name=html.escape(f"What areas need ({int(needs['needs'].sum()):,}, {LABEL})"),
        style_function=lambda f: {
            "color": NEED_COLOUR,
            "weight": 2,
            "dashArray": "4 3",
            "fillColor": NEED_COLOUR,
            "fillOpacity": 0.12,
        },
        tooltip=folium.GeoJsonTooltip(["name", "text"], aliases=["", "Needs"]),
        attribution=html.escape(f"{LABEL}: contributors ({vocab.LICENCE})"),
    ).add_to(m)
    return [(NEED_COLOUR, f"What areas need ({LABEL})")]


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
