"""One site, one history: fold records of the same facility from several sources into one site.

Pairs are found on evidence, never on distance alone (unrelated venues share postcode
centroids), and only between records of the same category:
- `name`: within 300 m and sharing at least half the distinctive words of the shorter name;
- `same_name`: the same name once punctuation, "The" and the category word are set aside,
  within 1,500 m (a source's coordinates can be a few hundred metres off: the 2016 library
  geocodes of Hayes End and Belsize libraries are 0.9-1 km from the culture map's).
A closed site pairs with a culture-map venue only by the same name within 300 m (the 2022 map
still listing a library the lists say closed); a venue whose name only shares words with a
closed library's is its replacement, not the library.

`merge_decisions.csv` (in this folder) is the reviewed list: each row names two site ids, a
decision (`merge` or `keep_apart`) and the reason. The build applies it over the automatic
pairs, so a person corrects a wrong merge by editing one row.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pandas as pd

DECISIONS = Path(__file__).with_name("merge_decisions.csv")
DECISION_COLUMNS = ["site_id", "name", "other_site_id", "other_name", "decision", "reason"]
STOP = {
    "the",
    "library",
    "libraries",
    "museum",
    "gallery",
    "and",
    "of",
    "london",
    "centre",
    "house",
    "s",
}
NEAR_M = 300
SAME_NAME_M = 1500


def plain(name) -> str:
    """Lower case, "&" as "and", apostrophes (straight or curly) dropped, punctuation as spaces."""
    text = re.sub(r"['\u2019\u2018\u02bc`]", "", str(name).lower().replace("&", " and "))
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", text).split())


def words(name) -> set[str]:
    return set(plain(name).split()) - STOP


def name_key(name) -> str:
    return " ".join(sorted(words(name)))


def read_decisions(path: Path = DECISIONS) -> pd.DataFrame:
    if not path.exists():
        return pd.DataFrame(columns=DECISION_COLUMNS)
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in DECISION_COLUMNS if c not in table.columns]
    bad = sorted(set(table["decision"]) - {"merge", "keep_apart"}) if not missing else []
    if missing or bad:
        from lib.build.pipeline import InputError

        raise InputError(
            f"Malformed {path}: "
            + (
                f"missing column(s) {', '.join(missing)}"
                if missing
                else f"unknown decision(s) {bad}"
            )
        )
    return table


def candidate_pairs(records: gpd.GeoDataFrame, venues: gpd.GeoDataFrame) -> pd.DataFrame:
    """Pairs (record, venue) of one category with the evidence for each.

    records: site_id, name, category, status, geometry (a source with histories);
    venues: site_id, name, category, geometry (culture-map venues, open in 2022).
    """
    rows = []
    for category, recs in records.groupby("category"):
        pool = venues[venues["category"] == category]
        if pool.empty:
            continue
        near = gpd.sjoin_nearest(
            recs[["site_id", "name", "status", "geometry"]],
            pool[["site_id", "name", "geometry"]],
            max_distance=SAME_NAME_M,
            distance_col="dist",
            lsuffix="a",
            rsuffix="b",
        )
        # sjoin_nearest keeps only the nearest; add every venue within range as a candidate.
        within = gpd.sjoin(
            recs[["site_id", "name", "status", "geometry"]].assign(
                geometry=recs.geometry.buffer(SAME_NAME_M)
            ),
            pool[["site_id", "name", "geometry"]],
            predicate="intersects",
            lsuffix="a",
            rsuffix="b",
        )
        pts = pool.set_index("site_id").geometry
        own = recs.set_index("site_id").geometry
        within["dist"] = (
            gpd.GeoSeries(own.loc[within["site_id_a"]].values)
            .distance(gpd.GeoSeries(pts.loc[within["site_id_b"]].values))
            .values
        )
        near = pd.concat([near, within]).drop_duplicates(["site_id_a", "site_id_b"])
        for row in near.itertuples():
            a, b = words(row.name_a), words(row.name_b)
            overlap = len(a & b) / max(1, min(len(a), len(b)))
            full_a, full_b = (re.sub(r"^the ", "", plain(n)) for n in (row.name_a, row.name_b))
            if ((a and a == b) or full_a == full_b) and row.dist <= SAME_NAME_M:
                evidence = "same_name"  # "Museum of London": every word a stop word
            elif overlap >= 0.5 and row.dist <= NEAR_M:
                evidence = "name"
            else:
                continue
            rows.append(
                dict(
                    site_id=row.site_id_a,
                    name=row.name_a,
                    other_site_id=row.site_id_b,
                    other_name=row.name_b,
                    status=row.status,
                    dist=round(row.dist, 1),
                    overlap=overlap,
                    evidence=evidence,
                    category=category,
                )
            )
    return pd.DataFrame(
        rows,
        columns=[
            "site_id",
            "name",
            "other_site_id",
            "other_name",
            "status",
            "dist",
            "overlap",
            "evidence",
            "category",
        ],
    )


def choose_pairs(candidates: pd.DataFrame, decisions: pd.DataFrame) -> pd.DataFrame:
    """One venue per record and one record per venue: best evidence, then nearest.

    A closed record pairs only with a venue of the same name within 300 m (the culture map
    listing a library after its closure, at its place: one library, whose history says it
    closed); a venue whose name merely shares words with a closed record's is its replacement
    ("Dalston CLR James Library" for "CLR James Library"). `keep_apart` decisions veto a pair,
    `merge` decisions add one. Returns the chosen pairs with a `why` column.
    """
    veto = {
        (r.site_id, r.other_site_id) for r in decisions.itertuples() if r.decision == "keep_apart"
    }
    forced = decisions[decisions["decision"] == "merge"]
    pool = candidates[
        (candidates["status"] != "closed")
        | (candidates["evidence"].eq("same_name") & (candidates["dist"] <= NEAR_M))
    ]
    vetoed = pd.Series(
        [(a, b) in veto for a, b in zip(pool["site_id"], pool["other_site_id"], strict=True)],
        index=pool.index,
        dtype=bool,
    )
    pool = pool[~vetoed]
    pool = pool.assign(_rank=pool["evidence"].map({"same_name": 0, "name": 1}))
    pool = pool.sort_values(
        ["_rank", "overlap", "dist", "site_id", "other_site_id"],
        ascending=[True, False, True, True, True],
    )
    chosen, used_a, used_b = [], set(forced["site_id"]), set(forced["other_site_id"])
    for r in forced.itertuples():
        chosen.append(
            dict(site_id=r.site_id, other_site_id=r.other_site_id, why=f"decision: {r.reason}")
        )
    for r in pool.itertuples():
        if r.site_id in used_a or r.other_site_id in used_b:
            continue
        used_a.add(r.site_id)
        used_b.add(r.other_site_id)
        chosen.append(
            dict(
                site_id=r.site_id,
                other_site_id=r.other_site_id,
                why=f"{r.evidence} ({r.dist:.0f} m)",
            )
        )
    return pd.DataFrame(chosen, columns=["site_id", "other_site_id", "why"])


def twins_within(venues: gpd.GeoDataFrame, max_m: float = 100) -> dict[str, str]:
    """Culture-map venues of one category and one name key within `max_m`: {twin: kept id}.

    ("The British Museum" and "British Museum" are one museum.)
    """
    keyed = venues.assign(_key=venues["name"].map(name_key))
    keyed = keyed[keyed["_key"] != ""].sort_values("site_id")
    out = {}
    for _, group in keyed.groupby(["category", "_key"]):
        if len(group) < 2:
            continue
        ids, geoms = group["site_id"].tolist(), group.geometry.tolist()
        for i in range(len(ids)):
            if ids[i] in out:
                continue
            for j in range(i + 1, len(ids)):
                if ids[j] not in out and geoms[i].distance(geoms[j]) <= max_m:
                    out[ids[j]] = ids[i]
    return out


def merge_histories(events: pd.DataFrame, decisions: pd.DataFrame, report) -> tuple:
    """Apply `merge` decisions between two sites that both have histories (one library in two
    records the lists' names keep apart): the second site's events become the first's, its
    closure a move. Returns (events, the folded site ids)."""
    from lib.build.history import CLOSING

    ids = set(events["site_id"])
    pairs = decisions[
        decisions["decision"].eq("merge")
        & decisions["site_id"].isin(ids)
        & decisions["other_site_id"].isin(ids)
    ]
    events = events.copy()
    for r in pairs.itertuples():
        mine = events["site_id"].eq(r.other_site_id)
        closing = mine & events["event"].isin(CLOSING)
        events.loc[closing, "note"] = (
            "moved (merge decision: " + r.reason + "); " + events.loc[closing, "note"]
        )
        events.loc[closing, "event"] = "moved"
        events.loc[closing, "loss"] = False
        events = events[~(mine & events["event"].eq("opened"))]
        events.loc[events["site_id"].eq(r.other_site_id), "site_id"] = r.site_id
    if len(pairs):
        report.add(
            "rule:merge_decisions",
            "merge_decisions.csv",
            len(pairs),
            len(pairs),
            repaired=len(pairs),
            note="records of one facility the sources name apart, merged by a reviewed "
            "decision (their closure is a move): "
            + "; ".join(
                f"{a} + {b}" for a, b in zip(pairs["site_id"], pairs["other_site_id"], strict=True)
            ),
        )
    return events, set(pairs["other_site_id"])
