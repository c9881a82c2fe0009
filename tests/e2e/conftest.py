"""Fixtures that run the app with `streamlit run` and drive it in Debian's headless Chromium.

Helpers for the tests themselves (wait_for_app, wait_for_map, save_screenshot) are in
tests/e2e/streamlit_browser.py.
"""

import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Route, expect, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from bench import app_server
from tests.e2e.streamlit_browser import ARTIFACTS_DIR, prepare_context, save_screenshot

# expect() waits 5 s by default: on a loaded 2-core machine a reconnected session or a rerun
# can take longer to show what it will show. A condition, so a pass costs nothing extra.
expect.set_options(timeout=30_000)

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# A cold start on a loaded 2-core machine is slow; the wait ends as soon as it is healthy.
SERVER_START_TIMEOUT_S = 120
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
failed_test = pytest.StashKey[bool]()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    e2e_dir = Path(__file__).parent
    for item in items:
        if e2e_dir in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if report.when == "call" and report.failed:
        item.stash[failed_test] = True
    return report


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """Base URL of `streamlit run app.py`, started once per test session (per xdist worker)."""
    log = ARTIFACTS_DIR / f"streamlit-{os.getpid()}.log"
    try:
        server, base_url = app_server.start(REPO_ROOT, log=log, timeout_s=SERVER_START_TIMEOUT_S)
    except app_server.NotStarted as error:
        pytest.fail(str(error))
    try:
        yield base_url
    finally:
        app_server.stop(server)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def _offline(route: Route) -> None:
    # What a venue with no internet sees: only the app itself answers.
    if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
        route.continue_()
    else:
        route.abort("internetdisconnected")


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh 1400x900 page with no internet, generous timeouts and the run counter
    (streamlit_browser.rerun); screenshotted into tests/artifacts on failure."""
    context = prepare_context(browser.new_context(viewport={"width": 1400, "height": 900}))
    context.route("**/*", _offline)
    page = context.new_page()
    yield page
    if request.node.stash.get(failed_test, False):
        try:
            save_screenshot(page, "failed-" + re.sub(r"[^\w.-]+", "_", request.node.nodeid))
        except PlaywrightError:
            pass  # the page is gone (a crash, say): the test's own failure says enough
    context.close()
