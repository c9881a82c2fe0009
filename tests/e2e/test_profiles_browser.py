"""Borough profile and Voluntary sector pages in headless Chromium, every outside host blocked.

Each test opens a page by its link, waits for the ward map (the browser map of the page's
MapSpec, drawn in the page on a canvas), checks that it drew with its legend inside the map,
and saves a 1400x1300 screenshot to tests/artifacts/ for a person to look at.
"""

from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect

from tests.e2e.streamlit_browser import (
    SITE_MAP,
    count_drawn_pixels,
    map_box,
    rerun,
    save_screenshot,
    wait_for_app,
    wait_for_labels_decluttered,
    wait_for_map,
)

VIEWPORT = {"width": 1400, "height": 1300}


def open_view(page, url: str):
    """Open `url`, wait for the script and the map; returns the map's locator."""
    page.set_viewport_size(VIEWPORT)
    page.goto(url)
    wait_for_app(page)
    # The first page of a fresh server can get Streamlit's "Page not found" notice (the page
    # list is not known until the app has run once); it then shows the right page anyway.
    dialog = page.get_by_role("dialog")
    if dialog.count() and "Page not found" in dialog.inner_text():
        page.keyboard.press("Escape")
    frame = wait_for_map(page)
    frame.locator(".jul-legend").wait_for()
    assert count_drawn_pixels(page) > 0, "nothing drawn on the map's canvas"
    if frame.locator(".jul-label").count():
        wait_for_labels_decluttered(page)
    return frame


def screenshots(page, name: str) -> None:
    """The top of the page, then the page scrolled to its map (Streamlit scrolls inside the
    page, so a full-page screenshot is one screen)."""
    save_screenshot(page, name)
    site_map = page.locator(SITE_MAP).first
    site_map.scroll_into_view_if_needed()
    expect(site_map).to_be_in_viewport()
    save_screenshot(page, f"{name}-map")


def drawn_pixels(page, at_least: int) -> int:
    """Pixels drawn on the map's canvases with alpha over 100 (ward fills, outlines, points;
    the background is the frame's, not the canvas's, so an empty map counts none), once
    there are `at_least` of them (or the wait gave up)."""
    return count_drawn_pixels(page, at_least=at_least, alpha=100)


def legend_inside_frame(page, frame) -> bool:
    """The legend box lies within the map (both in page coordinates)."""
    outer = map_box(page)
    inner = frame.locator(".jul-legend").bounding_box()
    return (
        outer["x"] <= inner["x"]
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"]
        and outer["y"] <= inner["y"]
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"]
    )


def outside_hosts(urls) -> set:
    return {urlsplit(u).hostname for u in urls} - {"127.0.0.1", "localhost", None}


def no_errors(page) -> bool:
    return (
        page.locator("[data-testid='stException']").count() == 0
        and page.locator("[data-testid='stAlertContentError']").count() == 0
    )


def main_text(page) -> str:
    return page.locator("[data-testid='stMainBlockContainer']").inner_text()


def test_borough_profile_of_hackney(app_url, page):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    frame = open_view(page, f"{app_url}/borough?borough=Hackney&basemap=No+basemap")
    assert page.locator("h1", has_text="Borough profile: Hackney").count() == 1
    legend = frame.locator(".jul-legend").inner_text()
    assert "Open sites per 10,000 residents" in legend
    assert "Sites (open)" in legend and "Closed, a loss (13)" in legend
    assert "Closed, not a loss (3)" in legend
    assert "Food bank, Trussell Trust (1)" in legend and "Town centres" in legend
    assert legend_inside_frame(page, frame)
    assert drawn_pixels(page, 80_000 + 1) > 80_000  # the borough's wards filled
    text = main_text(page)
    assert (
        "London 2.15" in text and "2nd of 32" in text
    )  # charities per 1,000 (wards in the extract)
    assert no_errors(page)
    screenshots(page, "profile-hackney")
    assert not outside_hosts(requested), f"requests to outside hosts: {outside_hosts(requested)}"


def test_city_of_london_is_flagged_not_ranked(app_url, page):
    frame = open_view(
        page,
        f"{app_url}/borough?borough=City+of+London&basemap=No+basemap"
        "&measure=Charities+per+1%2C000+residents",
    )
    assert (
        "Registered charities per 1,000 residents (2019)"
        in frame.locator(".jul-legend").inner_text()
    )
    assert drawn_pixels(page, 80_000 + 1) > 80_000  # the borough's wards filled
    text = main_text(page)
    assert "City of London has only 10,938 residents" in text
    assert "not ranked: too few residents" in text and "would be 1st of 33" in text
    assert no_errors(page)
    screenshots(page, "profile-city-of-london")


def test_choosing_a_borough_updates_the_link(app_url, page):
    open_view(page, f"{app_url}/borough?basemap=No+basemap")
    assert page.locator("h1", has_text="Borough profile: Barking and Dagenham").count() == 1
    page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").first.click()
    page.keyboard.type("Newham")
    with rerun(page):
        page.keyboard.press("Enter")
    page.locator("h1", has_text="Borough profile: Newham").wait_for()
    assert parse_qs(urlsplit(page.url).query)["borough"] == ["Newham"]
    wait_for_map(page).locator(".jul-legend").wait_for()


def test_voluntary_sector_with_a_chosen_ward(app_url, page):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    frame = open_view(page, f"{app_url}/voluntary?ward=Hoxton+West+(Hackney)&basemap=No+basemap")
    legend = frame.locator(".jul-legend").inner_text()
    assert "Registered charities per 1,000 residents (2019)" in legend
    assert "Food bank, Trussell Trust (40)" in legend and "Food bank, closed (2)" in legend
    assert "Mutual aid group 2020 (657; CC BY-NC-SA, non-commercial)" in legend
    assert "Chosen ward" in legend and "Hoxton West (Hackney)" in legend
    assert (
        "mutualaid.wiki (CC BY-NC-SA 4.0)"
        in frame.locator(".leaflet-control-attribution").inner_text()
    )
    assert drawn_pixels(page, 120_000 + 1) > 120_000  # London's 634 wards filled
    # The 744 food banks and groups, from the packed layer the page sends once a session.
    assert page.locator(SITE_MAP).first.get_attribute("data-jul-voluntary") == "744"
    assert legend_inside_frame(page, frame)
    chart = page.locator("[data-testid='stVegaLiteChart']")
    chart.wait_for()
    assert chart.locator("canvas, svg").count() >= 1
    text = main_text(page)
    assert "Spearman ρ = -0.13" in text  # the 546 wards in the charity extract
    assert "non-commercial use only" in text
    assert no_errors(page)
    screenshots(page, "voluntary-hoxton-west")
    # Their list is sent when its expander is opened: a header row and 744 rows.
    listed = page.locator("[data-testid='stExpander']").filter(
        has_text="Food banks and mutual aid groups (list)"
    )
    assert listed.locator("[data-testid='stDataFrame']").count() == 0
    with rerun(page):
        listed.get_by_text("Food banks and mutual aid groups (list)").click()
    grid = listed.locator("[data-testid='stDataFrame'] [role='grid']")
    expect(grid).to_have_attribute("aria-rowcount", "745")
    assert not outside_hosts(requested), f"requests to outside hosts: {outside_hosts(requested)}"
