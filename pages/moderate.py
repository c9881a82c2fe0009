"""Moderation: signed-in moderators only. The queue with likely duplicates; approve, reject,
ask for an edit, hide; what happened to the facility; edits that keep the original."""

import streamlit as st

from lib.ui import moderate, widgets
from lib.vocab import contributions as vocab

layers = widgets.require_layers()
engine = widgets.require_store()
st.title("Moderation")
moderator = moderate.require_moderator(engine)  # stops here for anyone not signed in

moderate.messages()
states = st.multiselect(
    "Show",
    list(vocab.MODERATION_STATES),
    default=["pending", "needs_edit"],
    format_func=vocab.MODERATION_STATES.get,
    key="moderate_states",
)
waiting = moderate.queue_table(engine, tuple(states))
if waiting.empty:
    st.info("Nothing to moderate here.")
    st.stop()
chosen = st.selectbox(
    "Contribution",
    list(waiting["id"]),
    key="moderate_chosen",
    format_func=lambda i: f"{i}: {waiting.set_index('id').at[i, 'name']}",
)
row = waiting.set_index("id").loc[chosen].copy()
row["id"] = chosen
left, right = st.columns([3, 2], gap="medium")
with left:
    moderate.detail(row, layers)
    moderate.duplicates(engine, int(chosen), layers)
with right:
    moderate.actions(engine, row, moderator.name)
