"""The one home of Streamlit caching: base layers and prepared map data, once per process.

Everything cached here is treated read-only; cached functions take small hashable keys
(tuples of codes, years), never a GeoDataFrame.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lib.analysis import profiles
from lib.data import layers as data
from lib.render import card_maps, maps, site_map


@st.cache_resource(show_spinner="Loading London's data…")
def layers() -> data.Layers:
    return data.load_layers()


@st.cache_resource
def map_layers() -> maps.MapLayers:
    return maps.prepare(layers())


@st.cache_resource(show_spinner=False)
def ward_geometry():
    """Ward shapes for the browser, shared by the borough and voluntary-sector maps."""
    return profiles.ward_geometry(layers().wards, layers().borough_names)


@st.cache_resource(show_spinner=False)
def voluntary_features():
    """Food banks and mutual aid groups as map features, with their ward names."""
    L = layers()
    return profiles.voluntary_features(L.voluntary_points,
                                       dict(zip(L.wards.ward_code, L.wards.name)))


@st.cache_resource
def _card_layers_ready() -> bool:
    card_maps.card_layers(layers())  # prepared once per process, before the first click
    return True




@st.cache_resource(show_spinner=False)
def site_map_data():
    """The explorer's browser map layers, packed once per process and shared by sessions."""
    return site_map.prepare(layers(), map_layers())


@st.cache_resource(show_spinner=False)
def sites_table():
    """Every site as the explorer's table (and CSV), in the layer's order, built once."""
    return data.sites_table(layers().sites, layers().borough_names)


TABLE_COLUMNS = ["name", "category", "status", "closed_year", "borough", "source"]


@st.cache_resource(show_spinner=False)
def sites_table_display():
    """The table's shown columns, repeated text as categories: a third of the bytes."""
    table = sites_table()[TABLE_COLUMNS].copy()
    for column in ["category", "status", "borough", "source"]:
        table[column] = table[column].astype("category")
    return table


@st.cache_resource(show_spinner=False)
def category_options(groups: tuple[str, ...]) -> list[str]:
    """The categories of the chosen groups (all groups when none), for the filter."""
    sites = layers().sites
    pool = sites if not groups else sites[sites["category_group"].isin(groups)]
    return sorted({c for cats in pool["categories"] for c in cats.split("; ")})


@st.cache_resource(show_spinner=False)
def site_attributes():
    """The sites without their geometry, for filtering on every run (a GeoDataFrame's row
    selection costs several times more); same index as layers().sites."""
    return pd.DataFrame(layers().sites.drop(columns="geometry"))


@st.cache_resource(show_spinner=False)
def open_sites_per_10k(group: str | None):
    """Open sites per 10,000 residents by borough (GSS code), of one group or of all."""
    sites = site_attributes()
    if group is not None:
        sites = sites[sites["category_group"] == group]
    return data.sites_per_10k(sites, layers().boroughs).set_index("gss_code")["per_10k"]
