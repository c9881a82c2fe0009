"""The voluntary sector: food banks and mutual aid groups as points, charities and grants by ward."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from lib.build.inputs import BNG, WGS84, Report, read_csv
from lib.vocab.funders import FUNDER_TYPES, VOLUNTARY, funder_type
from lib.vocab.sources import SOURCES


def build_voluntary_points(src: Path, lsoas: gpd.GeoDataFrame, report: Report) -> gpd.GeoDataFrame:
    banks = read_csv(src, "food_banks", ["name", "closed", "network", "latitude", "longitude"])
    groups = read_csv(src, "mutual_aid", ["name", "latitude", "longitude"])
    frames = []
    for raw, kind, key in [
        (banks, "food_bank", "food_banks"),
        (groups, "mutual_aid", "mutual_aid"),
    ]:
        usable = raw.dropna(subset=["latitude", "longitude"])
        if kind == "food_bank":
            status = np.where(usable["closed"].astype(str).str.lower() == "true", "closed", "open")
            network = usable["network"].fillna("Independent")
        else:
            status, network = np.full(len(usable), "active in 2020"), ""
        frame = gpd.GeoDataFrame(
            {
                "kind": kind,
                "name": usable["name"].astype(str).str.strip(),
                "status": status,
                "network": network,
                "licence": SOURCES[key].licence,
            },
            geometry=gpd.points_from_xy(usable.longitude, usable.latitude),
            crs=WGS84,
        ).to_crs(BNG)
        joined = gpd.sjoin(
            frame, lsoas[["ward_code", "gss_code", "geometry"]], how="inner", predicate="within"
        ).drop(columns="index_right")
        joined = joined[~joined.index.duplicated(keep="first")]
        report.add(
            "voluntary_points",
            key,
            len(raw),
            len(joined),
            dropped=len(raw) - len(joined),
            note="dropped: no coordinates or outside London",
        )
        frames.append(joined)
    columns = ["kind", "name", "status", "network", "licence", "gss_code", "ward_code", "geometry"]
    points = pd.concat(frames, ignore_index=True)[columns]
    return points.sort_values(["kind", "name", "ward_code"], ignore_index=True)


def read_grants(src: Path, report: Report) -> pd.DataFrame:
    """The 360Giving rows with each funder's type (lib/vocab/funders.py), reported by type."""
    grants = read_csv(
        src,
        "grants",
        [
            "Funding Org:Name",
            "Award Year",
            "Recipient District Geographic Code",
            "Recipient Ward Geographic Code",
            "Amount Awarded",
            "grant_count",
        ],
    )
    grants["funder_type"] = grants["Funding Org:Name"].map(funder_type)
    for key, rows in grants.groupby("funder_type"):
        funders = rows.groupby("Funding Org:Name")["Amount Awarded"].sum().sort_values()
        report.add(
            "grants_by_year",
            f"grants ({key})",
            len(rows),
            len(rows),
            note=f"£{rows['Amount Awarded'].sum():,.0f} from {len(funders)} "
            + ("funder" if len(funders) == 1 else "funders")
            + (
                ": " + ", ".join(f"{name} £{gbp:,.0f}" for name, gbp in funders[::-1].items())
                if not FUNDER_TYPES[str(key)].voluntary
                else ""
            ),
        )
    return grants


def build_voluntary_wards(
    src: Path, grants: pd.DataFrame, wards: gpd.GeoDataFrame, report: Report
) -> pd.DataFrame:
    """Charities and grants per 2017 ward.

    The extract lists only wards with at least one charity, and 88 wards are missing (55
    charities in all Wandsworth): a gap in its coverage, so a missing ward is null, not 0.
    Grants are those of every funder; the ``_public`` columns are the public money's part:
    government departments, councils, public bodies and the lottery distributors
    (lib/vocab/funders.py).
    """
    charities = read_csv(src, "charities", ["WD17CD", "n_charities"])
    known = set(wards["ward_code"])
    unmatched_charities = charities[~charities["WD17CD"].isin(known)]
    grant_ward = grants["Recipient Ward Geographic Code"]
    unmatched_grants = grants[~grant_ward.isin(known)]
    table = pd.DataFrame({"ward_code": wards["ward_code"], "population": wards["population"]})
    table["charities"] = (
        table["ward_code"].map(charities.groupby("WD17CD")["n_charities"].sum()).astype("Int64")
    )
    table["charities_per_1k"] = (table["charities"] / table["population"] * 1000).round(3)
    placed = grants[grant_ward.isin(known)]
    public = placed[~placed["funder_type"].isin(VOLUNTARY)]
    for suffix, rows in (("", placed), ("_public", public)):
        by_ward = rows.groupby("Recipient Ward Geographic Code")
        table[f"grants_gbp{suffix}"] = (
            table["ward_code"].map(by_ward["Amount Awarded"].sum()).fillna(0.0)
        )
        table[f"grants_count{suffix}"] = (
            table["ward_code"].map(by_ward["grant_count"].sum()).fillna(0).astype(int)
        )
    table["grants_gbp_per_head"] = (table["grants_gbp"] / table["population"]).round(2)
    missing = table["charities"].isna()
    report.add(
        "voluntary_wards",
        "charities",
        len(charities),
        len(charities) - len(unmatched_charities),
        dropped=len(unmatched_charities),
        note=f"{int(charities.n_charities.sum())} charities; "
        f"{int(unmatched_charities.n_charities.sum())} in wards not in the 2017 ward "
        f"set ({', '.join(unmatched_charities.WD17CD.head(5)) or 'none'}); "
        f"{int(missing.sum())} of {len(table)} wards are not in the extract (no data)",
    )
    report.add(
        "voluntary_wards",
        "grants",
        len(grants),
        len(grants) - len(unmatched_grants),
        dropped=len(unmatched_grants),
        note=f"£{grants['Amount Awarded'].sum():,.0f} in all; £"
        f"{unmatched_grants['Amount Awarded'].sum():,.0f} in "
        f"{len(unmatched_grants)} rows whose recipient code is not a 2017 London ward "
        "(district-level or another ward vintage) is not mapped to wards",
    )
    return table.drop(columns="population")


def build_grants_by_year(grants: pd.DataFrame) -> pd.DataFrame:
    """Grants per borough, award year and funder type."""
    table = grants.groupby(
        ["Recipient District Geographic Code", "Award Year", "funder_type"], as_index=False
    )[["Amount Awarded", "grant_count"]].sum()
    return table.rename(
        columns={
            "Recipient District Geographic Code": "gss_code",
            "Award Year": "year",
            "Amount Awarded": "grants_gbp",
            "grant_count": "grants_count",
        }
    )
