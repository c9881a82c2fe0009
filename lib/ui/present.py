"""Presentation mode: no sidebar, large type, the map filling a 1280x720 projector."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from lib.links import views
from lib.ui import embed, layout

# The map's height under presentation mode's top row on a 1280x720 projector.
PRESENT_MAP_HEIGHT = 540

FOCUS_CSS = """<style>
/* Keyboard focus is always visible (WCAG 2.4.7). */
a:focus-visible, button:focus-visible, [role="button"]:focus-visible, input:focus-visible,
[tabindex]:focus-visible, summary:focus-visible {
  outline: 3px solid #1d2a2a !important; outline-offset: 2px !important;
  box-shadow: 0 0 0 5px #ffffff !important;
}
</style>"""


PRESENT_CSS = """<style>
/* Presentation mode: no sidebar or toolbar, large high-contrast type, the map fills the
   screen. Readable from the back of a room on a 1280x720 projector. */
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"], [data-testid="stHeader"], [data-testid="stToolbar"],
[data-testid="stDecoration"] {display: none !important;}
.stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"] {background: #ffffff !important;}
[data-testid="stMainBlockContainer"] {padding: 0.6rem 1.2rem 0.4rem !important;
  max-width: 100% !important;}
[data-testid="stMainBlockContainer"] * {color: #000000;}
[data-testid="stMainBlockContainer"] h1 {font-size: 2.1rem !important; line-height: 1.15 !important;
  padding: 0 !important;}
[data-testid="stMainBlockContainer"] p, [data-testid="stMainBlockContainer"] li,
[data-testid="stMainBlockContainer"] button {font-size: 1.3rem !important;}
[data-testid="stMainBlockContainer"] [data-testid="stMetricValue"],
[data-testid="stMainBlockContainer"] [data-testid="stMetricValue"] * {font-size: 3.2rem !important;
  font-weight: 800 !important; line-height: 1.05 !important;}
[data-testid="stMainBlockContainer"] [data-testid="stMetricLabel"] p {font-size: 1.2rem !important;}
/* The headline's label wraps rather than being cut short with an ellipsis. */
[data-testid="stMainBlockContainer"] [data-testid="stMetricLabel"],
[data-testid="stMainBlockContainer"] [data-testid="stMetricLabel"] * {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  height: auto !important; line-height: 1.25 !important;}
[data-testid="stCaptionContainer"] p {font-size: 0.85rem !important; color: #1a1a1a !important;}
[data-testid="stVerticalBlock"] {gap: 0.5rem !important;}
button:focus-visible, a:focus-visible {outline: 4px solid #000000 !important;
  outline-offset: 3px !important; box-shadow: 0 0 0 7px #ffd400 !important;}
</style>"""


def _set_present() -> None:
    if st.session_state.get("present_toggle"):
        st.query_params["present"] = "1"
    else:
        st.query_params.pop("present", None)


def _exit_present() -> None:
    st.session_state["present_toggle"] = False
    st.query_params.pop("present", None)


def presentation_mode() -> bool:
    """The "Presentation mode" toggle (sidebar) and `present=1` in the link. When on, hides
    the sidebar and enlarges everything; the page then lays itself out for a projector
    (`present_header`, `present_map_spec`). Always makes keyboard focus visible."""
    st.html(FOCUS_CSS)
    from_url = views.parse_present({"present": st.query_params.get("present", "")})
    if st.session_state.get("present_toggle") != from_url:
        st.session_state["present_toggle"] = from_url
    on = st.sidebar.toggle(
        "Presentation mode",
        key="present_toggle",
        on_change=_set_present,
        help="For a projector: no sidebar, large type, the map filling "
        "the screen. Adds present=1 to the link.",
    )
    if on:
        st.html(PRESENT_CSS)
    return on


def present_header(
    title: str, value: str, label: str, notes: Sequence[str] = (), key: str = "present"
) -> None:
    """Presentation mode's top row: the view's title, one headline figure, and a way out
    that the keyboard reaches (Tab, then Enter); above it, the link's `notes`."""
    layout.link_notes(notes)
    # A figure like "16.1% vs 13.9%" or "4,840 → 3,535", or a long label, needs a wider
    # column than "307" and "closed, of 11,792 facilities shown".
    widths = [5, 4, 2] if len(value) > 7 or len(label) > 60 else [6, 3, 2]
    left, middle, right = st.columns(widths, vertical_alignment="center")
    left.title(title, anchor=False)
    middle.metric(label, value)
    right.button("Exit presentation", key=f"{key}_exit", on_click=_exit_present, width="stretch")


def present_map_spec(
    data, spec, key: str, notes: Sequence[str] = (), browser: dict | None = None
) -> views.MapView | None:
    """A MapSpec drawn by the browser map for a projector: large legend and label type (the
    map's own CSS, switched on by `present`), shorter by the room of the link's `notes` and
    under the tour bar, so that all of it is on a 1280x720 screen."""
    height = layout.map_height(notes, PRESENT_MAP_HEIGHT)
    if st.query_params.get("tour"):
        height -= 56
    return embed.show_map_spec(data, spec, key=key, height=height, present=True, browser=browser)
