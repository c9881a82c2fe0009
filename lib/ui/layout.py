"""The first screen of a map page: a compact title bar (title, a few figures, "Share or
download" in a popover), then the map, so that at 1280x720 (a projector) all of the map is on
the screen and on a 390x844 phone it starts on the first screen. Text that explains the view
goes under the map.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

# Every page: small print the theme fades (the text colour at 60% opacity: about 3.9:1
# against the sidebar) is opaque and darker, 5.9:1 or more on every background, as WCAG AA
# asks (4.5:1); tests/e2e/test_accessibility_browser.py runs axe-core on every page.
CONTRAST_CSS = """<style>
/* jul-contrast */
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] *,
kbd[aria-label^="Shortcut"], .jul-qr figcaption {color: #4d5959 !important;
  opacity: 1 !important;}
/* On a primary (teal) button the shortcut's key is white: the grey above was 1.2:1 there. */
[data-testid="stBaseButton-primary"] kbd[aria-label^="Shortcut"] {color: #ffffff !important;}
</style>"""
# The map's height on every map page: 720 px less the title bar and figures (~170 px).
MAP_HEIGHT = 520
# A link's note under the title bar: one compact line (28 px) and its share of the gaps.
NOTE_ROOM = 36
# The page's own type and spacing. Streamlit leaves 6rem above the first element and sets
# titles at 2.75rem: room the map needs. Labels wrap rather than being cut off.
PAGE_CSS = """<style>
[data-testid="stMainBlockContainer"] {padding-top: 3.2rem !important;
  padding-left: 1.5rem !important; padding-right: 1.5rem !important;
  padding-bottom: 2rem !important; max-width: 100% !important;}
[data-testid="stMainBlockContainer"] h1 {font-size: 1.75rem !important; line-height: 1.2 !important;
  padding: 0 !important;}
[data-testid="stMainBlockContainer"] h4 {font-size: 1.05rem !important; padding: 0.1rem 0 !important;}
.st-key-jul_title_bar {row-gap: 0.25rem !important; column-gap: 1.25rem !important;}
.st-key-jul_figures {column-gap: 1.5rem !important; row-gap: 0.1rem !important;}
.st-key-jul_figures [data-testid="stMetric"] {padding: 0 !important;}
.st-key-jul_figures [data-testid="stMetricValue"],
.st-key-jul_figures [data-testid="stMetricValue"] * {font-size: 1.3rem !important;
  line-height: 1.2 !important;}
.st-key-jul_figures [data-testid="stMetricLabel"] p {font-size: 0.8rem !important;}
.st-key-jul_figures [data-testid="stMetricDelta"] {font-size: 0.75rem !important;}
/* Button and tab labels wrap instead of ending in an ellipsis on a phone. */
[data-testid="stMainBlockContainer"] button p,
[data-testid="stMainBlockContainer"] [data-testid="stMarkdownContainer"] p {
  overflow-wrap: anywhere;}
[data-testid="stMainBlockContainer"] [data-testid="stTab"] p {white-space: nowrap;}
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] {padding-top: 3.6rem !important;
    padding-left: 0.75rem !important; padding-right: 0.75rem !important;}
  [data-testid="stMainBlockContainer"] h1 {font-size: 1.45rem !important;}
  .st-key-jul_figures [data-testid="stMetricValue"],
  .st-key-jul_figures [data-testid="stMetricValue"] * {font-size: 1.1rem !important;}
}
</style>"""
# A link's notes, one compact line each (28 px on a projector), in presentation mode too.
NOTES_CSS = """<style>
.st-key-jul_link_notes {row-gap: 2px !important;}
.st-key-jul_link_notes [data-testid="stAlertContainer"] {padding: 0.1rem 0.5rem !important;}
.st-key-jul_link_notes [data-testid="stMarkdownContainer"] p {font-size: 0.8rem !important;
  line-height: 1.3 !important;}
</style>"""


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    help: str | None = None
    delta: str | None = None


def page_style() -> None:
    st.html(PAGE_CSS)


def title_bar(title: str, figures: Sequence[Figure] = (), notes: Sequence[str] = ()):
    """The page's title, its few figures (small), and a slot at the end of the row for the
    share popover (returned: fill it with share_panel.share_panel(..., compact=True), which
    may come later in the page, after the map has saved its position to the link). `notes`
    (Markdown: `link_check.read_link`'s) are said compactly under the bar, and the map is drawn
    at `map_height(notes)`, shorter by their room, so that it ends where it would without them
    (all of it on a 1280x720 screen)."""
    page_style()
    with st.container(horizontal=True, vertical_alignment="center", key="jul_title_bar"):
        st.title(title, anchor=False, width="content")
        if figures:
            with st.container(horizontal=True, width="content", key="jul_figures"):
                for f in figures:
                    st.metric(
                        f.label,
                        f.value,
                        delta=f.delta,
                        delta_color="off",
                        delta_arrow="off",
                        help=f.help,
                        width="content",
                    )
        slot = st.container(width="content", key="jul_share_slot")
    link_notes(notes)
    return slot


def map_height(notes: Sequence[str] = (), height: int = MAP_HEIGHT) -> int:
    """The map's `height` under a title bar and its `notes`: shorter by their room, so that
    all of the map is still on a 1280x720 screen, but never under 360 px."""
    return max(height - NOTE_ROOM * len(notes), 360)


def link_notes(notes: Sequence[str]) -> None:
    """A link's notes (Markdown: `link_check.read_link`'s), one compact warning each:
    `title_bar` says them under itself, presentation mode above its title row, and a page
    that stops before its title bar (no place chosen) here."""
    if notes:
        st.html(NOTES_CSS)
        with st.container(key="jul_link_notes", gap=None):
            for note in notes:
                st.warning(note, icon="⚠️")
