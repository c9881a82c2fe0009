"""Maps, charts and display tables of the two loss pages ("Losses vs policy", "Losses over time").

No streamlit here: the pages cache and render what these functions return.

- **Maps**: the losses map is a lib/render/mapspec.py spec drawn in the browser (the page
  builds it; `closed_sites_display` is its table); `pubs_change_map` (folium, a diverging
  borough choropleth) until the over-time page moves to the spec.
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
from typing import NamedTuple

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from lib.analysis import losses
from lib.render import maps, mapspec, symbols
from lib.render.legend import LegendSection
from lib.vocab.categories import RECORDING_CATEGORIES
from lib.vocab.policies import base_policy, policy_label

INSIDE_COLOUR = symbols.INSIDE_COLOUR
OUTSIDE_COLOUR = symbols.OUTSIDE_COLOUR
ELSEWHERE = mapspec.ELSEWHERE
HIGHLIGHT_COLOUR = "#000000"

# ---------------------------------------------------------------- closed sites over a policy


def policy_style(policy: str) -> tuple[str, str]:
    """(legend label, colour) of a policy key; town-centre classes take the town-centre colour."""
    return mapspec.PolicyAreas.label(policy), base_policy(policy).colour


def closed_sides(
    sites: pd.DataFrame,
    policy: str,
    categories=RECORDING_CATEGORIES,
    start: int = losses.DEFAULT_START,
    policy_areas: gpd.GeoDataFrame | None = None,
    vintage: bool = False,
) -> tuple[pd.Index, pd.Index]:
    """Index labels of the losses counted inside and outside the policy's areas, as
    ``losses.closure_sides`` decides them (the share card's; the page takes them from its
    closure table's ``attrs['sides']``)."""
    sides = losses.closure_sides(
        sites, policy, categories, losses.Choices(start=start, vintage=vintage), policy_areas
    )
    return sides.index[sides], sides.index[~sides]


def closed_sites_display(
    sites: pd.DataFrame, sides: pd.Series, policy: str, borough_names: dict[str, str]
) -> pd.DataFrame:
    """The losses map as a table (its accessible alternative): one row per loss drawn
    (``sides``: the analysis' inside or not, by site index), inside the policy's areas
    first, then by borough and name."""
    inside, outside = sides.index[sides], sides.index[~sides]
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
