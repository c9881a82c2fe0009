"""Community reports in the loss analyses: confirmed closures of listed sites, counted only
when the user asks ("include community reports"), and always said how many.

Input is what lib.store.public_contributions returns (approved rows, public columns). Only a
report a moderator has *confirmed* (outcome "confirmed"), of kind "closed", naming a listed
site (site_id) that the official sources still have open, changes a figure: that site counts as
closed in the year of the report's date. A closure with no date, or dated outside the years in
which the category's source records closures, is not counted (one window per comparison), and
the note says so. A confirmed closure of a facility no list has (no site_id) has no place in a
rate (it was never among the sites at risk): it is shown on the map only.

`counted_closures` gives a small hashable key (site_id, year pairs) that cached analyses take;
`apply_closures` makes the sites layer those analyses read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from lib.vocab.categories import RECORDING

Closures = tuple[tuple[str, int], ...]  # (site_id, year closed), sorted


@dataclass(frozen=True)
class CommunityCount:
    counted: int = 0  # listed sites counted as closed because of a confirmed report
    not_counted: dict[str, int] = field(default_factory=dict)  # reason -> reports

    def note(self) -> str:
        """One sentence for under a figure."""
        if not self.counted and not self.not_counted:
            return "No confirmed community reports of closures."
        text = (
            f"{self.counted} closure{'' if self.counted == 1 else 's'} in these figures "
            f"came from confirmed community reports."
        )
        if self.not_counted:
            parts = [f"{n} {reason}" for reason, n in sorted(self.not_counted.items())]
            text += " Not counted: " + "; ".join(parts) + "."
        return text


def confirmed_closures(contributions: pd.DataFrame) -> pd.DataFrame:
    return contributions[
        (contributions["kind"] == "closed") & (contributions["outcome"] == "confirmed")
    ]


def counted_closures(
    sites: pd.DataFrame, contributions: pd.DataFrame
) -> tuple[Closures, CommunityCount]:
    """Which listed sites the confirmed community closure reports close, and in which year;
    and the count of what was and was not used, with why."""
    status = dict(zip(sites["site_id"], sites["status"], strict=True))
    category = dict(zip(sites["site_id"], sites["category"], strict=True))
    not_counted: dict[str, int] = {}
    counted: dict[str, int] = {}

    def skip(reason: str) -> None:
        not_counted[reason] = not_counted.get(reason, 0) + 1

    for report in confirmed_closures(contributions).itertuples():
        site_id = report.site_id if isinstance(report.site_id, str) else None
        date = pd.to_datetime(report.event_date, errors="coerce")
        recording = RECORDING.get(category.get(site_id or "", ""))
        if site_id is None:
            skip("about facilities no official list has (shown on the map only)")
        elif site_id not in status:
            skip("naming a site not in the data")
        elif status[site_id] == "closed" or site_id in counted:
            skip("already closed in the official data or reported twice")
        elif pd.isna(date):
            skip("without a closure date")
        elif recording is None or not recording.first_year <= date.year <= recording.last_year:
            skip("outside the years the category's source records closures")
        else:
            counted[site_id] = int(date.year)
    return tuple(sorted(counted.items())), CommunityCount(len(counted), not_counted)


def apply_closures(sites: pd.DataFrame, closures: Closures) -> pd.DataFrame:
    """`sites` with the counted community closures applied (status closed, closed_year, and
    community_closure and lost True); the same frame, untouched, when there are none."""
    if not closures:
        return sites
    sites = sites.copy()
    years = dict(closures)
    hit = sites["site_id"].isin(years)
    sites["community_closure"] = hit
    sites.loc[hit, "status"] = "closed"
    sites.loc[hit, "closed_year"] = sites.loc[hit, "site_id"].map(years)
    if "lost" in sites.columns:  # a confirmed closure is a loss
        sites.loc[hit, "lost"] = True
    return sites
