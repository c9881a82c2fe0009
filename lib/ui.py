"""Streamlit glue shared by the pages: cached data, the shared sidebar, map embedding."""

from __future__ import annotations

import os

import folium
import streamlit as st
from streamlit_folium import st_folium

from lib import data, maps
from lib.sources import attributions

BASEMAP_CHOICES = {"light": "Street map", "none": "No basemap"}  # labels appear in the URL


@st.cache_resource(show_spinner="Loading London's data…")
def layers() -> data.Layers:
    return data.load_layers()


@st.cache_resource
def map_layers() -> maps.MapLayers:
    return maps.prepare(layers())


def require_layers() -> data.Layers:
    """The built layers, or a clear message on how to build them (and stop the page)."""
    try:
        return layers()
    except data.DataMissing as exc:
        st.error(str(exc))
        st.markdown(
            "The raw inputs are listed on the **Data & sources** page. With them in a folder:\n\n"
            "```\nexport GEODATA_SOURCE=/path/to/geodata\nmake data\n```"
        )
        st.stop()


def default_basemap() -> str:
    """Venues without internet set JOINED_UP_BASEMAP=none to start with no basemap."""
    configured = os.environ.get("JOINED_UP_BASEMAP", "light")
    return configured if configured in BASEMAP_CHOICES else "light"


def basemap_picker() -> str:
    choices = list(BASEMAP_CHOICES)
    return st.sidebar.radio(
        "Basemap", choices, index=choices.index(default_basemap()), key="basemap",
        format_func=BASEMAP_CHOICES.get, bind="query-params",
        help="Street tiles come from an outside server; the map still reads without them.",
    )


def show_map(m: folium.Map, key: str, height: int = 680) -> None:
    # No interaction is sent back: panning must not rerun the page.
    st_folium(m, key=key, height=height, use_container_width=True, returned_objects=[])


def attribution_caption(source_keys, basemap: str) -> None:
    lines = attributions(source_keys)
    if maps.BASEMAPS[basemap][2]:
        lines.append(f"Basemap {maps.BASEMAPS[basemap][2]}")
    st.caption(" · ".join(lines))
