"""A workshop's weights on each engine: one row per phone, checked, 30 phones at once, the
room's median, the facilitator's adoption, and nothing after the session ends."""

from __future__ import annotations

import threading

import pytest

from lib.analysis.room import room_choice, room_summary
from lib.store import Refused
from lib.store.weights import adopt_weights, adopted_weights, room_weights, send_weights
from lib.store.workshop import end_session, start_session
from lib.vocab.needs import DOMAINS, WeightsError

PHONES = 30


def test_a_phone_has_one_row_that_it_changes(engine):
    session = start_session(engine, "Weights", started_by="mo")
    send_weights(engine, session.id, "phone-a", {"access": 4, "losses": 1})
    send_weights(engine, session.id, "phone-a", {"access": 0, "deprivation": 3})
    send_weights(engine, session.id, "phone-b", {"community": 2})
    rows = room_weights(engine, session.id)
    assert list(rows.columns) == list(DOMAINS)
    assert rows.to_dict("records") == [
        {"access": 0, "losses": 0, "voluntary": 0, "deprivation": 3, "community": 0},
        {"access": 0, "losses": 0, "voluntary": 0, "deprivation": 0, "community": 2},
    ]


@pytest.mark.parametrize(
    "weights, message",
    [
        ({"parks": 2}, "Unknown domain parks"),
        ({"access": 5}, "a number from 0 to 4"),
        ({"access": float("nan")}, "a number from 0 to 4"),
        ({"access": "2"}, "a number from 0 to 4"),
        ({"access": True}, "a number from 0 to 4"),
        ({"access": 0}, "at least one domain"),
    ],
)
def test_bad_weights_are_refused_and_nothing_is_stored(engine, weights, message):
    session = start_session(engine, "Bad weights", started_by="mo")
    with pytest.raises(WeightsError, match=message):
        send_weights(engine, session.id, "phone-a", weights)
    assert room_weights(engine, session.id).empty


def test_thirty_phones_at_once_lose_none(store):
    engine = store.engine
    session = start_session(engine, "Thirty phones", started_by="mo")
    barrier = threading.Barrier(PHONES)
    errors: list[BaseException] = []

    def phone(n: int) -> None:
        try:
            barrier.wait()
            # each phone sends twice, as a phone changing its mind does
            send_weights(engine, session.id, f"phone-{n}", {"access": n % 4 + 1})
            send_weights(engine, session.id, f"phone-{n}", {"access": n % 4 + 1, "losses": 1})
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=phone, args=(n,)) for n in range(PHONES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    rows = room_weights(engine, session.id)
    assert len(rows) == PHONES
    assert sorted(rows["access"]) == sorted(n % 4 + 1 for n in range(PHONES))
    assert set(rows["losses"]) == {1}


def test_the_room_summary_and_choice():
    import pandas as pd

    rows = pd.DataFrame(
        [
            {"access": 4, "losses": 0, "voluntary": 1, "deprivation": 2, "community": 2},
            {"access": 2, "losses": 0, "voluntary": 1, "deprivation": 4, "community": 2},
            {"access": 3, "losses": 0, "voluntary": 3, "deprivation": 0, "community": 2},
        ]
    )
    summary = room_summary(rows).set_index("domain")
    assert summary.loc["access", ["phones", "median", "q1", "q3"]].tolist() == [3, 3, 2.5, 3.5]
    assert summary.loc["losses", "median"] == 0
    assert room_choice(rows) == {
        "access": 3.0,
        "losses": 0.0,
        "voluntary": 1.0,
        "deprivation": 2.0,
        "community": 2.0,
    }
    assert room_choice(rows.iloc[:0]) is None


def test_adopted_weights_and_an_ended_session(engine):
    session = start_session(engine, "Adopting", started_by="mo")
    assert adopted_weights(engine, session.id) is None
    adopt_weights(engine, session.id, {"access": 3, "deprivation": 1})
    assert adopted_weights(engine, session.id) == {
        "access": 3,
        "losses": 0,
        "voluntary": 0,
        "deprivation": 1,
        "community": 0,
    }
    adopt_weights(engine, session.id, None)
    assert adopted_weights(engine, session.id) is None
    end_session(engine, session.id)
    with pytest.raises(Refused, match="takes no more weights"):
        send_weights(engine, session.id, "phone-a", {"access": 1})


def test_one_address_is_limited(engine, monkeypatch):
    monkeypatch.setattr("lib.store.weights.MAX_SENDS", 3)
    session = start_session(engine, "Limits", started_by="mo")
    for n in range(3):
        send_weights(engine, session.id, f"p{n}", {"access": 1}, source="203.0.113.9")
    with pytest.raises(Refused, match="Too many weights"):
        send_weights(engine, session.id, "p9", {"access": 1}, source="203.0.113.9")
    send_weights(engine, session.id, "p9", {"access": 1}, source="203.0.113.10")
    assert len(room_weights(engine, session.id)) == 4
