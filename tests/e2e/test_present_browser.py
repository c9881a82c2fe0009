"""Presentation mode, the tour, and shared links in headless Chromium, every outside host
blocked (a venue with no internet): what a facilitator and a campaigner do."""

from urllib.parse import parse_qs, urlsplit

import pytest

from lib.links import tours
from tests.e2e.streamlit_browser import (
    APP_TIMEOUT_MS,
    ARTIFACTS_DIR,
    count_drawn_pixels,
    keys_ready,
    map_box,
    prepare_context,
    rerun,
    share_link,
    wait_for_app,
    wait_for_labels_decluttered,
    wait_for_map,
)

LOCAL = {"127.0.0.1", "localhost"}


def watch_requests(page) -> list[str]:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    return requested


def outside_hosts(requested) -> set[str]:
    return {urlsplit(u).hostname for u in requested} - LOCAL


def metric(page, label: str) -> str:
    box = page.locator("[data-testid='stMetric']", has_text=label)
    return box.locator("[data-testid='stMetricValue']").inner_text()


def test_presentation_mode_fills_a_1280x720_screen_offline(app_url, page):
    page.set_viewport_size({"width": 1280, "height": 720})
    requested = watch_requests(page)
    page.goto(f"{app_url}/?basemap=No+basemap&present=1")
    wait_for_app(page)
    frame = wait_for_map(page)
    frame.locator(".jul-legend").wait_for()
    assert count_drawn_pixels(page) > 0, "nothing drawn on the map's canvas"
    wait_for_labels_decluttered(page)
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS_DIR / "present-1280x720.png")

    assert not page.locator("[data-testid='stSidebar']").is_visible()
    assert not page.locator("[data-testid='stHeader']").is_visible()
    # One headline figure, large enough for the back of a room.
    value = page.locator("[data-testid='stMetricValue']")
    assert value.count() == 1 and value.inner_text() == "717"  # lost, of 849 closed
    assert float(value.evaluate("e => getComputedStyle(e).fontSize").rstrip("px")) >= 48
    title = page.locator("[data-testid='stMainBlockContainer'] h1").first
    assert float(title.evaluate("e => getComputedStyle(e).fontSize").rstrip("px")) >= 32
    # The map fills the screen below the title row, and all of it is on screen.
    box = map_box(page)
    assert box["width"] > 1200 and box["height"] >= 480
    assert box["y"] + box["height"] <= 720
    # The map still reads with no basemap: borough names, none printed over another.
    shown = frame.locator(".jul-label:visible")
    assert shown.count() >= 20
    assert frame.locator(".jul-label", has_text="Hackney").is_visible()
    assert "Closed, a loss (717)" in frame.locator(".jul-legend").inner_text()
    assert not outside_hosts(requested), outside_hosts(requested)


def test_presentation_mode_is_keyboard_friendly(app_url, page):
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{app_url}/?basemap=No+basemap&present=1")
    wait_for_app(page)
    wait_for_map(page)
    exit_button = page.get_by_role("button", name="Exit presentation")
    for _ in range(30):  # Tab to the way out
        page.keyboard.press("Tab")
        if exit_button.evaluate("e => e === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached 'Exit presentation'")
    outline = exit_button.evaluate("e => getComputedStyle(e).outlineWidth")
    assert float(outline.rstrip("px")) >= 3, "keyboard focus is not visible"
    with rerun(page):
        page.keyboard.press("Enter")
    page.get_by_text("Sites shown").wait_for()
    assert "present" not in parse_qs(urlsplit(page.url).query)
    assert page.locator("[data-testid='stSidebar']").is_visible()


def test_a_shared_link_opens_the_same_view_in_a_new_session(app_url, page):
    page.goto(f"{app_url}/?basemap=No+basemap&group=Health&status=Closed&borough=Hackney")
    wait_for_app(page)
    wait_for_map(page)
    link = share_link(page)
    assert parse_qs(urlsplit(link).query) == {
        "basemap": ["No basemap"],
        "group": ["Health"],
        "status": ["Closed"],
        "borough": ["Hackney"],
    }
    shown, closed = metric(page, "Sites shown"), metric(page, "Of which lost")
    fresh = prepare_context(
        page.context.browser.new_context(viewport={"width": 1400, "height": 900})
    )
    fresh.route(
        "**/*",
        lambda route: (
            route.continue_()
            if urlsplit(route.request.url).hostname in LOCAL
            else route.abort("internetdisconnected")
        ),
    )
    other = fresh.new_page()
    try:
        other.goto(link)
        wait_for_app(other)
        wait_for_map(other)
        assert (metric(other, "Sites shown"), metric(other, "Of which lost")) == (shown, closed)
        assert share_link(other) == link
    finally:
        fresh.close()


# The explorer's zoom once no zoom is under way (site_map.js keeps its map on the host).
MAP_ZOOM_JS = """async () => {
    const siteMap = await document.querySelector('.jul-map').parentElement.__julMap;
    return siteMap.map._animatingZoom ? -1 : siteMap.map.getZoom();
}"""


def test_save_view_puts_the_map_position_in_the_link(app_url, page):
    page.goto(f"{app_url}/?basemap=No+basemap")
    wait_for_app(page)
    frame = wait_for_map(page)
    for _ in range(2):
        zoom = page.evaluate(MAP_ZOOM_JS)
        frame.locator(".leaflet-control-zoom-in").click()
        page.wait_for_function(
            f"async () => ({MAP_ZOOM_JS})().then((z) => z > {zoom})", timeout=APP_TIMEOUT_MS
        )
    with rerun(page):
        frame.get_by_role("button", name="Save view to link").click()
    page.wait_for_function("() => location.search.includes('z=')", timeout=APP_TIMEOUT_MS)
    query = parse_qs(urlsplit(page.url).query)
    lat, lon, zoom = float(query["lat"][0]), float(query["lon"][0]), float(query["z"][0])
    assert 51.28 <= lat <= 51.70 and -0.51 <= lon <= 0.34 and 10 <= zoom <= 18
    assert "z=" in share_link(page)
    assert page.get_by_role("button", name="Reset map to all of London").is_visible()


def test_a_facilitator_steps_through_the_default_tour_offline(app_url, page):
    try:
        tour = tours.load_tour("default")
    except tours.TourError as exc:
        pytest.skip(f"the default tour needs pages this app lacks: {exc}")
    page.set_viewport_size({"width": 1280, "height": 720})
    requested = watch_requests(page)
    # A bookmarked tour link may be the first page the server ever serves.
    page.goto(f"{app_url}/tour?tour=default&step=1")
    wait_for_app(page)
    page.get_by_text("1. London overview").wait_for()
    # A first visit reruns once through app.py (require_navigation), which brings the
    # shared navigation: wait for it.
    page.wait_for_function(
        "() => (document.querySelector(\"[data-testid='stSidebarNav']\") || {}).innerText"
        "?.startsWith('Map explorer')",
        timeout=APP_TIMEOUT_MS,
    )
    wait_for_app(page)
    assert page.locator("[data-testid='stSidebarNav']").inner_text().startswith("Map explorer")
    keys_ready(page, ".st-key-tour_next button")
    with rerun(page):
        page.keyboard.press("PageDown")  # a presentation clicker's "next"
    page.get_by_text("2. Losses vs Areas for Regeneration").wait_for()
    assert parse_qs(urlsplit(page.url).query)["step"] == ["2"]
    assert page.get_by_text("Tour · step").count() == 0  # no tour bar on the Tour page
    page.screenshot(path=ARTIFACTS_DIR / "tour-step-2.png")
    with rerun(page):
        page.get_by_role("button", name="Open this view").click()
    page.get_by_text("Tour · step 2 of 5").wait_for()
    assert urlsplit(page.url).path == "/losses"
    for number in (3, 4):
        with rerun(page):  # a link to another page: a new document, its first run
            page.get_by_role("link", name="Next:").click()
        step = f"step={number}"
        page.wait_for_function(f"() => location.search.includes('{step}')", timeout=APP_TIMEOUT_MS)
        page.get_by_text(f"Tour · step {number} of {len(tour.steps)}").wait_for()
        query = parse_qs(urlsplit(page.url).query)
        assert query["basemap"] == ["No basemap"], "every step keeps its settings"
    wait_for_map(page)
    assert metric(page, "closed and lost, of 1 facility shown") == "1"
    page.screenshot(path=ARTIFACTS_DIR / "tour-step-4-present.png")
    with rerun(page):
        page.get_by_role("link", name="Back to the tour").click()
    page.get_by_text("4. Hackney's closed GP practices").wait_for()
    assert not outside_hosts(requested), outside_hosts(requested)
