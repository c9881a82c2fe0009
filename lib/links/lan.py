"""The address phones in the room open: the laptop's address on the local network.

`JOINED_UP_WORKSHOP_URL` (e.g. `http://192.168.1.20:8501/`) wins; otherwise the address of
the network interface that would carry traffic off this machine (found by opening a UDP socket
towards a private address: nothing is sent, no internet is needed), with the app's port.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from urllib.parse import urlencode, urlsplit, urlunsplit

ENV = "JOINED_UP_WORKSHOP_URL"
# Any private address works: connect() on a UDP socket only picks the outgoing interface.
PROBE = ("10.254.254.254", 9)


def lan_ip() -> str | None:
    """This machine's address on the local network, or None (no network at all)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(PROBE)
            address = probe.getsockname()[0]
    except OSError:
        return None
    return None if ipaddress.ip_address(address).is_loopback else address


def base_url(port: int, environ: os._Environ | dict | None = None) -> tuple[str, str]:
    """(the app's base URL for phones, where it came from: 'setting', 'network' or 'local')."""
    env = os.environ if environ is None else environ
    configured = (env.get(ENV) or "").strip()
    if configured:
        parts = urlsplit(configured)
        if parts.scheme in ("http", "https") and parts.netloc:
            return configured.rstrip("/") + "/", "setting"
    address = lan_ip()
    if address is None:
        return f"http://localhost:{port}/", "local"
    return f"http://{address}:{port}/", "network"


def join_url(base: str, code: str) -> str:
    """The join page's address for a session code (what the QR code holds)."""
    parts = urlsplit(base)
    path = parts.path.rstrip("/") + "/join"
    return urlunsplit((parts.scheme, parts.netloc, path, urlencode({"session": code}), ""))


def wall_url(base: str, code: str) -> str:
    parts = urlsplit(base)
    path = parts.path.rstrip("/") + "/wall"
    return urlunsplit((parts.scheme, parts.netloc, path, urlencode({"session": code}), ""))
