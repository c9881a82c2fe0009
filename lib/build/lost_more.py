"""Histories of libraries (2016, 2021 and 2023 lists), pharmacies and dental practices.

Each reader returns (sites, events): sites in the build's site columns (state filled in later
from the events by `history.site_states`), events in `history.EVENT_COLUMNS`.
"""

from __future__ import annotations

import re

import geopandas as gpd
import pandas as pd

from lib.build.history import chains, event, events_frame, successions

BNG = "EPSG:27700"
WGS84 = "EPSG:4326"
CHANGE_OF_OWNER_DAYS = 92  # "within about three months" (MANIFEST.md)
DENTAL_CONTRACT_END = "20160331"
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
) -> tuple:
    """Libraries as one history each across the 2016, 2021 and 2023 lists.

    lib16: the London rows of the 2016 list with `borough` (authority name) added.
    """
    kept23 = lib23[lib23["type"].isin(LIBRARY_TYPES_KEPT)]
    records = pd.concat(
        [
            pd.DataFrame(
                {
                    "list": 2016,
                    "rec": lib16["id"].astype(str),
                    "name": lib16["name"],
                    "borough": lib16["borough"].map(borough_key),
                    "postcode": lib16["postcode"].map(postcode_key),
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
                    "row": range(len(kept23)),
                }
            ),
        ],
        ignore_index=True,
    )
    records["name"] = records["name"].astype(str).str.strip()
    records["key"] = records["name"].map(name_key)
    records["cluster"] = link_library_records(records)

    rows16, rows21, rows23 = (
        frame.reset_index(drop=True).to_dict("index") for frame in (lib16, lib21, kept23)
    )
    needed = set(records["postcode"])
    place = postcodes[postcodes.index.isin(list(needed))][["easting", "northing"]].to_dict("index")
    sites, events = [], []
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

        # Where: the 2016 point (geocoded by Libraries Hacked), else the latest postcode centroid.
        x = y = None
        coord_fix = "none"
        if len(in16):
            x, y = main16["lng"], main16["lat"]
        else:
            for rec in sorted(group, key=lambda g: -g["list"]):
                if rec["postcode"] in place:
                    e, n = place[rec["postcode"]]["easting"], place[rec["postcode"]]["northing"]
                    x, y, coord_fix = e, n, "postcode_centroid"
                    break
        if x is None:
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
        for r in (rows16[i] for i in [g["row"] for g in in16]):
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
                ev.append(
                    event(
                        site_id,
                        "moved",
                        year,
                        "libraries_2021",
                        f"2021:{i}",
                        f"moved from {row['Postcode']}: {note}",
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
        events.extend(ev)
        sites.append(
            dict(
                site_id=site_id,
                name=name,
                sources=sources,
                coord_fix=coord_fix,
                _x=x,
                _y=y,
                _wgs=len(in16) > 0,
            )
        )

    frame = pd.DataFrame(sites)
    wgs = frame["_wgs"].to_numpy(dtype=bool)
    points = gpd.GeoSeries(gpd.points_from_xy(frame["_x"], frame["_y"]))
    geometry = points.copy()
    if wgs.any():
        geometry[wgs] = gpd.GeoSeries(points[wgs].values, crs=WGS84).to_crs(BNG).values
    frame = gpd.GeoDataFrame(
        frame.drop(columns=["_x", "_y", "_wgs"]), geometry=geometry.values, crs=BNG
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
    return frame, events_frame(events)


# ---------------------------------------------------------------- pharmacies and dental practices


def read_ods_history(
    raw: pd.DataFrame,
    postcodes: pd.DataFrame,
    *,
    prefix: str,
    category: str,
    source: str,
    licence: str,
    report,
    exclude=None,
    not_a_loss=None,
) -> tuple:
    """ODS organisation codes -> one site per chain of codes at one postcode.

    exclude: boolean Series of rows that are not this kind of place (left out, counted).
    not_a_loss: boolean Series of closed rows whose closure is not counted as a loss (noted).
    """
    codes = raw.copy()
    codes["postcode_key"] = codes["postcode"].map(postcode_key)
    n_in = len(codes)
    excluded = int(exclude.sum()) if exclude is not None else 0
    if exclude is not None:
        codes = codes[~exclude]
    proposed = int((codes["status_code"] == "P").sum())
    codes = codes[codes["status_code"] != "P"]
    known = set(postcodes.index)
    unplaced = ~codes["postcode_key"].map(known.__contains__).astype(bool)
    n_unplaced = int(unplaced.sum())
    codes = codes[~unplaced].copy()
    codes["opened"] = pd.to_datetime(codes["open_date"], format="%Y%m%d", errors="coerce")
    codes["closed"] = pd.to_datetime(
        codes["close_date"].replace("", None), format="%Y%m%d", errors="coerce"
    )
    succ = successions(
        codes.drop(columns="postcode").rename(
            columns={"organisation_code": "code", "postcode_key": "postcode"}
        ),
        CHANGE_OF_OWNER_DAYS,
    )
    head = chains(codes["organisation_code"], succ)
    codes["site"] = codes["organisation_code"].map(head)
    no_loss = set() if not_a_loss is None else set(raw.loc[not_a_loss, "organisation_code"])
    events, sites = [], []
    by_code = codes.set_index("organisation_code")[
        ["name", "opened", "closed", "postcode_key"]
    ].to_dict("index")
    place = postcodes[postcodes.index.isin(list(set(codes["postcode_key"])))][
        ["easting", "northing"]
    ].to_dict("index")
    for site_code in sorted(set(codes["site"])):
        site_id = f"{prefix}-{site_code}"
        first = by_code[site_code]
        known_open = pd.notna(first["opened"])
        events.append(
            event(
                site_id,
                "opened",
                first["opened"].year if known_open else None,
                source,
                site_code,
                str(first["name"]).title(),
                date=first["opened"].strftime("%Y-%m-%d") if known_open else "",
            )
        )
        code = site_code
        last = first
        seen = {code}
        while code in succ and succ[code] not in seen:
            seen.add(succ[code])
            nxt = succ[code]
            row = by_code[nxt]
            events.append(
                event(
                    site_id,
                    "changed_owner",
                    row["opened"].year,
                    source,
                    nxt,
                    f"{code} ({str(by_code[code]['name']).title()}) closed "
                    f"{by_code[code]['closed']:%Y-%m-%d}; {nxt} "
                    f"({str(row['name']).title()}) opened {row['opened']:%Y-%m-%d} at "
                    "the same postcode",
                    date=row["opened"].strftime("%Y-%m-%d"),
                )
            )
            code, last = nxt, row
        if pd.notna(last["closed"]):
            loss = code not in no_loss
            note = (
                ""
                if loss
                else (
                    "NHS contract-end record dated 31 March 2016 (the file's "
                    "date): not counted as a loss"
                )
            )
            events.append(
                event(
                    site_id,
                    "closed",
                    last["closed"].year,
                    source,
                    code,
                    note,
                    date=last["closed"].strftime("%Y-%m-%d"),
                    loss=loss,
                )
            )
        e, n = place[first["postcode_key"]]["easting"], place[first["postcode_key"]]["northing"]
        sites.append(dict(site_id=site_id, name=str(last["name"]).strip().title(), _x=e, _y=n))
    frame = pd.DataFrame(sites)
    frame = gpd.GeoDataFrame(
        frame.drop(columns=["_x", "_y"]),
        geometry=gpd.points_from_xy(frame["_x"], frame["_y"]),
        crs=BNG,
    )
    frame["category"] = category
    frame["category_group"] = "Health"
    frame["sources"] = source
    frame["licence"] = licence
    frame["coord_fix"] = "postcode_centroid"
    events = events_frame(events)
    closures = int(codes["closed"].notna().sum())
    report.add(
        "history",
        source,
        n_in,
        len(frame),
        dropped=excluded + proposed + n_unplaced,
        note=f"{excluded} not {category.lower()}s, {proposed} proposed and {n_unplaced} "
        f"without a London postcode left out; {len(codes)} codes are {len(frame)} "
        f"sites; {closures} closed codes",
    )
    n_losses = int(((events["event"] == "closed") & events["loss"]).sum())
    report.add(
        "rule:change_of_owner",
        source,
        closures,
        closures - len(succ),
        repaired=len(succ),
        note=f"{len(succ)} of {closures} closed codes have another code opening at the "
        f"same postcode within {CHANGE_OF_OWNER_DAYS} days of the close: a change of "
        f"owner, not a loss; {n_losses} closures counted as losses",
    )
    return frame, events


def read_pharmacies(raw: pd.DataFrame, postcodes, licence: str, report) -> tuple:
    # Sub-type 2 are appliance contractors (Scholl footcare, Fittleworth Medical): not pharmacies.
    appliance = raw["organisation_sub_type_code"].astype(str).eq("2")
    report.add(
        "rule:not_a_pharmacy",
        "pharmacies",
        len(raw),
        len(raw) - int(appliance.sum()),
        dropped=int(appliance.sum()),
        note=f"{int(appliance.sum())} appliance contractors (organisation sub-type 2, e.g. "
        f"Scholl footcare, Fittleworth Medical) left out, "
        f"{int((appliance & raw['close_date'].ne('')).sum())} of them closed",
    )
    return read_ods_history(
        raw,
        postcodes,
        prefix="pharm",
        category="Pharmacy",
        source="pharmacies_2025",
        licence=licence,
        report=report,
        exclude=appliance,
    )


def read_dental(raw: pd.DataFrame, postcodes, licence: str, report) -> tuple:
    contract_end = raw["close_date"].astype(str).eq(DENTAL_CONTRACT_END)
    frame, events = read_ods_history(
        raw,
        postcodes,
        prefix="dent",
        category="Dental practice",
        source="dental_2016",
        licence=licence,
        report=report,
        not_a_loss=contract_end,
    )
    kept = int(((events["event"] == "closed") & ~events["loss"]).sum())
    report.add(
        "rule:dental_contract_end",
        "dental",
        int(contract_end.sum()),
        int(contract_end.sum()) - kept,
        repaired=kept,
        note=f"{int(contract_end.sum())} codes closed on 31 March 2016, the file's own "
        "date and the end of the NHS year (49 of them opened 1 April 2006, when the "
        "2006 contracts began; most are orthodontic or 'Dental Surgery' contracts): "
        f"contract-end records, not evidence the practice closed; {kept} of them are "
        "site closures kept as closed but not counted as losses (the rest were "
        "followed by a new code at the same postcode)",
    )
    return frame, events
