"""Moderation: the queue, state changes with reasons, edits that keep the original, outcomes,
likely duplicates, and erasing personal details on request. Everything is logged.

Every function takes the signed-in moderator's name: the UI refuses anyone not signed in, and
the log says who did what. A change holds the contribution's row until it commits and, given
`seen` (the `updated_at` the moderator looked at), is refused if anyone changed it since.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import unicodedata
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, delete, func, insert, select, text, update

from lib.store.engine import writing
from lib.store.models import Contact, Contribution, ModerationEntry, Revision, WorkshopSession
from lib.store.submit import EDITABLE, content_json, utcnow
from lib.store.validation import ValidationError, validate
from lib.vocab import contributions as vocab

DUPLICATE_RADIUS_M = 150.0


class ModerationError(Exception):
    """The change is not allowed (the message says why)."""


def _log(
    connection,
    contribution_id: int,
    moderator: str,
    action: str,
    *,
    from_value=None,
    to_value=None,
    reason_code=None,
    note="",
) -> None:
    connection.execute(
        insert(ModerationEntry).values(
            contribution_id=contribution_id,
            moderator=moderator,
            action=action,
            from_value=from_value,
            to_value=to_value,
            reason_code=reason_code,
            note=note or "",
            created_at=utcnow(),
        )
    )


def _require_moderator(moderator: str) -> None:
    if not moderator or not moderator.strip():
        raise ModerationError("Only a signed-in moderator can do this.")


def _row(connection, contribution_id: int, *, lock: bool = False):
    """The contribution; with lock=True held until the transaction ends (PostgreSQL: FOR
    UPDATE; SQLite's write transaction already holds the whole file)."""
    query = select(Contribution.__table__).where(Contribution.id == contribution_id)
    row = connection.execute(query.with_for_update() if lock else query).mappings().first()
    if row is None:
        raise ModerationError(f"There is no contribution {contribution_id}.")
    return row


def _current(connection, contribution_id: int, seen: dt.datetime | None):
    """The contribution, locked, if it is still as the moderator saw it (its `updated_at`):
    of two moderators deciding at once, the second is told, never silently overwrites."""
    row = _row(connection, contribution_id, lock=True)
    if seen is not None and row["updated_at"] != seen:
        raise ModerationError(
            f"Someone else changed contribution {contribution_id} while you were looking (it "
            f"is now {vocab.MODERATION_STATES[row['moderation']].lower()}): nothing was saved. "
            "Look at it again before deciding."
        )
    return row


def set_moderation(
    engine: Engine,
    contribution_id: int,
    to_state: str,
    *,
    moderator: str,
    reason_code: str | None = None,
    note: str = "",
    seen: dt.datetime | None = None,
) -> None:
    """Move a contribution along the moderation axis (see vocab.TRANSITIONS). `seen`: the
    `updated_at` the moderator decided on; refused if it has changed since."""
    _require_moderator(moderator)
    if to_state not in vocab.MODERATION_STATES:
        raise ModerationError(f"Unknown moderation state {to_state!r}.")
    if reason_code is not None and reason_code not in vocab.REASON_CODES:
        raise ModerationError(f"Unknown reason code {reason_code!r}.")
    if to_state in vocab.NEEDS_REASON and reason_code is None:
        raise ModerationError(f"Choose a reason: a move to {to_state!r} needs one.")
    if reason_code == "other" and not note.strip():
        raise ModerationError("The reason 'other' needs a note saying what it is.")
    with writing(engine) as connection:
        row = _current(connection, contribution_id, seen)
        from_state = row["moderation"]
        if to_state not in vocab.TRANSITIONS[from_state]:
            raise ModerationError(
                f"A contribution that is {from_state!r} cannot become {to_state!r}."
            )
        connection.execute(
            update(Contribution)
            .where(Contribution.id == contribution_id)
            .values(moderation=to_state, updated_at=utcnow())
        )
        _log(
            connection,
            contribution_id,
            moderator,
            "moderation",
            from_value=from_state,
            to_value=to_state,
            reason_code=reason_code,
            note=note,
        )


def take_off_wall(
    engine: Engine,
    contribution_ids: list[int],
    *,
    moderator: str,
    reason_code: str = "spam",
    note: str = "taken off a workshop's wall",
) -> int:
    """Remove many reports at once (a phone flooding a workshop's wall): a waiting one is
    rejected, an approved one hidden, each logged with the reason. Returns how many."""
    _require_moderator(moderator)
    removed = 0
    for contribution_id in contribution_ids:
        with engine.connect() as connection:
            row = _row(connection, contribution_id)
        if row["moderation"] in ("rejected", "hidden"):
            continue
        target = "hidden" if row["moderation"] == "approved" else "rejected"
        set_moderation(
            engine,
            contribution_id,
            target,
            moderator=moderator,
            reason_code=reason_code,
            note=note,
            seen=row["updated_at"],
        )
        removed += 1
    return removed


def set_outcome(
    engine: Engine,
    contribution_id: int,
    outcome: str,
    *,
    moderator: str,
    duplicate_of: int | None = None,
    note: str = "",
    seen: dt.datetime | None = None,
) -> None:
    """Record what happened to the facility (the second axis, independent of moderation)."""
    _require_moderator(moderator)
    if outcome not in vocab.OUTCOMES:
        raise ModerationError(f"Unknown outcome {outcome!r}.")
    if duplicate_of is not None and outcome != "duplicate":
        raise ModerationError("Only a duplicate names the contribution it duplicates.")
    if duplicate_of == contribution_id:
        raise ModerationError("A contribution cannot duplicate itself.")
    with writing(engine) as connection:
        row = _current(connection, contribution_id, seen)
        if duplicate_of is not None:
            _row(connection, duplicate_of)
        connection.execute(
            update(Contribution)
            .where(Contribution.id == contribution_id)
            .values(outcome=outcome, duplicate_of=duplicate_of, updated_at=utcnow())
        )
        _log(
            connection,
            contribution_id,
            moderator,
            "outcome",
            from_value=row["outcome"],
            to_value=outcome,
            note=note,
        )


def edit(
    engine: Engine,
    contribution_id: int,
    changes: dict,
    *,
    moderator: str,
    note: str,
    seen: dt.datetime | None = None,
    **validate_kwargs,
) -> int:
    """Change a contribution's content. The whole new content is validated as a form would be,
    stored as a new revision (the original stays as revision 1) and logged. Returns the new
    revision number."""
    _require_moderator(moderator)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ModerationError(f"These fields cannot be edited: {', '.join(sorted(unknown))}.")
    if not note.strip():
        raise ModerationError("Say why you edit it (the note is kept with the revision).")
    with writing(engine) as connection:
        row = dict(_current(connection, contribution_id, seen))
        merged = {k: row[k] for k in EDITABLE} | changes
        form = merged | {"token": row["token"], "consent": True}
        try:
            checked = validate(form, **validate_kwargs)
        except ValidationError as error:
            raise ModerationError(f"The edit is not valid: {error}") from error
        values = {k: getattr(checked, k) for k in EDITABLE}
        number = (
            connection.execute(
                select(func.max(Revision.revision)).where(
                    Revision.contribution_id == contribution_id
                )
            ).scalar_one()
            + 1
        )
        now = utcnow()
        connection.execute(
            insert(Revision).values(
                contribution_id=contribution_id,
                revision=number,
                content=content_json(values),
                edited_by=moderator,
                note=note,
                created_at=now,
            )
        )
        connection.execute(
            update(Contribution)
            .where(Contribution.id == contribution_id)
            .values(updated_at=now, **values)
        )
        _log(
            connection, contribution_id, moderator, "edit", to_value=f"revision {number}", note=note
        )
        return number


def revisions(engine: Engine, contribution_id: int) -> list[dict]:
    with engine.connect() as connection:
        rows = (
            connection.execute(
                select(Revision.__table__)
                .where(Revision.contribution_id == contribution_id)
                .order_by(Revision.revision)
            )
            .mappings()
            .all()
        )
    return [dict(r) | {"content": json.loads(r["content"])} for r in rows]


def history(engine: Engine, contribution_id: int) -> pd.DataFrame:
    """The moderation log of one contribution, oldest first."""
    with engine.connect() as connection:
        return pd.read_sql(
            select(ModerationEntry.__table__)
            .where(ModerationEntry.contribution_id == contribution_id)
            .order_by(ModerationEntry.id),
            connection,
        )


def erase_contact(engine: Engine, contribution_id: int, *, moderator: str, note: str = "") -> bool:
    """Delete a contribution's contact details on request (the one deletion the store makes)
    and log it. Returns whether there were any."""
    _require_moderator(moderator)
    with writing(engine) as connection:
        _row(connection, contribution_id)
        removed = connection.execute(
            delete(Contact).where(Contact.contribution_id == contribution_id)
        ).rowcount
        _log(
            connection,
            contribution_id,
            moderator,
            "erase_contact",
            reason_code="personal_data",
            note=note or "personal details erased on request",
        )
        return bool(removed)


def contact_for(engine: Engine, contribution_id: int, *, moderator: str) -> dict | None:
    """A contribution's contact details, for a signed-in moderator only."""
    _require_moderator(moderator)
    with engine.connect() as connection:
        row = (
            connection.execute(
                select(Contact.name, Contact.contact).where(
                    Contact.contribution_id == contribution_id
                )
            )
            .mappings()
            .first()
        )
    return dict(row) if row else None


def queue(
    engine: Engine, states: tuple[str, ...] = ("pending", "needs_edit"), limit: int = 200
) -> pd.DataFrame:
    """Contributions waiting for a moderator, oldest first, with whether contact details exist
    (the details themselves come only from contact_for) and the workshop each was sent in."""
    table = Contribution.__table__
    has_contact = (
        select(func.count())
        .select_from(Contact)
        .where(Contact.contribution_id == table.c.id)
        .scalar_subquery()
        > 0
    ).label("has_contact")
    sessions = WorkshopSession.__table__
    with engine.connect() as connection:
        return pd.read_sql(
            select(
                *[c for c in table.c if c.name != "token"],
                has_contact,
                sessions.c.code.label("workshop_code"),
                sessions.c.title.label("workshop_title"),
            )
            .select_from(table.outerjoin(sessions, sessions.c.id == table.c.session_id))
            .where(table.c.moderation.in_(states))
            .order_by(table.c.id)  # arrival here: an imported bundle's dates cannot jump it
            .limit(limit),
            connection,
        )


def normalised_name(name: str) -> str:
    """Lower case, accents and punctuation dropped, 'the' and '&' evened out."""
    text_ = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    text_ = re.sub(r"&", " and ", text_.lower())
    words = re.findall(r"[a-z0-9]+", text_)
    return " ".join(w for w in words if w != "the")


@dataclass(frozen=True)
class Match:
    what: str  # "contribution" or "listed site"
    ref: str  # contribution id or site_id
    name: str
    category: str
    distance_m: float | None
    why: str


def likely_duplicates(
    engine: Engine,
    contribution_id: int,
    sites: pd.DataFrame | None = None,
    radius_m: float = DUPLICATE_RADIUS_M,
) -> list[Match]:
    """Other contributions of the same category within radius_m (not rejected), and listed
    sites (`sites`: site_id, name, category, geometry in EPSG:27700) of the same name or the
    same category within radius_m. Nearest first."""
    with engine.connect() as connection:
        row = _row(connection, contribution_id)
        x, y = row["x"], row["y"]
        matches: list[Match] = []
        if x is not None and y is not None:
            if connection.dialect.name == "postgresql":
                query = text(
                    "SELECT id, name, category, ST_Distance(geom, ST_SetSRID("
                    "ST_MakePoint(:x, :y), 27700)) AS d FROM contributions "
                    "WHERE id <> :id AND category = :category AND moderation <> 'rejected' "
                    "AND ST_DWithin(geom, ST_SetSRID(ST_MakePoint(:x, :y), 27700), :r)"
                )
                found = connection.execute(
                    query,
                    {
                        "x": x,
                        "y": y,
                        "id": contribution_id,
                        "category": row["category"],
                        "r": radius_m,
                    },
                ).all()
            else:
                table = Contribution.__table__
                candidates = connection.execute(
                    select(table.c.id, table.c.name, table.c.category, table.c.x, table.c.y).where(
                        table.c.id != contribution_id,
                        table.c.category == row["category"],
                        table.c.moderation != "rejected",
                        table.c.x.between(x - radius_m, x + radius_m),
                        table.c.y.between(y - radius_m, y + radius_m),
                    )
                ).all()
                near = [
                    (c.id, c.name, c.category, math.hypot(c.x - x, c.y - y)) for c in candidates
                ]
                found = [f for f in near if f[3] <= radius_m]  # type: ignore[misc]
            matches += [
                Match("contribution", str(i), n, c, float(d), f"same category, {d:.0f} m away")
                for i, n, c, d in found
            ]
    if sites is not None and len(sites):
        matches += _site_matches(row, sites, radius_m)
    return sorted(matches, key=lambda m: (m.distance_m is None, m.distance_m or 0.0))


def _site_matches(row, sites: pd.DataFrame, radius_m: float) -> list[Match]:
    matches = []
    wanted = normalised_name(row["name"])
    same_name = sites["name"].map(normalised_name) == wanted if wanted else False
    distance = None
    if row["x"] is not None and row["y"] is not None and "geometry" in sites:
        distance = pd.Series(
            [
                math.hypot(p.x - row["x"], p.y - row["y"]) if p is not None else math.inf
                for p in sites.geometry
            ],
            index=sites.index,
        )
        near = (distance <= radius_m) & (sites["category"] == row["category"])
    else:
        near = pd.Series(False, index=sites.index)
    chosen = sites[same_name | near]
    for index, site in chosen.iterrows():
        d = None if distance is None else float(distance[index])
        reasons = []
        if wanted and normalised_name(site["name"]) == wanted:
            reasons.append("a listed site of the same name")
        if near[index]:
            reasons.append("a listed site of the same category nearby")
        where = "" if d is None or math.isinf(d) else f", {d:.0f} m away"
        matches.append(
            Match(
                "listed site",
                str(site["site_id"]),
                str(site["name"]),
                str(site["category"]),
                None if d is None or math.isinf(d) else d,
                " and ".join(reasons) + where,
            )
        )
    return matches
