"""Workshop sessions: a short code for a room, what the room sent, and the wall's view of it.

A facilitator starts a session and gets a code of six letters and digits with none that read
alike (no 0/O, 1/I/L). People join with it on their phones and send reports through the same
form and the same `send_form` as anyone; each report carries the session's id (and `scribed`
when the facilitator typed it for someone). Nothing here is public: the wall reads the
session's own rows (every moderation state, no contact details, no postcode), and the public
maps still read only `public_contributions` (approved rows).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, func, insert, select, update

from lib.store.engine import writing
from lib.store.models import Contribution, RateEvent, WorkshopSession
from lib.store.submit import rate_key, utcnow

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no I, L, O, 0 or 1
CODE_LENGTH = 6
MAX_TITLE = 200
# Wrong codes one address may type in a window (31**6 codes: guessing one takes for ever).
MAX_WRONG_CODES = 20
WRONG_CODE_WINDOW = dt.timedelta(minutes=10)
# What the wall shows of each report (never the token, contact details or postcode).
WALL_COLUMNS = (
    "id",
    "kind",
    "category",
    "name",
    "description",
    "x",
    "y",
    "gss_code",
    "ward_code",
    "scribed",
    "moderation",
    "created_at",
)


class SessionError(Exception):
    """A code that opens no session. `code` is bad_code, unknown or ended; `message` is what
    the page shows (naming what was typed)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Session:
    id: int
    uid: str
    code: str
    title: str
    started_by: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    imported_at: dt.datetime | None
    wall_held: bool = False

    @property
    def open(self) -> bool:
        return self.ended_at is None and self.imported_at is None


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str | None) -> str | None:
    """' abc-23x ' -> 'ABC23X'; None if it cannot be a session code (wrong length or letters)."""
    compact = re.sub(r"[\s-]+", "", str(text or "")).upper()
    if len(compact) != CODE_LENGTH or any(c not in ALPHABET for c in compact):
        return None
    return compact


def _session(row) -> Session:
    return Session(
        id=row.id,
        uid=row.uid,
        code=row.code,
        title=row.title,
        started_by=row.started_by,
        started_at=row.started_at,
        ended_at=row.ended_at,
        imported_at=row.imported_at,
        wall_held=bool(row.wall_held),
    )


def start_session(engine: Engine, title: str, *, started_by: str) -> Session:
    """A new open session with a code no session in this store has had."""
    title = " ".join(str(title or "").split())
    if not title:
        raise ValueError("Give the workshop a title (people see it when they join).")
    if len(title) > MAX_TITLE:
        raise ValueError(f"A title has at most {MAX_TITLE} characters (this has {len(title)}).")
    now = utcnow()
    with writing(engine) as connection:
        if connection.dialect.name == "postgresql":  # one code drawn at a time
            connection.execute(select(func.pg_advisory_xact_lock(0x4A554C574F524B53)))
        while True:
            code = new_code()
            taken = connection.execute(
                select(WorkshopSession.id).where(WorkshopSession.code == code)
            ).first()
            if taken is None:
                break
        session_id = connection.execute(
            insert(WorkshopSession)
            .values(
                uid=secrets.token_hex(16),
                code=code,
                title=title,
                started_by=started_by,
                started_at=now,
            )
            .returning(WorkshopSession.id)
        ).scalar_one()
    return get_session(engine, session_id)


def get_session(engine: Engine, session_id: int) -> Session:
    with engine.connect() as connection:
        row = connection.execute(
            select(WorkshopSession.__table__).where(WorkshopSession.id == session_id)
        ).first()
    if row is None:
        raise SessionError("unknown", f"There is no workshop session {session_id}.")
    return _session(row)


def _guessing(engine: Engine, source: str | None) -> None:
    """Refuse a code from a source that has typed too many wrong ones lately."""
    if source is None:
        return
    with engine.connect() as connection:
        wrong = connection.execute(
            select(func.count())
            .select_from(RateEvent)
            .where(
                RateEvent.key == rate_key("workshop-code", source),
                RateEvent.created_at >= utcnow() - WRONG_CODE_WINDOW,
            )
        ).scalar_one()
    if wrong >= MAX_WRONG_CODES:
        raise SessionError(
            "too_many",
            "Too many wrong codes from this device: wait ten minutes, then type the code on "
            "the facilitator's screen again.",
        )


def _wrong(engine: Engine, source: str | None) -> None:
    if source is not None:
        with writing(engine) as connection:
            connection.execute(
                insert(RateEvent).values(key=rate_key("workshop-code", source), created_at=utcnow())
            )


def find_session(
    engine: Engine, text: str | None, *, open_only: bool = True, source: str | None = None
) -> Session:
    """The session a typed code (or a link's ?session=) names, or SessionError saying why not:
    not shaped like a code, no such session, (open_only) ended, or too many wrong codes lately
    from `source` (the client's address: a code cannot be found by guessing)."""
    _guessing(engine, source)
    shown = str(text or "").strip()[:20]
    code = normalise_code(text)
    if code is None:
        raise SessionError(
            "bad_code",
            f"{shown!r} is not a workshop code: a code is {CODE_LENGTH} letters and digits, "
            "like K7M2QX, shown on the facilitator's screen.",
        )
    with engine.connect() as connection:
        row = connection.execute(
            select(WorkshopSession.__table__)
            .where(WorkshopSession.code == code)
            .order_by(WorkshopSession.imported_at.is_(None).desc(), WorkshopSession.id.desc())
        ).first()
    if row is None:
        _wrong(engine, source)
        raise SessionError(
            "unknown",
            f"No workshop has the code {code}. Check it against the facilitator's screen.",
        )
    session = _session(row)
    if open_only and not session.open:
        raise SessionError(
            "ended",
            f"The workshop {code} ({session.title}) has ended and takes no more reports. You "
            "can still add to the map on the Add to the map page.",
        )
    return session


def open_sessions(engine: Engine) -> list[Session]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(WorkshopSession.__table__)
            .where(WorkshopSession.ended_at.is_(None), WorkshopSession.imported_at.is_(None))
            .order_by(WorkshopSession.id.desc())
        ).all()
    return [_session(r) for r in rows]


def all_sessions(engine: Engine) -> list[Session]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(WorkshopSession.__table__).order_by(WorkshopSession.id.desc())
        ).all()
    return [_session(r) for r in rows]


def end_session(engine: Engine, session_id: int) -> Session:
    """End a session: its code takes no more reports and its wall closes (the facilitator's
    export still works)."""
    with writing(engine) as connection:
        connection.execute(
            update(WorkshopSession)
            .where(WorkshopSession.id == session_id, WorkshopSession.ended_at.is_(None))
            .values(ended_at=utcnow())
        )
    return get_session(engine, session_id)


def hold_wall(engine: Engine, session_id: int, held: bool) -> None:
    """Hold the wall (show only approved reports) or let every waiting report on again."""
    with writing(engine) as connection:
        connection.execute(
            update(WorkshopSession).where(WorkshopSession.id == session_id).values(wall_held=held)
        )


# A report a moderator rejected or hid leaves the wall (and the bundle) at once.
REMOVED = ("rejected", "hidden")


def session_contributions(
    engine: Engine, session_id: int, *, all_waiting: bool = False
) -> pd.DataFrame:
    """The session's reports, oldest first, waiting or approved (not rejected or hidden): the
    wall's rows; only approved ones while the wall is held, unless `all_waiting` (the
    facilitator's and the bundle's view). Read fresh on each call (the wall calls it every few
    seconds)."""
    table = Contribution.__table__
    sessions = WorkshopSession.__table__
    shown = [table.c.session_id == session_id, table.c.moderation.not_in(REMOVED)]
    if not all_waiting:
        shown.append((table.c.moderation == "approved") | ~sessions.c.wall_held)
    query = (
        select(*(table.c[name] for name in WALL_COLUMNS))
        .select_from(table.join(sessions, sessions.c.id == table.c.session_id))
        .where(*shown)
        .order_by(table.c.id)
    )
    with engine.connect() as connection:
        rows = connection.execute(query).mappings().all()
    frame = pd.DataFrame(rows, columns=list(WALL_COLUMNS))
    frame["scribed"] = frame["scribed"].astype(bool)
    return frame


def counts_by_kind(rows: pd.DataFrame, kinds) -> pd.DataFrame:
    """How many of each kind (every kind listed, zeros included), in the vocabulary's order."""
    counts = rows["kind"].value_counts() if len(rows) else pd.Series(dtype=int)
    return pd.DataFrame(
        {
            "kind": list(kinds),
            "label": [kinds[k] for k in kinds],
            "count": [int(counts.get(k, 0)) for k in kinds],
        }
    )
