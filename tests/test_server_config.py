"""What the server promises visitors whatever the page does (issue 16, items 8, 12 and 13):
it listens on this machine only unless started for a workshop, refuses uploads larger than
the app's limit at Streamlit's own endpoint, and never shows a visitor a traceback."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from lib.uploads.model import DEFAULT_MAX_MB

ROOT = Path(__file__).resolve().parents[1]
CONFIG = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())


def test_streamlits_upload_endpoint_takes_no_more_than_the_app_accepts():
    assert CONFIG["server"]["maxUploadSize"] == DEFAULT_MAX_MB


def test_visitors_get_no_traceback():
    assert CONFIG["client"]["showErrorDetails"] == "none"


def _commands(target: str) -> str:
    made = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True)
    return "\n".join(line for line in made.stdout.splitlines() if "streamlit run" in line)


def test_only_make_workshop_listens_beyond_this_machine():
    assert CONFIG["server"]["address"] == "localhost"
    assert "--server.address" not in _commands("run")
    assert "--server.address 0.0.0.0" in _commands("workshop")


def _listening(port: int) -> set[str]:
    """The local addresses something listens on at `port` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


LOOPBACK = {"0100007F", "00000000000000000000000001000000"}  # 127.0.0.1 and ::1


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux's socket tables")
def test_the_app_as_make_run_starts_it_listens_on_loopback_only(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    script = tmp_path / "hello.py"
    script.write_text("import streamlit as st\nst.write('hello')\n")
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port)],
        cwd=ROOT,  # its .streamlit/config.toml, as `make run` reads it
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not _listening(port) and time.monotonic() < deadline:
            time.sleep(0.2)
        listening = _listening(port)
        assert listening, "the server never listened"
        assert listening <= LOOPBACK, listening
    finally:
        server.kill()
        server.wait()
