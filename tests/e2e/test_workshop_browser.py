"""Workshop mode in Chromium with every outside host blocked (a venue with no internet): a
phone joins with the code and sends a Hackney report, the wall picks it up and then 29 more
without reloading, a dropped phone connection keeps its draft, and the wall and the join form
are screenshotted at 1280x720 and 390x844."""

from __future__ import annotations

import json
import os
import re
import threading
import time
import zipfile
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from bench import app_server
from lib.store import open_store, public_contributions
from lib.store.accounts import create_moderator
from lib.store.models import Contribution
from lib.store.submit import WORKSHOP_LIMITS, send_form
from lib.store.workshop import session_contributions, start_session
from tests.e2e.conftest import _offline
from tests.e2e.streamlit_browser import (
    COUNT_COLOUR_JS,
    prepare_context,
    save_screenshot,
    wait_for_map_fitted,
)
from tests.e2e.test_contributions_browser import rerun, start_app, wait_for_app
from tests.store.conftest import ENGINES, new_store_url
from tests.store.forms import form

PASSWORD = "moderator password for the workshop test"
SIZES = {"1280x720": (1280, 720), "390x844": (390, 844)}
WALL_DEADLINE_MS = 10_000
PARTICIPANTS = 30
WALL_MAP = ".jul-map"
PHONE_NAME = "Dalston <b>library</b> reading room"  # markup shown as text, never run
# Canvas pixels of the wall's "closed" colour (#EE6677): the markers are drawn on a canvas.
CLOSED_PIXELS = f"""() => ({COUNT_COLOUR_JS})([0xEE, 0x66, 0x77])"""
CLOSED_PIXELS_AT_LEAST = f"""(least) => ({COUNT_COLOUR_JS})([0xEE, 0x66, 0x77]) >= least"""
# Where the "closed" pixels are on the page (their middle, in CSS pixels), to hover a marker.
CLOSED_MIDDLE = """() => {
    for (const canvas of document.querySelectorAll('.jul-map canvas.leaflet-zoom-animated')) {
        const {width, height} = canvas;
        const pixels = canvas.getContext('2d').getImageData(0, 0, width, height).data;
        let n = 0, sx = 0, sy = 0;
        for (let i = 0; i < pixels.length; i += 4) {
            if (Math.abs(pixels[i] - 0xEE) < 6 && Math.abs(pixels[i + 1] - 0x66) < 6
                && Math.abs(pixels[i + 2] - 0x77) < 6 && pixels[i + 3] > 200) {
                n++; sx += (i / 4) % width; sy += Math.floor(i / 4 / width);
            }
        }
        if (n) {
            const box = canvas.getBoundingClientRect();
            return {x: box.left + sx / n * box.width / width,
                    y: box.top + sy / n * box.height / height};
        }
    }
    return null;
}"""
# A borough name's place on the page: it moves if the map is framed again.
LABEL_BOX = """(name) => {
    const label = [...document.querySelectorAll('.jul-map .jul-label')]
        .find((e) => e.textContent === name);
    const box = label.getBoundingClientRect();
    return [Math.round(box.left), Math.round(box.top)];
}"""


@pytest.fixture(scope="module", params=ENGINES)
def app(request, tmp_path_factory) -> Iterator[tuple[str, object]]:
    """`streamlit run app.py` on a new store with one moderator: SQLite, and PostgreSQL when
    TEST_DATABASE_URL is set."""
    url, drop = new_store_url(request.param, tmp_path_factory)
    engine = open_store(url, fresh=True)
    create_moderator(engine, "mo", PASSWORD)
    env = {**os.environ, "DATABASE_URL": url, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    server, base = start_app(env, f"workshop-{request.param}")
    yield base, engine
    app_server.stop(server)
    engine.dispose()
    drop()


@pytest.fixture
def offline_context(browser: Browser):
    """New offline browser contexts of a given size; every outside request is recorded."""
    contexts = []
    outside: list[str] = []

    def make(width: int, height: int):
        # The run counter (prepare_context), so that a test can wait for the rerun an action
        # starts (streamlit_browser.rerun), and the map's fit timers.
        context = prepare_context(browser.new_context(viewport={"width": width, "height": height}))

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
    """Each field sent: the rerun its Enter or Tab starts has finished, so the server has it."""
    page.locator(".st-key-contribute_postcode input").fill(postcode)
    with rerun(page):
        page.locator(".st-key-contribute_postcode input").press("Enter")
    expect(page.get_by_text("E8 1DY: Hackney.")).to_be_visible()
    box = page.locator(".st-key-contribute_category input")
    box.click()
    box.fill("Library")
    with rerun(page):
        box.press("Enter")
    page.locator(".st-key-contribute_name input").fill(name)
    with rerun(page):
        page.locator(".st-key-contribute_name input").press("Tab")


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


def wall_map(page: Page):
    return page.locator(f"{WALL_MAP}[data-jul-drawn]")


def test_the_wall_picks_up_reports_without_a_reload(app, offline_context, capsys):
    """The wall's browser map: a phone's report appears on the next refresh as a point of its
    kind's colour with its name as text; 29 more arrive and the same map (never made again,
    never framed again) shows all 30."""
    base, engine = app
    session = start_session(engine, "Hackney libraries", started_by="mo")

    context = offline_context(1280, 720)
    wall = context.new_page()
    wall.goto(f"{base}/wall?session={session.code}")
    wait_for_app(wall)
    expect(wall_count(wall)).to_have_attribute("data-count", "0", timeout=60_000)
    wall_map(wall).wait_for(state="attached", timeout=60_000)
    wait_for_map_fitted(wall)
    expect(wall_map(wall)).to_have_attribute("data-jul-reports", "0")
    expect(wall_map(wall).locator(".jul-legend")).to_contain_text("Reports from the room")
    expect(wall_map(wall).locator(".jul-legend")).to_contain_text(
        "Area needs are counted, not mapped"
    )
    made = wall_map(wall).get_attribute("data-jul-made")
    wall.wait_for_function("() => document.querySelectorAll('.jul-map .jul-label').length === 33")
    enfield = wall.evaluate(LABEL_BOX, "Enfield")
    wall.evaluate("() => { window.__sameWall = 1; }")  # gone if the page reloads

    # A phone joins with the code and sends a report from a Hackney postcode.
    phone = offline_context(390, 844).new_page()
    phone.goto(f"{base}/join?session={session.code}")
    wait_for_app(phone)
    expect(phone.get_by_text("Hackney libraries")).to_be_visible()
    opened = time.monotonic()
    fill_phone_form(phone, PHONE_NAME)
    time.sleep(max(0.0, 3.5 - (time.monotonic() - opened)))  # the form's minimum fill time
    sent_at = time.monotonic()
    send(phone)
    no_errors(phone)
    expect(wall_count(wall)).to_have_attribute("data-count", "1", timeout=WALL_DEADLINE_MS)
    one_after = time.monotonic() - sent_at
    expect(wall.locator(".jul-latest")).to_contain_text(PHONE_NAME)
    expect(wall.locator(".jul-on-map")).to_have_attribute("data-placed", "1")
    expect(wall_map(wall)).to_have_attribute("data-jul-reports", "1", timeout=WALL_DEADLINE_MS)
    wall.wait_for_function(CLOSED_PIXELS_AT_LEAST, arg=50, timeout=WALL_DEADLINE_MS)
    hackney_pixels = wall.evaluate(CLOSED_PIXELS)
    # Its tooltip: the name as text (the markup shown, not made into an element).
    middle = wall.evaluate(CLOSED_MIDDLE)
    wall.mouse.move(middle["x"], middle["y"])
    tip = wall.locator(".jul-map .leaflet-tooltip")
    expect(tip).to_contain_text(PHONE_NAME)
    expect(tip).to_contain_text("Closed")
    assert tip.locator("b").count() == 0
    wall.mouse.move(5, 5)

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
    expect(wall_map(wall)).to_have_attribute(
        "data-jul-reports", str(PARTICIPANTS), timeout=WALL_DEADLINE_MS
    )
    # The 29 share one point south of the river: a second dot appears on the canvas.
    wall.wait_for_function(
        CLOSED_PIXELS_AT_LEAST, arg=hackney_pixels + 50, timeout=WALL_DEADLINE_MS
    )
    # The same map, redrawn in place: not made again, not framed again.
    assert wall_map(wall).get_attribute("data-jul-made") == made
    assert wall.evaluate("() => window.__julMapsMade") == 1
    assert wall.evaluate(LABEL_BOX, "Enfield") == enfield
    assert wall.evaluate("() => window.__sameWall") == 1  # never reloaded
    no_errors(wall)
    with capsys.disabled():
        print(
            f"\n[browser, {engine.dialect.name}] the wall showed the phone's report {one_after:.1f} s after "
            f"Send, and all {PARTICIPANTS} {all_after:.1f} s after 29 more were sent at once"
        )

    # The wall at both sizes, each opened fresh, with the room's 30 reports.
    for label, (width, height) in SIZES.items():
        screen = wall if label == "1280x720" else offline_context(width, height).new_page()
        if screen is not wall:
            screen.goto(f"{base}/wall?session={session.code}")
            wait_for_app(screen)
        expect(wall_count(screen)).to_have_attribute("data-count", str(PARTICIPANTS))
        expect(wall_map(screen)).to_have_attribute("data-jul-reports", str(PARTICIPANTS))
        screen.wait_for_function(CLOSED_PIXELS_AT_LEAST, arg=50)
        path = save_screenshot(screen, f"workshop-wall-{label}-{engine.dialect.name}")
        assert path.exists()
        box = wall_map(screen).bounding_box()
        assert box and box["width"] > 300 and box["height"] > 300, label
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, label
        assert box["y"] < height - 200, box  # the map starts in the first screen
        legend = wall_map(screen).locator(".jul-legend").bounding_box()
        assert legend["x"] + legend["width"] <= box["x"] + box["width"], label  # inside the map
        no_errors(screen)

    assert offline_context.outside == []  # the wall and the phone asked no outside host

    # Room-visible is not public: the public map shows none of the 30. (The explorer's
    # default street basemap asks for tiles, which this offline browser refuses.)
    wall.goto(f"{base}/")
    wait_for_app(wall)
    expect(
        wall.locator("[data-testid='stExpander']", has_text="Community-reported")
    ).to_contain_text("Community-reported (0)", timeout=120_000)


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
    if label == "1280x720":  # the projector shows the whole QR code, not its top
        box = qr.bounding_box()
        assert box is not None and box["y"] + box["height"] <= height, box
    no_errors(page)
    save_screenshot(page, f"workshop-facilitator-{label}")

    page.goto(f"{base}/wall?session={session.code}")
    wait_for_app(page)
    wall_qr = page.get_by_role("img", name="QR code of the join address")
    expect(wall_qr.first).to_be_visible()  # the room scans it from the wall
    if label == "1280x720":
        box = wall_qr.first.bounding_box()
        assert box is not None and box["y"] + box["height"] <= height, box


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
    with rerun(phone):  # the server has the text before the network goes
        phone.locator(".st-key-contribute_description textarea").press("Tab")
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


@pytest.fixture(scope="module", params=ENGINES)
def two_instances(request, tmp_path_factory) -> Iterator[list[tuple[str, object]]]:
    """Two app instances, each on its own new store (SQLite, or PostgreSQL when
    TEST_DATABASE_URL is set) with a moderator: the venue's laptop and the office's."""
    made = []
    for n in range(2):
        url, drop = new_store_url(request.param, tmp_path_factory)
        engine = open_store(url, fresh=True)
        create_moderator(engine, "mo", PASSWORD)
        env = {**os.environ, "DATABASE_URL": url, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
        server, base = start_app(env, f"instance-{request.param}-{n}")
        made.append((server, base, engine, drop))
    yield [(base, engine) for _, base, engine, _ in made]
    for server, _, engine, drop in made:
        app_server.stop(server)
        engine.dispose()
        drop()


def sign_in(page: Page) -> None:
    page.locator(".st-key-moderate_name input").fill("mo")
    page.locator(".st-key-moderate_password input").fill(PASSWORD)
    page.locator(".st-key-moderate_sign_in_button button").click()
    wait_for_app(page)


def import_file(page: Page, path) -> None:
    """Choose the bundle (the one chosen before removed first) and import it once the server
    has it: Import is enabled only then (clicked while a bundle was still uploading, under
    load, it said "Choose a bundle (a .zip) first.")."""
    button = page.locator(".st-key-workshop_import_button button")
    chosen = page.locator(".st-key-workshop_import").get_by_role(
        "button", name=re.compile("^Remove ")
    )
    if chosen.count():
        chosen.first.click()
        expect(button).to_be_disabled()
    page.locator(".st-key-workshop_import input[type='file']").set_input_files(str(path))
    expect(button).to_be_enabled()
    button.click()
    wait_for_app(page)


def test_a_session_end_to_end_with_no_internet(two_instances, offline_context, tmp_path):
    """Start, join by typing the code, send, scribe, end, export; import on another instance
    twice (nothing new the second time) and a tampered copy (refused, nothing imported)."""
    (venue, venue_engine), (office, office_engine) = two_instances
    laptop = offline_context(1280, 720).new_page()
    laptop.goto(f"{venue}/workshop")
    wait_for_app(laptop)
    sign_in(laptop)
    laptop.locator(".st-key-workshop_title input").fill("Stoke Newington halls")
    laptop.locator(".st-key-workshop_title input").press("Tab")
    wait_for_app(laptop)
    laptop.locator(".st-key-workshop_start button").click()
    wait_for_app(laptop)
    code_box = laptop.locator(".jul-code")
    expect(code_box).to_be_visible()
    code = code_box.get_attribute("data-code")
    assert re.fullmatch(r"[A-HJKMNP-Z2-9]{6}", code)

    phone = offline_context(390, 844).new_page()
    phone.goto(f"{venue}/join")
    wait_for_app(phone)
    phone.locator(".st-key-workshop_code input").fill(code.lower())
    phone.get_by_role("button", name="Join").click()
    wait_for_app(phone)
    expect(phone.get_by_text("Stoke Newington halls")).to_be_visible()
    opened = time.monotonic()
    fill_phone_form(phone, "Church Street community hall")
    time.sleep(max(0.0, 3.5 - (time.monotonic() - opened)))
    send(phone)

    opened = time.monotonic()
    fill_phone_form(laptop, "Sticky note: the Rio's youth room")
    time.sleep(max(0.0, 3.5 - (time.monotonic() - opened)))
    send(laptop)
    expect(laptop.get_by_text("Scribed:")).to_be_visible()

    laptop.get_by_role("button", name="End the workshop").click()
    wait_for_app(laptop)
    expect(laptop.get_by_text("The workshop has ended")).to_be_visible()
    with laptop.expect_download() as download:
        laptop.get_by_role("button", name=re.compile("Export the workshop")).click()
    bundle = tmp_path / download.value.suggested_filename
    download.value.save_as(bundle)
    assert bundle.name.startswith(f"workshop-{code}-")
    with zipfile.ZipFile(bundle) as z:
        manifest = json.loads(z.read("manifest.json"))
    assert manifest["counts"]["contributions"] == 2 and manifest["counts"]["scribed"] == 1

    office_page = offline_context(1280, 720).new_page()
    office_page.goto(f"{office}/workshop")
    wait_for_app(office_page)
    sign_in(office_page)
    office_page.get_by_text("Import a workshop bundle from another laptop").click()
    import_file(office_page, bundle)
    expect(office_page.get_by_text(f"Imported the workshop {code}")).to_contain_text(
        "2 new reports, now in the moderation queue"
    )
    import_file(office_page, bundle)
    expect(office_page.get_by_text(f"Nothing new in the workshop {code}")).to_contain_text(
        "2 were here already and were not imported again"
    )
    save_screenshot(office_page, "workshop-import-again-1280x720")

    with zipfile.ZipFile(bundle) as z:
        files = {name: z.read(name) for name in z.namelist()}
    files["contributions.geojson"] = files["contributions.geojson"].replace(
        b"Church Street", b"Chorch Street"
    )
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(tampered, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    import_file(office_page, tampered)
    expect(office_page.get_by_text("does not match the checksum in manifest.json")).to_be_visible()
    save_screenshot(office_page, "workshop-import-tampered-1280x720")

    with office_engine.connect() as connection:
        stored = connection.execute(
            select(Contribution.name, Contribution.moderation, Contribution.scribed).order_by(
                Contribution.id
            )
        ).all()
    assert [tuple(r) for r in stored] == [
        ("Church Street community hall", "pending", False),
        ("Sticky note: the Rio's youth room", "pending", True),
    ]
    assert public_contributions(office_engine).empty
    assert public_contributions(venue_engine).empty
    assert offline_context.outside == []


def test_a_reloaded_phone_gets_its_draft_back_from_its_browser(app, offline_context):
    """A phone that reloads (or whose browser discarded the tab) starts a new server session:
    the draft comes back from the phone's own storage, and is gone once sent."""
    base, engine = app
    session = start_session(engine, "Reloaded phone", started_by="mo")
    storage_key = f"joined-up-london:draft:workshop:{session.code}"
    phone = offline_context(390, 844).new_page()
    phone.goto(f"{base}/join?session={session.code}")
    wait_for_app(phone)
    fill_phone_form(phone, "Typed before the tab was discarded")
    phone.locator(".st-key-contribute_description textarea").fill("Kept on the phone")
    phone.locator(".st-key-contribute_description textarea").press("Tab")
    wait_for_app(phone)
    phone.wait_for_function(
        "(k) => (localStorage.getItem(k) || '').includes('Kept on the phone')", arg=storage_key
    )
    phone.reload()
    wait_for_app(phone)
    opened = time.monotonic()
    expect(phone.locator(".st-key-contribute_name input")).to_have_value(
        "Typed before the tab was discarded", timeout=20_000
    )
    expect(phone.locator(".st-key-contribute_description textarea")).to_have_value(
        "Kept on the phone"
    )
    expect(phone.locator(".st-key-contribute_category input")).to_have_value("Library")
    expect(phone.get_by_text("E8 1DY: Hackney.")).to_be_visible()
    time.sleep(max(0.0, 3.5 - (time.monotonic() - opened)))
    number = send(phone)
    phone.wait_for_function("(k) => localStorage.getItem(k) === null", arg=storage_key)
    rows = session_contributions(engine, session.id)
    assert list(rows["id"]) == [number]
    assert list(rows["description"]) == ["Kept on the phone"]
    phone.reload()
    wait_for_app(phone)
    expect(phone.locator(".st-key-contribute_name input")).to_have_value("")
