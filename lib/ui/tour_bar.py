"""The tour bar above a view opened from the Tour page: previous, back, next."""

from __future__ import annotations

import html

import streamlit as st

from lib.data.layers import DataMissing
from lib.links import tours, views
from lib.ui.cache import link_choices

TOUR_BAR_CSS = """<style>
.jul-tour-bar {display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center;
  padding: .4rem .7rem; border: 1px solid #9fb3b3; border-radius: .5rem; background: #ffffff;
  font-size: 1rem; color: #111}
.jul-tour-bar a {display: inline-block; padding: .3rem .8rem; border-radius: .4rem;
  border: 1px solid #0b5757; color: #0b5757; text-decoration: none; font-weight: 600}
.jul-tour-bar a.next {background: #0b5757; color: #ffffff}
.jul-tour-bar a:focus-visible {outline: 3px solid #111111; outline-offset: 2px}
</style>"""


def tour_choices():
    """The options a tour's values are checked against: from the built layers, or (with no
    data yet) only those that need none."""
    try:
        return link_choices()
    except DataMissing:
        return None


def _tour_href(url_path: str, params: dict) -> str:
    """A relative link (works under any base path) to a page with params."""
    url_path = "" if url_path == "map_explorer" else url_path
    return html.escape(views.build_link(f"./{url_path}", params), quote=True)


def tour_bar(url_path: str = "") -> None:
    """On a view opened from the Tour page (`tour` and `step` in its link): the step, and
    links to the previous step, back to the tour, and the next step (Tab, then Enter).

    Plain links that load the view afresh: moving between two views inside one session,
    Streamlit drops a parameter that the page being left binds to a widget (both bind
    `basemap`, say), so the next view would lose it. app.py calls this above every page
    with the page's url_path."""
    if url_path == "tour":  # the Tour page has its own controls
        return
    found = tours.tour_from_link(
        {k: st.query_params.get(k) for k in tours.TOUR_PARAMS}, tour_choices()
    )
    if found is None:
        return
    current, number = found
    count = len(current.steps)
    parts = [
        f"<strong>Tour · step {number} of {count}:</strong> "
        f"{html.escape(current.steps[number - 1].title)}"
    ]
    if number > 1:
        before = current.steps[number - 2]
        parts.append(
            f'<a href="{_tour_href(before.page.url_path, tours.step_params(current, number - 1))}" '
            'target="_self">← Previous step</a>'
        )
    parts.append(
        f'<a href="{_tour_href("tour", {"tour": current.name, "step": str(number)})}" '
        'target="_self">Back to the tour</a>'
    )
    if number < count:
        after = current.steps[number]
        parts.append(
            f'<a class="next" href="{_tour_href(after.page.url_path, tours.step_params(current, number + 1))}" '
            f'target="_self">Next: {html.escape(after.title)} →</a>'
        )
    st.html(TOUR_BAR_CSS + f'<nav class="jul-tour-bar" aria-label="Tour">{"".join(parts)}</nav>')
