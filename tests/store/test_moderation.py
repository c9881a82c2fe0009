"""Moderation: two axes, reasons, edits that keep the original, the log, duplicates, erasure."""

from __future__ import annotations

import threading

import geopandas as gpd
import pytest
from shapely.geometry import Point
from sqlalchemy import select

from lib.store import RateLimits, submit
from lib.store.models import Contribution
from lib.store.moderation import (
    ModerationError,
    contact_for,
    edit,
    erase_contact,
    history,
    likely_duplicates,
    normalised_name,
    queue,
    revisions,
    set_moderation,
    set_outcome,
)
from tests.store.forms import SE1, submission

LIMITS = RateLimits(per_session=10**6, per_address=10**6)


@pytest.fixture
def new(engine):
    def make(**changes) -> int:
        return submit(
            engine,
            submission(**changes),
            session_id="mod-tests",
            client_address=None,
            limits=LIMITS,
        ).id

    return make


def state(engine, contribution_id: int) -> tuple[str, str]:
    row = queue(
        engine, states=("pending", "approved", "rejected", "needs_edit", "hidden"), limit=100_000
    )
    row = row[row["id"] == contribution_id].iloc[0]
    return row["moderation"], row["outcome"]


def test_approve_hide_and_back(engine, new):
    cid = new()
    set_moderation(engine, cid, "approved", moderator="mo")
    set_moderation(engine, cid, "hidden", moderator="mo", reason_code="contributor_request")
    set_moderation(engine, cid, "approved", moderator="mo")
    assert state(engine, cid) == ("approved", "reported")
    log = history(engine, cid)
    assert list(log["to_value"]) == ["approved", "hidden", "approved"]
    assert list(log["reason_code"].fillna("")) == ["", "contributor_request", ""]
    assert set(log["moderator"]) == {"mo"}


def test_rejecting_and_hiding_need_a_reason(engine, new):
    cid = new()
    with pytest.raises(ModerationError, match="reason"):
        set_moderation(engine, cid, "rejected", moderator="mo")
    with pytest.raises(ModerationError, match="Unknown reason"):
        set_moderation(engine, cid, "rejected", moderator="mo", reason_code="because")
    with pytest.raises(ModerationError, match="note"):
        set_moderation(engine, cid, "rejected", moderator="mo", reason_code="other")
    set_moderation(engine, cid, "rejected", moderator="mo", reason_code="spam")
    assert state(engine, cid)[0] == "rejected"


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        (["approved"], "rejected"),
        (["approved"], "pending"),
        ([], "hidden"),
        (["rejected"], "approved"),
    ],
)
def test_moves_outside_the_allowed_ones_are_refused(engine, new, path, refused):
    cid = new()
    for to in path:
        set_moderation(engine, cid, to, moderator="mo", reason_code="spam")
    with pytest.raises(ModerationError, match="cannot become"):
        set_moderation(engine, cid, refused, moderator="mo", reason_code="spam")


def test_needs_edit_then_edit_then_approve(engine, new):
    cid = new(name="Old Kent Rd Libary")
    set_moderation(engine, cid, "needs_edit", moderator="mo", note="spelling")
    number = edit(
        engine, cid, {"name": "Old Kent Road Library"}, moderator="mo", note="fixed the spelling"
    )
    set_moderation(engine, cid, "approved", moderator="mo")
    assert number == 2
    kept = revisions(engine, cid)
    assert [r["content"]["name"] for r in kept] == ["Old Kent Rd Libary", "Old Kent Road Library"]
    assert kept[0]["edited_by"] == "contributor" and kept[1]["edited_by"] == "mo"
    assert list(history(engine, cid)["action"]) == ["moderation", "edit", "moderation"]


def test_edits_are_validated_and_noted(engine, new):
    cid = new()
    with pytest.raises(ModerationError, match="not valid"):
        edit(engine, cid, {"evidence_url": "javascript:alert(1)"}, moderator="mo", note="x")
    with pytest.raises(ModerationError, match="cannot be edited"):
        edit(engine, cid, {"moderation": "approved"}, moderator="mo", note="x")
    with pytest.raises(ModerationError, match="why"):
        edit(engine, cid, {"name": "New"}, moderator="mo", note=" ")
    assert len(revisions(engine, cid)) == 1


def test_outcome_is_a_separate_axis(engine, new):
    cid, other = new(), new()
    set_outcome(engine, cid, "confirmed", moderator="mo")
    assert state(engine, cid) == ("pending", "confirmed")
    set_outcome(engine, other, "duplicate", moderator="mo", duplicate_of=cid)
    with pytest.raises(ModerationError):
        set_outcome(engine, cid, "confirmed", moderator="mo", duplicate_of=other)
    with pytest.raises(ModerationError):
        set_outcome(engine, cid, "duplicate", moderator="mo", duplicate_of=cid)
    with pytest.raises(ModerationError):
        set_outcome(engine, cid, "closed-ish", moderator="mo")


def test_every_change_needs_a_moderator(engine, new):
    cid = new()
    for call in (
        lambda: set_moderation(engine, cid, "approved", moderator=""),
        lambda: set_outcome(engine, cid, "confirmed", moderator=" "),
        lambda: edit(engine, cid, {"name": "x"}, moderator="", note="n"),
        lambda: erase_contact(engine, cid, moderator=""),
        lambda: contact_for(engine, cid, moderator=""),
    ):
        with pytest.raises(ModerationError, match="signed-in"):
            call()


def test_erasing_contact_details_on_request(engine, new):
    cid = new(contact_name="Ada", contact="ada@example.org")
    assert contact_for(engine, cid, moderator="mo") == {"name": "Ada", "contact": "ada@example.org"}
    assert erase_contact(engine, cid, moderator="mo", note="email of 1 Dec")
    assert contact_for(engine, cid, moderator="mo") is None
    assert not erase_contact(engine, cid, moderator="mo")
    log = history(engine, cid)
    assert list(log["action"]) == ["erase_contact", "erase_contact"]
    assert state(engine, cid)[0] == "pending"  # the report itself stays


def test_queue_shows_waiting_reports_without_contact_details(engine, new):
    cid = new(contact="secret-queue@example.org")
    waiting = queue(engine)
    assert cid in set(waiting["id"])
    assert "token" not in waiting.columns
    assert not waiting.astype(str).apply(lambda c: c.str.contains("secret-queue")).any().any()
    assert bool(waiting.loc[waiting["id"] == cid, "has_contact"].iloc[0])


def test_likely_duplicates(engine, new):
    here = new(category="Pub", name="The Dog & Duck", x=SE1[0] + 5000, y=SE1[1])
    near = new(category="Pub", name="Dog and Duck PH", x=SE1[0] + 5080, y=SE1[1])
    new(category="Library", name="Other", x=SE1[0] + 5010, y=SE1[1])  # other category
    new(category="Pub", name="Far", x=SE1[0] + 5400, y=SE1[1])  # too far
    rejected = new(category="Pub", name="Spam", x=SE1[0] + 5001, y=SE1[1])
    set_moderation(engine, rejected, "rejected", moderator="mo", reason_code="spam")
    sites = gpd.GeoDataFrame(
        {
            "site_id": ["cim_2022:1", "cim_2022:2", "cim_2022:3"],
            "name": ["Dog and Duck", "Crown", "Crown & Anchor"],
            "category": ["Pub", "Pub", "Library"],
        },
        geometry=[
            Point(SE1[0] - 20000, SE1[1]),
            Point(SE1[0] + 5050, SE1[1]),
            Point(SE1[0] + 5003, SE1[1]),
        ],
        crs="EPSG:27700",
    )
    found = likely_duplicates(engine, here, sites)
    refs = [(m.what, m.ref) for m in found]
    assert refs == [
        ("listed site", "cim_2022:2"),
        ("contribution", str(near)),
        ("listed site", "cim_2022:1"),
    ]
    assert found[1].distance_m == pytest.approx(80)
    assert "same name" in found[2].why


def test_normalised_names():
    assert normalised_name("The Dog & Duck") == normalised_name("dog and duck")
    assert normalised_name("Café Oto") == "cafe oto"


# Two moderators at once (issue 16, item 4): a decision applies only to the state it was made on.


def _seen(engine, cid: int):
    with engine.connect() as connection:
        return connection.execute(
            select(Contribution.updated_at).where(Contribution.id == cid)
        ).scalar_one()


def test_a_decision_made_on_a_state_that_has_changed_is_refused_and_says_so(engine, new):
    cid = new()
    seen = _seen(engine, cid)  # both moderators open it while it waits
    set_moderation(engine, cid, "approved", moderator="first", seen=seen)
    with pytest.raises(ModerationError, match="Someone else changed"):
        set_moderation(engine, cid, "rejected", moderator="second", reason_code="spam", seen=seen)
    with pytest.raises(ModerationError, match="Someone else changed"):
        edit(engine, cid, {"name": "Renamed"}, moderator="second", note="typo", seen=seen)
    with pytest.raises(ModerationError, match="Someone else changed"):
        set_outcome(engine, cid, "confirmed", moderator="second", seen=seen)
    assert list(history(engine, cid)["moderator"]) == ["first"]
    assert cid in queue(engine, states=("approved",))["id"].tolist()


def _at_once(count: int, act) -> list:
    """`act(i)` in `count` threads released together; each one's result or exception."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = act(i)
        except Exception as error:  # noqa: BLE001 - the test looks at what each got
            results[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_simultaneous_decisions_one_wins_and_the_others_are_told(engine, new):
    cid = new()
    seen = _seen(engine, cid)
    choices = ["approved", "rejected"] * 4
    results = _at_once(
        len(choices),
        lambda i: set_moderation(
            engine, cid, choices[i], moderator=f"m{i}", reason_code="spam", seen=seen
        ),
    )
    errors = [r for r in results if r is not None]
    assert len(errors) == len(choices) - 1
    assert all(isinstance(e, ModerationError) and "Someone else" in str(e) for e in errors)
    log = history(engine, cid)
    assert len(log) == 1
    winner = results.index(None)
    assert log["moderator"].tolist() == [f"m{winner}"]
    assert log["to_value"].tolist() == [choices[winner]]


def test_simultaneous_edits_make_one_revision_and_no_traceback(engine, new):
    cid = new(name="Original name")
    seen = _seen(engine, cid)
    results = _at_once(
        6,
        lambda i: edit(engine, cid, {"name": f"Edit {i}"}, moderator=f"m{i}", note="x", seen=seen),
    )
    assert sorted(r for r in results if isinstance(r, int)) == [2]
    assert all(isinstance(r, ModerationError) for r in results if not isinstance(r, int))
    assert [r["revision"] for r in revisions(engine, cid)] == [1, 2]


def test_the_queues_updated_at_is_what_a_decision_checks(engine, new):
    """The page passes the queue's updated_at back as `seen`: it must match on each engine."""
    import pandas as pd

    cid = new()
    waiting = queue(engine).set_index("id")
    seen = pd.Timestamp(waiting.at[cid, "updated_at"]).to_pydatetime()
    set_moderation(engine, cid, "approved", moderator="mo", seen=seen)
    assert list(history(engine, cid)["to_value"]) == ["approved"]
