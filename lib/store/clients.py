"""Who is asking: the client's address that rate limits count, read through a reverse proxy only
when that proxy is trusted.

Behind a proxy every connection comes from the proxy, so without this every visitor would share
one limit (or, with the proxy on this machine, none: Streamlit reports no address for a local
connection). `X-Forwarded-For` is believed only from the addresses in JOINED_UP_TRUSTED_PROXIES
(comma-separated addresses or networks, e.g. `127.0.0.1,::1` for a proxy on this machine):
anyone else could write any address in it.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping

TRUSTED_PROXIES_VARIABLE = "JOINED_UP_TRUSTED_PROXIES"
# Streamlit reports no address for a connection from this machine.
LOCAL = "127.0.0.1"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_proxies(environ: Mapping[str, str] | None = None) -> tuple[Network, ...]:
    """The proxies whose X-Forwarded-For is believed. Raises ValueError naming a bad entry."""
    raw = (os.environ if environ is None else environ).get(TRUSTED_PROXIES_VARIABLE, "")
    networks = []
    for entry in (e.strip() for e in raw.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as error:
            raise ValueError(
                f"{TRUSTED_PROXIES_VARIABLE} holds {entry!r}, which is not an address or network"
            ) from error
    return tuple(networks)


def _trusted(address: str, proxies: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def client_address(
    peer: str | None, forwarded_for: str | None, proxies: tuple[Network, ...]
) -> str | None:
    """The address to count a client by. `peer` is the connection's address (None: this
    machine); `forwarded_for` the X-Forwarded-For header. Through trusted proxies the client is
    the right-most forwarded address that is not itself a trusted proxy (the left ones are the
    client's own to write); otherwise the peer, whatever the header says."""
    peer_address = peer or LOCAL
    if not _trusted(peer_address, proxies) or not forwarded_for:
        return peer
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        if not _trusted(hop, proxies):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # a hop that is no address: count the proxy, not a made-up name
    return peer
