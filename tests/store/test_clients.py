"""The address rate limits count a client by, behind a reverse proxy or not (issue 16, item 7):
X-Forwarded-For is believed only from a configured proxy."""

from __future__ import annotations

import pytest

from lib.store.clients import client_address, trusted_proxies

LOCAL_PROXY = trusted_proxies({"JOINED_UP_TRUSTED_PROXIES": "127.0.0.1, ::1"})
LAN_PROXY = trusted_proxies({"JOINED_UP_TRUSTED_PROXIES": "10.0.0.0/24"})


def test_behind_a_trusted_proxy_each_client_is_counted_apart():
    # Streamlit reports a connection from this machine (the proxy) as no address at all.
    assert client_address(None, "198.51.100.1", LOCAL_PROXY) == "198.51.100.1"
    assert client_address(None, "198.51.100.2", LOCAL_PROXY) == "198.51.100.2"
    assert client_address("10.0.0.5", "2001:db8::1", LAN_PROXY) == "2001:db8::1"


def test_a_forged_header_is_not_believed_from_anyone_else():
    assert client_address("198.51.100.9", "1.2.3.4", LOCAL_PROXY) == "198.51.100.9"
    assert client_address("198.51.100.9", "1.2.3.4", ()) == "198.51.100.9"
    assert client_address(None, "1.2.3.4", ()) is None  # no proxy configured: as before


def test_the_client_cannot_choose_its_address_by_prepending_one():
    # The client sent "X-Forwarded-For: 1.2.3.4"; the proxy appended the real address.
    assert client_address(None, "1.2.3.4, 198.51.100.3", LOCAL_PROXY) == "198.51.100.3"
    # Through two trusted proxies, the right-most untrusted hop.
    assert client_address("10.0.0.5", "1.2.3.4, 198.51.100.3, 10.0.0.7", LAN_PROXY) == (
        "198.51.100.3"
    )


def test_a_header_that_is_no_address_counts_the_proxy():
    assert client_address("10.0.0.5", "not-an-address", LAN_PROXY) == "10.0.0.5"
    assert client_address("10.0.0.5", "", LAN_PROXY) == "10.0.0.5"


def test_a_bad_setting_is_named():
    with pytest.raises(ValueError, match="'localhost'"):
        trusted_proxies({"JOINED_UP_TRUSTED_PROXIES": "127.0.0.1,localhost"})
    assert trusted_proxies({}) == ()
