"""A phone's draft kept in its own browser (localStorage), so that it survives what the
server session does not: a tab the phone discarded in the background, a reload, a server
restart. (A dropped websocket alone reconnects to the same server session, which keeps every
field: see lib/ui/workshop.py.)

A small components-v2 element, drawn above the form: on its first render it reads the draft
saved under its storage key and reports it (an empty object when there is none); from then
on each run sends the form's current values, which it saves, or nothing, which clears the
draft (after a send). Contact details, the consent box and the hidden bot field are never
saved. Values are restored into the form's session state only into fields still empty, once.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from lib.ui import contribute

# The form's fields a draft keeps (widget keys without the prefix): not contact details, which
# never leave the server, nor the bot trap and the consent, which are asked afresh.
FIELDS = tuple(
    f for f in contribute.FIELDS if f not in {"contact_name", "contact", "honeypot", "consent"}
)
APPLIED = "draft_applied"

JS = """
export default function (component) {
  const { data, parentElement, setStateValue } = component;
  const storageKey = data.storage_key;
  let store = null;
  try { store = window.localStorage; } catch (error) { store = null; }
  if (!parentElement.__julDraftRead) {
    parentElement.__julDraftRead = true;
    let saved = {};
    try { saved = JSON.parse((store && store.getItem(storageKey)) || "{}") || {}; }
    catch (error) { saved = {}; }
    setStateValue("restored", saved);
    return;
  }
  if (!store || data.save === null || data.save === undefined) return;
  try {
    if (Object.keys(data.save).length) store.setItem(storageKey, JSON.stringify(data.save));
    else store.removeItem(storageKey);
  } catch (error) { /* private mode or full: the server session still keeps the draft */ }
}
"""

_draft = st.components.v2.component("joined_up_london.draft", js=JS)


def _ignore() -> None:
    """State is read from the element's return value."""


def _current() -> dict:
    values = {}
    for name in FIELDS:
        value = st.session_state.get(contribute.key(name))
        if value in (None, ""):
            continue
        values[name] = value.isoformat() if isinstance(value, dt.date) else value
    return values


def _restore(saved: dict) -> int:
    restored = 0
    for name in FIELDS:
        value = saved.get(name)
        if value in (None, "") or not isinstance(value, str):
            continue
        if st.session_state.get(contribute.key(name)) not in (None, ""):
            continue
        if name == "event_date":
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                continue
        st.session_state[contribute.key(name)] = value
        restored += 1
    return restored


def keep_draft(scope: str) -> None:
    """Call above the form's widgets. `scope` names the draft (e.g. the workshop's code)."""
    storage_key = f"joined-up-london:draft:{scope}"
    ready = st.session_state.get(APPLIED) == storage_key
    result = _draft(
        key="contribute_draft",
        data={"storage_key": storage_key, "save": _current() if ready else None},
        height="content",
        on_restored_change=_ignore,
    )
    saved = result.get("restored") if result is not None else None
    if not ready and isinstance(saved, dict):
        if _restore(saved):
            st.toast("Your unsent report is back, as you left it.")
        st.session_state[APPLIED] = storage_key
