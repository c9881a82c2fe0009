"""Site histories: the `events` layer and each site's state derived from it.

An event is one thing a source says happened to a site (opened, closed, closed and replaced,
moved, ...). A site's state at a date is its events replayed in order up to that date; the
`sites` layer carries the state at the latest source date. Only a `closed` event whose `loss`
flag is true is a loss: a replacement, a move, a temporary closure, a change of owner or of
contract at the same place is an event, not a loss (DESIGN.md, "Data contract").
"""

from __future__ import annotations

import pandas as pd

EVENTS = (
    "opened",
    "closed",
    "closed_replaced",
    "moved",
    "temporarily_closed",
    "reopened",
    "merged",
    "changed_owner",
    "community_run",
    "independent",
)
CLOSING = ("closed", "closed_replaced")
EVENT_COLUMNS = ["site_id", "event", "year", "date", "source", "source_record", "note", "loss"]
# Order of events in the same year: a site opens before it changes hands, changes hands before
# it closes, closes before it reopens.
_RANK = {
    "opened": 0,
    "community_run": 1,
    "independent": 1,
    "changed_owner": 2,
    "merged": 2,
    "moved": 3,
    "temporarily_closed": 4,
    "closed": 5,
    "closed_replaced": 5,
    "reopened": 6,
}


def event(
    site_id: str,
    kind: str,
    year,
    source: str,
    source_record,
    note: str = "",
    date: str = "",
    loss: bool | None = None,
) -> dict:
    """One row of the events layer. `loss` defaults to True for `closed`, False otherwise."""
    if kind not in EVENTS:
        raise ValueError(f"unknown event {kind!r}")
    year = None if year is None or pd.isna(year) else int(year)
    return dict(
        site_id=site_id,
        event=kind,
        year=year,
        date=date or "",
        source=source,
        source_record=str(source_record),
        note=note or "",
        loss=(kind == "closed") if loss is None else bool(loss),
    )


def events_frame(rows) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=EVENT_COLUMNS)
    frame["year"] = frame["year"].astype("Int64")
    frame["loss"] = frame["loss"].astype(bool)
    return frame


def ordered(events: pd.DataFrame) -> pd.DataFrame:
    """Events in the order they happened: by site, year (unknown first), date, kind."""
    return (
        events.assign(_y=events["year"].fillna(-1).astype(int), _r=events["event"].map(_RANK))
        .sort_values(["site_id", "_y", "date", "_r"], kind="stable")
        .drop(columns=["_y", "_r"])
    )


def site_states(events: pd.DataFrame, as_of: int | None = None) -> pd.DataFrame:
    """Each site's state after its events up to `as_of` (all events when None).

    Returns one row per site_id: status ('open', 'closed', 'community_run'), opened_year,
    closed_year (of the closure in force), closure (the closing event: closed or
    closed_replaced), lost (the closure in force is a loss), community_run_year, changes
    (changes of owner and merges), note (the closing event's note).
    """
    if as_of is not None:
        events = events[events["year"].isna() | (events["year"] <= as_of)]
    rows = []
    records = ordered(events)[["site_id", "event", "year", "loss", "note"]].to_dict("records")
    current = None
    status, opened, closed, closure, lost, note = "open", None, None, "", False, ""
    community, was_community, changes = None, False, 0
    for e in records + [dict(site_id=None)]:
        if e["site_id"] != current:
            if current is not None:
                rows.append(
                    dict(
                        site_id=current,
                        status=status,
                        opened_year=opened,
                        closed_year=closed,
                        closure=closure,
                        lost=lost,
                        community_run_year=community,
                        changes=changes,
                        closure_note=note,
                    )
                )
            if e["site_id"] is None:
                break
            current = e["site_id"]
            status, opened, closed, closure, lost, note = "open", None, None, "", False, ""
            community, was_community, changes = None, False, 0
        year = None if pd.isna(e["year"]) else int(e["year"])
        kind = e["event"]
        if kind == "opened":
            opened = year if opened is None else opened
            status = "community_run" if was_community else "open"
        elif kind in ("community_run", "independent"):
            if status != "closed":
                status = "community_run"
            was_community = True
            community = year if community is None else community
        elif kind in CLOSING:
            status, closed, closure, lost, note = "closed", year, kind, bool(e["loss"]), e["note"]
        elif kind == "reopened":
            status = "community_run" if was_community else "open"
            closed, closure, lost, note = None, "", False, ""
        elif kind in ("changed_owner", "merged"):
            changes += 1
            if str(e["note"]).startswith("council-run again"):
                # a community library handed back to the council (the 2023 list's returns)
                was_community = False
                status = "open" if status == "community_run" else status
        # moved and temporarily_closed leave the state as it was
    frame = pd.DataFrame(
        rows,
        columns=[
            "site_id",
            "status",
            "opened_year",
            "closed_year",
            "closure",
            "lost",
            "community_run_year",
            "changes",
            "closure_note",
        ],
    )
    for column in ["opened_year", "closed_year", "community_run_year"]:
        frame[column] = frame[column].astype("Int64")
    return frame


def successions(records: pd.DataFrame, window_days: int = 92) -> dict[str, str]:
    """Pair each closed ODS code with the code that opened at the same postcode around its close.

    records: code, postcode (normalised), opened, closed (Timestamps; closed NaT when open).
    A closed code whose postcode has another code opening within `window_days` either side of
    its close date is a change of owner (an ODS code closes on every change of owner). Each
    closed code gets at most one successor and each code succeeds at most one other, the
    nearest in time first. Returns {closed code: successor code}.
    """
    closed = records[records["closed"].notna()]
    pairs = closed[["code", "postcode", "opened", "closed"]].merge(
        records[["code", "postcode", "opened"]], on="postcode", suffixes=("", "_next")
    )
    # The successor opened after its predecessor did (so a chain never loops back).
    pairs = pairs[(pairs["code"] != pairs["code_next"]) & (pairs["opened_next"] > pairs["opened"])]
    pairs = pairs.rename(columns={"opened": "_opened_before", "opened_next": "opened"})
    gap = (pairs["opened"] - pairs["closed"]).dt.days
    pairs = pairs.assign(_gap=gap.abs())[gap.abs() <= window_days]
    pairs = pairs.sort_values(["_gap", "closed", "code", "code_next"])
    result, taken = {}, set()
    for row in pairs.itertuples():
        if row.code in result or row.code_next in taken:
            continue
        result[row.code] = row.code_next
        taken.add(row.code_next)
    return result


def chains(codes, successor: dict[str, str]) -> dict[str, str]:
    """The first code of each code's chain of successions: {code: chain head}."""
    predecessor = {after: before for before, after in successor.items()}
    heads = {}
    for code in codes:
        head, seen = code, {code}
        while head in predecessor and predecessor[head] not in seen:
            head = predecessor[head]
            seen.add(head)
        heads[code] = head
    return heads
