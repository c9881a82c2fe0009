"""Embedding folium maps in a page, and the map position kept in the link."""

from __future__ import annotations

import folium
import streamlit as st
from streamlit_folium import st_folium

from lib.links import views
from lib.render import controls


def show_map(m: folium.Map, key: str, height: int = 680, save_view: bool = False,
             view: views.MapView | None = None) -> views.MapView | None:
    """Embed the map. No interaction is sent back, so panning never reruns the page; with
    save_view a "Save view to link" button in the map sends its centre and zoom once, and
    they go into the link (lat, lon, z). Returns the view now in the link (else `view`)."""
    if save_view:
        m.add_child(controls.SaveViewControl())
    returned = st_folium(m, key=key, height=height, use_container_width=True,
                         returned_objects=[])
    saved = views.view_from_map(returned) if save_view else None
    if saved is not None and saved != view:
        st.query_params.update(saved.params())
        st.toast("Map position saved to this page's link.")
        return saved
    return view


def map_view() -> views.MapView | None:
    """The map position saved in the link (lat, lon, z), clamped to London; a short note
    when the link's position was unusable (and ignored) or moved."""
    view, note = views.parse_view({k: st.query_params.get(k) for k in views.VIEW_PARAMS})
    if note:
        st.caption(note)
    return view


def reset_view_button(view: views.MapView | None, key: str = "reset_view") -> None:
    """Offer to drop a saved map position from the link (back to all of London)."""
    if view is not None and st.button("Reset map to all of London", key=key):
        for param in views.VIEW_PARAMS:
            st.query_params.pop(param, None)
        st.rerun()


