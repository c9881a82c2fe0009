"""The workshop wall, for the projector: the session's reports as they arrive, on a map with
no basemap by default, counted by kind, and the latest texts. Refreshes itself every few
seconds without reloading the page (`/wall?session=CODE`)."""

import html

import streamlit as st

from lib.ui import cache, link_check, present, widgets, workshop

link_check.check_link("wall")
layers = widgets.require_layers()
engine = widgets.require_store()
# An ended workshop's wall is closed: what the room sent is no longer the room's to read.
session = workshop.session_from_link(engine, open_only=True)
if session is None:
    st.title("Workshop wall")
    st.info("Open the wall from the Workshop page, or type the session's code.")
    workshop.code_box()
    st.stop()

st.html(present.PRESENT_CSS)  # a projector page: no sidebar, large type
title, switch = st.columns([4, 1.2], vertical_alignment="center")
title.html(
    f"<h2 style='margin:0;padding:0'>{html.escape(session.title)} · join with code "
    f"<span style='letter-spacing:.12em'>{html.escape(session.code)}</span></h2>"
    f"<p style='margin:0;font-size:1rem'>on your phone: "
    f"{html.escape(workshop.join_address(session))}</p>"
)
street = switch.toggle(
    "Street map",
    key="wall_street",
    value=False,
    help="Needs internet. Off: the map reads with no basemap.",
)
needs_view = switch.toggle(
    "Needs map",
    key="wall_needs_view",
    value=False,
    help="The needs index's map under the room's weights (each domain's median over the "
    "phones), instead of the room's reports.",
)
workshop.wall(
    engine,
    session,
    cache.site_map_data(),
    "light" if street else "none",
    map_height=560,
    needs_map=needs_view,
)
