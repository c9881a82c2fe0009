"""Storing submissions: once per token, within rate limits, safely under concurrency."""

from __future__ import annotations

import datetime as dt
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from lib.store import RateLimits, Refused, submit
from lib.store.models import Contact, Contribution, RateEvent, Revision
from lib.store.submit import rate_key
from tests.store.forms import XSS, submission, token

UNLIMITED = RateLimits(per_session=10**9, per_address=10**9)
THREADS, TOTAL = 20, 500


def count(engine, model, *where) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(model).where(*where)).scalar()


def row(engine, contribution_id: int) -> dict:
    with engine.connect() as connection:
        return dict(
            connection.execute(
                select(Contribution.__table__).where(Contribution.id == contribution_id)
            )
            .mappings()
            .one()
        )


def test_a_submission_is_stored_pending_with_its_original(engine):
    stored = submit(engine, submission(), session_id="s1", client_address="192.0.2.1")
    assert stored.created
    stored_row = row(engine, stored.id)
    assert stored_row["moderation"] == "pending" and stored_row["outcome"] == "reported"
    assert stored_row["licence"] == "CC BY 4.0" and stored_row["consent"]
    assert count(engine, Revision, Revision.contribution_id == stored.id) == 1
    assert count(engine, Contact, Contact.contribution_id == stored.id) == 1


def test_no_contact_row_without_contact_details(engine):
    stored = submit(
        engine, submission(contact_name="", contact=""), session_id="s2", client_address=None
    )
    assert count(engine, Contact, Contact.contribution_id == stored.id) == 0


def test_a_double_submit_stores_one_row(engine):
    same = submission()
    first = submit(engine, same, session_id="s3", client_address="192.0.2.3")
    again = submit(engine, same, session_id="s3", client_address="192.0.2.3")
    assert first.created and not again.created and again.id == first.id
    assert count(engine, Contribution, Contribution.token == same.token) == 1
    # the repeat counted nothing against the rate limit
    assert count(engine, RateEvent, RateEvent.key == rate_key("session", "s3")) == 1


def test_rate_limit_per_session_and_per_address(engine):
    limits = RateLimits(per_session=2, per_address=3, window=dt.timedelta(hours=1))
    for _ in range(2):
        submit(
            engine, submission(), session_id="rs-a", client_address="198.51.100.7", limits=limits
        )
    with pytest.raises(Refused) as raised:
        submit(
            engine, submission(), session_id="rs-a", client_address="198.51.100.7", limits=limits
        )
    assert raised.value.code == "rate_limited"
    # a new session from the same address: one more, then the address limit
    submit(engine, submission(), session_id="rs-b", client_address="198.51.100.7", limits=limits)
    with pytest.raises(Refused):
        submit(
            engine, submission(), session_id="rs-c", client_address="198.51.100.7", limits=limits
        )
    # the window passes
    later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(hours=2)
    assert submit(
        engine,
        submission(),
        session_id="rs-a",
        client_address="198.51.100.7",
        limits=limits,
        now=later,
    ).created


def test_the_rate_table_holds_no_addresses(engine):
    submit(engine, submission(), session_id="s-addr", client_address="203.0.113.99")
    with engine.connect() as connection:
        keys = connection.execute(select(RateEvent.key)).scalars().all()
    assert not any("203.0.113" in key or "s-addr" in key for key in keys)


def test_markup_is_stored_verbatim(engine):
    for text in XSS:
        stored = submit(
            engine,
            submission(name=text, description=text),
            session_id="s-xss",
            client_address=None,
            limits=UNLIMITED,
        )
        assert row(engine, stored.id)["name"] == text
        assert row(engine, stored.id)["description"] == text


def test_twenty_threads_500_contributions_lose_none_duplicate_none(store, record_property):
    """Each of 500 tokens is sent twice, by two different threads, all at once."""
    engine = store.engine
    batch = token()[:8]
    submissions = [
        submission(name=f"{batch} report {i}", contact=f"{batch}-{i}@example.org")
        for i in range(TOTAL)
    ]
    # thread t sends its 25 and repeats the 25 of thread t+1
    work = [[] for _ in range(THREADS)]
    for i, sub in enumerate(submissions):
        work[i % THREADS].append(sub)
        work[(i + 1) % THREADS].append(sub)
    barrier = threading.Barrier(THREADS)
    results: list = []

    def run(t: int):
        barrier.wait()
        out = []
        for sub in work[t]:
            out.append(
                (
                    sub.token,
                    submit(
                        engine,
                        sub,
                        session_id=f"{batch}-{t}",
                        client_address=f"10.0.{t}.1",
                        limits=UNLIMITED,
                    ),
                )
            )
        return out

    started = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        for out in pool.map(run, range(THREADS)):
            results += out
    seconds = time.perf_counter() - started

    tokens = {s.token for s in submissions}
    created = [r for _, r in results if r.created]
    assert len(results) == 2 * TOTAL
    assert len(created) == TOTAL  # every token created exactly once ...
    ids_by_token: dict[str, set[int]] = {}
    for t, r in results:
        ids_by_token.setdefault(t, set()).add(r.id)
    assert all(len(ids) == 1 for ids in ids_by_token.values())  # ... and both calls agree
    in_batch = Contribution.token.in_(tokens)
    assert count(engine, Contribution, in_batch) == TOTAL
    assert (
        count(
            engine, Revision, Revision.contribution_id.in_(select(Contribution.id).where(in_batch))
        )
        == TOTAL
    )
    assert (
        count(engine, Contact, Contact.contribution_id.in_(select(Contribution.id).where(in_batch)))
        == TOTAL
    )

    # a restart (a new engine, as a new process would make) keeps them all
    reopened = store.reopen()
    assert count(reopened, Contribution, in_batch) == TOTAL
    figure = (
        f"{store.name}: {THREADS} threads, {2 * TOTAL} calls, {TOTAL} tokens -> "
        f"{len(created)} rows in {seconds:.2f} s ({2 * TOTAL / seconds:.0f} calls/s)"
    )
    record_property("concurrency", figure)
    print(figure)
