"""The workshop wall, for the projector: the session's reports as they arrive, on a map with
no basemap by default, counted by kind, and the latest texts. Refreshes itself every few
seconds without reloading the page (`/wall?session=CODE`)."""

import html

import streamlit as st

from lib.ui import cache, widgets, workshop

layers = widgets.require_layers()
engine = widgets.require_store()
session = workshop.session_from_link(engine, open_only=False)
if session is None:
    st.title("Workshop wall")
    st.info("Open the wall from the Workshop page, or type the session's code.")
    workshop.code_box()
    st.stop()

st.html(
    f"<h2 style='margin:0'>{html.escape(session.title)} · code "
    f"<span style='letter-spacing:.15em'>{html.escape(session.code)}</span></h2>"
)
street = st.toggle(
    "Street map (needs internet)",
    key="wall_street",
    value=False,
    help="Off: the map reads with no basemap.",
)
workshop.wall(engine, session, cache.map_layers(), "light" if street else "none", map_height=470)
