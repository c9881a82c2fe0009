"""The map explorer in headless Chromium, with every outside host blocked (a venue offline)."""

import re
from urllib.parse import urlsplit

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from lib.render import maps
from lib.vocab.categories import GROUP_COLOURS
from tests.e2e.streamlit_browser import (
    APP_TIMEOUT_MS,
    count_map_pixels,
    rerun,
    save_screenshot,
    wait_for_app,
    wait_for_labels_decluttered,
    wait_for_map,
)


def test_explorer_draws_sites_and_legend_offline(app_url, page):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{app_url}/?basemap=No+basemap")
    wait_for_app(page)
    frame = wait_for_map(page)
    legend = frame.locator(".jul-legend")
    legend.wait_for()
    assert "Closed, a loss (717)" in legend.inner_text()
    assert "Closed, not a loss (132)" in legend.inner_text()
    assert "Pubs (3,779)" in legend.inner_text()
    pub_pixels = count_map_pixels(page, GROUP_COLOURS["Pubs"], at_least=501)
    closed_ring_pixels = count_map_pixels(page, maps.CLOSED_COLOUR, at_least=501)
    assert pub_pixels > 500 and closed_ring_pixels > 500
    wait_for_labels_decluttered(page)
    assert frame.locator(".jul-label", has_text="Hackney").count() == 1
    save_screenshot(page, "explorer-offline")
    outside = {urlsplit(u).hostname for u in requested} - {"127.0.0.1", "localhost"}
    assert not outside, f"requests to outside hosts: {outside}"


def test_explorer_filters_from_a_shared_link(app_url, page):
    page.goto(f"{app_url}/?basemap=No+basemap&group=Health&status=Closed&borough=Hackney")
    wait_for_app(page)
    frame = wait_for_map(page)
    legend = frame.locator(".jul-legend")
    legend.wait_for()
    # Hackney's closed GP practice (1), pharmacies (4) and dental practices (9), nothing else:
    # two dental records are contract ends on 31 March, not losses.
    assert "Closed, a loss (12)" in legend.inner_text() and "Pubs" not in legend.inner_text()
    assert "Closed, not a loss (2)" in legend.inner_text()
    metric = page.locator("[data-testid='stMetric']", has_text="Sites shown")
    assert metric.locator("[data-testid='stMetricValue']").inner_text() == "14"
    save_screenshot(page, "explorer-hackney-closed-gp")


def test_a_filter_change_redraws_the_same_map(app_url, page):
    """A filter sends the view (a mask of the sites shown), not a new map: the Leaflet map,
    its layers and Leaflet itself stay loaded, and only the canvas is redrawn."""
    leaflet_loads = []
    page.on(
        "request", lambda r: leaflet_loads.append(r.url) if r.url.endswith("leaflet.js") else None
    )
    page.goto(f"{app_url}/?basemap=No+basemap")
    wait_for_app(page)
    site_map = wait_for_map(page)
    site_map.evaluate("e => { e.dataset.testMark = 'first'; }")
    with rerun(page):
        page.locator("[data-testid='stSidebar'] label", has_text="Closed").first.click()
    page.wait_for_function(
        "() => document.querySelector('.jul-map').dataset.julShown === '849'",
        timeout=APP_TIMEOUT_MS,
    )
    assert page.locator(".jul-map").count() == 1
    assert site_map.get_attribute("data-test-mark") == "first"  # the same element: not remounted
    page.wait_for_function(
        "() => document.querySelector('.jul-map').dataset.julDrawn === '849'",
        timeout=APP_TIMEOUT_MS,
    )
    legend = site_map.locator(".jul-legend").inner_text()
    assert "Closed, a loss (717)" in legend and "Pubs" not in legend
    assert len(leaflet_loads) == 1


SITE_ON_SCREEN_JS = """async () => {
    const host = document.querySelector('.jul-map').parentElement;
    const siteMap = await host.__julMap;
    const drawn = siteMap.sites._drawn, size = siteMap.map.getSize();
    for (let k = drawn.i.length - 1; k >= 0; k--) {
        const p = siteMap.map.layerPointToContainerPoint([drawn.x[k], drawn.y[k]]);
        if (p.x > 250 && p.x < size.x - 20 && p.y > 20 && p.y < size.y - 20) return p;
    }
    return null;
}"""


def test_site_tooltips_show_escaped_text(app_url, page):
    page.goto(f"{app_url}/?basemap=No+basemap&group=Health&status=Closed&borough=Hackney")
    wait_for_app(page)
    site_map = wait_for_map(page)
    site_map.scroll_into_view_if_needed()
    # Hover a drawn site until its tooltip shows: the map may still be framing itself (a
    # second fit once the page has laid out), which moves the sites under a still mouse.
    tip = site_map.locator(".jul-tip")
    shown = False
    for _ in range(20):
        # Where a drawn site is on the screen, from the map itself.
        point = page.evaluate(SITE_ON_SCREEN_JS)
        assert point is not None
        box = site_map.bounding_box()
        page.mouse.move(0, 0)
        page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
        try:
            tip.wait_for(timeout=APP_TIMEOUT_MS // 20)
            shown = True
            break
        except PlaywrightTimeoutError:
            continue
    assert shown, "hovering a drawn site never showed its tooltip"
    text = tip.inner_text()
    # A closed health site of Hackney: a GP practice, pharmacy or dental practice (NHS lists).
    assert "Category" in text and "NHS " in text
    # The history is sent as a template and its years (site_map._histories): put back whole.
    assert re.search(r"Status\s+Closed 20\d\d\b", text) and "\x07" not in text, text
    # Built with textContent: no markup from data, whatever a name holds.
    assert tip.locator("script, img, a").count() == 0
