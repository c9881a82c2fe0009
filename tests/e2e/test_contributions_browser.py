"""A report from the form to the moderator to the map and the loss view, in Chromium, on two
app processes sharing one store (SQLite, and PostgreSQL when TEST_DATABASE_URL is set).

Text typed into the form carries markup that would set window.__xss if it ever ran; every page
it reaches (the moderation queue, the explorer's map and table, the loss view) is checked.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator

import pyogrio
import pytest
from playwright.sync_api import Page, expect

from bench import app_server
from lib.data.layers import gpkg_path
from lib.store import open_store
from lib.store.accounts import create_moderator
from tests.e2e.conftest import REPO_ROOT
from tests.e2e.streamlit_browser import ARTIFACTS_DIR, save_screenshot, wait_for_tables_drawn
from tests.e2e.streamlit_browser import rerun as _rerun
from tests.e2e.streamlit_browser import wait_for_app as _wait_for_app
from tests.e2e.streamlit_browser import wait_for_map as _wait_for_map
from tests.store.conftest import ENGINES, new_store_url

PASSWORD = "moderator password for the browser test"
NAME_XSS = 'Library <img src=x onerror="window.__xss=1">'
TEXT_XSS = "<script>window.__xss=2</script> closed in June"
BOROUGH = "Lambeth"
# A page's first run in a new app process loads every layer: on a busy machine that takes
# a while (a little longer than the shared helpers' 120 s, for two cold app processes).
SLOW_MS = 150_000


def wait_for_app(page: Page) -> None:
    _wait_for_app(page, timeout_ms=SLOW_MS)


def rerun(page: Page):
    """Around an action that reruns the script: waits until that rerun has finished."""
    return _rerun(page, timeout_ms=SLOW_MS)


def wait_for_map(page: Page):
    return _wait_for_map(page, timeout_ms=SLOW_MS)


def start_app(env: dict, name: str) -> tuple[subprocess.Popen, str]:
    log = ARTIFACTS_DIR / f"streamlit-store-{name}.log"
    try:
        return app_server.start(REPO_ROOT, env, log, timeout_s=90)
    except app_server.NotStarted as error:
        pytest.fail(str(error))


@pytest.fixture(scope="module", params=ENGINES)
def two_apps(request, tmp_path_factory) -> Iterator[tuple[str, str]]:
    """Two `streamlit run app.py` processes on one new store with one moderator."""
    url, drop = new_store_url(request.param, tmp_path_factory)
    engine = open_store(url, fresh=True)
    create_moderator(engine, "mo", PASSWORD)
    env = {"DATABASE_URL": url}
    servers = [start_app(env, f"{request.param}-{n}") for n in range(2)]
    yield servers[0][1], servers[1][1]
    for server, _ in servers:
        app_server.stop(server)
    engine.dispose()
    drop()


@pytest.fixture(scope="module")
def open_library() -> tuple[str, str]:
    """An open library of the 2016 list in Lambeth: its site_id and name."""
    sites = pyogrio.read_dataframe(
        gpkg_path(),
        layer="sites",
        read_geometry=False,
        columns=["site_id", "name", "category", "status", "sources", "gss_code"],
    )
    chosen = (
        sites[
            (sites["category"] == "Library")
            & (sites["status"] == "open")
            & sites["sources"].str.contains("libraries_2016")
            & (sites["gss_code"] == "E09000022")
        ]
        .sort_values("name")
        .iloc[0]
    )
    return chosen["site_id"], chosen["name"]


def no_script_ran(page: Page) -> None:
    assert page.evaluate("() => window.__xss") is None
    for frame in page.frames:
        assert frame.evaluate("() => window.__xss") is None


def choose(page: Page, key: str, text: str) -> None:
    """Type into a select box and take the first match: what a keyboard user does."""
    box = page.locator(f".st-key-{key} input")
    box.click()
    box.fill(text)
    with rerun(page):
        box.press("Enter")


def test_a_report_goes_from_the_form_to_the_moderator_to_the_map(
    page: Page, two_apps, open_library, request
):
    first, second = two_apps
    engine_name = request.node.callspec.params["two_apps"]
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    site_id, site_name = open_library

    # The form, on the first app process, by keyboard and clicks only (no map).
    page.goto(f"{first}/contribute")
    wait_for_app(page)
    opened = time.monotonic()
    with rerun(page):
        page.locator(".st-key-contribute_where").get_by_text("A listed facility").click()
    choose(page, "contribute_borough", BOROUGH)
    choose(page, "contribute_site", f"{site_name} (Library)")
    expect(page.locator(".st-key-contribute_category input")).to_have_value("Library")
    page.locator(".st-key-contribute_name input").fill(NAME_XSS)
    with rerun(page):
        page.locator(".st-key-contribute_name input").press("Tab")
    date = page.locator(".st-key-contribute_event_date input")
    date.fill("2015-06-01")
    date.press("Enter")
    page.keyboard.press("Escape")
    page.locator(".st-key-contribute_description textarea").fill(TEXT_XSS)
    page.get_by_text("Your contact details (optional, for the moderators only)").click()
    page.locator(".st-key-contribute_contact input").fill("private-e2e@example.org")
    with rerun(page):
        page.locator(".st-key-contribute_contact input").press("Tab")
    with rerun(page):
        page.locator(".st-key-contribute_consent label").click()
    save_screenshot(page, f"contribute-form-{engine_name}")
    time.sleep(max(0.0, 3.5 - (time.monotonic() - opened)))  # the minimum fill time
    with rerun(page):
        page.locator(".st-key-contribute_send button").click()
    done = page.get_by_text(re.compile(r"Your report is number \d+"))
    expect(done).to_be_visible()
    number = int(re.search(r"number (\d+)", done.inner_text()).group(1))
    no_script_ran(page)

    # Not public until a moderator approves it.
    page.goto(f"{second}/")
    wait_for_app(page)
    assert "Community-reported (0)" in page.locator("[data-testid='stExpander']").inner_text()

    # The moderator, on the second app process: refused until signed in.
    page.goto(f"{second}/moderate")
    wait_for_app(page)
    expect(page.get_by_text("Only signed-in moderators can see this page.")).to_be_visible()
    assert "private-e2e" not in page.content() and NAME_XSS not in page.inner_text("body")
    page.locator(".st-key-moderate_name input").fill("mo")
    page.locator(".st-key-moderate_password input").fill(PASSWORD)
    with rerun(page):
        page.locator(".st-key-moderate_sign_in_button button").click()
    expect(page.locator(f".st-key-moderate_apply_{number} button")).to_be_visible()
    expect(page.locator("[data-testid='stDataFrame']").first).to_be_visible()
    wait_for_tables_drawn(page)  # the tables draw on a canvas after they appear
    save_screenshot(page, f"moderation-queue-{engine_name}")
    assert "private-e2e" not in page.content()
    no_script_ran(page)
    # Inside the outcome's form: no rerun until "Set outcome".
    page.locator(f".st-key-moderate_outcome_{number}").get_by_text(
        "Confirmed by a moderator"
    ).click()
    with rerun(page):
        page.locator(f".st-key-moderate_set_outcome_{number} button").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    with rerun(page):
        page.locator(f".st-key-moderate_apply_{number} button").click()  # "Approve" is first
    expect(page.get_by_text("Saved.")).to_be_visible()

    # Approved: on the first process's map, styled apart and labelled.
    page.goto(f"{first}/")
    wait_for_app(page)
    frame = wait_for_map(page)
    expect(frame.locator(".jul-legend")).to_contain_text("Community-reported (1)")
    expander = page.locator("[data-testid='stExpander']", has_text="Community-reported (1)")
    expander.click()
    expect(expander).to_contain_text(NAME_XSS)  # shown as text
    save_screenshot(page, f"explorer-community-{engine_name}")
    no_script_ran(page)
    assert frame.locator("img[src='x']").count() == 0
    assert "private-e2e" not in page.content()

    # The loss view counts it only when asked, and says so.
    page.goto(f"{first}/losses")
    wait_for_app(page)
    assert "came from confirmed community reports" not in page.inner_text("body")
    expect(wait_for_map(page).locator(".jul-legend")).to_contain_text("Community-reported (1)")
    with rerun(page):
        page.locator(".st-key-count_community label").click()
    expect(
        page.get_by_text("1 closure in these figures came from confirmed community reports.")
    ).to_be_visible()
    save_screenshot(page, f"losses-community-{engine_name}")
    no_script_ran(page)
    assert not dialogs
