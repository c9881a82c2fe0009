"""Moderators' local accounts and the command line that makes the first one."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from lib.store import __main__ as cli
from lib.store.accounts import (
    AccountError,
    authenticate,
    create_moderator,
    has_moderators,
    hash_password,
    verify_password,
)
from lib.store.models import Moderator

PASSWORD = "correct horse battery"


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
    assert authenticate(engine, "admin", "admin") is None
    assert authenticate(engine, "admin", "") is None


def test_make_and_sign_in(engine):
    create_moderator(engine, "rosa", PASSWORD)
    assert has_moderators(engine)
    assert authenticate(engine, "rosa", PASSWORD).name == "rosa"
    assert authenticate(engine, " rosa ", PASSWORD).name == "rosa"
    assert authenticate(engine, "rosa", PASSWORD.upper()) is None
    assert authenticate(engine, "Rosa", PASSWORD) is None
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
    assert authenticate(store.engine, "cli-mod", PASSWORD)


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
    assert authenticate(store.engine, "cli-mod-2", PASSWORD)


def test_cli_where_hides_the_password(monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", "postgresql://jul:s3cret@db.example/jul")
    assert cli.main(["where"]) == 0
    out = capsys.readouterr().out
    assert "s3cret" not in out and "db.example" in out


def test_sign_in_is_refused_after_repeated_failures(engine):
    from lib.store import Refused
    from lib.store.accounts import MAX_FAILED_SIGN_INS

    create_moderator(engine, "target", PASSWORD)
    for _ in range(MAX_FAILED_SIGN_INS):
        assert authenticate(engine, "target", "guess guess guess") is None
    with pytest.raises(Refused) as raised:
        authenticate(engine, "Target ", PASSWORD)  # even the right password, for a while
    assert raised.value.code == "sign_in_limited"
