"""What a new browser downloads to open a page: bytes on the wire and requests, from Chrome's
own network events (DevTools protocol), for each app address given (this machine only).

    PYTHONPATH=. .venv/bin/python bench/first_visit.py http://127.0.0.1:8623 \
        http://192.168.1.20:8624 [--path "/?basemap=No+basemap"] [--rounds 3]

An address is loopback or this machine's own address on the network (`lib.links.lan`): a
phone in a workshop opens the latter over plain HTTP, and Chromium then accepts gzip only; it
offers brotli and zstd to localhost and HTTPS alone. Each round opens the page in a fresh
headless Chromium context (empty cache, every other host blocked) and waits until Streamlit
has finished the script and the network has been quiet for 2 s. Prints, per address, medians over `--rounds`: HTTP bytes on the wire
(`Network.loadingFinished`'s encodedDataLength: headers and body as received, compressed
when the server compressed), the uncompressed body bytes, the number of HTTP requests, and
what Streamlit's own frontend (/static/) accounts for; then the websocket's frames (their
payload as delivered to the page, after any websocket compression is undone). Rounds
alternate between the addresses. Prints figures only.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright

from lib.links.lan import lan_ip

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync"]
# Loopback, and this machine's own address on the network (what phones in a workshop open).
LOCAL = {"127.0.0.1", "localhost", "::1", *filter(None, [lan_ip()])}
QUIET_S = 2.0
DETAIL = {"n": 0}


def offline(route) -> None:
    if urlsplit(route.request.url).hostname in LOCAL:
        route.continue_()
    else:
        route.abort("internetdisconnected")


def one_visit(browser, url: str) -> dict[str, float]:
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    context.route("**/*", offline)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    requests: dict[str, str] = {}  # requestId -> url
    wire: dict[str, int] = {}  # requestId -> bytes received (headers + body, as sent)
    body: dict[str, int] = {}  # requestId -> body bytes once decoded
    encoding: dict[str, str] = {}
    frames = {"count": 0, "bytes": 0}
    last = {"t": time.perf_counter()}

    def seen(_event=None) -> None:
        last["t"] = time.perf_counter()

    def sent(e) -> None:
        if e["request"]["url"].startswith("http"):
            requests[e["requestId"]] = e["request"]["url"]
        seen()

    def received(e) -> None:
        body[e["requestId"]] = body.get(e["requestId"], 0) + e["dataLength"]
        seen()

    def response(e) -> None:
        headers = {k.lower(): v for k, v in e["response"].get("headers", {}).items()}
        encoding[e["requestId"]] = headers.get("content-encoding", "")
        seen()

    def finished(e) -> None:
        wire[e["requestId"]] = int(e["encodedDataLength"])
        seen()

    def frame(e) -> None:
        frames["count"] += 1
        payload = e["response"]["payloadData"]
        # Binary frames come base64-encoded: 3 bytes for every 4 characters.
        frames["bytes"] += len(payload) * 3 // 4 if e["response"]["opcode"] == 2 else len(payload)
        seen()

    cdp.on("Network.requestWillBeSent", sent)
    cdp.on("Network.dataReceived", received)
    cdp.on("Network.responseReceived", response)
    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.webSocketFrameReceived", frame)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    start = time.perf_counter()
    page.goto(url)
    # The script state is 'initial' until the first run starts: 'notRunning' means it finished
    # (a cold server can load its data for longer than the network stays quiet).
    app = "[data-testid='stApp'][data-test-script-state='{}']"
    page.wait_for_selector(app.format("notRunning"), state="attached", timeout=180_000)
    while time.perf_counter() - start < 180:
        page.wait_for_timeout(200)
        running = page.query_selector(app.format("running")) is not None
        if not running and time.perf_counter() - last["t"] >= QUIET_S:
            break
    context.close()
    static = [r for r in wire if "/static/" in urlsplit(requests.get(r, "")).path]
    gzipped = [r for r in wire if encoding.get(r) in {"gzip", "br", "deflate", "zstd"}]
    largest = sorted(((wire[r], body.get(r, 0), requests.get(r, "")) for r in wire), reverse=True)
    return {
        "largest": largest[: DETAIL["n"]],
        "requests": len(wire),
        "wire": sum(wire.values()),
        "body": sum(body.get(r, 0) for r in wire),
        "static_requests": len(static),
        "static_wire": sum(wire[r] for r in static),
        "compressed": len(gzipped),
        "ws_frames": frames["count"],
        "ws_bytes": frames["bytes"],
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="+", help="app addresses, e.g. the app and its proxy")
    parser.add_argument("--path", default="/?basemap=No+basemap", help="the page to open")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--detail", type=int, default=0, help="list the largest responses")
    args = parser.parse_args(argv)
    DETAIL["n"] = args.detail
    if any(urlsplit(u).hostname not in LOCAL for u in args.urls):
        print(f"this machine only: {', '.join(sorted(LOCAL))}", file=sys.stderr)
        return 2
    results: dict[str, list[dict[str, float]]] = {u: [] for u in args.urls}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        for _ in range(args.rounds):
            for url in args.urls:
                results[url].append(one_visit(browser, url.rstrip("/") + args.path))
        browser.close()
    print(f"first visit to {args.path}, median of {args.rounds} (fresh browser each time)")
    print(
        f"{'app':26} {'requests':>8} {'wire bytes':>11} {'body bytes':>11} "
        f"{'compressed':>10} {'/static/ req':>12} {'/static/ wire':>13} "
        f"{'ws frames':>9} {'ws bytes':>10}"
    )
    first = None
    for url, rounds in results.items():
        m = {k: statistics.median(r[k] for r in rounds) for k in rounds[0] if k != "largest"}
        first = first or m
        print(
            f"{url:26} {m['requests']:8.0f} {m['wire']:11,.0f} {m['body']:11,.0f} "
            f"{m['compressed']:10.0f} {m['static_requests']:12.0f} {m['static_wire']:13,.0f} "
            f"{m['ws_frames']:9.0f} {m['ws_bytes']:10,.0f}"
        )
        for size, decoded, address in rounds[-1]["largest"]:
            print(
                f"{'':26} {size:>11,} on the wire, {decoded:>11,} decoded  {urlsplit(address).path}"
            )
        if m is not first:
            print(
                f"{'':26} wire bytes {m['wire'] / first['wire']:.2f} of the first address's "
                f"({first['wire'] / m['wire']:.1f}x fewer)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
