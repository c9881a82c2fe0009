"""Moderators' local accounts: salted scrypt password hashes (stdlib only, works offline).

There is no default account and no default password: the first moderator is made with
`python -m lib.store create-moderator NAME`, which asks for the password.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import Engine, func, insert, select

from lib.store.engine import writing
from lib.store.models import Moderator, RateEvent
from lib.store.submit import rate_key, utcnow
from lib.store.validation import Refused

MIN_PASSWORD = 12
MAX_PASSWORD = 1024
# scrypt cost: n=2**15, r=8 takes about 32 MiB and a few tens of milliseconds per check.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
_MAXMEM = 64 * 1024 * 1024


class AccountError(Exception):
    """The account cannot be made as asked (the message says why)."""


@dataclass(frozen=True)
class SignedIn:
    name: str
    via: str  # "local" or "identity provider"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, maxmem=_MAXMEM
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=_MAXMEM,
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
# Failed sign-ins allowed per account name in a window, counted in the database (so across
# every app process) before sign-in is refused for a while.
MAX_FAILED_SIGN_INS = 10
FAILED_SIGN_IN_WINDOW = dt.timedelta(minutes=15)


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"A moderator's password needs at least {MIN_PASSWORD} characters.")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"A password can have at most {MAX_PASSWORD} characters.")


def create_moderator(engine: Engine, name: str, password: str) -> None:
    name = name.strip()
    if not name or len(name) > 200:
        raise AccountError("A moderator needs a name of 1 to 200 characters.")
    check_new_password(password)
    with writing(engine) as connection:
        taken = connection.execute(select(Moderator.id).where(Moderator.name == name)).first()
        if taken:
            raise AccountError(f"There is already a moderator called {name!r}.")
        connection.execute(
            insert(Moderator).values(
                name=name,
                password_hash=hash_password(password),
                active=True,
                created_at=utcnow(),
            )
        )


def has_moderators(engine: Engine) -> bool:
    with engine.connect() as connection:
        return (
            connection.execute(
                select(Moderator.id).where(Moderator.active.is_(True)).limit(1)
            ).first()
            is not None
        )


def authenticate(engine: Engine, name: str, password: str) -> SignedIn | None:
    """The signed-in moderator, or None. The time taken does not say whether the name exists.
    Raises Refused after MAX_FAILED_SIGN_INS failures for a name within the window."""
    key = rate_key("sign-in", name.strip().casefold())
    since = utcnow() - FAILED_SIGN_IN_WINDOW
    with engine.connect() as connection:
        failures = connection.execute(
            select(func.count())
            .select_from(RateEvent)
            .where(RateEvent.key == key, RateEvent.created_at >= since)
        ).scalar_one()
        if failures >= MAX_FAILED_SIGN_INS:
            raise Refused(
                "sign_in_limited",
                "Too many failed sign-ins for this name: wait a quarter of an hour and try again.",
            )
        row = connection.execute(
            select(Moderator.password_hash, Moderator.active).where(Moderator.name == name.strip())
        ).first()
    if row is None:
        verify_password(password, _DUMMY_HASH)
    elif verify_password(password, row.password_hash) and row.active:
        return SignedIn(name.strip(), "local")
    with writing(engine) as connection:
        connection.execute(insert(RateEvent).values(key=key, created_at=utcnow()))
    return None
