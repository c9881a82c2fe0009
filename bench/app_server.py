"""`streamlit run app.py` on a free local port, waited on until healthy: the one launcher of
the benchmarks that serve the app and of the browser tests (tests/e2e). Not a benchmark:
`make bench` skips it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path


class NotStarted(RuntimeError):
    """The app exited, or was not healthy in time (it has been stopped); the log follows."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthy(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as response:
            return response.read().decode().strip() == "ok"
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def start(
    tree: Path, env: dict[str, str] | None = None, log: Path | None = None, timeout_s: float = 120
) -> tuple[subprocess.Popen, str]:
    """The app of `tree` served at http://127.0.0.1:<free port>, with `env` over this
    process's environment; its output goes to `log` (a file: an unread pipe would fill up
    and stall the server) or nowhere."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "streamlit", "run", "app.py"]
    command += ["--server.port", str(port), "--server.headless", "true"]
    if log:
        log.parent.mkdir(parents=True, exist_ok=True)
    environment = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false", **(env or {})}
    with open(log or os.devnull, "w") as out:
        server = subprocess.Popen(
            command, cwd=tree, env=environment, stdout=out, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + timeout_s
    while not healthy(base_url):
        if server.poll() is not None or time.monotonic() > deadline:
            stop(server)
            said = log.read_text() if log else ""
            raise NotStarted(f"{tree}: streamlit did not start (exit {server.returncode}):\n{said}")
        time.sleep(0.25)
    return server, base_url


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
