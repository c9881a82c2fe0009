"""Workshop mode in Chromium with every outside host blocked (a venue with no internet): a
phone joins with the code and sends a Hackney report, the wall picks it up and then 29 more
without reloading, a dropped phone connection keeps its draft, and the wall and the join form
are screenshotted at 1280x720 and 390x844."""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from lib.store import open_store
from lib.store.accounts import create_moderator
from lib.store.submit import WORKSHOP_LIMITS, send_form
from lib.store.workshop import session_contributions, start_session
from tests.e2e.conftest import _offline
from tests.e2e.streamlit_browser import COUNT_COLOUR_JS, save_screenshot
from tests.e2e.test_contributions_browser import start_app, wait_for_app
from tests.store.forms import form

PASSWORD = "moderator password for the workshop test"
SIZES = {"1280x720": (1280, 720), "390x844": (390, 844)}
WALL_DEADLINE_MS = 10_000
PARTICIPANTS = 30
# Canvas pixels of the wall's "closed" colour (#EE6677): the markers are drawn on a canvas.
CLOSED_PIXELS = f"""() => ({COUNT_COLOUR_JS})([0xEE, 0x66, 0x77])"""
CLOSED_PIXELS_AT_LEAST = f"""(least) => ({COUNT_COLOUR_JS})([0xEE, 0x66, 0x77]) >= least"""


@pytest.fixture(scope="module")
def app(tmp_path_factory) -> Iterator[tuple[str, object]]:
    """`streamlit run app.py` on a new SQLite store with one moderator."""
    url = f"sqlite:///{tmp_path_factory.mktemp('workshop') / 'contributions.sqlite'}"
    engine = open_store(url, fresh=True)
    create_moderator(engine, "mo", PASSWORD)
    env = {**os.environ, "DATABASE_URL": url, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    server, base = start_app(env)
    yield base, engine
    server.terminate()
    server.wait(timeout=10)
    engine.dispose()


@pytest.fixture
def offline_context(browser: Browser):
    """New offline browser contexts of a given size; every outside request is recorded."""
    contexts = []
    outside: list[str] = []

    def make(width: int, height: int):
        context = browser.new_context(viewport={"width": width, "height": height})

        def route(r):
            if not r.request.url.startswith("http://127.0.0.1"):
                outside.append(r.request.url)
            _offline(r)

        context.route("**/*", route)
        contexts.append(context)
        return context

    make.outside = outside
    yield make
    for context in contexts:
        context.close()


def no_errors(page: Page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0
    body = page.inner_text("body")
    assert "Traceback" not in body


def fill_phone_form(page: Page, name: str, postcode: str = "E8 1DY") -> None:
    page.locator(".st-key-contribute_postcode input").fill(postcode)
    page.locator(".st-key-contribute_postcode input").press("Enter")
    wait_for_app(page)
    expect(page.get_by_text("E8 1DY: Hackney.")).to_be_visible()
    box = page.locator(".st-key-contribute_category input")
    box.click()
    box.fill("Library")
    box.press("Enter")
    wait_for_app(page)
    page.locator(".st-key-contribute_name input").fill(name)
    page.locator(".st-key-contribute_name input").press("Tab")
    wait_for_app(page)


def send(page: Page) -> int:
    page.locator(".st-key-contribute_consent label").click()
    wait_for_app(page)
    page.locator(".st-key-contribute_send button").click()
    wait_for_app(page)
    done = page.get_by_text(re.compile(r"Your report is number \d+"))
    expect(done).to_be_visible()
    return int(re.search(r"number (\d+)", done.inner_text()).group(1))


def wall_count(page: Page):
    return page.locator(".jul-wall-total")


def test_the_wall_picks_up_reports_without_a_reload(app, offline_context, capsys):
    base, engine = app
    session = start_session(engine, "Hackney libraries", started_by="mo")

    wall = offline_context(1280, 720).new_page()
    wall.goto(f"{base}/wall?session={session.code}")
    wait_for_app(wall)
    expect(wall_count(wall)).to_have_attribute("data-count", "0", timeout=60_000)
    frame = wall.frame_locator("iframe[title='streamlit_folium.st_folium']")
    frame.locator(".leaflet-container").wait_for(timeout=60_000)
    expect(frame.locator(".jul-legend")).to_contain_text("Reports from the room")
    wall.evaluate("() => { window.__sameWall = 1; }")  # gone if the page reloads

    # A phone joins with the code and sends a report from a Hackney postcode.
    phone = offline_context(390, 844).new_page()
    phone.goto(f"{base}/join?session={session.code}")
    wait_for_app(phone)
    expect(phone.get_by_text("Hackney libraries")).to_be_visible()
    opened = time.monotonic()
    fill_phone_form(phone, "Dalston library reading room")
    time.sleep(max(0.0, 3.5 - (time.monotonic() - opened)))  # the form's minimum fill time
    sent_at = time.monotonic()
    send(phone)
    no_errors(phone)
    expect(wall_count(wall)).to_have_attribute("data-count", "1", timeout=WALL_DEADLINE_MS)
    one_after = time.monotonic() - sent_at
    expect(wall.locator(".jul-latest")).to_contain_text("Dalston library reading room")
    expect(wall.locator(".jul-on-map")).to_have_attribute("data-placed", "1")
    folium_frame = next(f for f in wall.frames if "streamlit_folium" in f.url)
    folium_frame.wait_for_function(CLOSED_PIXELS_AT_LEAST, arg=50, timeout=WALL_DEADLINE_MS)
    hackney_pixels = folium_frame.evaluate(CLOSED_PIXELS)

    # 29 more at once, through the form's own path, as 29 more phones.
    barrier = threading.Barrier(PARTICIPANTS - 1)
    errors: list = []

    def participant(i: int) -> None:
        barrier.wait()
        try:
            send_form(
                engine,
                form(name=f"Phone {i:02d} report"),
                session_id=f"e2e-phone-{i}",
                client_address=f"192.168.7.{i}",
                categories=("Library",),
                limits=WORKSHOP_LIMITS,
                workshop=session.id,
            )
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=participant, args=(i,)) for i in range(PARTICIPANTS - 1)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    expect(wall_count(wall)).to_have_attribute(
        "data-count", str(PARTICIPANTS), timeout=WALL_DEADLINE_MS
    )
    all_after = time.monotonic() - started
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert len(session_contributions(engine, session.id)) == PARTICIPANTS
    expect(wall.locator(".jul-on-map")).to_have_attribute("data-placed", str(PARTICIPANTS))
    # The 29 share one Southwark point: a second dot appears on the canvas.
    folium_frame.wait_for_function(
        CLOSED_PIXELS_AT_LEAST, arg=hackney_pixels + 50, timeout=WALL_DEADLINE_MS
    )
    assert wall.evaluate("() => window.__sameWall") == 1  # never reloaded
    no_errors(wall)
    with capsys.disabled():
        print(
            f"\n[browser, sqlite] the wall showed the phone's report {one_after:.1f} s after "
            f"Send, and all {PARTICIPANTS} {all_after:.1f} s after 29 more were sent at once"
        )

    # The wall at both sizes, with the room's 30 reports.
    for label, (width, height) in SIZES.items():
        wall.set_viewport_size({"width": width, "height": height})
        expect(wall_count(wall)).to_have_attribute("data-count", str(PARTICIPANTS))
        path = save_screenshot(wall, f"workshop-wall-{label}")
        assert path.exists()
        box = wall.locator("iframe[title='streamlit_folium.st_folium']").bounding_box()
        assert box and box["width"] > 300 and box["height"] > 300, label
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, label
        if label == "1280x720":  # the map starts in the projector's first screen
            assert box["y"] < height - 200, box
    assert offline_context.outside == [] or all(
        "127.0.0.1" not in u for u in offline_context.outside
    )


@pytest.mark.parametrize("label", list(SIZES))
def test_the_join_form_and_the_facilitator_page_at_each_size(app, offline_context, label):
    base, engine = app
    session = start_session(engine, f"Screens {label}", started_by="mo")
    width, height = SIZES[label]
    page = offline_context(width, height).new_page()
    page.goto(f"{base}/join?session={session.code}")
    wait_for_app(page)
    expect(page.locator(".st-key-contribute_kind")).to_be_visible()
    no_errors(page)
    save_screenshot(page, f"workshop-join-{label}")
    kind = page.locator(".st-key-contribute_kind").bounding_box()
    assert kind["x"] >= 0 and kind["x"] + kind["width"] <= width, kind
    assert kind["y"] < height, "the form starts in the first screen"

    page.goto(f"{base}/join?session=HELLO")
    wait_for_app(page)
    expect(page.get_by_text("'HELLO' is not a workshop code")).to_be_visible()
    expect(page.get_by_text("Type the code again")).to_be_visible()
    save_screenshot(page, f"workshop-join-wrong-code-{label}")

    page.goto(f"{base}/workshop?session={session.code}")
    wait_for_app(page)
    page.locator(".st-key-moderate_name input").fill("mo")
    page.locator(".st-key-moderate_password input").fill(PASSWORD)
    page.locator(".st-key-moderate_sign_in_button button").click()
    wait_for_app(page)
    expect(page.locator(f".jul-code[data-code='{session.code}']")).to_be_visible()
    qr = page.locator(".st-key-workshop_qr img")
    expect(qr).to_be_visible()
    page.wait_for_function(
        "() => document.querySelector('.st-key-workshop_qr img')?.naturalWidth > 200"
    )
    no_errors(page)
    save_screenshot(page, f"workshop-facilitator-{label}")


def test_a_dropped_phone_connection_keeps_its_draft(app, offline_context):
    """The phone loses the network while typing: Streamlit shows it is reconnecting, the
    websocket comes back to the same server session, every field typed is still there and
    the report sends."""
    base, engine = app
    session = start_session(engine, "Dropped connection", started_by="mo")
    context = offline_context(390, 844)
    # The app's websocket runs through the test, which can cut it (and refuse new ones) as a
    # phone walking out of the venue's Wi-Fi would see; HTTP is cut too (set_offline).
    link = {"down": False, "open": []}

    def websocket(route) -> None:
        if link["down"]:
            route.close()
            return
        route.connect_to_server()
        link["open"].append(route)

    context.route_web_socket(re.compile(r".*/_stcore/stream"), websocket)
    phone = context.new_page()
    phone.goto(f"{base}/join?session={session.code}")
    wait_for_app(phone)
    opened = time.monotonic()
    fill_phone_form(phone, "Typed before the Wi-Fi dropped")
    phone.locator(".st-key-contribute_description textarea").fill("Written while offline")
    phone.locator(".st-key-contribute_description textarea").press("Tab")
    wait_for_app(phone)
    link["down"] = True
    context.set_offline(True)
    for route in link["open"]:
        route.close()
    phone.wait_for_selector(
        "[data-testid='stApp']:not([data-test-connection-state='CONNECTED'])",
        state="attached",
        timeout=30_000,
    )
    save_screenshot(phone, "workshop-join-connection-dropped-390x844")
    link["down"] = False
    context.set_offline(False)
    wait_for_app(phone)
    expect(phone.locator(".st-key-contribute_name input")).to_have_value(
        "Typed before the Wi-Fi dropped"
    )
    expect(phone.locator(".st-key-contribute_description textarea")).to_have_value(
        "Written while offline"
    )
    time.sleep(max(0.0, 3.5 - (time.monotonic() - opened)))
    number = send(phone)
    rows = session_contributions(engine, session.id)
    assert list(rows["id"]) == [number]
    assert list(rows["name"]) == ["Typed before the Wi-Fi dropped"]
    assert list(rows["description"]) == ["Written while offline"]
