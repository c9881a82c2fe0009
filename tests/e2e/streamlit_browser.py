"""Helpers for tests that drive the running app in Chromium (fixtures are in conftest.py).

Every wait here is on a condition (a rerun finished, the canvas drawn, the labels placed),
never a fixed sleep: on a busy machine a sleep is too short, on an idle one it is wasted.
The timeouts are generous for the same reason; a wait costs nothing once its condition holds.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import BrowserContext, Frame, FrameLocator, Locator, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

ARTIFACTS_DIR = Path(__file__).resolve().parents[1] / "artifacts"

# The first page of a cold server loads every layer; a loaded 2-core CI machine takes a while.
APP_TIMEOUT_MS = 120_000

# Counts the script runs this document has seen start and finish, from the messages the
# server sends on Streamlit's websocket (a run starts with a ForwardMsg new_session, field 4,
# and ends with script_finished, field 6), so that a test can wait for the rerun an action
# started, however quick or slow. The page's script state in the DOM is not enough: React may
# render a quick run's messages together, and the state never leaves 'notRunning'.
RUN_COUNTER_JS = """
(() => {
    window.__julDoc = Math.random();
    window.__julStarts = 0;
    window.__julRunning = false;
    const NEW_SESSION = 4, SCRIPT_FINISHED = 6, FINISHED_EARLY_FOR_RERUN = 2;
    // The top-level fields of a protobuf message: [[field number, varint value or null]].
    const topFields = (buffer) => {
        const b = new Uint8Array(buffer), fields = [];
        let i = 0;
        const varint = () => {
            let value = 0, scale = 1, byte;
            do { byte = b[i++]; value += (byte & 0x7f) * scale; scale *= 128; } while (byte & 0x80);
            return value;
        };
        while (i < b.length) {
            const tag = varint(), field = Math.floor(tag / 8), wire = tag % 8;
            let value = null;
            if (wire === 0) value = varint();
            else if (wire === 1) i += 8;
            else if (wire === 2) { const length = varint(); i += length; }
            else if (wire === 5) i += 4;
            else break;
            fields.push([field, value]);
        }
        return fields;
    };
    const seen = (data) => {
        if (!(data instanceof ArrayBuffer)) return;
        for (const [field, value] of topFields(data)) {
            if (field === NEW_SESSION) { window.__julStarts++; window.__julRunning = true; }
            if (field === SCRIPT_FINISHED && value !== FINISHED_EARLY_FOR_RERUN) {
                window.__julRunning = false;
            }
        }
    };
    const Native = window.WebSocket;
    window.WebSocket = class extends Native {
        constructor(...args) {
            super(...args);
            this.addEventListener("message", (event) => seen(event.data));
        }
    };
})();
"""


# Keeps the timers a map set to frame itself again (FitBounds in lib/render/maps.py refits
# 250, 1000 and 2500 ms after drawing; site_map.js fits after 250 and 1000 ms) in
# window.__julFits until they have run, so a test can wait for the map's final framing
# rather than sleep past it. Other timers pass through untouched.
FIT_TIMERS_JS = """
(() => {
    const fits = new Set();
    window.__julFits = fits;
    const set = window.setTimeout, clear = window.clearTimeout;
    const source = Function.prototype.toString;
    window.setTimeout = function (fn, ...rest) {
        if (typeof fn !== "function" || !/refit|fitBounds/.test(source.call(fn))) {
            return set.call(window, fn, ...rest);
        }
        const id = set.call(window, function (...args) {
            fits.delete(id);
            return fn.apply(this, args);
        }, ...rest);
        fits.add(id);
        return id;
    };
    window.clearTimeout = function (id) {
        fits.delete(id);
        return clear.call(window, id);
    };
})();
"""


def prepare_context(context: BrowserContext) -> BrowserContext:
    """Generous default timeouts, the run counter and the map's fit timers, for every page
    (and frame) of `context`."""
    context.set_default_timeout(APP_TIMEOUT_MS)
    context.set_default_navigation_timeout(APP_TIMEOUT_MS)
    context.add_init_script(RUN_COUNTER_JS)
    context.add_init_script(FIT_TIMERS_JS)
    return context


def wait_for_app(page: Page, timeout_ms: int = APP_TIMEOUT_MS) -> None:
    """Wait until Streamlit is connected, has finished running the script and shows the page.

    Right after page.goto the script state is 'initial' until the first run starts, so
    'notRunning' means a run has finished. After a click, use `rerun(page)` instead: the
    rerun starts a moment after the click."""
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


# What a failed wait reports: where the page was, what had focus, which step keys were live
# and how often they clicked.
PAGE_STATE_JS = """() => {
    const app = document.querySelector("[data-testid='stApp']");
    const active = document.activeElement;
    const keys = window.__julStepKeys ? window.__julStepKeys.keys : null;
    const targets = {};
    for (const s of Object.values(keys || {})) {
        const t = document.querySelector(s);
        targets[s] = t ? (t.disabled ? "disabled" : "present") : "absent";
    }
    return {
        url: location.href,
        connection: app && app.dataset.testConnectionState,
        script: app && app.dataset.testScriptState,
        starts: window.__julStarts, running: window.__julRunning,
        focus: active ? active.outerHTML.slice(0, 160) : null,
        keys, targets, stepClicks: window.__julStepClicks || 0,
    };
}"""


def _wait(page: Page, condition: str, arg, timeout_ms: int, what: str) -> None:
    """page.wait_for_function, whose timeout says what the page was doing meanwhile."""
    try:
        page.wait_for_function(condition, arg=arg, timeout=timeout_ms)
    except PlaywrightTimeoutError as exc:
        try:
            state = page.evaluate(PAGE_STATE_JS)
        except Exception as inner:  # noqa: BLE001 (the page itself may be gone)
            state = f"(no page state: {inner})"
        raise AssertionError(f"Waited {timeout_ms} ms for {what}; the page: {state}") from exc


def keys_ready(page: Page, selector: str) -> None:
    """The page's step-key listener is mounted (a component drawn just after the run) and
    answers for ``selector``: a key pressed before then would go nowhere."""
    _wait(
        page,
        "(s) => !!window.__julStepKeys && Object.values(window.__julStepKeys.keys).includes(s)",
        selector,
        APP_TIMEOUT_MS,
        f"the step keys answering {selector}",
    )


@contextmanager
def rerun(page: Page, timeout_ms: int = APP_TIMEOUT_MS) -> Iterator[None]:
    """Around an action that reruns the script (a click, a key, an upload, a link to another
    page of the app): waits until a run that started after the action has finished."""
    before = page.evaluate("() => [window.__julDoc, window.__julStarts]")
    yield
    _wait(
        page,
        "([doc, starts]) => window.__julDoc !== undefined && !window.__julRunning"
        " && (window.__julDoc !== doc ? window.__julStarts > 0 : window.__julStarts > starts)",
        before,
        timeout_ms,
        "a rerun started by the action to finish",
    )
    wait_for_app(page, timeout_ms)


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


def _map_frame(page: Page) -> Page | Frame:
    """Where the map's script runs: the page for the explorer's map, else the first st_folium
    map's frame."""
    if page.locator(SITE_MAP).count():
        return page
    page.locator(FOLIUM_MAP).first.wait_for(state="attached")
    return next(f for f in page.frames if "streamlit_folium" in f.url)


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
# Counts canvas pixels drawn on with an alpha above `alpha` (areas, outlines, points; the
# background is the container's, not the canvas's, so an empty map counts none).
COUNT_DRAWN_JS = """
(alpha) => {
    let count = 0;
    for (const canvas of document.querySelectorAll('canvas.leaflet-zoom-animated')) {
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > alpha) count++;
    }
    return count;
}
"""


def _poll_count(target: Page | Frame, count_js: str, arg, at_least: int, timeout_ms: int) -> int:
    """Wait until `count_js(arg)` reaches `at_least` (the canvas is drawn in steps, after the
    page's script has run); return the count then, or when the wait gave up, for the test's
    assertion to report."""
    try:
        target.wait_for_function(
            f"([arg, n]) => ({count_js})(arg) >= n", arg=[arg, at_least], timeout=timeout_ms
        )
    except PlaywrightTimeoutError:
        pass
    return target.evaluate(count_js, arg)


def count_map_pixels(
    page: Page, hex_colour: str, at_least: int = 1, timeout_ms: int = APP_TIMEOUT_MS
) -> int:
    """Canvas pixels of `hex_colour` in the explorer's map, else the first st_folium map,
    once there are `at_least` of them (or the wait gave up)."""
    rgb = [int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]
    return _poll_count(_map_frame(page), COUNT_COLOUR_JS, rgb, at_least, timeout_ms)


def count_drawn_pixels(
    page: Page, at_least: int = 1, alpha: int = 0, timeout_ms: int = APP_TIMEOUT_MS
) -> int:
    """Canvas pixels drawn on (alpha over `alpha`) in the explorer's map, else the first
    st_folium map, once there are `at_least` of them (or the wait gave up)."""
    return _poll_count(_map_frame(page), COUNT_DRAWN_JS, alpha, at_least, timeout_ms)


# DeclutterLabels (lib/render/maps.py) and declutter() in site_map.js set every label's
# visibility, shown or hidden, each time they run; a label not yet placed has none.
LABELS_PLACED_JS = """
() => {
    const labels = document.querySelectorAll('.jul-label');
    return labels.length > 0 && Array.from(labels).every((e) => e.style.visibility !== '');
}
"""


def wait_for_labels_decluttered(page: Page, timeout_ms: int = APP_TIMEOUT_MS) -> None:
    """Wait until the map's area labels have been decluttered (none printed over another)."""
    _map_frame(page).wait_for_function(LABELS_PLACED_JS, timeout=timeout_ms)


def wait_for_map_fitted(page: Page, timeout_ms: int = APP_TIMEOUT_MS) -> None:
    """Wait until the map (the explorer's, else the first st_folium map) has run every refit
    it scheduled (FIT_TIMERS_JS), then for two frames: the last fit drawn, markers sized."""
    target = _map_frame(page)
    target.wait_for_function(
        "() => window.__julFits !== undefined && window.__julFits.size === 0", timeout=timeout_ms
    )
    target.evaluate(
        "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
    )


# Streamlit's tables (st.dataframe) are drawn on a canvas a moment after the element appears:
# each one shown on the page (not in a closed expander or another tab) has a canvas with
# something drawn on it.
TABLES_DRAWN_JS = """
() => {
    const tables = Array.from(document.querySelectorAll("[data-testid='stDataFrame']"))
        .filter((table) => table.checkVisibility() && table.getBoundingClientRect().height > 0);
    return tables.length > 0 && tables.every((table) =>
        Array.from(table.querySelectorAll('canvas')).some((canvas) => {
            if (!canvas.width || !canvas.height) return false;
            const pixels = canvas.getContext('2d')
                .getImageData(0, 0, canvas.width, canvas.height).data;
            for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) return true;
            return false;
        }));
}
"""


def wait_for_tables_drawn(page: Page, timeout_ms: int = APP_TIMEOUT_MS) -> None:
    """Wait until every table (st.dataframe) shown on the page has drawn its canvas."""
    page.wait_for_function(TABLES_DRAWN_JS, timeout=timeout_ms)


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
