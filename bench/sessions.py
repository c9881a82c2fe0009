"""Open pages of a running app over Streamlit's websocket, as browsers would, and print
what each view costs: bytes sent by the server and the time to the end of its script run.

    PYTHONPATH=. .venv/bin/python bench/sessions.py http://127.0.0.1:8570 [--pid PID]
        [--rounds 5] [--sessions 20] [--page ""|sources|losses|...]

Localhost only: the script refuses any other host. Each client speaks the browser's protocol
(protobuf BackMsg / ForwardMsg on /_stcore/stream) and keeps the browser's message cache: it
tells the server the hashes of the large elements it already holds, so a rerun gets a
reference instead of the element again, as in a browser tab.

Single session (default): opens the page, reruns it unchanged `--rounds` times (a warm rerun:
what a click that changes nothing costs), then changes the Status filter (Open, Closed, All)
`--rounds` times. Prints bytes and milliseconds (medians) for each. With `--sessions N`:
N clients open the page at once; prints each client's time to its page (script finished, all
its messages received), errors, and with `--pid` the server's resident memory before and
after (VmRSS / VmHWM from /proc) and per extra session. Prints figures only.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import ClientConnection

LOCAL = {"127.0.0.1", "localhost", "::1"}


def rss_mib(pid: int) -> tuple[float, float]:
    fields = dict(
        line.split(":", 1)
        for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        if ":" in line
    )
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


class CountingConnection(ClientConnection):
    """Counts the bytes that arrive on the socket: after compression, when the server
    compresses (server.enableWebsocketCompression)."""

    wire_bytes = 0

    def data_received(self, data: bytes) -> None:
        self.wire_bytes += len(data)
        super().data_received(data)


class Client:
    """One browser tab's websocket session."""

    def __init__(self, url: str, page: str, query: str):
        self.ws_url = url.replace("http", "ws", 1).rstrip("/") + "/_stcore/stream"
        self.page, self.query = page, query
        self.cached: set[str] = set()  # hashes of cacheable messages this "tab" holds
        self.widgets: dict[str, object] = {}  # label -> widget proto (ids for widget states)
        self.page_hash = ""
        self.ran = ""  # the url_path of the page the server ran last
        self.ws = None
        self.errors: list[str] = []
        self.sizes: list[tuple[int, str]] = []  # (bytes, what) of the last run's messages

    async def connect(self) -> None:
        self.ws = await websockets.connect(
            self.ws_url,
            subprotocols=["streamlit"],
            max_size=None,
            open_timeout=120,
            create_connection=CountingConnection,
            ping_interval=None,
        )  # browsers do not ping

    @property
    def wire(self) -> int:
        return self.ws.wire_bytes

    async def run(self, widget_states=None) -> tuple[int, float]:
        """One script run; returns (bytes received, seconds to script_finished)."""
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query
        state.page_name = self.page
        state.page_script_hash = self.page_hash
        state.cached_message_hashes.extend(sorted(self.cached))
        for widget in widget_states or []:
            state.widget_states.widgets.append(widget)
        start = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        received = 0
        self.sizes = []
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), timeout=300)
            received += len(raw)
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            kind = fwd.WhichOneof("type")
            what = kind
            if kind == "delta":
                what = fwd.delta.WhichOneof("type")
                if what == "new_element":
                    element = fwd.delta.new_element
                    what = element.WhichOneof("type")
                    key = getattr(getattr(element, what), "id", "")
                    what += f" {str(key)[-40:]}"
            self.sizes.append((len(raw), what))
            if fwd.metadata.cacheable and fwd.hash:
                self.cached.add(fwd.hash)
            if kind == "navigation":
                # The page the server ran (new_session names the main script): a rerun
                # sends its hash, as a browser tab does, so it reruns this page.
                self.page_hash = fwd.navigation.page_script_hash
                self.ran = next(
                    p.url_pathname
                    for p in fwd.navigation.app_pages
                    if p.page_script_hash == self.page_hash
                )
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                element = fwd.delta.new_element
                which = element.WhichOneof("type")
                if which == "exception":
                    self.errors.append(element.exception.message)
                widget = getattr(element, which, None)
                label = getattr(widget, "label", None)
                if label and getattr(widget, "id", None):
                    self.widgets[label] = widget
            elif kind == "script_finished":
                return received, time.perf_counter() - start

    async def close(self) -> None:
        await self.ws.close()


def status_state(client: Client, value: str):
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    state = WidgetState()
    state.id = client.widgets["Status"].id
    state.string_value = value
    return state


def same_page(ran: str, page: str) -> bool:
    """The page run is the one asked for ('' and the default page's name are the root)."""
    return ran.strip("/") == page.strip("/") or (
        not page.strip("/") and ran in {"", "map_explorer"}
    )


async def single(args) -> None:
    client = Client(args.url, args.page, args.query)
    await client.connect()
    first, first_s = await client.run()
    print(f"page run: {client.ran or '(default)'}")
    print(
        f"first load: {first:,} bytes in {first_s * 1000:.0f} ms "
        f"({client.wire:,} bytes on the wire)"
    )
    if args.detail:
        for size, what in sorted(client.sizes, reverse=True)[: args.detail]:
            print(f"  {size:>10,}  {what}")
    if args.sites and same_page(client.ran, ""):
        print(f"  {first / args.sites:.1f} bytes per site ({args.sites:,} sites)")
    wire = client.wire
    warm = [await client.run() for _ in range(args.rounds)]
    ran = client.ran
    if not same_page(ran, args.page):
        print(f"the reruns ran {ran!r}, not {args.page!r}", file=sys.stderr)
        raise SystemExit(1)
    warm_wire, wire = (client.wire - wire) / args.rounds, client.wire
    print(
        f"warm rerun (same view), median of {args.rounds}: "
        f"{statistics.median(b for b, _ in warm):,.0f} bytes, "
        f"{statistics.median(s for _, s in warm) * 1000:.0f} ms "
        f"({warm_wire:,.0f} bytes on the wire, mean)"
    )
    if "Status" in client.widgets:
        changes = []
        for i in range(args.rounds):
            value = ["Open", "Closed", "All"][i % 3]
            changes.append(await client.run([status_state(client, value)]))
        print(
            f"filter change (Status), median of {args.rounds}: "
            f"{statistics.median(b for b, _ in changes):,.0f} bytes, "
            f"{statistics.median(s for _, s in changes) * 1000:.0f} ms "
            f"({(client.wire - wire) / args.rounds:,.0f} bytes on the wire, mean)"
        )
    if client.errors:
        print("errors:", *client.errors, sep="\n  ")
    await client.close()


async def many(args) -> None:
    before = rss_mib(args.pid) if args.pid else None
    # One session first: the process's caches (layers, prepared map data) warm, so the
    # per-session memory below is what each extra visitor costs.
    warmup = Client(args.url, args.page, args.query)
    await warmup.connect()
    await warmup.run()
    if not same_page(warmup.ran, args.page):
        raise SystemExit(f"the server ran {warmup.ran!r}, not {args.page!r}")
    one = rss_mib(args.pid) if args.pid else None
    clients = [Client(args.url, args.page, args.query) for _ in range(args.sessions)]

    async def open_page(client: Client):
        start = time.perf_counter()
        try:
            await client.connect()
            size, _ = await client.run()
            return size, time.perf_counter() - start, None
        except Exception as exc:  # noqa: BLE001 - reported, not raised
            return 0, time.perf_counter() - start, repr(exc)

    start = time.perf_counter()
    results = await asyncio.gather(*(open_page(c) for c in clients))
    wall = time.perf_counter() - start
    times = sorted(t for _, t, _ in results)
    errors = [e for _, _, e in results if e] + [e for c in clients for e in c.errors]
    print(
        f"{args.sessions} sessions at once (after one warm-up session): all done in "
        f"{wall:.1f} s; per session min {times[0]:.1f} s, median "
        f"{statistics.median(times):.1f} s, max {times[-1]:.1f} s; "
        f"{statistics.median(s for s, _, _ in results):,.0f} bytes each; "
        f"errors: {len(errors)}"
    )
    for error in errors[:5]:
        print("  ", error)
    if args.pid:
        after = rss_mib(args.pid)
        print(
            f"server RSS: {before[0]:.0f} MiB before, {one[0]:.0f} MiB with one session, "
            f"{after[0]:.0f} MiB with {args.sessions + 1} (peak {after[1]:.0f} MiB); "
            f"{(after[0] - one[0]) / args.sessions:.1f} MiB per extra session"
        )
    for client in [warmup, *clients]:
        if client.ws is not None:
            await client.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--page", default="", help="page url_path ('' is the explorer)")
    parser.add_argument("--query", default="", help="query string, e.g. basemap=No+basemap")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sessions", type=int, default=0)
    parser.add_argument("--pid", type=int, help="server process id, for its memory")
    parser.add_argument(
        "--detail", type=int, default=0, help="list the largest messages of the first load"
    )
    parser.add_argument(
        "--sites", type=int, default=15_131, help="the explorer's sites, for bytes per site"
    )
    args = parser.parse_args(argv)
    if urlsplit(args.url).hostname not in LOCAL:
        print("localhost only", file=sys.stderr)
        return 2
    asyncio.run(many(args) if args.sessions else single(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
