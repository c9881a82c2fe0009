"""The London Plan's locational policy areas, when each was designated, and each point's flags."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from lib.build.inputs import BNG, Report, read_layer, repair
from lib.vocab.policies import POLICIES, TOWN_CENTRE_CLASSES

# Site flags joined from policy polygons; in_regen_area comes from the site's LSOA instead.
POLICY_FLAGS = {k: p.flag for k, p in POLICIES.items() if p.flag and k != "regeneration_area"}
TOWN_CENTRE_ORDER = [*TOWN_CENTRE_CLASSES, "Unclassified"]


# When each policy's areas were designated, and where the date comes from (checked per file).
# policy -> (year, date, source of the date); None = per row, from the file. A year is left
# null where the file's only date is when the record was added or the Plan that restated the
# place, not when the place was designated (the CAZ, SILs and town centres all predate it).
POLICY_VINTAGE = {
    "town_centre": (
        None,
        "",
        "no designation date: the London Plan 2021 (Annex 1) restated a network of centres "
        "designated in earlier plans",
    ),
    "caz": (
        None,
        "",
        "no designation date: the file's firstaddeddate (2018-06-04) is when the record was "
        "added, and the CAZ predates it",
    ),
    "opportunity_area": None,  # extrainfo3 "Adopted date:YYYY[MMDD]" per area
    "sil": (
        None,
        "",
        "no designation date: the file's firstaddeddate (2017-01-01) is when the record was "
        "added, and SILs predate it",
    ),
    "creative_enterprise_zone": (
        2018,
        "2018-12-14",
        "first six Creative Enterprise Zones "
        "announced by the Mayor on 14 December 2018 (the file has no "
        "date)",
    ),
    "area_of_intensification_2015": (
        2015,
        "2015-03-10",
        "Further Alterations to the London Plan, March 2015 (the file's source 'FALP March 2015')",
    ),
    "regeneration_area": (
        None,
        "",
        "no designation date: Areas for Regeneration were in the 2011 and 2016 London Plans; "
        "this layer is drawn from the IMD 2019 (London Plan 2021 policy SD10), which dates "
        "the drawing, not a designation",
    ),
}


ADOPTED = re.compile(r"Adopted date:\s*(\d{4})(\d{2})?(\d{2})?")


def designation_dates(policy: str, raw: pd.DataFrame) -> pd.DataFrame:
    """designated_year, designated_date and designated_source for one policy's rows."""
    vintage = POLICY_VINTAGE[policy]
    if vintage is not None:
        year, date, source = vintage
        return pd.DataFrame(
            {"designated_year": year, "designated_date": date, "designated_source": source},
            index=raw.index,
        )
    found = (
        raw.get("extrainfo3", pd.Series("", index=raw.index))
        .fillna("")
        .astype(str)
        .str.extract(ADOPTED)
    )
    date = found[0].where(found[0].notna(), "") + np.where(
        found[1].notna(), "-" + found[1].fillna("") + "-" + found[2].fillna("01"), ""
    )
    return pd.DataFrame(
        {
            "designated_year": pd.to_numeric(found[0], errors="coerce").astype("Int64"),
            "designated_date": date,
            "designated_source": np.where(
                found[0].notna(),
                "the file's extrainfo3 'Adopted date' "
                "(the boundary's adoption by the planning authority)",
                "no adoption date in the file",
            ),
        },
        index=raw.index,
    )


def build_policy_areas(src: Path, lsoas: gpd.GeoDataFrame, report: Report) -> gpd.GeoDataFrame:
    layers = []
    for key, policy in [
        ("town_centres", "town_centre"),
        ("caz", "caz"),
        ("opportunity_areas", "opportunity_area"),
        ("sil", "sil"),
        ("creative_enterprise_zones", "creative_enterprise_zone"),
        ("intensification_2015", "area_of_intensification_2015"),
    ]:
        raw = read_layer(src, key, ["sitename", "borough"])
        frame = raw.to_crs(BNG)
        frame, fixed = repair(frame)
        classification = frame.get("classification", pd.Series("", index=frame.index))
        dates = designation_dates(policy, frame)
        frame = gpd.GeoDataFrame(
            {
                "policy": policy,
                "name": frame["sitename"].fillna("").astype(str).str.strip(),
                "classification": classification.fillna("").astype(str).str.strip(),
                "borough": frame["borough"].fillna("").astype(str).str.strip(),
                **{column: dates[column] for column in dates.columns},
            },
            geometry=frame.geometry,
            crs=BNG,
        )
        dropped, note = 0, ""
        if policy == "opportunity_area":
            olspg = frame["name"].eq("OLSPG boundary")
            dropped, note = int(olspg.sum()), "OLSPG boundary row is not an Opportunity Area"
            frame = frame[~olspg]
        if policy == "town_centre":
            frame["classification"] = frame["classification"].replace(
                {"District Centre": "District", "Local Centre": "Local"}
            )
        if policy == "caz":
            frame["name"] = "Central Activities Zone (" + frame["borough"] + ")"
        years = frame["designated_year"].dropna().astype(int)
        span = (
            (f"{years.min()}" if years.min() == years.max() else f"{years.min()}-{years.max()}")
            if len(years)
            else "unknown"
        )
        note = "; ".join(
            filter(None, [note, f"designated {span} ({frame['designated_source'].iloc[0]})"])
        )
        report.add(
            "policy_areas", key, len(raw), len(frame), repaired=fixed, dropped=dropped, note=note
        )
        layers.append(frame)
    regen = lsoas[lsoas["regen_area"]].dissolve(by="gss_code").reset_index()
    vintage = POLICY_VINTAGE["regeneration_area"]
    assert vintage is not None
    year, date, source = vintage
    layers.append(
        gpd.GeoDataFrame(
            {
                "policy": "regeneration_area",
                "name": "Area for Regeneration",
                "classification": "LSOAs in the 20% most deprived in England (IMD 2019)",
                "borough": regen["gss_code"],
                "designated_year": year,
                "designated_date": date,
                "designated_source": source,
            },
            geometry=regen.geometry,
            crs=BNG,
        )
    )
    report.add(
        "policy_areas",
        "imd",
        int(lsoas["regen_area"].sum()),
        len(regen),
        note="Areas for Regeneration: regeneration LSOAs dissolved per borough",
    )
    areas = pd.concat(layers, ignore_index=True)
    areas["designated_year"] = areas["designated_year"].astype("Int64")
    return areas


def attach_policies(
    sites: gpd.GeoDataFrame, policy_areas: gpd.GeoDataFrame, report: Report, name: str = "sites"
) -> gpd.GeoDataFrame:
    sites = sites.copy()
    for policy, flag in POLICY_FLAGS.items():
        layer = policy_areas[policy_areas["policy"] == policy]
        hits = gpd.sjoin(
            sites[["geometry"]], layer[["classification", "geometry"]], predicate="within"
        )
        sites[flag] = sites.index.isin(hits.index)
        if policy == "town_centre":
            rank = hits["classification"].map(
                lambda c: (
                    TOWN_CENTRE_ORDER.index(c) if c in TOWN_CENTRE_ORDER else len(TOWN_CENTRE_ORDER)
                )
            )
            best = hits.assign(_rank=rank).sort_values("_rank")
            best = best[~best.index.duplicated(keep="first")]
            sites["town_centre_class"] = best["classification"].reindex(sites.index)
    centres = policy_areas[policy_areas["policy"] == "town_centre"][["geometry"]]
    nearest = gpd.sjoin_nearest(sites[["geometry"]], centres, distance_col="dist")
    nearest = nearest[~nearest.index.duplicated(keep="first")]
    sites["dist_town_centre_m"] = nearest["dist"].reindex(sites.index).round(1)
    report.add(
        "join_policies",
        name,
        len(sites),
        len(sites),
        note="; ".join(f"{flag} {int(sites[flag].sum())}" for flag in POLICY_FLAGS.values())
        + f"; in_regen_area {int(sites['in_regen_area'].sum())}",
    )
    return sites
