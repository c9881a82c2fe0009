"""GP practices from epraccur: which codes are GP surgeries, and successions at one postcode.

Two rules, each counted in `build_report`:
- not a GP surgery: every London code has prescribing setting 4 (GP practice) and sub-type B,
  so the fields cannot tell; the name (or, for walk-in and urgent-care centres, the first
  address line) says the code is a specialist, urgent-care, out-of-hours, hub, federation or
  care-home service, not a surgery with a registered list of its own.
- succession: a closed code at the postcode of a practice still active is a merger into it or
  a change of contract at the same place, not a loss; it becomes a `merged` event of that site.
"""

from __future__ import annotations

import re

import geopandas as gpd
import pandas as pd

from lib.build.history import event, events_frame

BNG = "EPSG:27700"
# Read from the names of all 1,502 London setting-4 codes (see tests/test_build_units.py).
NOT_A_SURGERY_NAME = re.compile(
    r"GYNAE|\bHIV\b|\bTEAM\b|SURGERY SERVICES|\bUCC\b|URGENT|S/CARE|ASSESSMENT UNIT|ACCESS UNIT"
    r"|\bHUB\b|EXTENDED ACCESS|FEDERAT|NURSING HOME SERVICE|CARE HOME SERVICE"
    r"|UNREGISTERED PATIENTS"
)
NOT_A_SURGERY_ADDRESS = re.compile(r"WALK-IN CENTRE|\(UCC\)")


def not_a_surgery(name: pd.Series, address1: pd.Series, address2: pd.Series) -> pd.Series:
    by_name = name.str.upper().str.contains(NOT_A_SURGERY_NAME)
    by_address = address1.str.upper().str.contains(
        NOT_A_SURGERY_ADDRESS
    ) | address2.str.upper().str.contains(NOT_A_SURGERY_ADDRESS)
    return by_name | by_address


def gp_history(
    kept: pd.DataFrame, key: pd.Series, postcodes: pd.DataFrame, source: str, licence: str, report
) -> tuple:
    """kept: epraccur rows (status A or C) with a London postcode; key: their postcode key."""
    services = not_a_surgery(kept[1], kept[4], kept[5])
    closed_services = int((services & (kept[12] == "C")).sum())
    report.add(
        "rule:not_a_gp_surgery",
        "gp_practices",
        len(kept),
        len(kept) - int(services.sum()),
        dropped=int(services.sum()),
        note=f"{int(services.sum())} codes are services, not GP surgeries "
        f"({closed_services} closed, {int(services.sum()) - closed_services} active): "
        + "; ".join(
            f"{c} {n.title()}"
            for c, n in zip(kept.loc[services, 0], kept.loc[services, 1], strict=True)
        ),
    )
    kept, key = kept[~services], key[~services]
    active = kept[kept[12] == "A"]
    active_at = (
        active.assign(_k=key[active.index]).sort_values(0).drop_duplicates("_k").set_index("_k")[0]
    )
    closed = kept[kept[12] == "C"]
    successor = key[closed.index].map(active_at)
    merged = closed[successor.notna()]
    report.add(
        "rule:gp_succession",
        "gp_practices",
        len(closed),
        len(closed) - len(merged),
        repaired=len(merged),
        note=f"{len(merged)} of {len(closed)} closed codes share a postcode with a practice "
        "still active: a merger or change of contract at the same place, recorded as "
        f"a 'merged' event of that practice, not a loss; {len(closed) - len(merged)} "
        "closures remain",
    )
    standing = kept.drop(index=merged.index)
    events = []
    for row in standing.itertuples(index=False):
        site_id = f"gp-{row[0]}"
        opened = pd.to_numeric(row[10][:4], errors="coerce")
        events.append(event(site_id, "opened", opened, source, row[0], date=_iso(row[10])))
        if row[12] == "C":
            events.append(
                event(
                    site_id,
                    "closed",
                    pd.to_numeric(row[11][:4], errors="coerce"),
                    source,
                    row[0],
                    date=_iso(row[11]),
                )
            )
    names = kept.set_index(0)[1].str.strip().str.title()
    for code, row in merged.set_index(0).iterrows():
        into = successor[merged.index[merged[0] == code][0]]
        events.append(
            event(
                f"gp-{into}",
                "merged",
                pd.to_numeric(row[11][:4], errors="coerce"),
                source,
                code,
                f"{names[code]} ({code}) closed {_iso(row[11])} at the postcode of "
                f"{names[into]} ({into}), still active",
                date=_iso(row[11]),
            )
        )
    standing_key = key[standing.index]
    frame = gpd.GeoDataFrame(
        {
            "site_id": "gp-" + standing[0],
            "name": standing[1].str.strip().str.title(),
            "category": "GP practice",
            "category_group": "Health",
            "sources": source,
            "licence": licence,
            "coord_fix": "postcode_centroid",
        },
        geometry=gpd.points_from_xy(
            postcodes.loc[standing_key, "easting"], postcodes.loc[standing_key, "northing"]
        ),
        crs=BNG,
    )
    return frame.reset_index(drop=True), events_frame(events)


def _iso(yyyymmdd: str) -> str:
    text = str(yyyymmdd)
    return f"{text[:4]}-{text[4:6]}-{text[6:8]}" if re.fullmatch(r"\d{8}", text) else ""
