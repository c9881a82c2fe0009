"""Bytes a workshop wall receives per refresh, in headless Chromium, for each running app.

    DATABASE_URL=sqlite:////tmp/store.sqlite PYTHONPATH=. .venv/bin/python bench/wall_refresh.py \
        http://127.0.0.1:18611 http://127.0.0.1:8611 [--reports 30] [--refreshes 6]

Every app named must be served on this machine with the same DATABASE_URL (the first is the
baseline). The script starts a workshop session in that store with `--reports` reports (as
many phones, through the form's own path), then for each app opens `/wall?session=CODE`
(outside hosts blocked), waits for its first view, and records every websocket message the
server sends (Chrome's DevTools protocol: the messages as the page reads them, before the
socket's compression). The wall reruns its fragment every few seconds: each rerun the page
asks for starts a refresh, and the messages until the next one are that refresh's. Prints
the first view's bytes, the median bytes of `--refreshes` idle refreshes (nothing new), and
of refreshes in which one report arrived, with the ratios to the baseline. Prints figures
only; asserts nothing. Localhost only.
"""

from __future__ import annotations

import argparse
import base64
import os
import statistics
import time
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright

from lib.store import open_store
from lib.store.submit import WORKSHOP_LIMITS, send_form
from lib.store.workshop import start_session
from tests.store.forms import form

LOCAL = {"127.0.0.1", "localhost", "::1"}


def send_report(engine, session_id: int, i: int) -> None:
    send_form(
        engine,
        form(name=f"Bench report {i}", postcode="E8 1DY", x=534762.0 + 40 * i, y=184723.0),
        session_id=f"bench-{i}-{time.time()}",
        client_address=f"10.9.{i // 200}.{i % 200}",
        categories=("Library",),
        limits=WORKSHOP_LIMITS,
        workshop=session_id,
    )


def measure(browser, base: str, code: str, engine, session_id: int, refreshes: int, start: int):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    context.route(
        "**/*",
        lambda r: r.continue_() if r.request.url.startswith(base) else r.abort(),
    )
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    events: list[tuple[str, int]] = []  # ("sent" | "got", bytes)

    def got(e) -> None:
        data = e["response"]["payloadData"]
        size = len(base64.b64decode(data)) if e["response"]["opcode"] == 2 else len(data)
        events.append(("got", size))

    cdp.on("Network.webSocketFrameReceived", got)
    cdp.on("Network.webSocketFrameSent", lambda e: events.append(("sent", 0)))
    page.goto(f"{base}/wall?session={code}")
    page.locator(".jul-wall-total").wait_for(timeout=180_000)
    page.wait_for_timeout(8_000)  # the map drawn, the first refreshes done
    first = sum(n for kind, n in events if kind == "got")

    def refresh_bytes(wanted: int, arrive: bool) -> list[int]:
        out = []
        for k in range(wanted):
            events.clear()
            if arrive:
                send_report(engine, session_id, start + k)
            page.wait_for_timeout(3_400)  # one refresh period (WALL_REFRESH_S) and a little
            per, current = [], None
            for kind, n in events:
                if kind == "sent":
                    if current is not None:
                        per.append(current)
                    current = 0
                elif current is not None:
                    current += n
            if current is not None:
                per.append(current)
            out.append(max(per) if per else 0)
        return out

    idle = refresh_bytes(refreshes, arrive=False)
    arriving = refresh_bytes(refreshes, arrive=True)
    context.close()
    return first, statistics.median(idle), statistics.median(arriving)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bases", nargs="+")
    parser.add_argument("--reports", type=int, default=30)
    parser.add_argument("--refreshes", type=int, default=6)
    args = parser.parse_args()
    for base in args.bases:
        if urlsplit(base).hostname not in LOCAL:
            raise SystemExit(f"{base}: localhost only")
    engine = open_store(os.environ["DATABASE_URL"])
    session = start_session(engine, "Bench wall", started_by="bench")
    for i in range(args.reports):
        send_report(engine, session.id, i)
    rows = []
    start = args.reports
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for base in args.bases:
            rows.append(
                (
                    base,
                    *measure(
                        browser, base, session.code, engine, session.id, args.refreshes, start
                    ),
                )
            )
            start += args.refreshes
        browser.close()
    print(f"wall of {args.reports} reports, median of {args.refreshes} refreshes each")
    print(f"{'app':<26}{'first view':>12}{'idle refresh':>14}{'a report arrives':>18}")
    for base, first, idle, arriving in rows:
        print(f"{base:<26}{first:>12,}{idle:>14,.0f}{arriving:>18,.0f}")
    (_, f0, i0, a0), *rest = rows
    for base, first, idle, arriving in rest:
        print(
            f"{base} / baseline: first view {first / f0:.2f}, idle refresh "
            f"{idle / max(i0, 1):.3f}, a report arrives {arriving / max(a0, 1):.3f}"
        )


if __name__ == "__main__":
    main()
