"""Histories of libraries across the 2016, 2021 and 2023 lists.

The reader returns (sites, events): sites in the build's site columns (state filled in later
from the events by `history.site_states`), events in `history.EVENT_COLUMNS`.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd

from lib.build.culture_map import library_uprns, uprn_key
from lib.build.history import event, events_frame
from lib.build.inputs import Report, read_csv
from lib.build.nhs import REVIEWED, read_reviewed
from lib.vocab.sources import SOURCES

BNG = "EPSG:27700"
WGS84 = "EPSG:4326"
# 2023 list: how a library was run in each year's return.
OPERATION_YEARS = {
    "operation_16": 2016,
    "operation_19": 2019,
    "operation_21": 2021,
    "operation_22": 2022,
    "operation_23": 2023,
}
COUNCIL = {"LA", "LAU", "C"}  # council-run, council-run unstaffed, commissioned by the council
LIBRARY_TYPES_KEPT = {"Static Library", "Static Local History Library"}
SCHOOL_LIBRARY = r"\bSchool\b"  # Uphall School Library, Hurlingham & Chelsea School & ...
# The 2021 list's note on a new library's row naming the ones it replaced.
REPLACES = re.compile(r"^\s*replace(?:ment for|d)\s+(.+?)(?:\s+which\b.*)?\s*$", re.I)
# A note announcing that a library will move (Gayton, Harrow: "will be moving to a new location").
MOVE_PLANNED = re.compile(
    r"will be moving|moving to a new|relocation to new|new library building", re.I
)
# A 2016-list note saying the library went on in a new or renewed building, and one saying the
# earlier library had closed long before (a new library after all: Seven Kings).
REBUILT = re.compile(r"refurbish|rebuil|new build|relocat|redesign|replac|move", re.I)
FORMER_CLOSED = re.compile(r"closed in the (?:19|20)\d0s", re.I)
# How near and how soon a closed-and-replaced library must be to be the one a new building
# replaced (Rotherhithe, 353 m from Canada Water, closed the year it opened).
PREDECESSOR_M = 2000
PREDECESSOR_YEARS = 2
# A later list's address whose postcode centroid lies more than this from both the library's
# earlier point and its earlier postcode's centroid is a move; nearer, a postcode corrected or a
# geocode's error, and walking distances barely change.
MOVED_M = 100
ACCESS_POINT = re.compile(r"\s+(?:library\s+)?access point$|\s+LAP$", re.I)
NAME_STOP = {"the", "library", "libraries", "and", "community", "s"}


def name_key(name) -> str:
    name = re.sub(
        r"[^a-z0-9 ]",
        " ",
        str(name).lower().replace("&", " and ").replace("st.", "st").replace("'", ""),
    )
    return " ".join(w for w in name.split() if w not in NAME_STOP)


def postcode_key(postcode) -> str:
    return "" if pd.isna(postcode) else re.sub(r"\s", "", str(postcode)).upper()


def borough_key(name) -> str:
    return re.sub(r"[^a-z]", "", str(name).lower().replace("&", "and"))


def _word_overlap(a: str, b: str) -> float:
    wa, wb = set(a.split()), set(b.split())
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / min(len(wa), len(wb))


# ---------------------------------------------------------------- libraries


def link_library_records(records: pd.DataFrame) -> pd.Series:
    """One identity per library across the lists: returns a cluster number per record.

    records: list (2016, 2021, 2023), borough, key (name_key), postcode. Within a borough a
    record joins the cluster with the same name key; failing that, the cluster whose name shares
    at least half the words of the shorter name (never on postcode alone: Minet library and
    Lambeth Archives share one). Each cluster takes at most one record per list, except that a
    list may give one library twice under one name (an old building closed, the new one open:
    a move).
    """
    recs = records[["list", "borough", "key", "postcode"]].to_dict("records")
    cluster = [-1] * len(recs)
    members: list[dict] = []  # borough, keys, postcodes, lists
    by_borough: dict[str, list[int]] = {}
    for year in (2016, 2023, 2021):
        batch = [i for i, r in enumerate(recs) if r["list"] == year]
        # Exact name key first, so a fuzzy match never takes a record's exact twin.
        for exact in (True, False):
            for i in batch:
                if cluster[i] >= 0:
                    continue
                row = recs[i]
                best, best_score = None, 0.0
                for cid in by_borough.get(row["borough"], []):
                    m = members[cid]
                    if exact:
                        score = 2.0 if row["key"] in m["keys"] else 0.0
                    else:
                        if year in m["lists"]:
                            continue
                        score = max(_word_overlap(row["key"], k) for k in m["keys"])
                        if score < 0.5:
                            continue
                        if row["postcode"] in m["postcodes"]:
                            score += 0.25
                    if score > best_score:
                        best, best_score = cid, score
                if best is None and exact and year != 2016:
                    continue  # try a fuzzy match on the second pass
                if best is None:
                    best = len(members)
                    members.append(dict(keys=set(), postcodes=set(), lists=set()))
                    by_borough.setdefault(row["borough"], []).append(best)
                members[best]["keys"].add(row["key"])
                members[best]["postcodes"].add(row["postcode"])
                members[best]["lists"].add(year)
                cluster[i] = best
    return pd.Series(cluster, index=records.index)


Place = tuple[float, float, str]  # easting, northing, coord_fix


def _key(record: dict) -> tuple[int, int]:
    return record["list"], record["row"]


def record_places(group: list[dict]) -> dict[tuple[int, int], Place | None]:
    """Where each record of one library places it: a 2016 record at the list's geocode, a 2021
    or 2023 record at the geocode of a 2016 record with its postcode, else at its postcode's
    centroid (None where the postcode is in neither postcode file).

    A 2016 geocode is its record's unless it lies nearer another of the library's 2016
    postcodes: the list gives both buildings of a move one point (Waterloo's new building has
    the old one's, Camberwell's old building the new one's), and the other is placed at its
    postcode."""
    in16 = [g for g in group if g["list"] == 2016]
    places: dict[tuple[int, int], Place | None] = {}
    geocoded: dict[str, Place] = {}
    for g in in16:
        point, centroid = (g["x"], g["y"]), (g["pc_x"], g["pc_y"])
        others = [
            (h["pc_x"], h["pc_y"])
            for h in in16
            if h["postcode"] != g["postcode"] and not math.isnan(h["pc_x"])
        ]
        own = math.isnan(centroid[0]) or all(
            math.dist(point, centroid) <= math.dist(point, other) for other in others
        )
        places[_key(g)] = (*point, "none") if own else (*centroid, "postcode_centroid")
        if own:
            geocoded.setdefault(g["postcode"], (*point, "none"))
    for g in group:
        if g["list"] != 2016:
            places[_key(g)] = geocoded.get(g["postcode"]) or (
                None if math.isnan(g["pc_x"]) else (g["pc_x"], g["pc_y"], "postcode_centroid")
            )
    return places


def _left(before: Place | None, after: Place | None) -> tuple[float, float] | None:
    """A move's earlier place, where both ends are placed apart."""
    if before is None or after is None or before[:2] == after[:2]:
        return None
    return before[0], before[1]


def _address_words(text) -> set[str]:
    text = "" if pd.isna(text) else str(text).lower()
    return set(re.sub(r"[^a-z0-9 ]", " ", text).split()) - {"london"}


def moved_between_lists(group: list[dict], places: dict, start: dict) -> tuple[str, dict, float]:
    """Whether a later list has the library in another building without saying it moved: its
    latest list's postcode lies more than MOVED_M from both its earlier place and its earlier
    postcode's centroid, at another address (Wood Street Library: Forest Road, E17 4AA in the
    2016 and 2021 lists, 1 Troubridge Square, E17 3HB in the 2023 list). A temporary home
    between lists (North Woolwich, 2019-2020) is no move: only the latest list counts.

    Returns the verdict ('moved'; 'same UPRN' where an earlier list gives the later building's
    UPRN at the earlier postcode, one building (West Wickham: UPRN 100022897598 at Glebe Way in
    the 2021 list and the culture map, at 77 Addington Road in the 2023 list); 'same address'
    where the later address line is within the earlier one, a postcode corrected; 'within
    100 m' of the earlier place or postcode; '' for one postcode), the latest record and the
    metres between the two places (to the nearer of the earlier place and postcode when
    within)."""
    now = _latest(group)
    there, here = places[_key(now)], places[_key(start)]
    if now["list"] <= start["list"] or now["postcode"] == start["postcode"] or not there:
        return "", now, 0.0
    assert here is not None
    metres = math.dist(here[:2], there[:2])
    postcode = (start["pc_x"], start["pc_y"])
    nearest = metres if math.isnan(postcode[0]) else min(metres, math.dist(postcode, there[:2]))
    if now["uprn"] and any(
        g["uprn"] == now["uprn"] and g["postcode"] == start["postcode"] for g in group
    ):
        return "same UPRN", now, metres
    later = _address_words(now["address"])
    if later and later <= _address_words(start["address"]):
        return "same address", now, metres
    if nearest <= MOVED_M:
        return f"within {MOVED_M} m", now, nearest
    return "moved", now, metres


def _latest(group: list[dict]) -> dict:
    """The library's record in its latest list (the open one, where that list has two)."""
    latest = [g for g in group if g["list"] == group[-1]["list"]]
    return next((g for g in reversed(latest) if not g["closed"]), latest[-1])


def geocoded_at_later_building(group: list[dict], places: dict, start: dict, uprns: dict) -> bool:
    """Whether the 2016 list's point is the building the library moved to: the culture map puts
    the latest list's UPRN within MOVED_M of it, while the 2016 postcode's centroid, another
    address, lies farther (Harold Hill: 'New library to open Sept 2016' at Hilldene Avenue,
    RM3 8DJ; the 2023 list's 19A Farnham Road, opened 2016, is UPRN 100023217029, which the
    culture map puts 2 m from the 2016 point and 157 m from RM3 8DJ's centroid). The building
    it left is then at its 2016 postcode's centroid. Only for a move the lists show (Coombes
    Croft's 2016 postcode is 100 m off, its later ones at the 2016 point: one building)."""
    now = _latest(group)
    point = uprns.get(now["uprn"]) if now["uprn"] else None
    here = places[_key(start)]
    if start["list"] != 2016 or point is None or here is None or math.isnan(start["pc_x"]):
        return False
    return (
        math.dist(point, here[:2]) <= MOVED_M
        and math.dist(point, (start["pc_x"], start["pc_y"])) > MOVED_M
        and moved_between_lists(group, places, start)[0] == "moved"
    )


def _address(record: dict) -> str:
    """'1 Troubridge Square (E17 3HB)'."""
    line = " ".join(str(record["address"]).split()).strip(" ,")
    return f"{line} ({record['postcode'][:-3]} {record['postcode'][-3:]})"


def _opening_year(record: dict, rows21: dict, rows23: dict) -> int | None:
    """A 2021 or 2023 record's opening year."""
    row = (rows21 if record["list"] == 2021 else rows23)[record["row"]]
    year = pd.to_numeric(
        row["Year opened" if record["list"] == 2021 else "opened"], errors="coerce"
    )
    return None if pd.isna(year) else int(year)


def _record_id(record: dict, rows23: dict) -> str:
    """A later list's record as the events name it (the 2023 list's by name)."""
    if record["list"] == 2023:
        return f"2023:{rows23[record['row']]['name']}"
    return f"{record['list']}:{record['row']}"


def _closing_kind(note: str) -> str:
    note = note.lower()
    if re.search(r"relocat|moved to new|moved into", note):
        return "moved"
    if re.search(r"replac", note):
        return "closed_replaced"
    return "closed"


def read_library_history(
    lib16: pd.DataFrame,
    lib21: pd.DataFrame,
    lib23: pd.DataFrame,
    postcodes: pd.DataFrame,
    licence: str,
    report,
    uprns: dict[str, tuple[float, float]] | None = None,
    reviewed: pd.DataFrame | None = None,
) -> tuple:
    """Libraries as one history each across the 2016, 2021 and 2023 lists.

    lib16: the London rows of the 2016 list with `borough` (authority name) added; uprns: the
    culture map's library buildings by UPRN (`culture_map.library_uprns`); reviewed: the
    reviewed decisions (`reviewed_records.csv`), of which the libraries' `moved_postcode_wrong`:
    a later list's record of a new building whose postcode is not where its address is.
    """
    uprns = uprns or {}
    reviewed = read_reviewed() if reviewed is None else reviewed
    wrong_postcode = (
        reviewed[
            (reviewed["source"] == "libraries") & (reviewed["decision"] == "moved_postcode_wrong")
        ]
        .set_index("code")["evidence"]
        .to_dict()
    )
    school = [
        frame[column].astype(str).str.contains(SCHOOL_LIBRARY)
        for frame, column in ((lib16, "name"), (lib21, "Library name"), (lib23, "name"))
    ]
    report.add(
        "rule:school_library",
        "libraries",
        len(lib16) + len(lib21) + len(lib23),
        len(lib16) + len(lib21) + len(lib23) - sum(int(m.sum()) for m in school),
        dropped=sum(int(m.sum()) for m in school),
        note="a school's library is not a public library: "
        + ", ".join(
            sorted(set(lib23.loc[school[2], "name"]) | set(lib21.loc[school[1], "Library name"]))
        ),
    )
    lib16, lib21, lib23 = lib16[~school[0]], lib21[~school[1]], lib23[~school[2]]
    kept23 = lib23[lib23["type"].isin(LIBRARY_TYPES_KEPT)]
    # The 2016 list's geocodes, in British National Grid like the postcodes.
    geocode = gpd.GeoSeries(gpd.points_from_xy(lib16["lng"], lib16["lat"]), crs=WGS84).to_crs(BNG)
    records = pd.concat(
        [
            pd.DataFrame(
                {
                    "list": 2016,
                    "rec": lib16["id"].astype(str),
                    "name": lib16["name"],
                    "borough": lib16["borough"].map(borough_key),
                    "postcode": lib16["postcode"].map(postcode_key),
                    "address": lib16["address"],
                    "uprn": "",
                    "x": geocode.x.to_numpy(),
                    "y": geocode.y.to_numpy(),
                    "row": range(len(lib16)),
                }
            ),
            pd.DataFrame(
                {
                    "list": 2021,
                    "rec": "2021:" + lib21.index.astype(str),
                    "name": lib21["Library name"],
                    "borough": lib21["Local authority"].map(borough_key),
                    "postcode": lib21["Postcode"].map(postcode_key),
                    "address": lib21["Address 1"],
                    "uprn": lib21.get(
                        "Unique property reference number", pd.Series(None, lib21.index)
                    ).map(uprn_key),
                    "row": range(len(lib21)),
                }
            ),
            pd.DataFrame(
                {
                    "list": 2023,
                    "rec": "2023:" + kept23.index.astype(str),
                    "name": kept23["name"],
                    "borough": kept23["reporting"].map(borough_key),
                    "postcode": kept23["postcode"].map(postcode_key),
                    "address": kept23["address1"],
                    "uprn": kept23.get("uprn", pd.Series(None, kept23.index)).map(uprn_key),
                    "row": range(len(kept23)),
                }
            ),
        ],
        ignore_index=True,
    )
    records["name"] = records["name"].astype(str).str.strip()
    records["key"] = records["name"].map(name_key)
    records["cluster"] = link_library_records(records)
    centroid = postcodes[["easting", "northing"]].astype(float)
    records["pc_x"] = records["postcode"].map(centroid["easting"])
    records["pc_y"] = records["postcode"].map(centroid["northing"])
    records["closed"] = pd.concat(
        [lib16["closed"].notna(), lib21["Year closed"].notna(), kept23["closed"].notna()]
    ).to_numpy()

    rows16, rows21, rows23 = (
        frame.reset_index(drop=True).to_dict("index") for frame in (lib16, lib21, kept23)
    )
    sites, events = [], []
    moves: list[str] = []
    unplaced_moves: list[str] = []
    unmoved: dict[str, list[str]] = {"same UPRN": [], "same address": [], f"within {MOVED_M} m": []}
    geocoded_later: list[str] = []
    counts = dict(
        moved=0,
        replaced=0,
        temporary=0,
        reopened=0,
        community=0,
        independent=0,
        closed=0,
        notes=0,
        linked=0,
    )
    unplaced: list[str] = []
    clusters: dict[int, list[dict]] = {}
    for rec in records.sort_values(["cluster", "list", "row"]).to_dict("records"):
        clusters.setdefault(rec["cluster"], []).append(rec)
    for _, group in sorted(clusters.items()):
        in16 = [g for g in group if g["list"] == 2016]
        in21 = [g for g in group if g["list"] == 2021]
        in23 = [g for g in group if g["list"] == 2023]
        counts["linked"] += int(len({g["list"] for g in group}) > 1)
        if len(in16):
            # The open record of a move within the 2016 list carries the site (its id, its point).
            r16 = [rows16[g["row"]] for g in in16]
            main16 = next((r for r in r16 if pd.isna(r["closed"])), r16[0])
            site_id = f"lib16-{main16['id']}"
        else:
            first = group[0]
            site_id = f"lib{str(first['list'])[2:]}-{first['borough'][:12]}-{first['key'][:40]}"
            site_id = re.sub(r"[^a-z0-9-]", "-", site_id)
        name = (in23 if len(in23) else in21 if len(in21) else in16)[-1]["name"]
        sources = "; ".join(f"libraries_{y}" for y in sorted({g["list"] for g in group}))

        # Where: the 2016 point (geocoded by Libraries Hacked), else the first list's postcode
        # centroid; a move (below) places it at the building it moved to.
        places = record_places(group)
        start = (
            next(g for g in group if g["list"] == 2016 and rows16[g["row"]] is main16)
            if len(in16)
            else next((g for g in group if places[_key(g)]), group[0])
        )
        if geocoded_at_later_building(group, places, start, uprns):
            latest = _latest(group)
            for g in group:
                if g["list"] > start["list"] and g["uprn"] == latest["uprn"]:
                    places[_key(g)] = places[_key(start)]
            places[_key(start)] = (start["pc_x"], start["pc_y"], "postcode_centroid")
            geocoded_later.append(name)
        # A later record whose postcode is not where its address is, by reviewed decision.
        misplaced = {
            _key(g): wrong_postcode[_record_id(g, rows23)]
            for g in group
            if g["list"] > start["list"] and _record_id(g, rows23) in wrong_postcode
        }
        for key in misplaced:
            places[key] = None
        here = places[_key(start)]
        if here is None:
            unplaced.append(name)
            continue

        ev = []
        # Opening year: the 2016 list's; the later lists' "opened" only for libraries not in it
        # (for a library in the 2016 list, the 2021 "Year opened" is the year it reopened).
        opened, reopened21 = [], None
        for r in (rows16[i] for i in [g["row"] for g in in16]):
            if pd.notna(r.get("opened_year")) and pd.isna(r["closed"]):
                opened.append((int(r["opened_year"]), "libraries_2016", r["id"]))
        for i in [g["row"] for g in in21]:
            year21 = pd.to_numeric(rows21[i]["Year opened"], errors="coerce")
            if pd.notna(year21):
                if len(in16):
                    reopened21 = int(year21)
                else:
                    opened.append((int(year21), "libraries_2021", f"2021:{i}"))
        if not len(in16):
            for i in [g["row"] for g in in23]:
                if pd.notna(rows23[i]["opened"]):
                    opened.append(
                        (int(rows23[i]["opened"]), "libraries_2023", f"2023:{rows23[i]['name']}")
                    )
        notes21 = " ".join(
            str(rows21[i]["Notes"])
            for i in [g["row"] for g in in21]
            if pd.notna(rows21[i]["Notes"])
        )

        # 2016 list: XL closed, XLR closed and replaced, XLT closed temporarily.
        closed_by = None
        for i16, r in ((g["row"], rows16[g["row"]]) for g in in16):
            code = r["closed"]
            if pd.isna(code):
                continue
            year = pd.to_numeric(r["closed_year"], errors="coerce")
            texts = [
                str(t).strip() for t in [r.get("notes"), notes21] if pd.notna(t) and str(t).strip()
            ]
            note = "; ".join(
                {t.lower(): t for t in reversed(texts)}[k]
                for k in dict.fromkeys(t.lower() for t in texts)
            )
            if len(in16) > 1 and r["id"] != main16["id"] and pd.isna(main16["closed"]):
                # The same list has the library open under the same name: it moved.
                ev.append(
                    event(
                        site_id,
                        "moved",
                        year,
                        "libraries_2016",
                        r["id"],
                        f"moved from {r['name']} ({r['postcode']}): {note}",
                        moved_from=_left(places[(2016, i16)], here),
                    )
                )
                counts["moved"] += 1
            elif code == "XLR":
                ev.append(event(site_id, "closed_replaced", year, "libraries_2016", r["id"], note))
                closed_by = "XLR"
                counts["replaced"] += 1
            elif code == "XLT":
                ev.append(
                    event(site_id, "temporarily_closed", year, "libraries_2016", r["id"], note)
                )
                closed_by = "XLT"
                counts["temporary"] += 1
            else:
                ev.append(event(site_id, "closed", year, "libraries_2016", r["id"], note))
                closed_by = "XL"
            if notes21:
                counts["notes"] += 1
        # 2016 type: community-run or independent by 2016 (start not recorded).
        for r in (rows16[i] for i in [g["row"] for g in in16]):
            # (the 2023 list says how each library was run in 2016 itself, so it is preferred)
            if r.get("type") in ("CRL", "ICL") and pd.isna(r["closed"]) and not len(in23):
                kind = "community_run" if r["type"] == "CRL" else "independent"
                ev.append(
                    event(
                        site_id,
                        kind,
                        None,
                        "libraries_2016",
                        r["id"],
                        (
                            "community-run"
                            if kind == "community_run"
                            else "independent community library"
                        )
                        + " in the 2016 list (start not recorded)",
                    )
                )

        # 2021 list: closures the 2016 list does not have (2016-2019), and moves within the list.
        closed21 = [i for i in [g["row"] for g in in21] if pd.notna(rows21[i]["Year closed"])]
        open21 = [i for i in [g["row"] for g in in21] if pd.isna(rows21[i]["Year closed"])]
        for i in closed21:
            row = rows21[i]
            year = pd.to_numeric(row["Year closed"], errors="coerce")
            note = "" if pd.isna(row["Notes"]) else str(row["Notes"])
            if closed_by is not None:
                continue  # the 2016 list already says how it closed (notes added above)
            if open21 and closed21:
                if any(e["event"] == "moved" for e in ev):
                    continue  # the 2016 list already has this move
                left = places[(2021, i)]
                here = places[(2021, open21[-1])] or here
                ev.append(
                    event(
                        site_id,
                        "moved",
                        year,
                        "libraries_2021",
                        f"2021:{i}",
                        f"moved from {row['Postcode']}: {note}",
                        moved_from=_left(left, here),
                    )
                )
                counts["moved"] += 1
                continue
            kind = _closing_kind(note)
            if kind == "moved":
                kind = "closed_replaced"  # moved to a building the lists name otherwise
            ev.append(event(site_id, kind, year, "libraries_2021", f"2021:{i}", note))
            closed_by = kind
            counts["replaced" if kind == "closed_replaced" else "closed"] += 1
        # 2023 list: how it was run in each return; closures 2020-2023; reopenings.
        previous = None
        if len(in16) and pd.isna(main16["closed"]) and closed_by is None:
            previous = "community" if main16.get("type") in ("CRL", "ICL") else "council"
        elif len(in16):
            previous = (
                "closed"
                if closed_by in ("XL", "XLR", "closed", "closed_replaced")
                else "temporary"
                if closed_by == "XLT"
                else "council"
            )
        elif closed_by is not None:
            previous = "closed"
        # The year of a closure the 2016 or 2021 list records: returns up to it describe the
        # library before it closed, not a reopening.
        closed_at = max(
            (
                e["year"]
                for e in ev
                if e["event"] in ("closed", "closed_replaced", "temporarily_closed")
                and e["year"] is not None
            ),
            default=None,
        )
        for i in [g["row"] for g in in23]:
            row = rows23[i]
            rec = f"2023:{row['name']}"
            for column, year in OPERATION_YEARS.items():
                value = str(row[column]).strip() if pd.notna(row[column]) else ""
                value = value.upper() if value.upper() in COUNCIL else value
                if value in COUNCIL:
                    state = "council"
                elif value == "CR":
                    state = "community"
                elif value == "ICL":
                    state = "independent"
                elif value == "Closed":
                    state = "closed"
                elif value == "Temporary Closure":
                    state = "temporary"
                else:
                    continue  # Facility Not Open, [Unknown]
                between = f"{column} = {value}"
                is_open = state in ("council", "community", "independent")
                if is_open and closed_at is not None and year <= closed_at:
                    continue
                closed_2021 = any(
                    pd.notna(rows21[j]["Year closed"]) for j in [g["row"] for g in in21]
                )
                if (
                    state == "council"
                    and previous == "closed"
                    and closed_2021
                    and reopened21 is None
                    and year <= 2021
                ):
                    # Council-run in a return the 2016 and 2021 lists both say came after the
                    # council closed it (Newington, 155 Walworth Road): the closure stands.
                    continue
                if is_open and previous in ("closed", "temporary"):
                    when = year
                    note = f"open again in the {year} return ({between})"
                    if reopened21 is not None:
                        when, note = reopened21, f"reopened {reopened21} (2021 list); {note}"
                    ev.append(event(site_id, "reopened", when, "libraries_2023", rec, note))
                    counts["reopened"] += 1
                if state == "community" and previous != "community":
                    ev.append(
                        event(
                            site_id,
                            "community_run",
                            year,
                            "libraries_2023",
                            rec,
                            f"community-run in the {year} return",
                        )
                    )
                    counts["community"] += 1
                elif state == "independent" and previous not in ("independent", "community"):
                    ev.append(
                        event(
                            site_id,
                            "independent",
                            year,
                            "libraries_2023",
                            rec,
                            f"independent community library in the {year} return",
                        )
                    )
                    counts["independent"] += 1
                elif state == "council" and previous in ("community", "independent"):
                    ev.append(
                        event(
                            site_id,
                            "changed_owner",
                            year,
                            "libraries_2023",
                            rec,
                            f"council-run again in the {year} return",
                        )
                    )
                elif state == "temporary" and previous not in ("temporary", "closed"):
                    ev.append(
                        event(
                            site_id,
                            "temporarily_closed",
                            year,
                            "libraries_2023",
                            rec,
                            f"temporary closure in the {year} return",
                        )
                    )
                    counts["temporary"] += 1
                elif state == "closed" and previous not in ("closed",):
                    closed_year = row["closed"] if pd.notna(row["closed"]) else year
                    ev.append(
                        event(
                            site_id,
                            "closed",
                            closed_year,
                            "libraries_2023",
                            rec,
                            f"closed in the {year} return",
                        )
                    )
                    counts["closed"] += 1
                previous = (
                    state
                    if not (state == "independent" and previous == "community")
                    else "community"
                )
        if not len(in23) and not len(in16):
            for i in open21:
                community = {"CRL": "community_run", "ICL": "independent"}.get(
                    rows21[i]["Type of library"]
                )
                if community:
                    ev.append(
                        event(
                            site_id,
                            community,
                            None,
                            "libraries_2021",
                            f"2021:{i}",
                            "in the 2021 list (start not recorded)",
                        )
                    )
        if opened:
            year, source, rec = min(opened)
            ev.insert(0, event(site_id, "opened", year, source, rec))
        # The 2016 list's opening year of a library it marks as a replacement (or whose note
        # says it was rebuilt, refurbished or moved) is its building's: continuing_libraries
        # decides whether an earlier library of the lists carries the years before it.
        continues = None
        if len(in16) and pd.isna(main16["closed"]) and pd.notna(main16.get("opened_year")):
            note16 = str(main16["notes"]) if pd.notna(main16.get("notes")) else ""
            if (
                main16.get("replacement") == "t" or REBUILT.search(note16)
            ) and not FORMER_CLOSED.search(note16):
                continues = (int(main16["opened_year"]), note16)
        if not ev:
            ev.append(
                event(
                    site_id,
                    "opened",
                    None,
                    sources.split("; ")[0],
                    group[0]["rec"],
                    "listed (opening year not recorded)",
                )
            )
        # A later list's other address, where the lists do not say the library moved.
        if not any(e["event"] == "moved" for e in ev) and _key(_latest(group)) in misplaced:
            now = _latest(group)
            ev.append(
                event(
                    site_id,
                    "moved",
                    None,
                    f"libraries_{now['list']}",
                    _record_id(now, rows23),
                    f"moved from {_address(start)} to {_address(now)}: {misplaced[_key(now)]} "
                    f"(reviewed decision, {REVIEWED.name}); measured at the earlier place",
                )
            )
            counts["moved"] += 1
        elif not any(e["event"] == "moved" for e in ev):
            verdict, now, metres = moved_between_lists(group, places, start)
            if verdict == "moved":
                first = next(
                    g
                    for g in group
                    if g["list"] > start["list"] and g["postcode"] == now["postcode"]
                )
                before = max(g["list"] for g in group if g["postcode"] == start["postcode"])
                years = sorted(
                    int(y)
                    for g in group
                    if g["list"] > start["list"] and g["postcode"] == now["postcode"]
                    for y in [_opening_year(g, rows21, rows23)]
                    if y is not None and y >= start["list"]
                )
                # A list between with a third address: the library had left by then.
                third = [
                    g
                    for g in group
                    if start["list"] < g["list"] < first["list"]
                    and g["postcode"] not in (start["postcode"], now["postcode"])
                ]
                timing = (
                    f"opened there in {years[0]} (the later lists)"
                    if years
                    else f"when is not recorded (between the {before} and {first['list']} lists)"
                    if not third
                    else f"when is not recorded: it had left by the {third[0]['list']} list, "
                    f"which has it at {_address(third[0])}"
                )
                ev.append(
                    event(
                        site_id,
                        "moved",
                        years[0] if years else None,
                        f"libraries_{first['list']}",
                        _record_id(first, rows23),
                        f"moved from {_address(start)} to {_address(now)}, {metres:,.0f} m: the "
                        f"{first['list']} list's address; " + timing,
                        moved_from=_left(here, places[_key(now)]),
                    )
                )
                here = places[_key(now)] or here
                counts["moved"] += 1
            elif verdict:
                unmoved[verdict].append(f"{name} {metres:,.0f} m")
        for e in ev:
            if e["event"] == "moved" and e["from_easting"] is not None:
                metres = math.dist((e["from_easting"], e["from_northing"]), here[:2])
                moves.append(f"{name} {metres:,.0f} m ({e['year'] or 'year not recorded'})")
            elif e["event"] == "moved":
                unplaced_moves.append(name)  # one place for both buildings, or none for the new
        events.extend(ev)
        sites.append(
            dict(
                site_id=site_id,
                name=name,
                sources=sources,
                coord_fix=here[2],
                _x=here[0],
                _y=here[1],
                _borough=group[0]["borough"],
                _keys={g["key"] for g in group},
                _postcodes={g["postcode"] for g in group},
                # The lists' notes on the open library, each with its list: what it replaced.
                _notes=[
                    (2021, str(rows21[i]["Notes"])) for i in open21 if pd.notna(rows21[i]["Notes"])
                ]
                + (
                    [(2016, str(main16["notes"]))]
                    if len(in16) and pd.isna(main16["closed"]) and pd.notna(main16.get("notes"))
                    else []
                ),
                _move_note=notes21 if MOVE_PLANNED.search(notes21) else "",
                _continues=continues,
            )
        )

    sites, events = successors_named(sites, events, report)
    events = continuing_libraries(sites, events, report)
    frame = pd.DataFrame(sites).drop(
        columns=["_borough", "_keys", "_postcodes", "_notes", "_move_note", "_continues"]
    )
    frame = gpd.GeoDataFrame(
        frame.drop(columns=["_x", "_y"]),
        geometry=gpd.points_from_xy(frame["_x"], frame["_y"]),
        crs=BNG,
    )
    frame["category"] = "Library"
    frame["category_group"] = "Community & libraries"
    frame["licence"] = licence
    report.add(
        "history",
        "libraries",
        len(records),
        len(frame),
        dropped=len(unplaced),
        note=f"{len(lib16)} (2016) + {len(lib21)} (2021) + {len(kept23)} (2023, static "
        f"libraries; {len(lib23) - len(kept23)} archives, mobile and prison "
        f"libraries left out) records are {len(frame)} libraries, "
        f"{counts['linked']} of them in more than one list; unplaced: "
        f"{', '.join(unplaced) or 'none'}",
    )
    report.add(
        "rule:library_moved",
        "libraries",
        len(moves) + len(unplaced_moves) + sum(len(v) for v in unmoved.values()),
        len(moves) + len(unplaced_moves) + sum(len(v) for v in unmoved.values()),
        repaired=len(moves),
        note="a library in another building: the lists' own moves, and a later list's other "
        f"address more than {MOVED_M} m from both the earlier point and the earlier postcode's "
        "centroid; the site's point is where it moved to, the building it left is on the move "
        f"(events from_easting, from_northing): {'; '.join(moves) or 'none'}. The 2016 point "
        "taken as the building moved to, the culture map putting the latest list's UPRN there: "
        f"{', '.join(geocoded_later) or 'none'}. Moves measured at one place (no list places "
        "the two buildings apart, or a later postcode wrong by reviewed decision): "
        f"{', '.join(unplaced_moves) or 'none'}. Another postcode, no move: "
        + "; ".join(f"{why} ({', '.join(names) or 'none'})" for why, names in unmoved.items()),
    )
    return frame, events_frame(events)


def successors_named(sites: list[dict], events: list[dict], report) -> tuple:
    """The lists' own words on what replaced a closed library, read from the new library's side.

    - A note on an open library's row naming the libraries it replaced ("Replacement for
      Grahame Park" on Colindale): their closure is a replacement, not a loss.
    - A closed library whose note announced its move (Gayton: "will be moving to a new
      location") and a library of the borough that opened the year it closed (Greenhill): a
      replacement too.
    - An access point opened at a closed library's postcode the year it closed (Heathfield
      Library Access Point): one library that moved into smaller premises, one history, so the
      access point's closure is the one loss.
    """
    by_id = {s["site_id"]: s for s in sites}
    closing = {e["site_id"]: e for e in events if e["event"] == "closed" and e["site_id"] in by_id}
    opened = {e["site_id"]: e["year"] for e in events if e["event"] == "opened" and e["year"]}
    replaced, moved, folded = [], [], {}

    def borough_sites(site: dict):
        return [o for o in sites if o["_borough"] == site["_borough"] and o is not site]

    for site in sites:
        named = [
            (year, note, part) for year, note in site["_notes"] for part in REPLACES.findall(note)
        ]
        for listed, text, part in named:
            names = re.split(r",|\band\b", re.sub(r"(?i)\blibrar(?:y|ies)\b", "", part))
            for old in borough_sites(site):
                if old["site_id"] in closing and any(
                    name_key(n) in old["_keys"] for n in names if name_key(n)
                ):
                    e = closing[old["site_id"]]
                    e["event"], e["loss"] = "closed_replaced", False
                    e["note"] = "; ".join(
                        filter(
                            None,
                            [
                                e["note"],
                                f"replaced by {site['name']} (the {listed} list's note on it: '{text.strip()}')",
                            ],
                        )
                    )
                    replaced.append(old["name"])
        if site["_move_note"] and site["site_id"] in closing:
            e = closing[site["site_id"]]
            new = [
                o
                for o in borough_sites(site)
                if opened.get(o["site_id"]) in (e["year"], (e["year"] or 0) + 1)
                and o["site_id"] not in closing
            ]
            if len(new) == 1:
                e["event"], e["loss"] = "closed_replaced", False
                e["note"] = "; ".join(
                    filter(
                        None,
                        [
                            e["note"],
                            f"moved to {new[0]['name']}, opened {opened[new[0]['site_id']]} (the 2021 list: '{site['_move_note'].strip()}')",
                        ],
                    )
                )
                moved.append(f"{site['name']} -> {new[0]['name']}")
        if ACCESS_POINT.search(site["name"]):
            base = name_key(ACCESS_POINT.sub("", site["name"]))
            for old in borough_sites(site):
                last = closing.get(old["site_id"])
                if (
                    last
                    and base in old["_keys"]
                    and old["_postcodes"] & site["_postcodes"]
                    and last["year"] == opened.get(site["site_id"])
                ):
                    folded[site["site_id"]] = old["site_id"]
                    last.update(
                        event=MOVED_TO_ACCESS_POINT,
                        loss=False,
                        note="; ".join(
                            filter(
                                None, [last["note"], f"became {site['name']} at the same postcode"]
                            )
                        ),
                    )
    kept_events = []
    for e in events:
        if e["event"] == MOVED_TO_ACCESS_POINT:
            e["event"] = "moved"
        if e["site_id"] in folded:
            if e["event"] == "opened":
                continue  # the library's history goes on; it did not open anew
            e["site_id"] = folded[e["site_id"]]
        kept_events.append(e)
    report.add(
        "rule:replaced_by_note",
        "libraries",
        len(closing),
        len(closing) - len(replaced) - len(moved) - len(folded),
        repaired=len(replaced) + len(moved) + len(folded),
        note=f"closures the lists explain from the new library's side: replaced ({', '.join(replaced) or 'none'}); "
        f"announced moves ({', '.join(moved) or 'none'}); access points that carried the library on at its postcode ("
        + (", ".join(by_id[a]["name"] for a in folded) or "none")
        + ")",
    )
    return [s for s in sites if s["site_id"] not in folded], kept_events


MOVED_TO_ACCESS_POINT = "_moved_to_access_point"


def continuing_libraries(sites: list[dict], events: list[dict], report) -> list[dict]:
    """A library in a new building is not a new library (its opening no gain of one).

    The 2016 list marks almost every London library opened since 2009 as a replacement. Where
    its old building is its own record (a move in its history), it continues. Where the
    library it replaced is another site of the lists (closed and replaced, or moved, in the same
    borough within PREDECESSOR_M and PREDECESSOR_YEARS), that site carries the years before and
    the opening stays. Otherwise the earlier library is on no list (Willesden Green rebuilt on
    its site, Woolwich's old building): the opening becomes a move, and the library counts as
    open before it, as it was.
    """
    by_id = {s["site_id"]: s for s in sites}
    ended = [
        (e, by_id[e["site_id"]])
        for e in events
        if e["event"] in ("closed_replaced", "moved") and e["site_id"] in by_id and e["year"]
    ]
    moved_itself = {e["site_id"] for e in events if e["event"] == "moved"}
    continued, kept_opening = [], []
    for site in sites:
        if site["_continues"] is None:
            continue
        year, note = site["_continues"]
        # A library that moved within its own history (Camberwell's old building is its own
        # record), or whose note says it replaced its own old building ("the old Penge Library
        # on Maple Road"), continues whatever else closed nearby.
        named = [
            name_key(n)
            for part in REPLACES.findall(note)
            for n in re.split(r",|\band\b", re.sub(r"(?i)\blibrar(?:y|ies)\b", "", part))
        ]
        own = any(
            set(n.split()) <= set(key.split()) or set(key.split()) <= set(n.split())
            for n in named
            if n
            for key in site["_keys"]
        )
        predecessors = (
            []
            if site["site_id"] in moved_itself or own
            else [
                old["name"]
                for e, old in ended
                if old is not site
                and old["_borough"] == site["_borough"]
                and year - PREDECESSOR_YEARS <= e["year"] <= year
                and _distance(old, site) <= PREDECESSOR_M
            ]
        )
        if predecessors:
            kept_opening.append(f"{site['name']} (after {predecessors[0]})")
            continue
        for e in events:
            if e["site_id"] == site["site_id"] and e["event"] == "opened" and e["year"] == year:
                e["event"] = "moved"
                e["note"] = "; ".join(
                    filter(None, [f"a new building for an earlier library ({year})", note])
                )
        continued.append(site["name"])
    report.add(
        "rule:continuing_library",
        "libraries",
        len(continued) + len(kept_opening),
        len(kept_opening),
        repaired=len(continued),
        note="a library the 2016 list marks as a replacement (or rebuilt, refurbished, moved) "
        "opened a building, not a library: open before it where the library it replaced is on "
        f"no list ({', '.join(continued) or 'none'}); its opening kept where that library is a "
        f"site of the lists ({', '.join(kept_opening) or 'none'})",
    )
    return events


def _distance(a: dict, b: dict) -> float:
    """Metres between two sites' points (British National Grid)."""
    return math.dist((a["_x"], a["_y"]), (b["_x"], b["_y"]))


def read_libraries(
    src: Path, postcodes: pd.DataFrame, report: Report
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Libraries as one history each across the 2016, 2021 and 2023 lists (libraries.py)."""
    raw = read_csv(
        src,
        "libraries",
        [
            "name",
            "id",
            "authority_id",
            "lat",
            "lng",
            "closed",
            "closed_year",
            "opened_year",
            "postcode",
            "address",
        ],
    )
    authorities = read_csv(src, "library_authorities", ["authority_id", "code", "name"])
    london_auth = authorities[authorities["code"].astype(str).str.startswith("E09")]
    london = raw[raw["authority_id"].isin(london_auth["authority_id"])]
    london = london.dropna(subset=["lat", "lng"])
    london = london.assign(
        borough=london["authority_id"].map(london_auth.set_index("authority_id")["name"])
    )
    closed = london["closed"].isin(["XL", "XLR", "XLT"])
    report.add(
        "sites",
        "libraries",
        len(raw),
        len(london),
        dropped=len(raw) - len(london),
        note=f"London authorities only; {int(closed.sum())} closed in the 2016 list ("
        + ", ".join(f"{code} {int((london.closed == code).sum())}" for code in ("XL", "XLR", "XLT"))
        + ")",
    )
    lib21 = read_csv(
        src,
        "libraries_2021",
        [
            "Local authority",
            "Library name",
            "Address 1",
            "Postcode",
            "Type of library",
            "Year opened",
            "Year closed",
            "Notes",
            "Unique property reference number",
        ],
        dtype={"Year closed": str, "Unique property reference number": str},
    )
    lib23 = read_csv(
        src,
        "libraries_2023",
        [
            "reporting",
            "name",
            "address1",
            "postcode",
            "type",
            "closed",
            "opened",
            "uprn",
            *["operation_16", "operation_19", "operation_21", "operation_22", "operation_23"],
        ],
        dtype={"uprn": str},
    )
    return read_library_history(
        london, lib21, lib23, postcodes, SOURCES["libraries"].licence, report, library_uprns(src)
    )
