"""Helpers for tests that drive the running app in Chromium (fixtures are in conftest.py)."""

from pathlib import Path

from playwright.sync_api import FrameLocator, Locator, Page

ARTIFACTS_DIR = Path(__file__).resolve().parents[1] / "artifacts"

APP_TIMEOUT_MS = 30_000


def wait_for_app(page: Page, timeout_ms: int = APP_TIMEOUT_MS) -> None:
    """Wait until Streamlit is connected, has finished running the script and shows the page."""
    # A click's rerun starts a moment after the click: let it begin before waiting for its end.
    page.wait_for_timeout(200)
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-connection-state='CONNECTED']",
        state="attached",
        timeout=timeout_ms,
    )
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-script-state='notRunning']",
        state="attached",
        timeout=timeout_ms,
    )
    page.wait_for_selector("[data-testid='stMainBlockContainer']", timeout=timeout_ms)


FOLIUM_MAP = "iframe[title='streamlit_folium.st_folium']"
# The explorer's map is Leaflet in the page itself (lib/render/site_map.js), not an iframe;
# it sets data-jul-drawn once its sites are on the canvas.
SITE_MAP = ".jul-map"
ANY_MAP = f"{SITE_MAP}[data-jul-drawn], {FOLIUM_MAP}"


def wait_for_map(
    page: Page, index: int = 0, timeout_ms: int = APP_TIMEOUT_MS
) -> FrameLocator | Locator:
    """The `index`-th map of the page once Leaflet has drawn it: a st_folium map's frame, or
    the explorer's map element. Both answer .locator() and .get_by_role()."""
    page.locator(ANY_MAP).first.wait_for(state="attached", timeout=timeout_ms)
    if page.locator(SITE_MAP).count():
        site_map = page.locator(f"{SITE_MAP}[data-jul-drawn]").nth(index)
        site_map.wait_for(state="attached", timeout=timeout_ms)
        return site_map
    frame = page.frame_locator(FOLIUM_MAP).nth(index)
    # The container gets its size and class only once Leaflet has loaded and made the map.
    frame.locator(".leaflet-container").wait_for(timeout=timeout_ms)
    return frame


def map_box(page: Page, index: int = 0) -> dict:
    """Where the `index`-th map is on the page (x, y, width, height)."""
    return page.locator(f"{SITE_MAP}, {FOLIUM_MAP}").nth(index).bounding_box()


# Counts canvas pixels of one colour: site markers are drawn on Leaflet's canvas, not in the DOM.
COUNT_COLOUR_JS = """
([r, g, b]) => {
    let count = 0;
    for (const canvas of document.querySelectorAll('canvas.leaflet-zoom-animated')) {
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 0; i < pixels.length; i += 4) {
            if (Math.abs(pixels[i] - r) < 6 && Math.abs(pixels[i + 1] - g) < 6
                && Math.abs(pixels[i + 2] - b) < 6 && pixels[i + 3] > 200) count++;
        }
    }
    return count;
}
"""


def count_map_pixels(page: Page, hex_colour: str) -> int:
    """Canvas pixels of `hex_colour` in the explorer's map, else the first st_folium map."""
    rgb = [int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]
    if page.locator(SITE_MAP).count():
        return page.evaluate(COUNT_COLOUR_JS, rgb)
    frame = next(f for f in page.frames if "streamlit_folium" in f.url)
    return frame.evaluate(COUNT_COLOUR_JS, rgb)


def save_screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot as tests/artifacts/<name>.png and return its path."""
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS_DIR / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    return path


def share_link(page: Page) -> str:
    """The link in the page's "Share or download" popover (opened, read, closed again)."""
    page.get_by_role("button", name="Share or download").click()
    code = page.locator("[data-testid='stPopoverBody'] [data-testid='stCode']").first
    code.wait_for()
    link = code.inner_text().replace("\n", "").strip()
    page.keyboard.press("Escape")
    return link
