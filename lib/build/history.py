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
    "on_record",  # the file's date for records older than it: "on record since", no opening
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
EVENT_COLUMNS = [
    "site_id",
    "event",
    "year",
    "date",
    "source",
    "source_record",
    "note",
    "loss",
    "from_easting",
    "from_northing",
]
# Order of events in the same year: a site opens before it changes hands, changes hands before
# it closes, closes before it reopens.
_RANK = {
    "on_record": 0,
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
    moved_from: tuple[float, float] | None = None,
) -> dict:
    """One row of the events layer. `loss` defaults to True for `closed`, False otherwise;
    `moved_from`, a move's earlier place (easting, northing), where a source places it."""
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
        from_easting=None if moved_from is None else float(moved_from[0]),
        from_northing=None if moved_from is None else float(moved_from[1]),
    )


def events_frame(rows) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=EVENT_COLUMNS)
    frame["year"] = frame["year"].astype("Int64")
    frame["loss"] = frame["loss"].astype(bool)
    for column in ("from_easting", "from_northing"):
        frame[column] = frame[column].astype(float)
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
    on_record_since (a file's date, not an opening), closed_year (of the closure in force), closure (the closing event: closed or
    closed_replaced), lost (the closure in force is a loss), community_run_year, changes
    (changes of owner and merges), note (the closing event's note).
    """
    if as_of is not None:
        events = events[events["year"].isna() | (events["year"] <= as_of)]
    rows = []
    records = ordered(events)[["site_id", "event", "year", "loss", "note"]].to_dict("records")
    current = None
    status, opened, closed, closure, lost, note = "open", None, None, "", False, ""
    community, was_community, changes, since = None, False, 0, None
    for e in records + [dict(site_id=None)]:
        if e["site_id"] != current:
            if current is not None:
                rows.append(
                    dict(
                        site_id=current,
                        status=status,
                        opened_year=opened,
                        on_record_since=since,
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
            community, was_community, changes, since = None, False, 0, None
        year = None if pd.isna(e["year"]) else int(e["year"])
        kind = e["event"]
        if kind == "on_record":
            since = year if since is None else since
        elif kind == "opened":
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
            "on_record_since",
            "closed_year",
            "closure",
            "lost",
            "community_run_year",
            "changes",
            "closure_note",
        ],
    )
    for column in ["opened_year", "on_record_since", "closed_year", "community_run_year"]:
        frame[column] = frame[column].astype("Int64")
    return frame
