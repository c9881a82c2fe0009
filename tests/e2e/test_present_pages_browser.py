"""Presentation mode on every map page (not only the explorer) in headless Chromium at a
projector's 1280x720, every outside host blocked: what a facilitator projects."""

from urllib.parse import urlsplit

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e.streamlit_browser import (
    ARTIFACTS_DIR,
    SITE_MAP,
    count_drawn_pixels,
    map_box,
    wait_for_app,
    wait_for_labels_decluttered,
    wait_for_map,
)

LOCAL = {"127.0.0.1", "localhost"}
# Page link (present=1 added) -> (screenshot name, headline figure).
PAGES = {
    "/losses?against=Areas+for+Regeneration&basemap=No+basemap": (
        "present-losses-1280x720",
        "1.12 vs 0.98",
    ),
    "/over-time?area=Hackney&basemap=No+basemap": ("present-over-time-1280x720", "155 → 185"),
    "/borough?borough=Hackney&basemap=No+basemap": ("present-borough-1280x720", "23.1"),
    "/voluntary?basemap=No+basemap": ("present-voluntary-1280x720", "2.15"),
    # Where need is greatest: 127 areas of defined need under equal weights; its tour step.
    "/needs?basemap=No+basemap": ("present-needs-1280x720", "127"),
    "/needs?map=Access+lost&category=Pharmacy&basemap=No+basemap": (
        "present-needs-access-1280x720",
        "90,446",
    ),
    "/needs?map=Needs+map&basemap=No+basemap&tour=default&step=5": (
        "present-needs-tour-step-5-1280x720",
        "127",
    ),
    # A tour step: the tour bar above takes room, and the borough's long legend must still fit.
    "/borough?borough=Hackney&basemap=No+basemap&tour=default&step=3": (
        "present-borough-tour-step-3-1280x720",
        "23.1",
    ),
}
# Wrong link values: their notes on the screen above the title row, and all of the map still
# on it (shorter by the notes' room). Link -> (screenshot name, headline figure, a note).
BAD_LINKS = {
    "/losses?against=nowhere&categories=Zoo&basemap=No+basemap": (
        "present-losses-bad-1280x720",
        "1.12 vs 0.98",
        "'Zoo' is not a category whose closures are recorded",
    ),
    "/voluntary?ward=Nowhere&basemap=No+basemap": (
        "present-voluntary-bad-1280x720",
        "2.15",  # London's figure: no other ward's
        "'Nowhere' is not a London ward",
    ),
    # The weights' note is said too: under the tour bar, with the tour bar's room taken.
    "/needs?weights=bad&category=Zoo&basemap=No+basemap&tour=default&step=5": (
        "present-needs-bad-tour-1280x720",
        "127",
        "The link's weights (bad) could not be read",
    ),
}
# fitLegend (lib/render/site_map.js) has made the legend fit: below the zoom buttons and
# above the bottom of the map's frame (it adds jul-compact, then jul-two-col, as needed).
LEGEND_FITS_JS = """
() => {
    const legend = document.querySelector('.jul-legend');
    const zoom = document.querySelector('.leaflet-control-zoom');
    if (!legend || !zoom) return false;
    const l = legend.getBoundingClientRect(), z = zoom.getBoundingClientRect();
    return l.height > 0 && l.top >= z.bottom && l.bottom <= window.innerHeight;
}
"""


def font_px(locator) -> float:
    return float(locator.evaluate("e => getComputedStyle(e).fontSize").rstrip("px"))


def test_every_map_page_presents_at_1280x720_offline(app_url, page):
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 720})
    # The first session on a fresh server shows "Page not found" for any page but the default
    # one: open the front page first (with no basemap, so no tile request comes late).
    page.goto(f"{app_url}/?basemap=No+basemap")
    wait_for_app(page)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    cases = {path: (name, figure, None) for path, (name, figure) in PAGES.items()} | BAD_LINKS
    for path, (name, figure, note) in cases.items():
        page.goto(f"{app_url}{path}&present=1")
        wait_for_app(page)
        assert page.locator("[data-testid='stDialog']").count() == 0, path  # "Page not found"
        assert page.locator("[data-testid='stException']").count() == 0, path
        frame = wait_for_map(page)
        legend = frame.locator(".jul-legend")
        legend.wait_for()
        drawn_pixels = count_drawn_pixels(page, at_least=50_001)
        # Every map page's map is the browser map of its MapSpec, in the page.
        assert page.locator(SITE_MAP).count() == 1, path
        try:
            page.wait_for_function(LEGEND_FITS_JS)
        except PlaywrightTimeoutError:
            pass  # the assertions below say how it does not fit
        if frame.locator(".jul-label").count():
            wait_for_labels_decluttered(page)
        page.screenshot(path=ARTIFACTS_DIR / f"{name}.png")

        # No sidebar, no header: the view fills the screen.
        assert not page.locator("[data-testid='stSidebar']").is_visible(), path
        assert not page.locator("[data-testid='stHeader']").is_visible(), path
        # One headline figure and a title, large enough for the back of a room.
        value = page.locator("[data-testid='stMetricValue']")
        assert value.count() == 1 and value.inner_text() == figure, path
        assert font_px(value) >= 48, path
        assert font_px(page.locator("[data-testid='stMainBlockContainer'] h1").first) >= 32
        # The map fills the width below the title row, and all of it is on the screen.
        box = map_box(page)
        assert box["width"] > 1200 and box["height"] >= (400 if note else 480), path
        assert box["y"] + box["height"] <= 720, path
        if note:
            said = page.get_by_text(note).bounding_box()
            assert said is not None and said["y"] + said["height"] <= box["y"], path
        # The map drew (areas and points on its canvas), with its whole legend in the frame.
        assert drawn_pixels > 50_000, path
        legend_box = legend.bounding_box()
        zoom_box = frame.locator(".leaflet-control-zoom").bounding_box()
        assert legend_box["y"] >= zoom_box["y"] + zoom_box["height"], (
            f"{path}: the legend covers the zoom buttons or is cut off at the top of the map"
        )
        assert legend_box["y"] + legend_box["height"] <= box["y"] + box["height"], path
        assert page.locator("[data-testid='stDataFrame']").count() == 0, path
    outside = {urlsplit(u).hostname for u in requested} - LOCAL
    assert not outside, outside
