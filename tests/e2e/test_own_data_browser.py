"""Your own data in Chromium, offline: a CSV uploaded in the sidebar lands on the map."""

from playwright.sync_api import Page

from lib.render.own_data import OWN_DATA_COLOUR
from tests.e2e.streamlit_browser import (
    count_map_pixels,
    rerun,
    save_screenshot,
    wait_for_app,
    wait_for_map,
)

CSV = (
    b"name,latitude,longitude\r\nTrafalgar Square,51.50809,-0.12804\r\n"
    b"Brixton,51.4624,-0.1147\r\nStratford,51.5419,-0.0035\r\n"
)


def upload(page: Page, app_url: str, query: str = "") -> str:
    """Open the explorer with no basemap (and `query`'s settings), upload the CSV; the
    legend's text once drawn."""
    page.goto(f"{app_url}/?basemap=No+basemap{query}")
    wait_for_app(page)
    wait_for_map(page)
    # The input is in the sidebar's DOM even while a phone keeps the sidebar closed.
    with rerun(page):
        page.locator("[data-testid='stSidebar'] input[type='file']").set_input_files(
            {"name": "my places.csv", "mimeType": "text/csv", "buffer": CSV}
        )
    page.get_by_text("3 of your features are on the map").wait_for(state="attached")
    # The map is drawn again with the upload on it: wait for its legend row.
    legend = wait_for_map(page).locator(".jul-legend", has_text="Your own data")
    legend.wait_for(state="attached")
    wait_for_app(page)
    return legend.text_content() or ""


def test_an_uploaded_csv_lands_on_the_map_with_its_summary(app_url, page):
    legend = upload(page, app_url)
    assert "Your own data" in legend and "my places (3)" in legend
    assert count_map_pixels(page, OWN_DATA_COLOUR, at_least=101) > 100
    save_screenshot(page, "own-data-uploaded")
    summary = page.get_by_text("How many fall in each London Plan area and borough")
    summary.scroll_into_view_if_needed()
    assert page.locator("[data-testid='stDataFrame']").count() == 3  # sites, areas, boroughs
    page.screenshot(path="tests/artifacts/own-data-summary.png")


def test_screenshots_at_projector_and_phone_sizes(app_url, page):
    for width, height in [(1280, 720), (390, 844)]:
        page.set_viewport_size({"width": width, "height": height})
        upload(page, app_url)
        assert count_map_pixels(page, OWN_DATA_COLOUR, at_least=21) > 20
        save_screenshot(page, f"own-data-{width}x{height}")
        page.screenshot(path=f"tests/artifacts/own-data-{width}x{height}-first-screen.png")
