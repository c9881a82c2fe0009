"""Pubs and bars by borough (ONS counts, 2001-2018): change, trend, and how a borough's loss
relates to its share of Opportunity Areas, the CAZ and Areas for Regeneration.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from lib.analysis import losses
from lib.analysis.geometry import lsoa_overlap
from lib.analysis.inference import (
    correlation,
)
from lib.vocab.policies import ANALYSED, policy_label

PUBS_COLUMNS = [
    "gss_code",
    "name",
    "pubs_start",
    "pubs_end",
    "change",
    "pct_change",
    "change_per_10k",
    "population",
]


def pubs_change(
    pubs_by_borough: pd.DataFrame, boroughs: pd.DataFrame, start: int = 2001, end: int = 2018
) -> pd.DataFrame:
    """Change in pubs and bars per borough between two years.

    One row per borough (gss_code order); columns PUBS_COLUMNS: pubs_start, pubs_end, change
    (end - start, negative = lost), pct_change (percent of start), change_per_10k (change per
    10,000 residents, mid-2020 population). ``attrs["london"]`` holds the sum of boroughs.
    """
    years = set(pubs_by_borough["year"].astype(int))
    for year in (start, end):
        if year not in years:
            raise ValueError(f"No pub counts for {year}: the data covers {min(years)}-{max(years)}")
    wide = pubs_by_borough[pubs_by_borough["year"].isin([start, end])].pivot_table(
        index="gss_code", columns="year", values="pubs", aggfunc="sum"
    )
    info = pd.DataFrame(boroughs)[["gss_code", "name", "population"]].set_index("gss_code")
    table = info.join(wide, how="inner")
    table = table.rename(columns={start: "pubs_start", end: "pubs_end"}).reset_index()
    table["pubs_start"] = table["pubs_start"].astype(int)
    table["pubs_end"] = table["pubs_end"].astype(int)
    table["change"] = table["pubs_end"] - table["pubs_start"]
    table["pct_change"] = 100 * table["change"] / table["pubs_start"].where(table["pubs_start"] > 0)
    table["change_per_10k"] = 1e4 * table["change"] / table["population"]
    table = table[PUBS_COLUMNS].sort_values("gss_code", ignore_index=True)
    london_start, london_end = int(table["pubs_start"].sum()), int(table["pubs_end"].sum())
    table.attrs["london"] = dict(
        pubs_start=london_start,
        pubs_end=london_end,
        change=london_end - london_start,
        pct_change=100 * (london_end - london_start) / london_start,
        change_per_10k=1e4 * (london_end - london_start) / float(table["population"].sum()),
    )
    return losses.with_caveats(
        table,
        [
            losses.CAVEATS["pubs_units"],
            losses.CAVEATS["pubs_rounded"],
            losses.CAVEATS["pubs_population"],
        ],
    )


def pubs_trend(
    pubs_by_borough: pd.DataFrame, boroughs: pd.DataFrame, gss_codes=None
) -> pd.DataFrame:
    """Pubs per year, long form: year, gss_code, name, pubs, index (first year = 100).

    ``gss_codes`` (an iterable of codes) limits the boroughs; "London" rows (gss_code
    "london") add up the chosen boroughs.
    """
    names = pd.DataFrame(boroughs)[["gss_code", "name"]]
    data = pubs_by_borough.merge(names, on="gss_code", how="inner")
    if gss_codes is not None:
        data = data[data["gss_code"].isin(list(gss_codes))]
    total = (
        data.groupby("year", as_index=False)["pubs"]
        .sum()
        .assign(gss_code="london", name="London (sum of boroughs)")
    )
    data = pd.concat([data, total], ignore_index=True)[["year", "gss_code", "name", "pubs"]]
    data["year"] = data["year"].astype(int)
    data = data.sort_values(["gss_code", "year"], ignore_index=True)
    first = data.groupby("gss_code")["pubs"].transform("first")
    data["index"] = 100 * data["pubs"] / first.where(first > 0)
    return losses.with_caveats(data, [losses.CAVEATS["pubs_units"], losses.CAVEATS["pubs_rounded"]])


#: Policies compared with pubs change by borough.
BOROUGH_SHARE_POLICIES = ("opportunity_area", "caz", "regeneration_area")


def policy_share_by_borough(
    boroughs: pd.DataFrame,
    policy_areas: gpd.GeoDataFrame,
    lsoas: gpd.GeoDataFrame,
    policies=BOROUGH_SHARE_POLICIES,
) -> pd.DataFrame:
    """Share of each borough's area inside each policy's areas.

    One row per borough (order of ``boroughs``). Columns: gss_code, name, area_ha (the
    borough's LSOAs, Thames excluded), then ``share_<policy>`` for each policy (fraction 0-1),
    measured as the overlap of the policy's areas with the borough's LSOAs.
    """
    lsoa_area = lsoas.geometry.area.to_numpy()
    codes = lsoas["gss_code"].to_numpy()
    area = pd.Series(lsoa_area, index=codes).groupby(level=0).sum()
    table = pd.DataFrame(
        {"gss_code": boroughs["gss_code"].to_numpy(), "name": boroughs["name"].to_numpy()}
    )
    borough_area = table["gss_code"].map(area)
    table["area_ha"] = borough_area / 1e4
    for policy in policies:
        inside = pd.Series(lsoa_overlap(lsoas, policy_areas, policy), index=codes)
        inside = table["gss_code"].map(inside.groupby(level=0).sum())
        table[f"share_{policy}"] = np.clip(inside / borough_area, 0, 1)
    caveats = [losses.CAVEATS["boundaries_indicative"]]
    if "opportunity_area" in policies:
        caveats.insert(0, losses.CAVEATS["opportunity_area_incomplete"])
    if "regeneration_area" in policies:
        caveats.append(losses.CAVEATS["regeneration_definition"])
    return losses.with_caveats(table, caveats)


def _association(stats: dict, measure: str) -> str:
    def sign(lo, hi):
        if pd.isna(lo) or pd.isna(hi):
            return None
        return 0 if lo <= 0 <= hi else (1 if lo > 0 else -1)

    pearson, spearman = sign(stats["r_lo"], stats["r_hi"]), sign(stats["rho_lo"], stats["rho_hi"])
    if pearson is None or spearman is None:
        return "cannot tell"
    if pearson == 0 and spearman == 0:
        return "no clear association"
    what = measure.replace("_", " ")
    if pearson != spearman:
        why = (
            "a few boroughs drive Pearson's r"
            if spearman == 0
            else "the ranks line up but the values do not"
        )
        return (
            f"no clear association: Pearson and rank correlations disagree (r = "
            f"{stats['r']:.2f}, rho = {stats['rho']:.2f}; {why})"
        )
    more = "higher" if pearson > 0 else "lower"
    return f"boroughs with more of this policy area had {more} {what} of pubs"


def pubs_policy_correlation(
    pubs: pd.DataFrame, shares: pd.DataFrame, measure: str = "pct_change"
) -> pd.DataFrame:
    """Across boroughs: does pubs change go with the share of area under each policy?

    ``pubs`` is ``pubs_change(...)``, ``shares`` is ``policy_share_by_borough(...)``. One row
    per ``share_<policy>`` column: policy, label, measure, n, r, r_lo, r_hi, rho, rho_lo,
    rho_hi, verdict. An association is claimed only when the Pearson and Spearman intervals
    both exclude 0 on the same side (the City of London, tiny in residents and almost all CAZ,
    can make Pearson's r alone look strong).
    """
    data = pubs.merge(shares.drop(columns=["name"], errors="ignore"), on="gss_code")
    rows = []
    for column in [c for c in shares.columns if c.startswith("share_")]:
        policy = column[len("share_") :]
        stats = correlation(data[column], data[measure])
        label = policy_label(policy) if policy in ANALYSED else policy
        rows.append(
            dict(
                policy=policy,
                label=label,
                measure=measure,
                **stats,
                verdict=_association(stats, measure),
            )
        )
    table = pd.DataFrame(
        rows,
        columns=[
            "policy",
            "label",
            "measure",
            "n",
            "r",
            "r_lo",
            "r_hi",
            "rho",
            "rho_lo",
            "rho_hi",
            "verdict",
        ],
    )
    return losses.with_caveats(
        table,
        [losses.CAVEATS["ecological"], losses.CAVEATS["pubs_rounded"]]
        + shares.attrs.get("caveats", []),
    )
