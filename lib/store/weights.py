"""The room's weights: in a workshop each phone sets its own weights for the needs index; the
wall shows the room's, and the facilitator can adopt them for the session.

A phone has one row per session, changed in place (an upsert, so a double click or two tabs
racing leave one row). Weights carry nothing personal: the phone is a hash of a random id its
browser session holds. Like reports, weights are refused once the session has ended.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from lib.store.engine import writing
from lib.store.models import RateEvent, RoomWeights, WorkshopSession
from lib.store.submit import _check_workshop, rate_key, utcnow
from lib.store.validation import Refused
from lib.vocab.needs import DOMAINS, check_weights

# Sends of weights one address may make in a window: a room behind one venue address, each
# phone changing its mind a few times, stays well under it.
MAX_SENDS = 300
SEND_WINDOW = dt.timedelta(minutes=10)
MAX_PHONES = 500  # rows one session takes


def _encode(weights: dict[str, float]) -> str:
    return json.dumps(weights, sort_keys=True)


def send_weights(
    engine: Engine, session_id: int, phone: str, weights: dict, *, source: str | None = None
) -> dict[str, float]:
    """Store (or replace) one phone's weights in an open session; the checked weights, or
    WeightsError (bad weights) or Refused (ended session, too many sends or phones)."""
    checked = check_weights(weights)
    phone_key = rate_key("room-phone", phone)
    now = utcnow()
    with writing(engine) as connection:
        try:
            _check_workshop(connection, session_id)
        except Refused as refused:
            if refused.code != "workshop_ended":
                raise
            raise Refused(
                "workshop_ended", "This workshop has ended: it takes no more weights."
            ) from None
        if source is not None:
            key = rate_key("room-weights", source)
            if connection.dialect.name == "postgresql":
                connection.execute(
                    select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0)))
                )
            sent = connection.execute(
                select(func.count())
                .select_from(RateEvent)
                .where(RateEvent.key == key, RateEvent.created_at >= now - SEND_WINDOW)
            ).scalar_one()
            if sent >= MAX_SENDS:
                raise Refused(
                    "rate_limited",
                    "Too many weights sent from this network in the last few minutes: wait a "
                    "little and send again (your sliders are kept).",
                )
            connection.execute(insert(RateEvent).values(key=key, created_at=now))
        phones = connection.execute(
            select(func.count())
            .select_from(RoomWeights)
            .where(RoomWeights.session_id == session_id)
        ).scalar_one()
        module = postgresql if connection.dialect.name == "postgresql" else sqlite
        statement = module.insert(RoomWeights).values(
            session_id=session_id,
            phone=phone_key,
            weights=_encode(checked),
            created_at=now,
            updated_at=now,
        )
        if phones >= MAX_PHONES:  # full: a phone already in the room may still change its mind
            done = connection.execute(
                update(RoomWeights)
                .where(RoomWeights.session_id == session_id, RoomWeights.phone == phone_key)
                .values(weights=_encode(checked), updated_at=now)
            )
            if not done.rowcount:
                raise Refused("room_full", "This workshop has all the weights it can take.")
            return checked
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=["session_id", "phone"],
                set_={"weights": statement.excluded.weights, "updated_at": now},
            )
        )
    return checked


def room_weights(engine: Engine, session_id: int) -> pd.DataFrame:
    """Each phone's weights in the session: one row per phone, one column per domain (in the
    vocabulary's order), oldest first. Read fresh (the wall calls it every few seconds)."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(RoomWeights.weights)
            .where(RoomWeights.session_id == session_id)
            .order_by(RoomWeights.id)
        ).scalars()
        frame = pd.DataFrame([json.loads(r) for r in rows], columns=list(DOMAINS))
    return frame.fillna(0.0)


def adopt_weights(engine: Engine, session_id: int, weights: dict | None) -> None:
    """The facilitator adopts weights for the session (None: back to the default)."""
    value = None if weights is None else _encode(check_weights(weights))
    with writing(engine) as connection:
        connection.execute(
            update(WorkshopSession).where(WorkshopSession.id == session_id).values(weights=value)
        )


def adopted_weights(engine: Engine, session_id: int) -> dict[str, float] | None:
    with engine.connect() as connection:
        value = connection.execute(
            select(WorkshopSession.weights).where(WorkshopSession.id == session_id)
        ).scalar_one_or_none()
    return None if value is None else check_weights(json.loads(value))
