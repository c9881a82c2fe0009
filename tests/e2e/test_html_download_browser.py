"""The "Download interactive map (HTML)" of a map page, opened from disk in headless Chromium
with every request but the file itself refused: it draws the view the page showed."""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from lib.render import symbols
from tests.e2e.streamlit_browser import (
    COUNT_COLOUR_JS,
    save_screenshot,
    wait_for_app,
    wait_for_map,
)


def download_map(page: Page, app_url: str, path: str, tmp_path: Path) -> Path:
    # A fresh server's first session shows "Page not found" for any page but the front one
    # (tests/e2e/test_losses_browser.py): the front page first.
    page.goto(f"{app_url}/?basemap=No+basemap")
    wait_for_app(page)
    page.goto(f"{app_url}{path}")
    wait_for_app(page)
    wait_for_map(page)
    page.get_by_role("button", name="Share or download").click()
    button = page.get_by_role("button", name="Download interactive map (HTML)")
    button.wait_for()
    with page.expect_download(timeout=120_000) as download:
        button.click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    return saved


def open_offline(browser: Browser, saved: Path) -> tuple[Page, list[str]]:
    """The file in a fresh browser that may fetch nothing at all (not even the app)."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    asked: list[str] = []

    def refuse(route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            asked.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/*", refuse)
    offline = context.new_page()
    offline.goto(saved.as_uri())
    offline.locator(".jul-legend").wait_for()
    return offline, asked


@pytest.mark.parametrize(
    ("path", "legend", "colour"),
    [
        (
            "/losses?against=Areas+for+Regeneration&basemap=No+basemap",
            ["Inside Areas for Regeneration (98)", "Elsewhere (417)", "(32 areas)"],
            symbols.INSIDE_COLOUR,
        ),
        (
            "/?group=Health&borough=Hackney&basemap=No+basemap",
            ["Health (", "Closed, a loss (", "Town centres"],
            "#009E73",  # Health's colour: its open sites
        ),
    ],
)
def test_html_download_opens_offline_and_draws_the_view(
    app_url, page, browser, tmp_path, path, legend, colour
):
    saved = download_map(page, app_url, path, tmp_path)
    assert saved.suffix == ".html"
    offline, asked = open_offline(browser, saved)
    text = offline.locator(".jul-legend").inner_text()
    for row in legend:
        assert row in text
    # Drawn on the map's canvas, and the boroughs named.
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    offline.wait_for_function(f"(rgb) => ({COUNT_COLOUR_JS})(rgb) >= 50", arg=rgb)
    assert offline.locator(".jul-label", has_text="Hackney").count() == 1
    # The full attribution statements under the map, the NHS's among them.
    assert "NHS England" in offline.locator(".jul-credits").inner_text()
    save_screenshot(offline, f"html-download-{saved.stem}")
    assert asked == [], f"the file asked for {asked}"
    offline.context.close()
