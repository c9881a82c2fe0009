"""`make workshop-gzip`'s nginx (deploy/workshop-nginx.conf, issue 19) in front of the app,
serving Streamlit's frontend from the copy deploy/frontend.py writes: its own files where it
has them (precompressed, the icon font cut), the app for the rest, and the page drawn as the
app itself draws it. Needs nginx (Debian's nginx-light; .ci/run installs it)."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Page

from bench import app_server
from deploy import frontend
from tests.e2e.conftest import REPO_ROOT
from tests.e2e.streamlit_browser import wait_for_app, wait_for_map, wait_for_map_fitted

pytestmark = pytest.mark.skipif(not shutil.which("nginx"), reason="nginx is not installed")


@pytest.fixture(scope="module")
def copy() -> Iterator[Path]:
    """The frontend copy, its main script alone precompressed (all of them take minutes). Not
    in pytest's own folder, which nginx's workers (nobody, when started as root) cannot read."""
    folder = Path(tempfile.mkdtemp(prefix="frontend-"))
    folder.chmod(0o755)
    frontend.build(folder / "frontend", compress=False)
    frontend.precompress(list((folder / "frontend" / "static" / "js").glob("index.*.js")))
    yield folder / "frontend"
    shutil.rmtree(folder)


@pytest.fixture(scope="module")
def proxy(app_url: str, copy: Path, tmp_path_factory) -> Iterator[str]:
    """nginx with the workshop's configuration, filled in as deploy/workshop_gzip.sh does."""
    folder, port = tmp_path_factory.mktemp("nginx"), app_server.free_port()
    config = (REPO_ROOT / "deploy" / "workshop-nginx.conf").read_text()
    for placeholder, value in {
        "@DIR@": str(folder),
        "@LISTEN@": f"127.0.0.1:{port}",
        "@APP@": app_url.removeprefix("http://"),
        "@DEPLOY@": str(REPO_ROOT / "deploy"),
        "@FRONTEND@": str(copy),
    }.items():
        config = config.replace(placeholder, value)
    (folder / "nginx.conf").write_text(config)
    checked = subprocess.run(["nginx", "-t", "-c", folder / "nginx.conf"], capture_output=True)
    assert checked.returncode == 0, checked.stderr.decode()
    server = subprocess.Popen(["nginx", "-c", folder / "nginx.conf"])
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while not app_server.healthy(base) and time.monotonic() < deadline:
        time.sleep(0.2)
    yield base
    server.terminate()
    server.wait(10)


def _get(url: str, gzip_ok: bool) -> tuple[dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if gzip_ok else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return {k.lower(): v for k, v in response.headers.items()}, response.read()


def test_the_proxy_serves_the_copy_and_the_app_the_rest(proxy: str, copy: Path):
    script = next((copy / "static" / "js").glob("index.*.js"))
    url = f"{proxy}/static/js/{script.name}"
    headers, body = _get(url, gzip_ok=True)
    assert headers["content-encoding"] == "gzip"
    assert body == script.with_name(script.name + ".gz").read_bytes()  # zopfli's, as stored
    assert "immutable" in headers["cache-control"]
    headers, body = _get(url, gzip_ok=False)
    assert "content-encoding" not in headers and body == script.read_bytes()
    icons = next((copy / "static" / "media").glob(frontend.ICON_FONT))
    _, body = _get(f"{proxy}/static/media/{icons.name}", gzip_ok=True)
    assert body == icons.read_bytes()
    assert len(body) < (frontend.STATIC / "media" / icons.name).stat().st_size / 4
    # Not in the copy (a Streamlit upgraded since it was made): the app answers.
    _, body = _get(f"{proxy}/static/js/not-in-the-copy.js", gzip_ok=False)
    assert b"<title>Streamlit</title>" in body


# Every icon on the page: its text, and its width in em (a ligature draws one glyph, 1 em).
ICONS_JS = """
() => [...document.querySelectorAll('[data-testid="stIconMaterial"]')].map(e => [
    e.textContent, e.getBoundingClientRect().width / parseFloat(getComputedStyle(e).fontSize)])
"""
# An icon the app never names, drawn in the page's icon font: its letters, 3 em wide.
UNNAMED_ICON_JS = """
() => { const s = document.createElement('span'); s.textContent = 'rocket_launch';
        s.style.cssText = 'font-family:"Material Symbols Rounded";position:absolute';
        document.body.append(s); const w = s.getBoundingClientRect().width;
        s.remove(); return w / parseFloat(getComputedStyle(document.body).fontSize); }
"""


def differing_pixels(a: bytes, b: bytes) -> int:
    """How many pixels of two same-sized PNG screenshots differ (any channel); every pixel
    when their sizes differ."""
    first, second = (np.asarray(Image.open(io.BytesIO(x)).convert("RGB")) for x in (a, b))
    if first.shape != second.shape:
        return max(first.size, second.size)
    return int((first != second).any(axis=2).sum())


def test_the_explorer_through_the_proxy_looks_as_the_app_draws_it(
    page: Page, proxy: str, app_url: str
):
    shots, icons = {}, {}
    for name, base in (("app", app_url), ("proxy", proxy)):
        page.goto(f"{base}/?basemap=No+basemap")
        wait_for_app(page)
        wait_for_map(page)
        wait_for_map_fitted(page)
        page.evaluate("() => document.fonts.ready.then(() => true)")
        icons[name] = page.evaluate(ICONS_JS)
        shots[name] = page.locator("[data-testid='stSidebar']").screenshot()
    shown = [(text, width) for text, width in icons["proxy"] if width > 0]  # not hidden
    assert {"keyboard_double_arrow_left", "expand_more", "upload"} <= {text for text, _ in shown}
    assert all(0.9 < width < 1.1 for _, width in shown), shown
    assert icons["proxy"] == icons["app"]
    # The check above can fail: a name cut from the proxy's font shows its letters.
    assert page.evaluate(UNNAMED_ICON_JS) > 2
    # The sidebar's text (Source Sans) and icons: the same pixels, but for a few (CI once saw
    # one PNG byte differ); a glyph drawn otherwise, or an icon's name in letters, is hundreds.
    assert differing_pixels(shots["proxy"], shots["app"]) <= 40
