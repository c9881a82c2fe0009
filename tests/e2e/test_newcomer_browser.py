"""What a newcomer meets first, in headless Chromium with every outside host blocked: the
first control on a projector's first screen, a grey street map that says why, and the report
form's click map drawn from the app's own Leaflet."""

from urllib.parse import parse_qs, urlsplit

import pytest

from lib.render import maps
from lib.vocab.policies import POLICIES
from tests.e2e.streamlit_browser import (
    keys_ready,
    rerun,
    save_screenshot,
    wait_for_app,
    wait_for_map,
)

MAP_PAGES = ["/", "/losses", "/over-time", "/borough", "/voluntary"]
# The first control each page offers in the sidebar (its first filter or choice).
FIRST_CONTROL = {
    "/": "Category group",
    "/losses": "London Plan policy",
    "/over-time": "Borough",
    "/borough": "Borough",
    "/voluntary": "Shade wards by",
}


@pytest.mark.parametrize("path", MAP_PAGES)
def test_the_first_control_is_on_a_projectors_first_screen(app_url, page, path):
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{app_url}{path}?basemap=No+basemap")
    wait_for_app(page)
    sidebar = page.locator("[data-testid='stSidebar']")
    control = sidebar.locator("[data-testid='stWidgetLabel']", has_text=FIRST_CONTROL[path])
    label = control.first.bounding_box()
    widget = control.first.locator("xpath=..").bounding_box()
    assert label is not None and widget is not None
    assert widget["y"] + widget["height"] <= 720, (path, widget)
    save_screenshot(page, f"first-control{path.replace('/', '-') or '-explorer'}-1280x720")


def test_a_grey_street_map_says_why(app_url, page):
    """With the street basemap and no internet the tiles fail: the map says so, on the
    explorer's own map and on a folium map."""
    page.goto(f"{app_url}/?basemap=Street+map")
    wait_for_app(page)
    explorer = wait_for_map(page)
    note = explorer.locator(".jul-tiles-failed")
    note.wait_for()
    assert note.inner_text() == maps.TILES_FAILED
    with rerun(page):
        page.goto(f"{app_url}/borough?borough=Hackney&basemap=Street+map")
    frame = wait_for_map(page)
    frame.locator(".jul-tiles-failed").wait_for()
    assert frame.locator(".jul-tiles-failed").inner_text() == maps.TILES_FAILED
    save_screenshot(page, "borough-street-map-offline")
    page.goto(f"{app_url}/borough?borough=Hackney&basemap=No+basemap")
    frame = wait_for_map(page)
    frame.locator(".jul-legend").wait_for()
    assert frame.locator(".leaflet-tile").count() == 0  # no basemap: nothing to fail
    assert frame.locator(".jul-tiles-failed").count() == 0


def test_the_report_forms_click_map_loads_leaflet_from_the_app(app_url, page):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{app_url}/contribute")
    wait_for_app(page)
    with rerun(page):
        page.locator(".st-key-contribute_where").get_by_text("A point I click on the map").click()
    frame = wait_for_map(page)
    frame.locator(".jul-label", has_text="Hackney").first.wait_for(state="attached")
    leaflet = [u for u in requested if u.endswith("leaflet.js")]
    assert leaflet and all(urlsplit(u).hostname in {"127.0.0.1", "localhost"} for u in leaflet)
    outside = {urlsplit(u).hostname for u in requested} - {"127.0.0.1", "localhost"}
    assert outside <= {
        "a.basemaps.cartocdn.com",
        "b.basemaps.cartocdn.com",
        "c.basemaps.cartocdn.com",
        "d.basemaps.cartocdn.com",
    }, outside
    save_screenshot(page, "contribute-click-map-offline")


LEGEND_AND_ZOOM_JS = """
(root) => {
    const rect = (el) => el.getBoundingClientRect();
    const legend = root.querySelector('.jul-legend');
    return {legend: [rect(legend).top, rect(legend).bottom], map: [rect(root).top, rect(root).bottom],
            zoom: rect(root.querySelector('.leaflet-control-zoom')).bottom,
            scrolls: legend.scrollHeight > legend.clientHeight,
            // Rows flowed into a column beyond the legend's width: out of view.
            hidden_columns: legend.scrollWidth > legend.clientWidth + 1};
}
"""


def test_a_long_legend_stays_under_the_zoom_buttons_and_inside_the_map(app_url, page):
    """Every London Plan layer and an upload make the explorer's legend taller than the room
    under the zoom buttons at 1280x720: it flows into two columns (and would scroll if still
    too tall) instead of covering them or being cut."""
    from tests.e2e.test_own_data_browser import upload

    page.set_viewport_size({"width": 1280, "height": 720})
    upload(page, app_url, "".join(f"&policy={p.legend}" for p in POLICIES.values()))
    site_map = wait_for_map(page)
    box = site_map.evaluate(LEGEND_AND_ZOOM_JS)
    assert box["legend"][0] >= box["zoom"], box  # not over the zoom buttons
    assert box["map"][0] <= box["legend"][0] and box["legend"][1] <= box["map"][1], box
    # Every row in view: two columns on a projector's wide map, not a scroll bar.
    assert site_map.locator(".jul-legend.jul-two-col").count() == 1 and not box["scrolls"], box
    # The page's heading style does not reach the legend's section titles.
    heading = site_map.locator(".jul-legend h4").first
    assert heading.evaluate("h => getComputedStyle(h).fontSize") == "11px"
    save_screenshot(page, "explorer-long-legend-1280x720")
    # A map too short for even two columns (as while a busy page settles): one column that
    # scrolls, never rows in a third column out of view.
    site_map.evaluate(
        "root => { root.style.height = '300px'; window.dispatchEvent(new Event('resize')); }"
    )
    page.wait_for_function("() => document.querySelector('.jul-legend').style.maxHeight !== ''")
    box = site_map.evaluate(LEGEND_AND_ZOOM_JS)
    assert box["scrolls"] and not box["hidden_columns"], box
    assert box["legend"][0] >= box["zoom"] and box["legend"][1] <= box["map"][1], box


def test_arrow_keys_and_a_clickers_page_keys_move_a_tour(app_url, page):
    """As tours/default.toml says: on the Tour page and on each step's view, the arrows and
    Page Down / Page Up (what a presentation clicker sends) move between steps."""

    def step() -> str:
        return parse_qs(urlsplit(page.url).query)["step"][0]

    page.goto(f"{app_url}/tour?tour=default&step=1")
    wait_for_app(page)
    page.get_by_text("1. London overview").wait_for()
    # The O on the teal "Open this view" is white (the page's grey hint was 1.2:1 there).
    hint = page.locator(".st-key-tour_open kbd").first
    assert hint.evaluate("e => getComputedStyle(e).color") == "rgb(255, 255, 255)"
    keys_ready(page, ".st-key-tour_next button")
    with rerun(page):
        page.keyboard.press("ArrowRight")
    page.get_by_text("2. Losses vs Areas for Regeneration").wait_for()
    assert step() == "2"
    keys_ready(page, ".st-key-tour_next button")
    with rerun(page):
        page.keyboard.press("ArrowLeft")
    page.get_by_text("1. London overview").wait_for()
    with rerun(page):
        page.get_by_role("button", name="Open this view").click()
    page.get_by_text("Tour · step 1 of 5").wait_for()
    keys_ready(page, ".jul-tour-bar a.next")
    with rerun(page):  # the tour bar's next link: a new document
        page.keyboard.press("PageDown")
    page.get_by_text("Tour · step 2 of 5").wait_for()
    assert urlsplit(page.url).path == "/losses" and step() == "2"
    keys_ready(page, ".jul-tour-bar a.next")
    with rerun(page):  # the tour bar's next link: a new document
        page.keyboard.press("ArrowRight")
    page.get_by_text("Tour · step 3 of 5").wait_for()
    keys_ready(page, ".jul-tour-bar a.previous")
    with rerun(page):  # a link to the previous view: a new document
        page.keyboard.press("PageUp")
    page.get_by_text("Tour · step 2 of 5").wait_for()
    assert urlsplit(page.url).path == "/losses"


# Keeps the page's websockets, so that a test can drop Streamlit's connection.
KEEP_SOCKETS_JS = """
(() => {
    const Native = window.WebSocket;
    window.__julSockets = [];
    window.WebSocket = class extends Native {
        constructor(...args) {
            super(...args);
            window.__julSockets.push(this);
        }
    };
})();
"""


def test_a_step_key_pressed_while_the_connection_is_down_moves_the_tour_once_it_is_back(
    app_url, page
):
    """A venue's Wi-Fi drops (or a busy server misses a ping): Streamlit disables its buttons
    until it has reconnected. A clicker's Next pressed meanwhile is not lost: the step moves
    once the connection is back. (It used to do nothing, and the page then looked as CI's
    failures of the test above did: connected, the next button there, focus on the body.)"""
    page.add_init_script(KEEP_SOCKETS_JS)
    page.goto(f"{app_url}/tour?tour=default&step=1")
    wait_for_app(page)
    page.get_by_text("1. London overview").wait_for()
    keys_ready(page, ".st-key-tour_next button")
    # The connection drops, and the health check that comes before a reconnect fails.
    page.route("**/_stcore/health", lambda route: route.abort("internetdisconnected"))
    page.evaluate("() => window.__julSockets.at(-1).close()")
    page.locator(".st-key-tour_next button:disabled").first.wait_for(state="attached")
    with rerun(page):
        page.keyboard.press("PageDown")  # a presentation clicker's "next"
        assert page.evaluate("() => window.__julStepClicks || 0") == 0  # nothing to click yet
        page.unroute("**/_stcore/health")
    page.get_by_text("2. Losses vs Areas for Regeneration").wait_for()
    assert parse_qs(urlsplit(page.url).query)["step"] == ["2"]
    assert page.evaluate("() => window.__julStepClicks") == 1
    # "Open this view" (O) pressed while the connection is down again opens the step's view.
    keys_ready(page, ".st-key-tour_open button")
    page.route("**/_stcore/health", lambda route: route.abort("internetdisconnected"))
    page.evaluate("() => window.__julSockets.at(-1).close()")
    page.locator(".st-key-tour_open button:disabled").first.wait_for(state="attached")
    with rerun(page):
        page.keyboard.press("o")
        page.unroute("**/_stcore/health")
    page.get_by_text("Tour · step 2 of 5").wait_for()
    assert urlsplit(page.url).path == "/losses"
