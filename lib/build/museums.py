"""Museums and public galleries from Mapping Museums.

Two rules, each counted in `build_report`: a museum open a year at most is a pop-up, no museum
lost; a closed museum at the point of a museum that went on (the Jewish Military Museum in the
Jewish Museum, 0 m) merged into it, by reviewed decision in `reviewed_records.csv`.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from lib.build.history import event, events_frame
from lib.build.inputs import BNG, WGS84, InputError, Report, read_csv
from lib.build.nhs import REVIEWED, read_reviewed
from lib.vocab.sources import SOURCES

POP_UP_YEARS = 1
MERGE_METRES = 10


def read_museums(src: Path, report: Report) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    raw = read_csv(
        src,
        "museums",
        [
            "museum_id",
            "museum_name",
            "latitude",
            "longitude",
            "admin_area_2",
            "year_opened_low",
            "year_closed_low",
            "year_closed_high",
        ],
        dtype={"year_closed_low": str, "year_opened_low": str, "year_closed_high": str},
    )
    london = raw[raw["admin_area_2"] == "London"].dropna(subset=["latitude", "longitude"])
    closed_year = pd.to_numeric(london["year_closed_low"], errors="coerce")
    closed_year = closed_year.where(closed_year != 9999)
    opened_year = pd.to_numeric(london["year_opened_low"], errors="coerce")
    closed_high = pd.to_numeric(london["year_closed_high"], errors="coerce").where(
        closed_year.notna()
    )
    # A pop-up: closed, at the latest, the year after it opened (Prefab Museum, 2014).
    pop_up = closed_high.notna() & (closed_high - opened_year <= POP_UP_YEARS)
    report.add(
        "rule:pop_up",
        "museums",
        len(london),
        len(london) - int(pop_up.sum()),
        dropped=int(pop_up.sum()),
        note="open a year at most, a pop-up or temporary exhibition, not a lost museum: "
        + ", ".join(london.loc[pop_up, "museum_name"].str.strip()),
    )
    london, closed_year, opened_year, closed_high = (
        x[~pop_up] for x in (london, closed_year, opened_year, closed_high)
    )
    geometry = gpd.GeoSeries(
        gpd.points_from_xy(london.longitude, london.latitude), crs=WGS84
    ).to_crs(BNG)
    frame = gpd.GeoDataFrame(
        {
            "site_id": "mm-" + london["museum_id"].astype(str),
            "name": london["museum_name"].astype(str).str.strip(),
            "category": "Museum or public gallery",
            "category_group": "Culture & heritage",
            "opened_year": opened_year.astype("Int64"),
            "closed_year": closed_year.astype("Int64"),
            "sources": "mapping_museums",
            "licence": SOURCES["museums"].licence,
            "coord_fix": "none",
        },
        geometry=geometry.values,
        crs=BNG,
    )
    report.add(
        "sites",
        "museums",
        len(raw),
        len(frame),
        dropped=len(raw) - len(frame),
        note=f"admin_area_2 == London; {int(closed_year.notna().sum())} closed "
        "(earliest year of the closure range)",
    )
    merged = merged_into(frame, read_reviewed())
    report.add(
        "rule:merged_museum",
        "museums",
        int(closed_year.notna().sum()),
        int(closed_year.notna().sum()) - len(merged),
        repaired=len(merged),
        note="closed where a museum open then and after stands at the same point, by reviewed "
        f"decision ({REVIEWED.name}): merged into it, not lost: "
        + "; ".join(
            f"{frame.set_index('site_id').at[a, 'name']} into {b}" for a, (b, _) in merged.items()
        ),
    )
    events = []
    for site_id, opened, low, hi, museum_id in zip(
        frame["site_id"],
        frame["opened_year"],
        closed_year,
        closed_high,
        london["museum_id"],
        strict=True,
    ):
        events.append(event(site_id, "opened", opened, "mapping_museums", museum_id))
        if pd.notna(low):
            span = "" if pd.isna(hi) or hi == low else f"closed between {int(low)} and {int(hi)}"
            if site_id in merged:
                into, evidence = merged[site_id]
                note = "; ".join(filter(None, [span, f"merged into {into}: {evidence}"]))
                events.append(
                    event(site_id, "closed_replaced", low, "mapping_museums", museum_id, note)
                )
            else:
                events.append(event(site_id, "closed", low, "mapping_museums", museum_id, span))
    return frame, events_frame(events)


def merged_into(museums: gpd.GeoDataFrame, reviewed: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """{closed museum's site id: (the museum at its point that went on, evidence)}.

    Candidates: a closed museum within MERGE_METRES of a museum open by the year after its
    closure and still open after it. Each needs a reviewed decision (merged or separate); a
    candidate the review has not seen stops the build.
    """
    decided = reviewed[reviewed["source"] == "museums"].set_index("code")
    closed = museums[museums["closed_year"].notna()]
    result = {}
    unseen = []
    for _, row in closed.iterrows():
        near = museums[
            (museums.distance(row.geometry) <= MERGE_METRES)
            & (museums["site_id"] != row["site_id"])
            & (museums["opened_year"].fillna(0) <= row["closed_year"] + 1)
            & (museums["closed_year"].isna() | (museums["closed_year"] > row["closed_year"]))
        ]
        if near.empty:
            continue
        code = row["site_id"].removeprefix("mm-")
        if code not in decided.index:
            unseen.append(code)
        elif decided.at[code, "decision"] == "merged":
            # the museum that is still open, else the one that lasted longest
            host = near.sort_values("closed_year", na_position="first").iloc[0]["name"]
            result[row["site_id"]] = (host, decided.at[code, "evidence"])
    if unseen:
        raise InputError(
            f"{len(unseen)} closed museums stand where another museum went on but have no "
            f"reviewed decision in {REVIEWED.name}: {', '.join(unseen)}"
        )
    return result
