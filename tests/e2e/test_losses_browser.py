"""The two loss pages in headless Chromium, opened from shared links, every outside host blocked."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page

from lib.render import loss_maps
from tests.e2e.streamlit_browser import (
    count_drawn_pixels,
    count_map_pixels,
    save_screenshot,
    wait_for_app,
    wait_for_labels_decluttered,
    wait_for_map,
)

# The losses map is the browser map (lib/render/site_map.js); over time's is still folium's.
MAP = ".jul-map, iframe[title='streamlit_folium.st_folium']"


@pytest.fixture
def shared_link(app_url, page: Page):
    """Open a path of the app as a shared link; returns the outside hosts the page asked for.

    The first session on a freshly started server shows Streamlit's "Page not found" dialog
    for any page but the default one (it happens with the Data & sources page too), so the
    app's front page is opened once first.
    """
    requested: list[str] = []
    # No basemap here either: tiles the front page asks for late would be counted below.
    page.goto(f"{app_url}/?basemap=No+basemap")
    wait_for_app(page)
    page.on("request", lambda request: requested.append(request.url))

    def open_link(path: str) -> set[str]:
        page.goto(f"{app_url}{path}")
        wait_for_app(page)
        assert page.locator("[data-testid='stDialog']").count() == 0  # "Page not found"
        assert page.locator("[data-testid='stException']").count() == 0
        return {urlsplit(u).hostname for u in requested} - {"127.0.0.1", "localhost"}

    return open_link


def map_frame(page: Page):
    """The map's frame once drawn (scrolled into view first: Streamlit loads it lazily)."""
    page.locator(MAP).first.scroll_into_view_if_needed()
    frame = wait_for_map(page)
    frame.locator(".jul-legend").wait_for()
    assert count_drawn_pixels(page) > 0, "nothing drawn on the map's canvas"
    if frame.locator(".jul-label").count():
        wait_for_labels_decluttered(page)
    return frame


def wait_for_charts(page: Page, count: int) -> None:
    charts = page.locator("[data-testid='stVegaLiteChart']")
    charts.nth(count - 1).wait_for()
    for i in range(count):
        charts.nth(i).scroll_into_view_if_needed()
        charts.nth(i).locator("svg, canvas").first.wait_for()
    assert charts.count() == count


def test_losses_vs_policy_for_areas_for_regeneration(shared_link, page):
    outside = shared_link("/losses?against=Areas+for+Regeneration&basemap=No+basemap")
    headline = page.get_by_text(
        "closures inside Areas for Regeneration ran at 1.12 per 100 site-years (97 in 8,624 "
        "site-years) against 0.98 elsewhere (417 in 42,743): no clear difference across "
        "categories (rate ratio 1.14, 95% CI 0.91-1.41)."
    )
    headline.wait_for()
    wait_for_charts(page, 3)
    page.locator("[data-testid='stVegaLiteChart']").first.scroll_into_view_if_needed()
    save_screenshot(page, "losses-regeneration-chart")

    frame = map_frame(page)
    legend = frame.locator(".jul-legend").inner_text()
    # Losses since 2010 in the five recording categories (issue 9).
    assert "Inside Areas for Regeneration (97)" in legend
    assert "Elsewhere (417)" in legend and "Areas for Regeneration (32 areas)" in legend
    assert count_map_pixels(page, loss_maps.INSIDE_COLOUR, at_least=301) > 300  # filled dots
    assert count_map_pixels(page, loss_maps.OUTSIDE_COLOUR, at_least=301) > 300  # rings
    assert frame.locator(".jul-label", has_text="Hackney").count() == 1
    save_screenshot(page, "losses-regeneration-map")
    assert not outside, f"requests to outside hosts: {outside}"


def test_losses_vs_policy_for_industrial_land_and_two_categories(shared_link, page):
    outside = shared_link(
        "/losses?against=Strategic+Industrial+Locations"
        "&categories=Library&categories=GP+practice&basemap=No+basemap"
    )
    page.get_by_text(
        "Across the selected categories, closures inside Strategic Industrial Locations ran at"
    ).wait_for()
    wait_for_charts(page, 3)
    frame = map_frame(page)
    legend = frame.locator(".jul-legend").inner_text()
    assert "Lost libraries and GP practices since 2010" in legend
    # Losses only (issue 9): no library or GP practice lost inside SIL.
    assert "Inside Strategic Industrial Locations (0)" in legend
    assert "Elsewhere (155)" in legend
    save_screenshot(page, "losses-sil-libraries-gp-map")
    assert not outside, f"requests to outside hosts: {outside}"


def test_losses_over_time_for_hackney(shared_link, page):
    outside = shared_link("/over-time?area=Hackney&basemap=No+basemap")
    metric = page.locator("[data-testid='stMetric']", has_text="Hackney, 2001")
    assert metric.locator("[data-testid='stMetricValue']").inner_text() == "155 → 185"
    wait_for_charts(page, 5)  # closures by year, pubs trend, three pubs-vs-policy scatters
    page.locator("[data-testid='stVegaLiteChart']").first.scroll_into_view_if_needed()
    save_screenshot(page, "losses-over-time-hackney-closures")
    frame = map_frame(page)
    legend = frame.locator(".jul-legend").inner_text()
    assert "Pubs and bars, % change 2001-2018" in legend
    assert "+15 to +30%" in legend and "Hackney" in legend
    save_screenshot(page, "losses-over-time-hackney-pubs")
    assert not outside, f"requests to outside hosts: {outside}"


def test_losses_over_time_london_counts_every_loss(shared_link, page):
    outside = shared_link("/over-time?basemap=No+basemap")
    metric = page.locator("[data-testid='stMetric']", has_text="Closures with a year")
    metric.wait_for()
    # Every loss has a year once the library lists are joined (issue 9); pharmacies (312)
    # and dental practices (188) record losses too.
    assert metric.locator("[data-testid='stMetricValue']").inner_text() == "717"
    wait_for_charts(page, 5)
    map_frame(page)
    assert not outside, f"requests to outside hosts: {outside}"
