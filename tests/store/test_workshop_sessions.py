"""Workshop sessions on each engine: codes, tagging, ending, the wall's rows, nothing public,
and a room of 30 phones sending at once."""

from __future__ import annotations

import threading
import time

import pandas as pd
import pytest
from sqlalchemy import func, select

from lib.store import Refused, ValidationError, public_contributions
from lib.store.models import Contribution
from lib.store.moderation import history, set_moderation, take_off_wall
from lib.store.submit import SCRIBE_LIMITS, WORKSHOP_LIMITS, send_form, submit
from lib.store.workshop import (
    ALPHABET,
    CODE_LENGTH,
    SessionError,
    counts_by_kind,
    end_session,
    find_session,
    hold_wall,
    normalise_code,
    open_sessions,
    session_contributions,
    start_session,
)
from lib.vocab import contributions as vocab
from tests.store.forms import form, submission

PARTICIPANTS = 30
WALL_DEADLINE_S = 10.0
WALL_POLL_S = 0.25


def test_codes_are_short_and_unambiguous():
    assert not set("IL0O1") & set(ALPHABET)
    assert normalise_code(" k7m-2qx ") == "K7M2QX"
    for bad in ("", "K7M2Q", "K7M2QXX", "K0M2QX", "KIM2QX", "K7M2Q!"):
        assert normalise_code(bad) is None


def test_a_session_starts_with_a_fresh_code_and_is_found_by_it(engine):
    first = start_session(engine, "  Hackney   libraries  ", started_by="mo")
    second = start_session(engine, "Walthamstow", started_by="mo")
    assert first.title == "Hackney libraries" and first.open
    assert len(first.code) == CODE_LENGTH and set(first.code) <= set(ALPHABET)
    assert first.code != second.code and first.uid != second.uid
    assert find_session(engine, first.code.lower()).id == first.id
    assert {s.id for s in open_sessions(engine)} >= {first.id, second.id}


@pytest.mark.parametrize("title", ["", "   ", "x" * 201])
def test_a_session_needs_a_title(engine, title):
    with pytest.raises(ValueError, match="title|characters"):
        start_session(engine, title, started_by="mo")


def test_wrong_and_ended_codes_say_so(engine):
    with pytest.raises(SessionError, match="is not a workshop code") as bad:
        find_session(engine, "hello")
    assert bad.value.code == "bad_code"
    with pytest.raises(SessionError, match="No workshop has the code ZZZZ22") as unknown:
        find_session(engine, "zzzz22")
    assert unknown.value.code == "unknown"
    session = start_session(engine, "Ending soon", started_by="mo")
    end_session(engine, session.id)
    with pytest.raises(SessionError, match="has ended") as ended:
        find_session(engine, session.code)
    assert ended.value.code == "ended"
    assert find_session(engine, session.code, open_only=False).id == session.id


def test_reports_are_tagged_with_their_session_and_an_ended_session_takes_no_more(engine):
    session = start_session(engine, "Tagging", started_by="mo")
    phone = submit(
        engine, submission(), session_id="phone-1", client_address=None, workshop=session.id
    )
    scribed = submit(
        engine,
        submission(name="Sticky note: the youth club on Mare Street"),
        session_id="facilitator",
        client_address=None,
        workshop=session.id,
        scribed=True,
        limits=SCRIBE_LIMITS,
    )
    rows = session_contributions(engine, session.id)
    assert list(rows["id"]) == [phone.id, scribed.id]
    assert list(rows["scribed"]) == [False, True]
    assert list(rows["moderation"]) == ["pending", "pending"]
    assert "token" not in rows.columns and "postcode" not in rows.columns
    end_session(engine, session.id)
    with pytest.raises(Refused) as refused:
        submit(engine, submission(), session_id="phone-2", client_address=None, workshop=session.id)
    assert refused.value.code == "workshop_ended" and "has ended" in refused.value.message
    assert len(session_contributions(engine, session.id)) == 2


def test_room_visible_is_not_public(engine):
    """The wall shows every report of its session; the public maps show none of them until a
    moderator approves one, and then only that one."""
    session = start_session(engine, "Not public", started_by="mo")
    ids = [
        submit(
            engine,
            submission(name=f"room report {i}"),
            session_id=f"room-{i}",
            client_address=None,
            workshop=session.id,
        ).id
        for i in range(3)
    ]
    assert list(session_contributions(engine, session.id)["id"]) == ids
    public = set(public_contributions(engine)["id"])
    assert not public & set(ids)
    set_moderation(engine, ids[0], "approved", moderator="mo")
    assert set(public_contributions(engine)["id"]) & set(ids) == {ids[0]}
    # A report a moderator rejects leaves the wall at once.
    set_moderation(engine, ids[1], "rejected", moderator="mo", reason_code="spam")
    assert list(session_contributions(engine, session.id)["id"]) == [ids[0], ids[2]]


def test_counts_by_kind_list_every_kind():
    import pandas as pd

    rows = pd.DataFrame({"kind": ["closed", "closed", "area_need"]})
    counts = counts_by_kind(rows, vocab.KINDS)
    assert list(counts["kind"]) == list(vocab.KINDS)
    assert dict(zip(counts["kind"], counts["count"], strict=True)) == {
        "closed": 2,
        "under_threat": 0,
        "missing": 0,
        "correction": 0,
        "area_need": 1,
    }


def test_send_form_is_the_forms_path_and_stores_nothing_when_wrong(engine):
    session = start_session(engine, "Form path", started_by="mo")
    before = len(session_contributions(engine, session.id))
    with pytest.raises(ValidationError) as wrong:
        send_form(
            engine,
            form(name="", consent=False),
            session_id="p",
            client_address=None,
            categories=("Library",),
            workshop=session.id,
        )
    assert {"name", "consent"} <= set(wrong.value.errors)
    with pytest.raises(Refused, match="quicker than a person"):
        send_form(
            engine,
            form(started_at=time.time()),
            session_id="p",
            client_address=None,
            categories=("Library",),
            workshop=session.id,
        )
    assert len(session_contributions(engine, session.id)) == before


def test_thirty_participants_sending_at_once_lose_nothing(store, capsys):
    """30 phones press Send at the same moment (threads through the form's own path, one
    store); every report is stored once and the wall's query shows all 30 within 10 s."""
    engine = store.engine
    session = start_session(engine, "Thirty phones", started_by="mo")
    barrier = threading.Barrier(PARTICIPANTS + 1)
    results: list = [None] * PARTICIPANTS
    forms = [form(name=f"Participant {i:02d}: the library we lost") for i in range(PARTICIPANTS)]

    def participant(i: int) -> None:
        barrier.wait()
        try:
            results[i] = send_form(
                engine,
                forms[i],
                session_id=f"phone-{i}",
                client_address=f"192.168.1.{10 + i}",
                categories=("Library",),
                limits=WORKSHOP_LIMITS,
                workshop=session.id,
            )
        except Exception as error:  # reported below, with which participant it was
            results[i] = error

    threads = [threading.Thread(target=participant, args=(i,)) for i in range(PARTICIPANTS)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.monotonic()
    shown = 0
    while time.monotonic() - started < WALL_DEADLINE_S:
        shown = len(session_contributions(engine, session.id))
        if shown == PARTICIPANTS:
            break
        time.sleep(WALL_POLL_S)
    on_wall_after = time.monotonic() - started
    for thread in threads:
        thread.join(timeout=60)

    failures = [r for r in results if not hasattr(r, "created")]
    assert not failures, failures
    assert all(r.created for r in results)
    assert len({r.id for r in results}) == PARTICIPANTS
    assert shown == PARTICIPANTS, f"the wall showed {shown} of {PARTICIPANTS} after 10 s"
    rows = session_contributions(engine, session.id)
    assert sorted(rows["name"]) == sorted(f["name"] for f in forms)
    with engine.connect() as connection:
        stored = connection.execute(
            select(func.count())
            .select_from(Contribution)
            .where(Contribution.session_id == session.id)
        ).scalar()
    assert stored == PARTICIPANTS
    with capsys.disabled():
        print(
            f"\n[{store.name}] {PARTICIPANTS} participants at once: {stored} rows stored, "
            f"all {PARTICIPANTS} on the wall's query after {on_wall_after:.2f} s"
        )


def test_migration_0002_upgrades_a_store_with_reports_and_downgrades(store, tmp_path_factory):
    """A store made at 0001 with a report in it upgrades to 0002 (the report is no session's
    and not scribed), and 0002 downgrades cleanly, on each engine."""
    from alembic import command
    from sqlalchemy import inspect

    from lib.store.engine import _alembic_config, current_revision, make_engine, writing
    from tests.store.conftest import new_store_url

    url, drop = new_store_url(store.name, tmp_path_factory)
    engine = make_engine(url)
    try:
        with writing(engine) as connection:
            command.upgrade(_alembic_config(connection), "0001")
        with writing(engine) as connection:
            connection.exec_driver_sql(
                "INSERT INTO contributions (token, kind, category, name, description, "
                "where_source, x, y, moderation, outcome, licence, consent, created_at, "
                "updated_at) VALUES ('t0001-aaaaaaaaaaaaaaaa', 'closed', 'Library', 'Old row', "
                "'', 'postcode', 530625, 179850, 'pending', 'reported', 'CC BY 4.0', TRUE, "
                "'2026-01-01 10:00:00', '2026-01-01 10:00:00')"
            )
        with writing(engine) as connection:
            command.upgrade(_alembic_config(connection), "0002")
        assert current_revision(engine) == "0002"
        with engine.connect() as connection:
            row = connection.exec_driver_sql(
                "SELECT session_id, scribed, origin FROM contributions"
            ).one()
        assert (row[0], bool(row[1]), row[2]) == (None, False, None)
        assert "workshop_sessions" in inspect(engine).get_table_names()
        with writing(engine) as connection:  # 0003: a wall can be held
            command.upgrade(_alembic_config(connection), "0003")
        names = {c["name"] for c in inspect(engine).get_columns("workshop_sessions")}
        assert "wall_held" in names
        with writing(engine) as connection:
            command.downgrade(_alembic_config(connection), "0001")
        names = {c["name"] for c in inspect(engine).get_columns("contributions")}
        assert not {"session_id", "scribed", "origin"} & names
        assert "workshop_sessions" not in inspect(engine).get_table_names()
        assert "public_contributions" in inspect(engine).get_view_names()
    finally:
        engine.dispose()
        drop()


# One phone flooding the wall (issue 16, item 6).


def test_one_phone_cannot_flood_the_wall_by_opening_new_tabs(engine):
    """The study sent 60 reports from one phone, a new tab (a new session) for every few. On
    the venue's Wi-Fi the phone keeps its address, and the address is limited like a phone."""
    session = start_session(engine, "Flooded", started_by="mo")
    refused = 0
    for i in range(60):
        try:
            submit(
                engine,
                submission(name=f"flood {i}"),
                session_id=f"new-tab-{i}",  # every report from a fresh tab
                client_address="192.168.1.66",
                workshop=session.id,
                limits=WORKSHOP_LIMITS,
            )
        except Refused as error:
            assert error.code == "rate_limited"
            refused += 1
    assert len(session_contributions(engine, session.id)) == WORKSHOP_LIMITS.per_address
    assert refused == 60 - WORKSHOP_LIMITS.per_address
    # Another phone in the room still sends.
    submit(
        engine,
        submission(name="another phone"),
        session_id="phone-b",
        client_address="192.168.1.67",
        workshop=session.id,
        limits=WORKSHOP_LIMITS,
    )


def test_a_held_wall_shows_only_approved_and_a_flood_comes_off_at_once(engine):
    session = start_session(engine, "Held", started_by="mo")
    ids = [
        submit(
            engine,
            submission(name=f"note {i}"),
            session_id=f"held-{i}",
            client_address=None,
            workshop=session.id,
        ).id
        for i in range(5)
    ]
    set_moderation(engine, ids[0], "approved", moderator="mo")
    hold_wall(engine, session.id, True)
    assert find_session(engine, session.code).wall_held
    assert list(session_contributions(engine, session.id)["id"]) == [ids[0]]
    assert len(session_contributions(engine, session.id, all_waiting=True)) == 5
    assert take_off_wall(engine, ids[:4], moderator="mo") == 4
    hold_wall(engine, session.id, False)
    assert list(session_contributions(engine, session.id)["id"]) == [ids[4]]
    log = pd.concat([history(engine, i) for i in ids[:4]])
    assert list(log["to_value"]) == ["approved", "hidden", "rejected", "rejected", "rejected"]
    assert set(log["reason_code"].dropna()) == {"spam"}


# Guessing codes and ended walls (issue 16, item 15).


def test_guessing_codes_is_stopped_after_a_few_wrong_ones(engine):
    from lib.store.workshop import MAX_WRONG_CODES

    session = start_session(engine, "Guess me", started_by="mo")
    guesser = "192.168.1.99"
    wrong = [c for c in ("ZZZZZZ", "YYYYYY", "XXXXXX") if c != session.code][0]
    for _ in range(MAX_WRONG_CODES):
        with pytest.raises(SessionError) as error:
            find_session(engine, wrong, source=guesser)
        assert error.value.code == "unknown"
    with pytest.raises(SessionError) as error:
        find_session(engine, session.code, source=guesser)  # even the right one, for a while
    assert error.value.code == "too_many" and "Too many wrong codes" in error.value.message
    assert find_session(engine, session.code, source="192.168.1.100").id == session.id
