"""The sites layer: every source's facilities, one site per facility with one history, joined
to areas and policy areas."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from lib.build import merge as merging
from lib.build.areas import attach_areas
from lib.build.culture_map import merge_cim_duplicates, read_cim
from lib.build.gp import read_gp_practices
from lib.build.history import EVENT_COLUMNS, site_states
from lib.build.inputs import BNG, InputError, Report, read_layer
from lib.build.libraries import SCHOOL_LIBRARY, read_libraries
from lib.build.museums import read_museums
from lib.build.nhs import read_ods_codes
from lib.build.policy_areas import attach_policies
from lib.vocab.schema import LAYERS
from lib.vocab.sources import SOURCES, status_as_of

SITE_COLUMNS = [*LAYERS["sites"].column_names, "geometry"]


# New categories of issue 9 and the window over which each source records closures.
RECORDING_WINDOWS = {  # category -> (first year, last year) of recorded closures
    "Library": (2010, 2023),
    "GP practice": (2013, 2019),
    "Museum or public gallery": (1945, 2022),
    "Pharmacy": (2004, 2025),
    "Dental practice": (2006, 2016),
}


def read_worship(src: Path, report: Report) -> gpd.GeoDataFrame:
    raw = read_layer(src, "worship", ["osm_id", "fclass", "name"])
    raw = raw.to_crs(BNG)
    frame = gpd.GeoDataFrame(
        {
            "site_id": "osm-" + raw["osm_id"].astype(str),
            "name": raw["name"].fillna("Place of worship (unnamed)").astype(str),
            "category": "Place of worship",
            "category_group": "Faith",
            "status": "open",
            "opened_year": pd.NA,
            "closed_year": pd.NA,
            "sources": "osm_2020",
            "licence": SOURCES["worship"].licence,
            "coord_fix": "none",
        },
        geometry=raw.geometry.values,
        crs=BNG,
    )
    report.add("sites", "worship", len(raw), len(frame), note="places of worship from OSM")
    return frame


def match_same_facility(
    lost: gpd.GeoDataFrame,
    cim: gpd.GeoDataFrame,
    category: str,
    decisions: pd.DataFrame | None = None,
) -> dict[str, str]:
    """{record site_id: culture-map venue site_id} (see `facility_pairs`)."""
    pairs = facility_pairs(lost, cim, category, decisions)
    return dict(zip(pairs["site_id"], pairs["other_site_id"], strict=True))


def facility_pairs(
    lost: gpd.GeoDataFrame,
    cim: gpd.GeoDataFrame,
    category: str,
    decisions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Pair records of a source with histories with culture-map venues of one category.

    The evidence rules are in lib/build/merge.py (name within 300 m, or the same name within
    1,500 m; never distance alone, never another category; a closed record only by a reviewed
    decision). Returns the pairs (site_id, other_site_id, why).
    """
    decisions = merging.read_decisions() if decisions is None else decisions
    records = lost.assign(category=category)
    candidates = merging.candidate_pairs(records, cim[cim["category"] == category])
    known = set(records["site_id"]) | set(cim["site_id"])
    decisions = decisions[decisions["site_id"].isin(known) & decisions["other_site_id"].isin(known)]
    return merging.choose_pairs(candidates, decisions)


def merge_cross_source(
    lost: gpd.GeoDataFrame,
    cim: gpd.GeoDataFrame,
    category: str,
    report: Report,
    source_name: str,
    decisions: pd.DataFrame | None = None,
) -> tuple:
    """Fold culture-map venues that are the same facility as `lost` records into them."""
    detail = facility_pairs(lost, cim, category, decisions)
    pairs = dict(zip(detail["site_id"], detail["other_site_id"], strict=True))
    cim_by_id = cim.set_index("site_id")
    matched = lost["site_id"].isin(pairs)
    lost = lost.copy()
    partner = lost.loc[matched, "site_id"].map(pairs)
    lost.loc[matched, "sources"] = lost.loc[matched, "sources"] + "; cim_2022"
    lost.loc[matched, "licence"] = lost.loc[matched, "licence"].where(
        lost.loc[matched, "licence"].eq(SOURCES["cim"].licence),
        lost.loc[matched, "licence"] + "; " + SOURCES["cim"].licence,
    )
    lost.loc[matched, "categories"] = partner.map(cim_by_id["categories"])
    why = detail["why"].str.extract(r"^(\w+)")[0].value_counts().to_dict() if len(detail) else {}
    report.add(
        "dedupe",
        source_name,
        len(lost),
        len(lost),
        note=f"{int(matched.sum())} of {len(lost)} records are the same facility as a "
        f"2022 culture-map {category.lower()} and were merged into one site "
        f"(by evidence: {why or 'none'}; rules in lib/build/merge.py)",
    )
    return lost, set(pairs.values())


def build_sites(
    src: Path, lsoas, policy_areas, postcodes, report: Report
) -> tuple[gpd.GeoDataFrame, pd.DataFrame, gpd.GeoDataFrame]:
    """(sites, events, records): records are the NHS codes behind the health sites."""
    cim = merge_cim_duplicates(read_cim(src, report), report)
    school = (cim["category"] == "Library") & cim["name"].str.contains(SCHOOL_LIBRARY)
    report.add(
        "rule:school_library",
        "cim_2022",
        len(cim),
        len(cim) - int(school.sum()),
        dropped=int(school.sum()),
        note="a school's library is not a public library: " + ", ".join(cim.loc[school, "name"]),
    )
    cim = cim[~school]
    libraries, lib_events = read_libraries(src, postcodes, report)
    museums, mus_events = read_museums(src, report)
    gp_sites, gp_events = read_gp_practices(src, postcodes, report)
    (pharmacies, ph_events, ph_records), (dental, dent_events, dent_records) = read_ods_codes(
        src, postcodes, report
    )
    events = pd.concat(
        [lib_events, mus_events, gp_events, ph_events, dent_events], ignore_index=True
    )
    decisions = merging.read_decisions()
    events, folded = merging.merge_histories(events, decisions, report)
    states = site_states(events).set_index("site_id")
    history_sites = []
    for frame in (libraries, museums, gp_sites, pharmacies, dental):
        frame = frame.drop(columns=[c for c in states.columns if c in frame.columns])
        history_sites.append(frame.join(states, on="site_id"))
    libraries, museums, gp_sites, pharmacies, dental = (
        frame[~frame["site_id"].isin(folded)] for frame in history_sites
    )

    libraries, lib_used = merge_cross_source(
        libraries, cim, "Library", report, "libraries", decisions
    )
    museums, mus_used = merge_cross_source(
        museums, cim, "Museum or public gallery", report, "museums", decisions
    )
    cim = cim[~cim["site_id"].isin(lib_used | mus_used)]
    cim = cim.assign(status="open", closure="", lost=False, changes=0, closure_note="")
    sites = pd.concat(
        [
            cim,
            libraries,
            museums,
            gp_sites,
            pharmacies,
            dental,
            read_worship(src, report).assign(
                status="open", closure="", lost=False, changes=0, closure_note=""
            ),
        ],
        ignore_index=True,
    )
    sites["categories"] = sites["categories"].fillna(sites["category"])
    sites["changes"] = sites["changes"].fillna(0).astype(int)
    sites["lost"] = sites["lost"].fillna(False).astype(bool)
    for column in ["closure", "closure_note"]:
        sites[column] = sites[column].fillna("")
    if sites["site_id"].duplicated().any():
        dupes = ", ".join(sites.loc[sites.site_id.duplicated(), "site_id"].head(5))
        raise InputError(f"Duplicate site ids after merging: {dupes}")
    sites = attach_areas(gpd.GeoDataFrame(sites, crs=BNG), lsoas, report)
    sites = attach_policies(sites, policy_areas, report)
    for column in ["opened_year", "on_record_since", "closed_year", "community_run_year"]:
        sites[column] = sites[column].astype("Int64")
    sites["status_as_of"] = sites["sources"].map(status_as_of)
    events = events[events["site_id"].isin(sites["site_id"])]
    records = pd.concat([ph_records, dent_records], ignore_index=True).assign(
        sources=lambda r: r["category"]
    )
    records = attach_areas(gpd.GeoDataFrame(records, crs=BNG), lsoas, report, "records")
    records = attach_policies(records, policy_areas, report, "records").drop(columns="sources")
    records.loc[~records["site_id"].isin(sites["site_id"]), "site_id"] = ""
    closed = sites["status"] == "closed"
    report.add(
        "sites",
        "all",
        len(sites),
        len(sites),
        note=f"{int(closed.sum())} closed sites, {int(sites['lost'].sum())} of them losses; "
        + "; ".join(
            f"{c}: {int(n)} closed, {int(m)} lost"
            for c, n, m in sites[sites.category.isin(list(RECORDING_WINDOWS))]
            .groupby("category")
            .agg(n=("status", lambda x: (x == "closed").sum()), m=("lost", "sum"))
            .itertuples()
        ),
    )
    events = events.sort_values(
        ["site_id", "year", "date", "event"], na_position="first", kind="stable", ignore_index=True
    )
    return (
        sites[SITE_COLUMNS].sort_values("site_id", ignore_index=True),
        events[EVENT_COLUMNS],
        records.sort_values("code", ignore_index=True),
    )
