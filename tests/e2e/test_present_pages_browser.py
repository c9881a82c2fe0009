"""Presentation mode on every map page (not only the explorer) in headless Chromium at a
projector's 1280x720, every outside host blocked: what a facilitator projects."""

from urllib.parse import urlsplit

from tests.e2e.streamlit_browser import ARTIFACTS_DIR, wait_for_app, wait_for_map

LOCAL = {"127.0.0.1", "localhost"}
MAP_IFRAME = "iframe[title='streamlit_folium.st_folium']"
# Page link (present=1 added) -> (screenshot name, headline figure).
PAGES = {
    "/losses?against=Areas+for+Regeneration&basemap=No+basemap": (
        "present-losses-1280x720",
        "1.46 vs 1.25",
    ),
    "/over-time?area=Hackney&basemap=No+basemap": ("present-over-time-1280x720", "155 → 185"),
    "/borough?borough=Hackney&basemap=No+basemap": ("present-borough-1280x720", "23.1"),
    "/voluntary?basemap=No+basemap": ("present-voluntary-1280x720", "2.15"),
    # A tour step: the tour bar above takes room, and the borough's long legend must still fit.
    "/borough?borough=Hackney&basemap=No+basemap&tour=default&step=3": (
        "present-borough-tour-step-3-1280x720",
        "23.1",
    ),
}
# Canvas pixels Leaflet has drawn on (areas and markers are on a canvas, not in the DOM).
DRAWN_PIXELS_JS = """
() => {
    let count = 0;
    for (const canvas of document.querySelectorAll('canvas.leaflet-zoom-animated')) {
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) count++;
    }
    return count;
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
    for path, (name, figure) in PAGES.items():
        page.goto(f"{app_url}{path}&present=1")
        wait_for_app(page)
        assert page.locator("[data-testid='stDialog']").count() == 0, path  # "Page not found"
        assert page.locator("[data-testid='stException']").count() == 0, path
        frame = wait_for_map(page)
        legend = frame.locator(".jul-legend")
        legend.wait_for()
        page.wait_for_timeout(1500)  # canvas drawn, legend fitted
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
        box = page.locator(MAP_IFRAME).bounding_box()
        assert box["width"] > 1200 and box["height"] >= 480, path
        assert box["y"] + box["height"] <= 720, path
        # The map drew (areas and points on its canvas), with its whole legend in the frame.
        drawn = next(f for f in page.frames if "streamlit_folium" in f.url)
        assert drawn.evaluate(DRAWN_PIXELS_JS) > 50_000, path
        legend_box = legend.bounding_box()
        zoom_box = frame.locator(".leaflet-control-zoom").bounding_box()
        assert legend_box["y"] >= zoom_box["y"] + zoom_box["height"], (
            f"{path}: the legend covers the zoom buttons or is cut off at the top of the map"
        )
        assert legend_box["y"] + legend_box["height"] <= box["y"] + box["height"], path
        assert page.locator("[data-testid='stDataFrame']").count() == 0, path
    outside = {urlsplit(u).hostname for u in requested} - LOCAL
    assert not outside, outside
