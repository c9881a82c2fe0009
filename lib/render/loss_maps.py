"""Maps, charts and display tables of the two loss pages ("Losses vs policy", "Losses over time").

No streamlit here: the pages cache and render what these functions return.

- **Maps** (folium, on the builders of lib/render/maps.py and its conventions: circle markers in
  GeoJson layers on a canvas, escaped properties, a legend inside the frame, each layer's
  attribution, local Leaflet): `losses_map` (closed sites over one policy layer, inside drawn
  filled and elsewhere hollow) and `pubs_change_map` (a diverging borough choropleth).
- **Charts**: Vega-Lite specs as plain dicts with their data inline, for
  ``st.vega_lite_chart`` (Streamlit bundles Vega: nothing is fetched from a CDN).
- **Display tables**: the analysis tables with readable column names and formatted figures;
  the pages offer the full-precision analysis tables as CSV.

Colours are colour-blind safe: closures inside a policy area are Okabe-Ito vermillion and
filled, elsewhere Okabe-Ito blue and hollow (shape carries the difference too); categories keep
the explorer's group colours; the pubs choropleth is ColorBrewer PuOr (orange = fewer pubs).
"""

from __future__ import annotations

import html
import json
from typing import Any, NamedTuple

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from lib.analysis import geometry, losses
from lib.render import maps, symbols
from lib.render.legend import LegendSection
from lib.vocab.categories import RECORDING, RECORDING_CATEGORIES, categories_text
from lib.vocab.policies import base_policy, policy_label, policy_title

INSIDE_COLOUR = symbols.INSIDE_COLOUR
OUTSIDE_COLOUR = symbols.OUTSIDE_COLOUR
ELSEWHERE = "Elsewhere"
HIGHLIGHT_COLOUR = "#000000"

# ---------------------------------------------------------------- policy layer


def policy_style(policy: str) -> tuple[str, str]:
    """(legend label, colour) of a policy key; town-centre classes take the town-centre colour."""
    base = base_policy(policy)
    label = base.legend if policy == "opportunity_area" else policy_title(policy)  # "27 of 47"
    return label, base.colour


def policy_geojson(policy_areas, policy: str) -> dict:
    """One policy's polygons (a town-centre class alone; ``policy_areas`` in WGS84, as in
    MapLayers) as a FeatureCollection with escaped name and classification."""
    layer = geometry.policy_layer(policy_areas, policy)
    frame = layer[["name", "classification", "geometry"]].copy()
    for column in ["name", "classification"]:
        frame[column] = frame[column].fillna("").astype(str).map(html.escape)
    return json.loads(frame.to_json(drop_id=True))


def add_policy_area(m: folium.Map, collection: dict, policy: str) -> tuple[str, str]:
    """Draw one policy's polygons (from ``policy_geojson``); returns its legend row."""
    label, colour = policy_style(policy)
    if collection["features"]:
        folium.GeoJson(
            collection,
            name=html.escape(label),
            style_function=lambda f, c=colour: {
                "color": c,
                "weight": 1.8,
                "fillColor": c,
                "fillOpacity": 0.22,
            },
            tooltip=folium.GeoJsonTooltip(
                ["name", "classification"], aliases=[html.escape(label), ""]
            ),
            attribution=maps.layer_attribution(base_policy(policy).key),
        ).add_to(m)
    count = len(collection["features"])
    return colour, f"{label} ({count:,} area{'' if count == 1 else 's'})"


# ---------------------------------------------------------------- closed sites over a policy


def closed_sides(
    sites: pd.DataFrame,
    policy: str,
    categories=RECORDING_CATEGORIES,
    start: int = losses.DEFAULT_START,
    policy_areas: gpd.GeoDataFrame | None = None,
    vintage: bool = False,
) -> tuple[pd.Index, pd.Index]:
    """Index labels of the losses counted in the window from ``start``, inside and outside
    the policy's areas (the same sites, years and flags as ``analysis.closure_table``; with
    ``vintage``, a loss before its area's designation is elsewhere, and ``policy_areas`` are
    needed)."""
    chosen = [c for c in RECORDING_CATEGORIES if c in categories]
    kept = losses.recorded_sites(sites, chosen)
    frame = losses.exposure(
        kept, chosen, start, losses.inside_from(kept, policy, policy_areas, vintage)
    )
    return frame.index[frame["closed_in"].eq(1)], frame.index[frame["closed_out"].eq(1)]


def closed_sites_display(
    sites: pd.DataFrame,
    policy: str,
    borough_names: dict[str, str],
    categories=RECORDING_CATEGORIES,
    start: int = losses.DEFAULT_START,
    policy_areas: gpd.GeoDataFrame | None = None,
    vintage: bool = False,
) -> pd.DataFrame:
    """The losses map as a table (its accessible alternative): one row per closed site drawn,
    inside the policy's areas first, then by borough and name."""
    inside, outside = closed_sides(sites, policy, categories, start, policy_areas, vintage)
    where = f"Inside {policy_label(policy)}"
    frame = sites.loc[inside.append(outside)]
    table = pd.DataFrame(
        {
            "Where": [where] * len(inside) + [ELSEWHERE] * len(outside),
            "Name": frame["name"].to_numpy(),
            "Category": frame["category"].to_numpy(),
            "Closed": frame["closed_year"].astype("Int64").to_numpy(),
            "Borough": frame["gss_code"].map(borough_names).to_numpy(),
        }
    )
    table["_side"] = np.r_[np.zeros(len(inside)), np.ones(len(outside))]
    return (
        table.sort_values(["_side", "Borough", "Name"], kind="stable")
        .drop(columns="_side")
        .reset_index(drop=True)
    )


def closed_site_features(points: pd.DataFrame, side: str) -> dict:
    """FeatureCollection of closed sites (``points`` are MapLayers.sites rows: already
    escaped) with the side of the boundary they fall on."""
    side = html.escape(side)
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "name": r.name,
                    "cat": r.cat,
                    "state": r.state,
                    "side": side,
                    "src": r.src,
                },
                "geometry": {"type": "Point", "coordinates": [r.lon, r.lat]},
            }
            for r in points.itertuples(index=False)
        ],
    }


def _closed_tooltip() -> folium.GeoJsonTooltip:
    return folium.GeoJsonTooltip(
        ["name", "cat", "state", "side", "src"],
        aliases=["", "Category", "Status", "Where", "Source"],
    )


INSIDE_MARKER: dict[str, Any] = dict(
    radius=6, color="#1a1a1a", weight=1.2, fill=True, fill_color=INSIDE_COLOUR, fill_opacity=0.95
)
OUTSIDE_MARKER: dict[str, Any] = dict(
    radius=5, color=OUTSIDE_COLOUR, weight=2.4, fill=True, fill_color="#ffffff", fill_opacity=0.35
)


class LossLayers(NamedTuple):
    """What the losses map draws, as plain data (picklable: pages cache it by policy and
    categories; the folium map itself is rebuilt each run, since rendering mutates it)."""

    policy: str
    categories: tuple[str, ...]
    area: dict  # FeatureCollection of the policy's polygons
    inside: dict  # FeatureCollection of closed sites inside
    outside: dict  # FeatureCollection of closed sites elsewhere
    start: int = losses.DEFAULT_START  # losses counted from this year
    vintage: bool = False  # inside only after its area's designation


def loss_layers(
    sites: pd.DataFrame,
    map_layers: maps.MapLayers,
    policy: str,
    categories=RECORDING_CATEGORIES,
    start: int = losses.DEFAULT_START,
    policy_areas: gpd.GeoDataFrame | None = None,
    vintage: bool = False,
) -> LossLayers:
    """The losses of ``categories`` in the window from ``start`` split by ``policy`` (see
    ``closed_sides``), and the policy's polygons."""
    inside, outside = closed_sides(sites, policy, categories, start, policy_areas, vintage)
    in_text = f"Inside {policy_label(policy)}"
    return LossLayers(
        policy,
        tuple(c for c in RECORDING_CATEGORIES if c in categories),
        policy_geojson(map_layers.policy_areas, policy),
        closed_site_features(map_layers.sites.loc[inside], in_text),
        closed_site_features(map_layers.sites.loc[outside], ELSEWHERE),
        start,
        vintage,
    )


def losses_map(
    map_layers: maps.MapLayers, layers: LossLayers, basemap: str = "none", community_reports=None
) -> folium.Map:
    """Closed sites over one policy's areas (``layers`` from ``loss_layers``): closures inside
    drawn as filled vermillion dots, closures elsewhere as hollow blue rings (drawn first,
    underneath); borough outlines and names; a legend with the counts; each layer's
    attribution."""
    policy = layers.policy
    n_in, n_out = len(layers.inside["features"]), len(layers.outside["features"])
    m = maps.new_map(basemap)
    maps.add_outlines(
        m,
        map_layers.boroughs,
        "Boroughs",
        maps.layer_attribution("boroughs"),
        land=basemap == "none",
    )
    area_row = add_policy_area(m, layers.area, policy)
    maps.add_area_labels(m, map_layers.labels)
    label, colour = policy_style(policy)
    attribution = maps.layer_attribution(
        "libraries", "gp_practices", "museums", "pharmacies", "dental"
    )
    for collection, marker, name in [
        (layers.outside, OUTSIDE_MARKER, f"Closed elsewhere ({n_out:,})"),
        (layers.inside, INSIDE_MARKER, f"Closed inside ({n_in:,})"),
    ]:
        if collection["features"]:
            folium.GeoJson(
                collection,
                name=html.escape(name),
                marker=folium.CircleMarker(**marker),
                tooltip=_closed_tooltip(),
                attribution=attribution,
            ).add_to(m)
    maps.add_legend(
        m,
        [
            LegendSection(
                f"Lost {categories_text(layers.categories)} since {layers.start}",
                "edged",
                ((INSIDE_COLOUR, f"Inside {label} ({n_in:,})"),),
            ),
            LegendSection("", "hollow", ((OUTSIDE_COLOUR, f"{ELSEWHERE} ({n_out:,})"),)),
            maps.community_section(m, community_reports),
            LegendSection("London Plan", "line", (area_row,)),
            LegendSection("", "outline", (("#333333", "Borough boundaries"),)),
        ],
        note=f"Losses from {layers.start} to each source's end: "
        + ", ".join(RECORDING[c].card_window for c in layers.categories)
        + (
            "; inside only after the area's designation (earlier losses count as elsewhere)."
            if layers.vintage
            else "."
        ),
    )
    return maps.finish(m)


# ---------------------------------------------------------------- pubs choropleth


class PubsLayer(NamedTuple):
    """The pubs choropleth as plain data (picklable, cacheable): boroughs with their fill
    colour and tooltip text, the legend rows and title."""

    collection: dict
    legend: list[tuple[str, str]]
    title: str


def pubs_layer(
    map_layers: maps.MapLayers, change: pd.DataFrame, start: int = 2001, end: int = 2018
) -> PubsLayer:
    """Boroughs shaded by % change in pubs and bars between ``start`` and ``end``
    (``change`` is ``analysis.pubs_change``), on a diverging ramp (orange: fewer)."""
    frame = map_layers.boroughs[["gss_code", "name", "geometry"]].copy()
    by_code = change.set_index("gss_code")
    frame["pct"] = frame["gss_code"].map(by_code["pct_change"])
    classes = symbols.classify(frame["pct"], "diverging", "{}%")
    rows = list(classes.rows)
    frame["fill"] = classes.fills
    frame["name"] = frame["name"].map(html.escape)
    frame["shown"] = [
        (
            f"{symbols.signed(p, 1)}% ({int(by_code.at[c, 'pubs_start']):,} \u2192 "
            f"{int(by_code.at[c, 'pubs_end']):,})"
        )
        if pd.notna(p)
        else "no data"
        for c, p in zip(frame["gss_code"], frame["pct"], strict=True)
    ]
    collection = json.loads(
        frame[["gss_code", "name", "shown", "fill", "geometry"]].to_json(drop_id=True)
    )
    return PubsLayer(collection, rows, f"Pubs and bars, change {start}-{end}")


def pubs_change_map(
    map_layers: maps.MapLayers,
    layer: PubsLayer,
    basemap: str = "none",
    highlight: str | None = None,
) -> folium.Map:
    """The pubs choropleth (``layer`` from ``pubs_layer``) with borough names and a legend;
    ``highlight`` (a GSS code) outlines one borough in black."""
    attribution = maps.layer_attribution("boroughs", "pubs")
    m = maps.new_map(basemap)
    folium.GeoJson(
        layer.collection,
        name=html.escape(layer.title),
        style_function=lambda f: {
            "fillColor": f["properties"]["fill"],
            "fillOpacity": 0.85,
            "color": "#333333",
            "weight": 0.8,
        },
        highlight_function=lambda f: {"weight": 2.5},
        tooltip=folium.GeoJsonTooltip(["name", "shown"], aliases=["", html.escape(layer.title)]),
        attribution=attribution,
    ).add_to(m)
    sections = [LegendSection(layer.title, "swatch", tuple(layer.legend))]
    chosen = [
        f
        for f in layer.collection["features"]
        if highlight is not None and f["properties"]["gss_code"] == highlight
    ]
    if chosen:
        folium.GeoJson(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": {}, "geometry": f["geometry"]} for f in chosen
                ],
            },
            name="Chosen borough",
            control=False,
            interactive=False,
            style_function=lambda f: {"fill": False, "color": HIGHLIGHT_COLOUR, "weight": 3.5},
        ).add_to(m)
        name = html.unescape(chosen[0]["properties"]["name"])  # legend_html escapes it again
        sections.append(LegendSection("", "outline", ((HIGHLIGHT_COLOUR, name),)))
    maps.add_area_labels(m, map_layers.labels)
    maps.add_legend(m, sections, note="Orange: fewer pubs; purple: more.")
    return maps.finish(m)


# ---------------------------------------------------------------- formatting


# ---------------------------------------------------------------- display tables


# ---------------------------------------------------------------- Vega-Lite charts
