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


# Keys that move a tour (tours/default.toml says so): a presentation clicker sends Page Down and
# Page Up, a keyboard the arrows. One listener on the page, replaced on each run; it leaves
# alone a key meant for a field, a list, a slider, a radio group or a focused map.
# While Streamlit reconnects (a venue's Wi-Fi drops, a busy server misses a ping) it disables
# every button, so a press then would be lost: it waits, up to 30 s, and clicks once the button
# is back (only the latest press; a button the page itself disables is not waited for).
STEP_KEYS_JS = """
export default function (component) {
  const keys = component.data.keys;
  if (window.__julStepKeys) document.removeEventListener("keydown", window.__julStepKeys, true);
  const busy = "input, textarea, select, [contenteditable], .leaflet-container, [role=radiogroup],"
    + " [role=radio], [role=slider], [role=listbox], [role=option], [role=combobox],"
    + " [role=tablist], [role=tab], [role=menu], [role=spinbutton]";
  const connected = () => {
    const app = document.querySelector("[data-testid=stApp]");
    return !app || !app.dataset.testConnectionState || app.dataset.testConnectionState === "CONNECTED";
  };
  const ready = (selector) => {
    const target = document.querySelector(selector);
    return target && !target.disabled ? target : null;
  };
  const click = (target) => {
    window.__julStepClicks = (window.__julStepClicks || 0) + 1;  // the tests report it
    target.click();
  };
  const cancelWait = () => {
    if (window.__julStepWait) window.__julStepWait();
    window.__julStepWait = null;
  };
  const waitForButton = (selector) => {
    const tryClick = () => {
      if (!connected()) return;
      const target = ready(selector);
      cancelWait();
      if (target) click(target);
    };
    const observer = new MutationObserver(tryClick);
    observer.observe(document.body, {subtree: true, childList: true, attributes: true,
      attributeFilter: ["disabled", "data-test-connection-state"]});
    const timer = setTimeout(cancelWait, 30000);
    window.__julStepWait = () => { observer.disconnect(); clearTimeout(timer); };
  };
  window.__julStepKeys = (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const selector = keys[event.key];
    if (!selector) return;
    if (event.target && event.target.closest && event.target.closest(busy)) return;
    const target = ready(selector);
    if (!target && connected()) return;
    event.preventDefault();
    event.stopPropagation();
    cancelWait();
    if (target) click(target);
    else waitForButton(selector);
  };
  window.__julStepKeys.keys = keys;  // which page's keys are live (the tests wait for them)
  document.addEventListener("keydown", window.__julStepKeys, true);
}
"""
_step_keys = st.components.v2.component("joined_up_london.step_keys", js=STEP_KEYS_JS)
# On a step's view: the tour bar's links.
VIEW_KEYS = {
    "PageDown": ".jul-tour-bar a.next",
    "ArrowRight": ".jul-tour-bar a.next",
    "PageUp": ".jul-tour-bar a.previous",
    "ArrowLeft": ".jul-tour-bar a.previous",
}


def step_keys(keys: dict[str, str], key: str = "tour_step_keys") -> None:
    """Each key in `keys` (a KeyboardEvent.key) clicks the element its selector names."""
    _step_keys(key=key, data={"keys": keys}, height="content")


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
    links to the previous step, back to the tour, and the next step (Tab, then Enter; or
    Page Down / Page Up, as a presentation clicker sends, and the arrow keys).

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
            'target="_self" class="previous">← Previous step</a>'
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
    step_keys(VIEW_KEYS)
