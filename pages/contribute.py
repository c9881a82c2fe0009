"""Add to the map: anyone can report a closure, a threat, a missing space, a correction or what
an area needs. No account; every step works by keyboard; the map click is optional."""

import streamlit as st

from lib.ui import contribute, widgets
from lib.vocab import contributions as vocab

layers = widgets.require_layers()
widgets.require_store()
contribute.start_form()

st.title("Add to the map")
st.markdown(
    "The official lists miss things. Tell us about a facility that **closed** or is **under "
    "threat**, a **community space** the map lacks, a **mistake** in a listed site, or **what "
    "your area needs**. A moderator reads every report before it appears, marked "
    "*community-reported*. No account needed. Reports are published under "
    f"[{vocab.LICENCE}]({vocab.LICENCE_URL})."
)
if contribute.sent_message():
    st.stop()

kind = contribute.kind_picker()
place = contribute.where_picker(layers, kind)
contribute.details_fields(kind, place)
contribute.contact_fields()
contribute.honeypot()
contribute.preview(contribute.form_values(kind, place), layers)
contribute.consent_and_send(kind, place, layers)
