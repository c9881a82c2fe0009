"""Workshop: the facilitator starts a session (a code and a QR code for phones in the room),
opens its wall, scribes sticky notes, ends it and exports it as one bundle, or imports
another laptop's bundle. Signed-in moderators only."""

import streamlit as st

from lib.ui import moderate, widgets, workshop

layers = widgets.require_layers()
engine = widgets.require_store()

st.title("Workshop")
st.caption(
    "Run a session at a community event on this laptop, with or without internet: people "
    "join on their phones with a code and add to the room's map. Nothing they send is public "
    "until a moderator approves it."
)
moderate.require_moderator(engine)  # stops here for anyone not signed in
session = workshop.choose_session(engine)
if session is not None:
    workshop.session_panel(engine, session)
    if session.open:
        workshop.scribe(layers, session)
workshop.import_box(engine, layers)
