"""The one home of Streamlit caching: base layers and prepared map data, once per process.

Everything cached here is treated read-only; cached functions take small hashable keys
(tuples of codes, years), never a GeoDataFrame.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lib.data import layers as data
from lib.links import choices, match
from lib.render import card_maps, maps, ward_maps


@st.cache_resource(show_spinner="Loading London's data…")
def layers() -> data.Layers:
    return data.load_layers()


@st.cache_resource(show_spinner=False)
def link_choices() -> dict[str, dict[str, match.Choice]]:
    """Every page's bound link parameters and their options (boroughs, categories, wards)."""
    L = layers()
    wards = pd.DataFrame({"ward_code": L.wards["ward_code"], "ward": L.wards["name"],
                          "borough": L.wards["gss_code"].map(L.borough_names)})
    return choices.page_choices(L, ward_maps.ward_labels(wards))


@st.cache_resource
def map_layers() -> maps.MapLayers:
    return maps.prepare(layers())


@st.cache_resource(show_spinner=False)
def ward_geometry():
    """Ward shapes for the browser, shared by the borough and voluntary-sector maps."""
    return ward_maps.ward_geometry(layers().wards, layers().borough_names)


@st.cache_resource(show_spinner=False)
def voluntary_features():
    """Food banks and mutual aid groups as map features, with their ward names."""
    L = layers()
    return ward_maps.voluntary_features(L.voluntary_points,
                                       dict(zip(L.wards.ward_code, L.wards.name)))


@st.cache_resource
def _card_layers_ready() -> bool:
    card_maps.card_layers(layers())  # prepared once per process, before the first click
    return True


