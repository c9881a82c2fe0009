"""Embedding the browser map (lib/render/site_map.py) in a page, and the map position kept in
the link."""

from __future__ import annotations

import streamlit as st

from lib.links import views
from lib.render import html_map, mapspec, site_map
from lib.ui import cache


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


# The explorer's map: Leaflet in the page itself (no iframe), fed by lib/render/site_map.py.
# Registered once per process; `isolate_styles=False` so Leaflet's own stylesheet applies.
# One element brings the map's code and CSS; the layer and map elements carry small shims.
_site_map_code = st.components.v2.component(
    "joined_up_london.site_map_code",
    js=site_map.component_js(),
    css=site_map.component_css(),
    isolate_styles=False,
)
_site_map_layer = st.components.v2.component(
    "joined_up_london.site_map_layer", js=site_map.LAYER_JS, isolate_styles=False
)
_site_map_component = st.components.v2.component(
    "joined_up_london.site_map", js=site_map.MAP_JS, isolate_styles=False
)


def _ignore() -> None:
    """A trigger needs a callback to be reported; the page reads the value it returns."""


def show_site_map(
    layers: list[site_map.Layer],
    spec: dict,
    key: str,
    height: int = 680,
    save_view: bool = False,
    view: views.MapView | None = None,
) -> views.MapView | None:
    """Embed the browser map: each packed layer as an element of its own (identical on every
    run, so Streamlit sends a browser that already has it a reference, not the bytes), then
    the view. The map is made once per page and redrawn in place when the view changes.
    With save_view, the "Save view to link" button's centre and zoom go into the link."""
    with st.container(gap=None, key=f"jul_map_stack_{key}"):  # no gap: site_map.css
        _site_map_code(
            key=f"{key}_code", data={"leaflet": site_map.leaflet_urls()}, height="content"
        )
        for layer in layers:
            _site_map_layer(key=f"{key}_{layer.name}", data=layer.data, height="content")
        result = _site_map_component(
            key=key,
            data={**spec, "height": height, "save_view": save_view},
            height=height,
            on_view_change=_ignore,
        )
    saved = views.view_from_map(result.get("view")) if save_view else None
    if saved is not None and saved != view:
        st.query_params.update(saved.params())
        st.toast("Map position saved to this page's link.")
        return saved
    return view


def show_map_spec(
    data: site_map.MapData,
    spec: mapspec.MapSpec,
    key: str,
    height: int = 680,
    save_view: bool = False,
    present: bool = False,
    browser: dict | None = None,
) -> views.MapView | None:
    """Draw a MapSpec with the browser map: the packed layers it needs (each sent once per
    session), then its small view (`browser`: made already, by a cache). Returns the view
    now in the link (else the spec's)."""
    return show_site_map(
        data.layers_for(spec),
        browser or site_map.browser_spec(data, spec, present=present, save_view=save_view),
        key=key,
        height=height,
        save_view=save_view,
        view=spec.view.saved,
    )


def html_download(spec: mapspec.MapSpec, title: str):
    """What the share panel's "Download interactive map (HTML)" makes on a click: `spec` as
    one self-contained file titled "Joined Up London: `title`"."""
    return lambda: html_map.standalone_html(
        spec, cache.map_layers(), f"Joined Up London: {title}", wards=cache.ward_geometry()
    )
