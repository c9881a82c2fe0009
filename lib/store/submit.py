"""Store a submission: once per token, within the rate limits, with its original revision.

The rate limits are counted in the database (table rate_events), so they hold across every app
process on the same store. The token is unique: a double click, a rerun or a retry after a lost
answer stores one row and gets back the same id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sqlalchemy import Engine, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from lib.store.engine import writing
from lib.store.models import Contact, Contribution, RateEvent, Revision, WorkshopSession
from lib.store.validation import Refused, Submission, check_bots, validate

# Contribution columns an edit can change (a revision stores all of them).
EDITABLE = (
    "kind",
    "correction",
    "site_id",
    "category",
    "name",
    "event_date",
    "evidence_url",
    "description",
    "where_source",
    "postcode",
    "x",
    "y",
    "gss_code",
    "ward_code",
)


@dataclass(frozen=True)
class RateLimits:
    per_session: int = 5  # submissions from one browser session ...
    per_address: int = 20  # ... and from one client address ...
    window: dt.timedelta = dt.timedelta(hours=1)  # ... in this long


DEFAULT_LIMITS = RateLimits()
# In a workshop a phone sends several notes in an hour, and a facilitator scribing sticky notes
# many more. On the venue's Wi-Fi each phone talks to the laptop from its own address, so the
# address is the phone, however many tabs it opens (each tab is a new session).
WORKSHOP_LIMITS = RateLimits(per_session=40, per_address=40)
SCRIBE_LIMITS = RateLimits(per_session=1000, per_address=1000)


@dataclass(frozen=True)
class Stored:
    id: int
    created: bool  # False: this token was already stored (a double submit)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def rate_key(kind: str, value: str) -> str:
    """What rate_events stores for a session id or client address: a hash, not the value."""
    return hashlib.sha256(f"joined-up-london:{kind}:{value}".encode()).hexdigest()


def origin_of(token: str) -> str:
    """A contribution's lasting id (32 hex digits), the same in every instance it is exported
    to: made from its submission token, which itself never leaves the store."""
    return hashlib.sha256(f"joined-up-london:origin:{token}".encode()).hexdigest()[:32]


def content_json(values: dict) -> str:
    return json.dumps(
        {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in values.items()},
        sort_keys=True,
        ensure_ascii=False,
    )


def _insert_ignoring_duplicate(dialect: str):
    module = postgresql if dialect == "postgresql" else sqlite
    # No conflict target: a concurrent twin conflicts on `origin` (derived from the token) as
    # well as `token`, and PostgreSQL raises for a unique index that is not the target.
    return module.insert(Contribution).on_conflict_do_nothing()


def _existing(connection, token: str) -> int | None:
    return connection.execute(
        select(Contribution.id).where(Contribution.token == token)
    ).scalar_one_or_none()


def _check_rate(connection, keys: list[tuple[str, int]], since: dt.datetime) -> None:
    if connection.dialect.name == "postgresql":
        # Serialise the count-then-insert per key (SQLite's BEGIN IMMEDIATE already does).
        for key, _ in sorted(keys):
            connection.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))
    for key, limit in keys:
        count = connection.execute(
            select(func.count())
            .select_from(RateEvent)
            .where(RateEvent.key == key, RateEvent.created_at >= since)
        ).scalar_one()
        if count >= limit:
            raise Refused(
                "rate_limited",
                "Thank you: you have sent several reports in the last hour, which is as many as "
                "we take from one place. Please send the rest later.",
            )


def _check_workshop(connection, workshop: int) -> None:
    ended = connection.execute(
        select(WorkshopSession.ended_at, WorkshopSession.imported_at).where(
            WorkshopSession.id == workshop
        )
    ).first()
    if ended is None:
        raise Refused("no_workshop", "This workshop session does not exist.")
    if ended.ended_at is not None or ended.imported_at is not None:
        raise Refused(
            "workshop_ended",
            "This workshop session has ended, so it takes no more reports. Everything you "
            "typed is kept: send it again and it goes to the moderators as an ordinary report.",
        )


def submit(
    engine: Engine,
    submission: Submission,
    *,
    session_id: str,
    client_address: str | None,
    limits: RateLimits = DEFAULT_LIMITS,
    now: dt.datetime | None = None,
    workshop: int | None = None,
    scribed: bool = False,
) -> Stored:
    """Store a validated submission (pending moderation). Raises Refused when over a rate
    limit, or when `workshop` (a workshop session's id) has ended; a token already stored
    returns its row with created=False and counts nothing. `scribed`: typed in by a workshop's
    facilitator for someone else."""
    now = now or utcnow()
    keys = [(rate_key("session", session_id), limits.per_session)]
    if client_address:
        keys.append((rate_key("address", client_address), limits.per_address))
    with writing(engine) as connection:
        existing = _existing(connection, submission.token)
        if existing is not None:
            return Stored(existing, False)
        if workshop is not None:
            _check_workshop(connection, workshop)
        _check_rate(connection, keys, now - limits.window)
        values = {k: getattr(submission, k) for k in EDITABLE}
        row_id = connection.execute(
            _insert_ignoring_duplicate(connection.dialect.name)
            .values(
                token=submission.token,
                moderation="pending",
                outcome="reported",
                licence=submission.licence,
                consent=submission.consent,
                created_at=now,
                updated_at=now,
                session_id=workshop,
                scribed=scribed,
                origin=origin_of(submission.token),
                **values,
            )
            .returning(Contribution.id)
        ).scalar_one_or_none()
        if row_id is None:  # stored meanwhile by a concurrent request with the same token
            existing = _existing(connection, submission.token)
            assert existing is not None  # the conflicting row is committed and visible
            return Stored(existing, False)
        connection.execute(
            insert(Revision).values(
                contribution_id=row_id,
                revision=1,
                content=content_json(values),
                edited_by="contributor",
                note="as submitted",
                created_at=now,
            )
        )
        if submission.contact_name or submission.contact:
            connection.execute(
                insert(Contact).values(
                    contribution_id=row_id,
                    name=submission.contact_name,
                    contact=submission.contact,
                    created_at=now,
                )
            )
        connection.execute(insert(RateEvent), [{"key": key, "created_at": now} for key, _ in keys])
        return Stored(row_id, True)


def send_form(
    engine: Engine,
    values: Mapping,
    *,
    session_id: str,
    client_address: str | None,
    categories: Collection[str] | None = None,
    site_ids: Collection[str] | None = None,
    ward_codes: Collection[str] | None = None,
    limits: RateLimits = DEFAULT_LIMITS,
    workshop: int | None = None,
    scribed: bool = False,
    clock: float | None = None,
) -> Stored:
    """What the form's Send does: the bot checks, validation, then `submit`. Raises Refused or
    ValidationError (with every wrong field) and stores nothing in either case."""
    check_bots(values, time.time() if clock is None else clock)
    submission = validate(values, categories=categories, site_ids=site_ids, ward_codes=ward_codes)
    return submit(
        engine,
        submission,
        session_id=session_id,
        client_address=client_address,
        limits=limits,
        workshop=workshop,
        scribed=scribed,
    )


def prune_rate_events(engine: Engine, older_than: dt.timedelta = dt.timedelta(days=2)) -> int:
    """Forget rate-limit events older than any window (they are not contributions)."""
    from sqlalchemy import delete

    with writing(engine) as connection:
        result = connection.execute(
            delete(RateEvent).where(RateEvent.created_at < utcnow() - older_than)
        )
        return result.rowcount
