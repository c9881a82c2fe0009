"""WCAG 2.2 A and AA, as axe-core checks them, on every page at a projector's 1280x720 and a
phone's 390x844, offline; and Add to the map and Join used with the keyboard alone.

axe-core is an npm package of assets/package.json (`make assets` installs it); it is injected
into each page, never loaded from a CDN.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from bench import app_server
from lib.store import open_store
from lib.store.accounts import create_moderator
from lib.store.workshop import start_session
from lib.vocab.contributions import MIN_FILL_SECONDS
from tests.e2e.conftest import _offline
from tests.e2e.streamlit_browser import (
    ARTIFACTS_DIR,
    prepare_context,
    rerun,
    save_screenshot,
    wait_for_app,
)
from tests.e2e.test_contributions_browser import start_app

AXE = Path(__file__).resolve().parents[2] / "assets" / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "moderator password for the accessibility test"
SIZES = {"1280x720": (1280, 720), "390x844": (390, 844)}
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
RUN_AXE = """async (tags) => {
    const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
    return result.violations.map(v => ({rule: v.id, help: v.help,
        nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + n.failureSummary)}));
}"""

pytestmark = pytest.mark.skipif(not AXE.exists(), reason=f"{AXE} missing: run `make assets`")


@pytest.fixture(scope="module")
def app(tmp_path_factory) -> Iterator[tuple[str, str]]:
    """The app on a new store with a moderator and an open workshop (for /join and /wall)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'contributions.sqlite'}"
    engine = open_store(url, fresh=True)
    create_moderator(engine, "mo", PASSWORD)
    code = start_session(engine, "Accessibility check", started_by="mo").code
    server, base = start_app({**os.environ, "DATABASE_URL": url}, "accessibility")
    yield base, code
    app_server.stop(server)
    engine.dispose()


def offline_page(browser: Browser, width: int, height: int) -> Page:
    context = prepare_context(browser.new_context(viewport={"width": width, "height": height}))
    context.route("**/*", _offline)
    return context.new_page()


def open_page(page: Page, url: str) -> None:
    """Open `url` and wait for its run through app.py (the shared navigation and styles): a
    first visit may run the page's file alone once (lib/ui/navigation.py)."""
    page.goto(url)
    wait_for_app(page)
    page.wait_for_function("() => !!document.querySelector(\"[data-testid='stSidebarNav']\")")
    wait_for_app(page)
    # Streamlit draws st.html a moment after the run ends (a lazily loaded element): wait for
    # the app's contrast rules (lib/ui/layout.py) as a reader's screen has them.
    page.wait_for_function(
        "() => [...document.querySelectorAll('style')]"
        ".some(s => s.textContent.includes('jul-contrast'))"
    )


def violations(page: Page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN_AXE, WCAG)


PAGES = [
    "/?basemap=No+basemap",
    "/losses?basemap=No+basemap",
    "/over-time?area=Hackney&basemap=No+basemap",
    "/borough?borough=Hackney&basemap=No+basemap",
    "/voluntary?basemap=No+basemap",
    "/sources",
    "/tour?tour=default&step=1",
    "/contribute",
    "/moderate",
    "/workshop",
    "/join?session={code}",
    "/wall?session={code}",
]


@pytest.mark.parametrize("size", list(SIZES))
def test_no_wcag_a_or_aa_violation_on_any_page(app, browser, size):
    base, code = app
    page = offline_page(browser, *SIZES[size])
    found = {}
    for path in PAGES:
        open_page(page, base + path.format(code=code))
        found[path] = violations(page)
    page.context.close()
    # The full list, to read when this fails.
    (ARTIFACTS_DIR / f"axe-{size}.json").write_text(json.dumps(found, indent=1))
    assert {p: v for p, v in found.items() if v} == {}


def tab_to(page: Page, selector: str, presses: int = 60) -> None:
    """Press Tab until the focus is on the control `selector` names (at most `presses`
    times): the control itself, not its help icon."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate(
            "(s) => !!document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
    raise AssertionError(f"Tab never reached {selector}")


def fill_by_keyboard(page: Page, form_key: str) -> None:
    """The report form from the keyboard alone: kind, where (postcode), category, name,
    consent, Send."""
    opened_ms = page.evaluate("Date.now()")
    tab_to(page, ".st-key-contribute_kind input")
    page.keyboard.press("ArrowDown")  # "under threat"
    page.keyboard.press("ArrowUp")  # back to "closed": arrows move within the radio group
    tab_to(page, ".st-key-contribute_postcode input")
    wait_for_app(page)
    page.keyboard.type("E8 1DY")
    with rerun(page):
        page.keyboard.press("Enter")
    page.get_by_text("E8 1DY: Hackney.").wait_for()
    tab_to(page, ".st-key-contribute_category input")
    page.keyboard.type("Library")
    with rerun(page):
        page.keyboard.press("Enter")
    tab_to(page, ".st-key-contribute_name input")
    wait_for_app(page)  # the category's rerun (and the draft's) settled before typing
    name = f"Keyboard library ({form_key})"
    page.keyboard.type(name)
    expect(page.locator(".st-key-contribute_name input")).to_have_value(name)
    with rerun(page):
        page.keyboard.press("Tab")
    tab_to(page, ".st-key-contribute_consent input")
    with rerun(page):
        page.keyboard.press("Space")
    tab_to(page, ".st-key-contribute_send button")
    # A form sent sooner than a person could fill it is refused as a bot's: a browser on an
    # idle machine types faster than that, so Send waits until that time has passed.
    page.wait_for_function("(t) => Date.now() >= t", arg=opened_ms + 1000 * MIN_FILL_SECONDS + 250)
    with rerun(page):
        page.keyboard.press("Enter")


@pytest.mark.parametrize("path", ["/contribute", "/join?session={code}"])
def test_add_to_the_map_and_join_with_the_keyboard_alone(app, browser, path):
    base, code = app
    page = offline_page(browser, 1280, 720)
    # A fresh server's first visit to a page file runs it alone, without the shared
    # navigation (lib/ui/navigation.py): the map explorer first.
    open_page(page, base + "/?basemap=No+basemap")
    open_page(page, base + path.format(code=code))
    fill_by_keyboard(page, path.strip("/").split("?")[0])
    sent = page.get_by_text("Your report is number")
    sent.wait_for()
    save_screenshot(page, f"keyboard-{path.strip('/').split('?')[0]}")
    page.context.close()
