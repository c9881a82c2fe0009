"""The "Where need is greatest" tables for reading: readable headings and formatted figures
(the page offers the analysis tables themselves as CSV). No streamlit here.
"""

from __future__ import annotations

import pandas as pd

from lib.render.tables import DASH
from lib.vocab.needs import DOMAINS

NOW_ONLY = "now only"  # a category with no history: never "no access lost"


def _count(value) -> str:
    return DASH if pd.isna(value) else f"{value:,.0f}"


def _share(value) -> str:
    return DASH if pd.isna(value) else f"{100 * value:.1f}%"


def then_text(table: pd.DataFrame) -> str:
    """'2010', 'July 2013', or 'now only' (a walking_access table's attrs)."""
    return table.attrs["then"] or NOW_ONLY


def access_display(table: pd.DataFrame, area: str = "Borough") -> pd.DataFrame:
    """A walking_access table (by borough or ward) for reading: who lost and who gained
    walking access side by side; a category with no history says "now only" where the
    then, lost and gained figures would be."""
    then, now = table.attrs["then"], table.attrs["now"]
    threshold = f"{table.attrs['threshold_m']:,.0f} m"
    history = then is not None
    missing = NOW_ONLY if not history else DASH
    out = pd.DataFrame({area: table["name"], "Residents": table["residents"].map(_count)})
    out[f"Beyond {threshold}, {then or 'then'}"] = (
        table["share_beyond_then"].map(_share) if history else missing
    )
    out[f"Beyond {threshold}, {now}"] = table["share_beyond_now"].map(_share)
    out["Lost walking access"] = table["lost_access"].map(_count) if history else missing
    out["Gained walking access"] = table["gained_access"].map(_count) if history else missing
    return out


def lost_display(lost: pd.DataFrame, borough_names: dict[str, str]) -> pd.DataFrame:
    """access.lost_facilities for reading: each lost facility, who had it nearest, how much
    further their next one is."""
    return pd.DataFrame(
        {
            "Facility": lost["name"],
            "Borough": lost["gss_code"].map(borough_names),
            "Closed": lost["closed_year"].map(lambda y: DASH if pd.isna(y) else str(int(y))),
            "Residents who had it nearest": lost["residents_nearest"].map(_count),
            "Their distance to it (mean)": lost["then_mean_m"].map(
                lambda m: DASH if pd.isna(m) else f"{m:,.0f} m"
            ),
            "Further to their next one (median)": lost["extra_median_m"].map(
                lambda m: DASH if pd.isna(m) else f"{m:,.0f} m"
            ),
            "Of them, lost walking access": lost["lost_access"].map(_count),
        }
    )


def wards_display(table: pd.DataFrame, borough_names: dict[str, str]) -> pd.DataFrame:
    """needs.needs_table for reading: rank, ward, borough, the index, defined need and how
    stable, the domain scores, IMD rank."""
    n = len(table)
    out = pd.DataFrame(
        {
            "Rank": table["rank"].map(lambda r: DASH if pd.isna(r) else f"{int(r)} of {n}"),
            "Ward": table["ward"],
            "Borough": table["gss_code"].map(borough_names),
            "Index": table["score"].map(lambda s: DASH if pd.isna(s) else f"{s:.2f}"),
            "Area of defined need": table["defined_need"].replace("", "no"),
            "In the top fifth, of weightings": table["stability"].map(_share),
        }
    )
    for key, domain in DOMAINS.items():
        out[domain.label] = table[key].map(lambda s: "no data" if pd.isna(s) else f"{s:.2f}")
    out["IMD 2019 rank"] = table["imd_rank"].map(lambda r: DASH if pd.isna(r) else f"{int(r)}")
    out["Note"] = [
        "under 5,000 residents: extreme per-resident figures" if small else ""
        for small in table["small_population"]
    ]
    return out
