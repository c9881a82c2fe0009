"""Moderators' local accounts and the command line that makes the first one."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import select

from lib.store import Refused, accounts
from lib.store import __main__ as cli
from lib.store.accounts import (
    MAX_ATTEMPTS_PER_SOURCE,
    MAX_DELAY,
    AccountError,
    authenticate,
    create_moderator,
    has_moderators,
    hash_password,
    verify_password,
)
from lib.store.models import Moderator

PASSWORD = "correct horse battery"
HERE = "192.0.2.10"  # where the tests' sign-ins come from, unless one says otherwise
STRANGER = "203.0.113.6"


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    """A lower scrypt cost for speed (the cost is stored in each hash, so checks still work)."""
    monkeypatch.setattr("lib.store.accounts.SCRYPT_N", 2**10)


def test_hashes_are_salted_and_verify():
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first != second and first.startswith("scrypt$")
    assert PASSWORD not in first
    assert verify_password(PASSWORD, first) and verify_password(PASSWORD, second)
    assert not verify_password("correct horse battery!", first)
    assert not verify_password(PASSWORD, "md5$abc") and not verify_password(PASSWORD, "junk")


def test_no_account_until_one_is_made(engine):
    assert not has_moderators(engine)
    assert authenticate(engine, "admin", "admin", source=HERE) is None
    assert authenticate(engine, "admin", "", source=HERE) is None


def test_make_and_sign_in(engine):
    create_moderator(engine, "rosa", PASSWORD)
    assert has_moderators(engine)
    assert authenticate(engine, "rosa", PASSWORD, source=HERE).name == "rosa"
    assert authenticate(engine, " rosa ", PASSWORD, source=HERE).name == "rosa"
    assert authenticate(engine, "rosa", PASSWORD.upper(), source=HERE) is None
    assert authenticate(engine, "Rosa", PASSWORD, source=HERE) is None
    with engine.connect() as connection:
        stored = connection.execute(select(Moderator.password_hash)).scalars().all()
    assert not any(PASSWORD in h for h in stored)


@pytest.mark.parametrize(
    ("name", "password", "message"),
    [("short", "tooshort", "at least 12"), ("", PASSWORD, "name"), ("rosa", PASSWORD, "already")],
)
def test_accounts_refused(engine, name, password, message):
    if name == "rosa" and not has_moderators(engine):
        create_moderator(engine, "rosa", PASSWORD)
    with pytest.raises(AccountError, match=message):
        create_moderator(engine, name, password)


def test_cli_asks_for_the_password_twice(store, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", store.url)
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt="": next(answers))
    assert cli.main(["create-moderator", "cli-mod"]) == 0
    assert "created" in capsys.readouterr().out
    assert authenticate(store.engine, "cli-mod", PASSWORD, source=HERE)


def test_cli_refuses_mismatched_or_short_passwords(store, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", store.url)
    answers = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt="": next(answers))
    assert cli.main(["create-moderator", "cli-mod-2"]) == 1
    assert "differ" in capsys.readouterr().err
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt="": "short")
    assert cli.main(["create-moderator", "cli-mod-2"]) == 1
    assert "at least 12" in capsys.readouterr().err
    monkeypatch.setattr(cli.sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert cli.main(["create-moderator", "cli-mod-2", "--password-stdin"]) == 0
    assert authenticate(store.engine, "cli-mod-2", PASSWORD, source=HERE)


def test_cli_where_hides_the_password(monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", "postgresql://jul:s3cret@db.example/jul")
    assert cli.main(["where"]) == 0
    out = capsys.readouterr().out
    assert "s3cret" not in out and "db.example" in out


def test_a_strangers_wrong_passwords_slow_a_name_but_never_lock_its_moderator_out(engine):
    """The study's attack: 10 wrong passwords for a moderator's name, from anyone, locked the
    real moderator out for 15 minutes. Now they slow that name by seconds, at most MAX_DELAY."""
    create_moderator(engine, "target", PASSWORD)
    now = dt.datetime(2030, 1, 1, 12, 0)
    for i in range(10):
        tried = now + dt.timedelta(minutes=i)  # a stranger, never too soon
        assert authenticate(engine, "target", "guess guess", source=STRANGER, now=tried) is None
    last = now + dt.timedelta(minutes=9)
    with pytest.raises(Refused) as raised:
        authenticate(engine, "target", PASSWORD, source=HERE, now=last + dt.timedelta(seconds=1))
    assert raised.value.code == "sign_in_slowed" and "wait" in raised.value.message
    later = last + MAX_DELAY
    assert authenticate(engine, "target", PASSWORD, source=HERE, now=later).name == "target"


def test_a_flood_of_random_names_from_one_address_stops_before_hashing(engine, monkeypatch):
    hashed = []
    real = accounts.verify_password
    monkeypatch.setattr(accounts, "verify_password", lambda *a: hashed.append(1) or real(*a))
    now = dt.datetime(2030, 2, 1, 12, 0)
    refused = 0
    for i in range(MAX_ATTEMPTS_PER_SOURCE + 20):
        try:
            authenticate(engine, f"random-{i}", "guess guess", source="198.51.100.77", now=now)
        except Refused as error:
            assert "from this address" in error.message
            refused += 1
    assert len(hashed) == MAX_ATTEMPTS_PER_SOURCE and refused == 20
    # Another address is not affected.
    assert authenticate(engine, "random-x", "guess guess", source=HERE, now=now) is None


def test_clear_sign_in_lets_a_slowed_name_and_a_refused_address_try_at_once(
    store, monkeypatch, capsys
):
    engine, away = store.engine, STRANGER + "9"
    create_moderator(engine, "cleared", PASSWORD)
    now = dt.datetime(2030, 3, 1, 12, 0)
    for _ in range(accounts.FREE_FAILURES):
        assert authenticate(engine, "cleared", "guess guess", source=away, now=now) is None
    for i in range(MAX_ATTEMPTS_PER_SOURCE - accounts.FREE_FAILURES):
        authenticate(engine, f"someone-{i}", "guess guess", source=away, now=now)
    with pytest.raises(Refused, match="wait 1 second"):
        authenticate(engine, "cleared", PASSWORD, source=HERE, now=now)
    with pytest.raises(Refused, match="from this address"):
        authenticate(engine, "someone-else", "guess guess", source=away, now=now)
    monkeypatch.setenv("DATABASE_URL", store.url)
    assert cli.main(["clear-sign-in", "cleared", "--address", away]) == 0
    assert "Cleared" in capsys.readouterr().out
    assert authenticate(engine, "cleared", PASSWORD, source=HERE, now=now).name == "cleared"
    assert authenticate(engine, "someone-else", "guess guess", source=away, now=now) is None


def test_right_passwords_do_not_use_up_an_addresss_tries(engine):
    """Only wrong tries count against an address: moderators behind one address (a venue, an
    office, this machine) sign in as often as they need."""
    create_moderator(engine, "often", PASSWORD)
    now = dt.datetime(2030, 4, 1, 12, 0)
    for _ in range(MAX_ATTEMPTS_PER_SOURCE + 5):
        assert authenticate(engine, "often", PASSWORD, source="198.51.100.200", now=now)
