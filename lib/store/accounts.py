"""Moderators' local accounts: salted scrypt password hashes (stdlib only, works offline).

There is no default account and no default password: the first moderator is made with
`python -m lib.store create-moderator NAME`, which asks for the password.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import math
import secrets
import threading
from dataclasses import dataclass

from sqlalchemy import Engine, delete, func, insert, select

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
# Sign-in limits, counted in the database (so across every app process) and checked before any
# password is hashed. A name is never locked: after FREE_FAILURES wrong passwords in the window
# each further try waits a little longer (doubling, at most MAX_DELAY), so a stranger's guesses
# slow the real moderator by seconds, not a quarter of an hour. An address gets
# MAX_ATTEMPTS_PER_SOURCE wrong tries in the window, whatever the names (a flood of random
# names then costs no hashing); `python -m lib.store clear-sign-in` forgets either.
FAILED_SIGN_IN_WINDOW = dt.timedelta(minutes=15)
FREE_FAILURES = 5
MAX_DELAY = dt.timedelta(seconds=30)
MAX_ATTEMPTS_PER_SOURCE = 30
# scrypt takes a core for tens of milliseconds: one at a time per process, so sign-ins cannot
# take every core from the other visitors.
_HASHING = threading.BoundedSemaphore(1)


def name_key(name: str) -> str:
    return rate_key("sign-in", name.strip().casefold())


def source_key(source: str) -> str:
    return rate_key("sign-in-source", source)


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


def _wait(failures: int) -> dt.timedelta:
    """How long after the last failure the next try for a name may come."""
    if failures < FREE_FAILURES:
        return dt.timedelta(0)
    return min(dt.timedelta(seconds=2 ** (failures - FREE_FAILURES)), MAX_DELAY)


def _admit(connection, name: str, source: str, now: dt.datetime) -> int:
    """Refuse a try that comes too soon for its name or too often from its source; else count
    it against the source (before hashing, so a flood of tries at once is counted) and return
    that count's id (a right password takes it back)."""
    keys = (name_key(name), source_key(source))
    if connection.dialect.name == "postgresql":
        for key in sorted(keys):
            connection.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))
    since = now - FAILED_SIGN_IN_WINDOW
    tries = connection.execute(
        select(func.count())
        .select_from(RateEvent)
        .where(RateEvent.key == keys[1], RateEvent.created_at >= since)
    ).scalar_one()
    if tries >= MAX_ATTEMPTS_PER_SOURCE:
        raise Refused(
            "sign_in_limited",
            "Too many sign-in attempts from this address: try again in a quarter of an hour.",
        )
    failures, last = connection.execute(
        select(func.count(), func.max(RateEvent.created_at)).where(
            RateEvent.key == keys[0], RateEvent.created_at >= since
        )
    ).one()
    if last is not None and now < last + _wait(failures):
        seconds = math.ceil((last + _wait(failures) - now).total_seconds())
        raise Refused(
            "sign_in_slowed",
            f"Several wrong passwords for this name: wait {seconds} second"
            f"{'' if seconds == 1 else 's'} and try again.",
        )
    return connection.execute(
        insert(RateEvent).values(key=keys[1], created_at=now).returning(RateEvent.id)
    ).scalar_one()


def authenticate(
    engine: Engine, name: str, password: str, *, source: str, now: dt.datetime | None = None
) -> SignedIn | None:
    """The signed-in moderator, or None. The time taken does not say whether the name exists.
    `source` is where the try comes from (the client's address, else its session). Raises
    Refused, before any hashing, when the try comes too soon (see the limits above)."""
    now = now or utcnow()
    with writing(engine) as connection:
        attempt = _admit(connection, name, source, now)
        row = connection.execute(
            select(Moderator.password_hash, Moderator.active).where(Moderator.name == name.strip())
        ).first()
    with _HASHING:
        if row is None:
            verify_password(password, _DUMMY_HASH)
        elif verify_password(password, row.password_hash) and row.active:
            with writing(engine) as connection:  # only wrong tries count against a source
                connection.execute(delete(RateEvent).where(RateEvent.id == attempt))
            return SignedIn(name.strip(), "local")
    with writing(engine) as connection:
        connection.execute(insert(RateEvent).values(key=name_key(name), created_at=now))
    return None


def clear_sign_in_limits(
    engine: Engine, *, name: str | None = None, source: str | None = None
) -> int:
    """Forget the failed sign-ins of a name and the tries of an address; how many were kept."""
    keys = ([name_key(name)] if name else []) + ([source_key(source)] if source else [])
    with writing(engine) as connection:
        return connection.execute(delete(RateEvent).where(RateEvent.key.in_(keys))).rowcount
