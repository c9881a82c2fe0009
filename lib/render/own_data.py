"""The user's own data on a folium map: one GeoJson layer over the policy layers, points as
circle markers on the canvas (never a marker per row), with a legend row. No streamlit here.

Everything from the file is HTML-escaped before it reaches the browser (tooltips are set as
innerHTML), and at most MAX_MAP_FEATURES features travel to the browser: the summary and the
downloads have them all.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import folium
import geopandas as gpd
import pandas as pd
import shapely
import shapely.geometry

from lib.data import crs
from lib.render import symbols
from lib.uploads import ROW_COLUMN

OWN_DATA_COLOUR = symbols.OWN_DATA_COLOUR
OWN_DATA_OUTLINE = symbols.OWN_DATA_OUTLINE
MAX_MAP_FEATURES = 5000
TOOLTIP_COLUMNS = 3  # the row number and the first few of the user's columns
TOOLTIP_CHARS = 80
COORD_GRID = 1e-5  # degrees, about 1 m


@dataclass(frozen=True)
class OwnDataLayer:
    """What the map needs of an upload: a FeatureCollection (WGS84, escaped), its name."""

    features: dict
    name: str
    total: int

    @property
    def shown(self) -> int:
        return len(self.features["features"])

    def legend_label(self) -> str:
        if self.shown < self.total:
            return f"{self.name} (first {self.shown:,} of {self.total:,})"
        return f"{self.name} ({self.total:,})"


def _text(value) -> str:
    text = "" if value is None else str(value)
    if len(text) > TOOLTIP_CHARS:
        text = text[: TOOLTIP_CHARS - 1] + "…"
    return html.escape(text)


def own_data_layer(features: gpd.GeoDataFrame, name: str) -> OwnDataLayer:
    """The upload's features for the browser: WGS84 on a ~1 m grid, a few escaped columns."""
    head = features.head(MAX_MAP_FEATURES)
    columns = [c for c in head.columns if c not in (ROW_COLUMN, head.geometry.name)]
    columns = columns[:TOOLTIP_COLUMNS]
    geoms = shapely.set_precision(crs.to_crs(head.geometry, 4326).values, COORD_GRID)
    collection = []
    for geom, (_, row) in zip(geoms, head.iterrows(), strict=True):
        properties: dict[str, int | str] = {"row": int(row[ROW_COLUMN])}
        properties |= {f"c{i}": _text(row[c]) for i, c in enumerate(columns)}
        collection.append(
            {
                "type": "Feature",
                "properties": properties,
                "geometry": shapely.geometry.mapping(geom),
            }
        )
    labels = ["Row"] + [html.escape(str(c)) for c in columns]
    return OwnDataLayer(
        {"type": "FeatureCollection", "features": collection, "labels": labels}, name, len(features)
    )


def _style(feature: dict) -> dict:
    """Points opaque (they sit on top of the sites); lines and shapes see-through."""
    point = feature["geometry"]["type"] in ("Point", "MultiPoint")
    return {
        "color": OWN_DATA_OUTLINE,
        "weight": 1.5 if point else 2,
        "fillColor": OWN_DATA_COLOUR,
        "fillOpacity": 1.0 if point else 0.35,
    }


def add_own_data(m: folium.Map, layer: OwnDataLayer) -> list[tuple[str, str]]:
    """Draw the upload on top of everything; returns its legend row."""
    fields = ["row"] + [f"c{i}" for i in range(len(layer.features["labels"]) - 1)]
    data = {"type": "FeatureCollection", "features": layer.features["features"]}
    folium.GeoJson(
        data,
        name=html.escape(f"Your own data: {layer.legend_label()}"),
        marker=folium.CircleMarker(
            radius=6,
            color=OWN_DATA_OUTLINE,
            weight=1.5,
            fill=True,
            fill_color=OWN_DATA_COLOUR,
            fill_opacity=1.0,  # opaque: drawn over the sites, in its own colour
        ),
        style_function=_style,
        tooltip=folium.GeoJsonTooltip(fields, aliases=layer.features["labels"]),
    ).add_to(m)
    return [(OWN_DATA_COLOUR, layer.legend_label())]


SUMMARY_HEADINGS = {
    "features": "Your features",
    "pct_features": "% of yours",
    "pct_london_area": "% of London's land",
    "pct_london_sites": "% of London's facilities",
}


def summary_tables(summary: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The summary for reading: London Plan areas, then boroughs, with readable headings."""
    figures = list(SUMMARY_HEADINGS)
    policies = summary[summary["kind"] == "policy"][["name", *figures]]
    boroughs = summary[summary["kind"] == "borough"][["name", *figures]]
    return (
        policies.rename(columns={"name": "London Plan area", **SUMMARY_HEADINGS}),
        boroughs.rename(columns={"name": "Borough", **SUMMARY_HEADINGS}),
    )
