"""The map explorer in headless Chromium, with every outside host blocked (a venue offline)."""

from urllib.parse import urlsplit

from lib.render import maps
from lib.vocab.categories import GROUP_COLOURS
from tests.e2e.streamlit_browser import (
    count_map_pixels,
    save_screenshot,
    wait_for_app,
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
    assert "Closed (307)" in legend.inner_text()
    assert "Pubs (3,857)" in legend.inner_text()
    page.wait_for_timeout(1500)  # let the canvas finish drawing
    pub_pixels = count_map_pixels(page, GROUP_COLOURS["Pubs"])
    closed_ring_pixels = count_map_pixels(page, maps.CLOSED_COLOUR)
    assert pub_pixels > 500 and closed_ring_pixels > 500
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
    # Hackney's three GP practices closed between 2013 and 2019, and nothing else.
    assert "Closed (3)" in legend.inner_text() and "Pubs" not in legend.inner_text()
    metric = page.locator("[data-testid='stMetric']", has_text="Sites shown")
    assert metric.locator("[data-testid='stMetricValue']").inner_text() == "3"
    save_screenshot(page, "explorer-hackney-closed-gp")
