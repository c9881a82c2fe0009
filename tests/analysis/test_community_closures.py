"""Confirmed community closures in the loss analyses: what counts and what is said."""

from __future__ import annotations

import pandas as pd

from lib.analysis.community import apply_closures, counted_closures

SITES = pd.DataFrame(
    {
        "site_id": ["lib:1", "lib:2", "gp:1", "mus:1", "pub:1"],
        "category": ["Library", "Library", "GP practice", "Museum or public gallery", "Pub"],
        "status": ["open", "closed", "open", "open", "open"],
        "closed_year": [None, 2012, None, None, None],
    }
)


def report(site_id, date, outcome="confirmed", kind="closed"):
    return {"kind": kind, "outcome": outcome, "site_id": site_id, "event_date": date}


def test_only_confirmed_dated_in_window_closures_of_open_listed_sites_count():
    contributions = pd.DataFrame(
        [
            report("lib:1", "2014-05-01"),  # counted
            report("lib:1", "2015-01-01"),  # the same site again
            report("lib:2", "2014-01-01"),  # already closed
            report("gp:1", "2022-03-01"),  # outside the GP window
            report("mus:1", None),  # no date
            report(None, "2015-01-01"),  # not a listed site
            report("zzz", "2015-01-01"),  # unknown site
            report("pub:1", "2015-01-01"),  # pubs: no closure-recording source
            report("mus:1", "2000-01-01", outcome="reported"),  # not confirmed
            report("mus:1", "2000-01-01", kind="under_threat"),  # not a closure
        ]
    )
    closures, count = counted_closures(SITES, contributions)
    assert closures == (("lib:1", 2014),)
    assert count.counted == 1 and sum(count.not_counted.values()) == 7
    note = count.note()
    assert note.startswith("1 closure in these figures came from confirmed community reports.")
    assert "without a closure date" in note and "outside the years" in note

    sites = apply_closures(SITES, closures)
    row = sites.set_index("site_id").loc["lib:1"]
    assert row["status"] == "closed" and row["closed_year"] == 2014 and row["community_closure"]
    assert sites["community_closure"].sum() == 1
    assert SITES.loc[0, "status"] == "open"  # the input is not changed


def test_no_reports_change_nothing():
    closures, count = counted_closures(
        SITES, pd.DataFrame(columns=["kind", "outcome", "site_id", "event_date"])
    )
    assert closures == () and count.counted == 0
    assert apply_closures(SITES, closures) is SITES
    assert count.note() == "No confirmed community reports of closures."
