"""GP practices from epraccur: which codes are GP surgeries, and successions at one postcode.

Two rules, each counted in `build_report`:
- not a GP surgery: every London code has prescribing setting 4 (GP practice) and sub-type B,
  so the fields cannot tell; the name (or, for walk-in and urgent-care centres, the first
  address line) says the code is a specialist, urgent-care, out-of-hours, hub, federation or
  care-home service, not a surgery with a registered list of its own.
- succession: a closed code in the same building as a practice still active (the same
  postcode, and addresses that agree: the same house number, or a shared name where either
  has no number) is a merger into it or a change of contract at the same place, not a loss;
  it becomes a `merged` event of that site. A postcode can hold several buildings: Woodcroft
  Medical Centre (Gervase Road) and Watling Medical Centre (108 Watling Avenue) share HA8 0NR,
  and a closed code in another building than the practice still open is a loss.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pandas as pd

from lib.build.history import event, events_frame
from lib.build.inputs import InputError, Report, read_csv, source_path
from lib.vocab.sources import SOURCES

BNG = "EPSG:27700"
# Read from the names of all 1,502 London setting-4 codes (see tests/test_build_units.py).
NOT_A_SURGERY_NAME = re.compile(
    r"GYNAE|\bHIV\b|\bTEAM\b|SURGERY SERVICES|\bUCC\b|URGENT|S/CARE|ASSESSMENT UNIT|ACCESS UNIT"
    r"|\bHUB\b|EXTENDED ACCESS|FEDERAT|NURSING HOME SERVICE|CARE HOME SERVICE"
    r"|UNREGISTERED PATIENTS"
)
NOT_A_SURGERY_ADDRESS = re.compile(r"WALK-IN CENTRE|\(UCC\)")
# Words that say nothing about which building an address is.
_GENERIC = frozenset(
    "THE AND OF ROAD RD STREET ST LANE AVENUE AVE LONDON SURGERY MEDICAL CENTRE CENTER CTR "
    "HEALTH HLTH HTH PRACTICE PRACT GROUP UNIT SUITE FLOOR GROUND FIRST DR CLINIC".split()
)


def _address_tokens(*lines: str) -> tuple[set[str], set[str]]:
    """An address's house numbers ('275A', '106', '110') and its distinctive words."""
    words = re.findall(r"[A-Z0-9]+", " ".join(lines).upper())
    numbers = {w for w in words if w[0].isdigit()}
    names = {w for w in words if not w[0].isdigit() and len(w) > 2 and w not in _GENERIC}
    return numbers, names


def same_building(closed: tuple[str, str], active: tuple[str, str]) -> bool:
    """Whether two addresses at one postcode are the same building: the same house number,
    or, where either has none, a distinctive word in common. With no address on one side
    the postcode alone decides."""
    (n1, w1), (n2, w2) = _address_tokens(*closed), _address_tokens(*active)
    if not (n1 or w1) or not (n2 or w2):
        return True
    if n1 and n2:
        return bool(n1 & n2)
    return bool(w1 & w2)


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
    active = kept[kept[12] == "A"].assign(_k=key).sort_values(0)
    closed = kept[kept[12] == "C"]

    def successor_of(row) -> str | None:
        here = active[active["_k"] == key[row.name]]
        for _, other in here.iterrows():
            if same_building((row[4], row[5]), (other[4], other[5])):
                return str(other[0])
        return None

    successor = closed.apply(successor_of, axis=1) if len(closed) else pd.Series(dtype=object)
    at_postcode = key[closed.index].isin(set(active["_k"]))
    merged = closed[successor.notna()]
    elsewhere = closed[at_postcode & successor.isna()]
    report.add(
        "rule:gp_succession",
        "gp_practices",
        len(closed),
        len(closed) - len(merged),
        repaired=len(merged),
        note=f"{len(merged)} of {len(closed)} closed codes are in the same building (postcode "
        "and address) as a practice still active: a merger or change of contract at the same "
        f"place, recorded as a 'merged' event of that practice, not a loss; {len(elsewhere)} "
        "more share a postcode but not a building with one, and stay losses ("
        + ", ".join(
            f"{c} {n.strip().title()}" for c, n in zip(elsewhere[0], elsewhere[1], strict=True)
        )
        + f"); {len(closed) - len(merged)} closures remain",
    )
    standing = kept.drop(index=merged.index)
    events = []
    for row in standing.itertuples(index=False):
        site_id = f"gp-{row[0]}"
        opened = pd.to_numeric(row[10][:4], errors="coerce")
        if _iso(row[10]) == SOURCES["gp_practices"].on_record_since:
            note = "on record since 1 April 1974, the NHS reorganisation (not an opening)"
            events.append(
                event(site_id, "on_record", opened, source, row[0], note, date=_iso(row[10]))
            )
        else:
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


def read_gp_practices(
    src: Path, postcodes: pd.DataFrame, report: Report
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    path = source_path(src, "gp_practices")
    raw = read_csv(src, "gp_practices", [], header=None, dtype=str, keep_default_na=False)
    if raw.shape[1] < 26:
        raise InputError(
            f"Malformed input {path}: expected the 27-column epraccur layout with no "
            f"header row, found {raw.shape[1]} columns"
        )
    practices = raw[raw[25] == "4"]
    key = practices[9].str.replace(" ", "").str.upper()
    known = set(postcodes.index)
    london = practices[key.map(known.__contains__).astype(bool)]
    status = london[12]
    dormant = int((~status.isin(["A", "C"])).sum())
    kept = london[status.isin(["A", "C"])]
    report.add(
        "sites",
        "gp_practices",
        len(raw),
        len(kept),
        dropped=len(raw) - len(kept),
        note=f"prescribing setting 4 with a London postcode: {len(london)}; "
        f"{dormant} dormant or proposed practices left out; "
        f"{int((kept[12] == 'C').sum())} closed codes",
    )
    return gp_history(
        kept, key[kept.index], postcodes, "epraccur_2019", SOURCES["gp_practices"].licence, report
    )
