"""A link's values read before a page creates its widgets: each in the spelling its widget
offers (`?borough=hackney` opens Hackney), an unknown one dropped with a visible note naming
it and the nearest valid one, never quietly replaced by another place. A name the page does
not read gets a note too; another page's name for the same setting is read as this page's.

Streamlit seeds a bound widget from the address the page was opened with, and drops a value
that is not exactly one of its options without a word. So a link that needs correcting is
rewritten and the page rerun once (before any widget is bound to it); the notes are kept in
the session for as long as the page keeps that link.
"""

from __future__ import annotations

import re

import streamlit as st
from streamlit.errors import StreamlitAPIException

from lib.links import declare, match, tours
from lib.ui.cache import link_choices

_NOTES = "_jul_link_notes"
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def escape_markdown(text: str) -> str:
    """A link's text shown as itself: no link, image, emoji or colour markup from it."""
    return _MARKDOWN.sub(r"\\\1", text)


def check_link(url_path: str) -> dict[str, tuple[match.Match, ...]]:
    """Read this page's link against its widgets' options (call it before the widgets).
    Shows a warning for each unknown value and returns the unknown values by parameter, so
    a page about one place can ask for a place (offering the nearest) rather than show
    another."""
    notes, unknown = read_link(url_path)
    for note in notes:
        st.warning(note, icon="⚠️")
    return unknown


def read_link(url_path: str) -> tuple[list[str], dict[str, tuple[match.Match, ...]]]:
    """`check_link` without showing its notes: the notes (Markdown, the link's text escaped)
    and the unknown values, for a page that shows the notes further down (in its title bar,
    `layout.title_bar(notes=...)`, so that they do not push its map below the screen)."""
    current = {key: st.query_params.get_all(key) for key in st.query_params}
    view = declare.VIEWS[url_path]
    known = {*view.param, *tours.TOUR_PARAMS, *match.INTERNAL_PARAMS}
    checked = match.check_params(current, link_choices()[url_path], known, view.renamed)
    if checked.changed:
        try:
            for key in current:
                if key not in checked.params:
                    del st.query_params[key]
            for key, values in checked.params.items():
                if values != current.get(key):
                    st.query_params[key] = values
        except StreamlitAPIException:
            pass  # already bound (a rerun of this session): the widget has its value
        else:
            st.session_state[_NOTES] = (url_path, checked.params, checked.notes, checked.unknown)
            st.rerun()
    # The notes stay while the page keeps the link they corrected: a page that reruns itself
    # (the Join page restoring a draft) shows them still; a changed choice ends them.
    kept = st.session_state.get(_NOTES)
    if kept is not None and (kept[0] != url_path or kept[1] != checked.params):
        del st.session_state[_NOTES]
        kept = None
    notes, unknown = checked.notes, checked.unknown
    if kept is not None:
        notes, unknown = kept[2] + notes, {**kept[3], **unknown}
    return [escape_markdown(text) for text in notes], unknown
