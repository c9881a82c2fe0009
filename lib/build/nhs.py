"""Pharmacies and dental practices from NHS ODS codes: which codes are one facility.

A source's record is not a facility. An ODS code closes on every change of owner, one shop can
hold two codes at once, a code can live a day, and a pharmacy that moves down the road gets a
new code. The rules, in the order they apply; each is counted in `build_report` and names the
`rule` of each code in the `records` layer (keys in lib/vocab/rules.py):

1. not_community (pharmacies): a distance-selling, hub or care-home-supplier contractor that
   nobody walks into, by the reviewed decisions in `reviewed_records.csv` (candidates are
   found by address and name; a candidate without a decision stops the build).
   not_a_practice (dental): a community, hospital, prison or emergency dental service.
2. short_lived: a code closed under 31 days after it opened is no facility.
3. parallel_code: a code that ends while a code of the same name at the same postcode stays
   open, having opened more than 92 days before.
4. change_of_owner: a code that closes as another opens in the same building within 92 days.
5. moved (pharmacies): a pharmacy that opens within 250 m within 183 days of the close.
6. contract_end (dental): a closure dated 31 March, the NHS year end, is a contract-end record.

One site is one chain of codes (changes of owner and moves) with the parallel codes folded in:
one history, whose `opened` date is the chain's first, unless that date is the file's date for
codes older than its records (Source.on_record_since): then the site is "on record since".
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from lib.build.gp import same_building
from lib.build.history import event, events_frame
from lib.build.inputs import InputError, Report, read_csv
from lib.vocab.sources import SOURCES

BNG = "EPSG:27700"
CHANGE_OF_OWNER_DAYS = 92  # "within about three months" (MANIFEST.md)
SHORT_LIVED_DAYS = 31
MOVE_METRES = 250
MOVE_DAYS = 183
REVIEWED = Path(__file__).with_name("reviewed_records.csv")
RECORD_COLUMNS = [
    "code",
    "site_id",
    "category",
    "source",
    "name",
    "address",
    "postcode",
    "opened",
    "closed",
    "rule",
    "next_code",
    "note",
]
# Where a pharmacy nobody walks into says so: business and industrial estates, offices,
# online and hub names. Only candidates: each needs a reviewed decision.
NOT_COMMUNITY_PLACE = re.compile(
    r"BUSINESS|\bBUS\.? ?(?:CTR|CENT|PARK|PRK)|B/PARK|\bIND(?:USTRIAL)?\.? ?EST|INDUSTRIAL|"
    r"TRADING EST|BIZSPACE|WORKSHOPS|STUDIOS|DATAPOINT|CONTAINERVILLE|^(?:OFFICE|ROOM|SUITE) "
)
NOT_COMMUNITY_NAME = re.compile(
    r"\bHUB\b|CARE HOME|DIRECT|2U\b|ONLINE|\.COM|\bDIGITAL|\bMEDS\b|WAREHOUSE|SUPPLIES|"
    r"REQUIREMENTS|DELIVER|MAIL ORDER"
)
NOT_A_DENTAL_PRACTICE = re.compile(
    r"\bPCT\b|P C T|PRIMARY CARE|N H S TRUST|NHS TRUST|HOSPITAL|COMMUNITY HEALTH|"
    r"COMMUNITY DENTAL|DENTAL ACCESS|ACCESS CENTRE|EMERGENCY DENTAL|DENTAL SERVICE|PRISON|"
    r"\bHMP\b|DENTAL DEPT|UNIVERSITY COLLEGE|\bDISTRICT COMMUNITY|ST GILES TRUST|"
    r"MOTTINGHAM COMMUNITY|COMMUNITY H\.C\."
)
NAME_STOP = frozenset(
    "THE AND LIMITED LTD UK PLC CO COMPANY PHARMACY PHARMACIES CHEMIST CHEMISTS DENTAL "
    "PRACTICE SURGERY CARE".split()
)


def name_key(name: str) -> str:
    """A name without company and trade words: 'BOOTS UK LIMITED' and 'Boots' are 'BOOTS';
    a name of trade words alone ('DENTAL SURGERY') has none."""
    words = re.findall(r"[A-Z0-9]+", str(name).upper().replace("&", " AND "))
    key = "".join(w for w in words if w not in NAME_STOP)
    return re.sub(r"(PHARMACY|CHEMISTS?)$", "", key)


def same_name(a: str, b: str) -> bool:
    """The same name, or the same first distinctive word ('DAY LEWIS PHARMACY', 'DAY LEWIS PLC');
    never two names of trade words alone."""
    if name_key(a) and name_key(a) == name_key(b):
        return True
    first = [
        next((w for w in re.findall(r"[A-Z0-9]+", str(n).upper()) if w not in NAME_STOP), "")
        for n in (a, b)
    ]
    return len(first[0]) >= 3 and first[0] == first[1]


def read_reviewed(path: Path = REVIEWED) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


# ---------------------------------------------------------------- the rules, one function each


def short_lived(codes: pd.DataFrame) -> pd.Index:
    days = (codes["closed"] - codes["opened"]).dt.days
    return codes.index[days.notna() & (days < SHORT_LIVED_DAYS)]


def _same_building(codes: pd.DataFrame, a: str, b: str) -> bool:
    return same_building(codes.at[a, "lines"], codes.at[b, "lines"])


def parallel_codes(codes: pd.DataFrame) -> dict[str, str]:
    """{closed code: the code of the same name at the same postcode that stayed open}.

    The address is not asked: a practice a few doors along under the same name (Clapham South
    Dental Centre, 19 and 15 Balham Hill) is the same facility; the name tells two apart.
    """
    by_postcode = codes.groupby("postcode").groups
    hosts = {}
    for code in codes.index[codes["closed"].notna()]:
        closed = codes.at[code, "closed"]
        options = []
        for other in by_postcode[codes.at[code, "postcode"]]:
            if other == code:
                continue
            row = codes.loc[other]
            open_before = row["opened"] < closed - pd.Timedelta(days=CHANGE_OF_OWNER_DAYS)
            stays = pd.isna(row["closed"]) or row["closed"] > closed
            if open_before and stays and same_name(codes.at[code, "name"], row["name"]):
                options.append((pd.isna(row["closed"]), row["closed"], other))
        if options:
            # the one open longest: still open first, then the latest close
            hosts[code] = max(options, key=lambda o: (o[0], o[1] if pd.notna(o[1]) else 0, o[2]))[2]
    return hosts


def successions(
    codes: pd.DataFrame, days: int = CHANGE_OF_OWNER_DAYS, ended=frozenset()
) -> dict[str, str]:
    """{closed code: the code that opened in the same building within `days` of its close}.

    ended: codes whose end another rule already explains (parallel codes). Each closed code gets one successor and each code succeeds one other, nearest in time
    first; the successor opened after its predecessor did, so a chain never loops back.
    """
    closed = codes[codes["closed"].notna() & ~codes.index.isin(list(ended))]
    closed = closed.reset_index(drop=True)
    pairs = closed[["code", "postcode", "opened", "closed"]].merge(
        codes.reset_index(drop=True)[["code", "postcode", "opened"]],
        on="postcode",
        suffixes=("", "_next"),
    )
    pairs = pairs[(pairs["code"] != pairs["code_next"]) & (pairs["opened_next"] > pairs["opened"])]
    gap = (pairs["opened_next"] - pairs["closed"]).dt.days.abs()
    pairs = pairs.assign(_gap=gap)[gap <= days]
    building = [
        _same_building(codes, a, b) for a, b in zip(pairs["code"], pairs["code_next"], strict=True)
    ]
    pairs = pairs[np.array(building, dtype=bool)]
    return _one_to_one(pairs.sort_values(["_gap", "closed", "code", "code_next"]))


def moves(
    codes: pd.DataFrame, taken_before: set[str], taken_after: set[str]
) -> dict[str, tuple[str, float]]:
    """{closed code: (the pharmacy that opened within MOVE_METRES within MOVE_DAYS, metres)}.

    taken_before: codes that already have a successor; taken_after: codes that already have a
    predecessor. Nearest in time first, then nearest in space, one to one.
    """
    ends = codes[codes["closed"].notna() & ~codes.index.isin(list(taken_before))]
    starts = codes[~codes.index.isin(list(taken_after))]
    opened = starts["opened"].to_numpy()
    rows = []
    for code, row in ends.iterrows():
        near = np.abs((opened - row["closed"].to_datetime64()) / np.timedelta64(1, "D"))
        near = starts[(near <= MOVE_DAYS) & (starts["opened"] > row["opened"])]
        near = near[near.index != code]
        if near.empty:
            continue
        metres = np.hypot(near["x"] - row["x"], near["y"] - row["y"])
        for other, distance in metres[metres <= MOVE_METRES].items():
            gap = abs((codes.at[other, "opened"] - row["closed"]).days)
            rows.append((gap, distance, code, other))
    pairs = pd.DataFrame(rows, columns=["_gap", "metres", "code", "code_next"])
    chosen = _one_to_one(pairs.sort_values(["_gap", "metres", "code", "code_next"]))
    metres = pairs.set_index(["code", "code_next"])["metres"]
    return {a: (b, float(metres[(a, b)])) for a, b in chosen.items()}


def _one_to_one(pairs: pd.DataFrame) -> dict[str, str]:
    result: dict[str, str] = {}
    taken: set[str] = set()
    for code, nxt in zip(pairs["code"], pairs["code_next"], strict=True):
        if code in result or nxt in taken:
            continue
        result[code] = nxt
        taken.add(nxt)
    return result


def not_community(raw: pd.DataFrame, reviewed: pd.DataFrame) -> pd.Series:
    """Pharmacies nobody walks into, by reviewed decision; a candidate the review has not
    seen stops the build (a new file needs a look, not a guess)."""
    address = (raw["address_line_1"] + " " + raw["address_line_2"]).str.upper()
    candidate = address.str.contains(NOT_COMMUNITY_PLACE) | raw["name"].str.upper().str.contains(
        NOT_COMMUNITY_NAME
    )
    decided = reviewed[reviewed["source"] == "pharmacies"].set_index("code")["decision"]
    unseen = sorted(set(raw.loc[candidate, "organisation_code"]) - set(decided.index))
    if unseen:
        raise ValueError(
            f"{len(unseen)} pharmacy codes look like distance-selling or hub contractors but "
            f"have no reviewed decision in {REVIEWED.name}: {', '.join(unseen[:10])}"
        )
    return raw["organisation_code"].map(decided).eq("not_community")


# ---------------------------------------------------------------- codes -> sites and events


def _date(value) -> str:
    return "" if pd.isna(value) else value.strftime("%Y-%m-%d")


def _title(name) -> str:
    return str(name).strip().title()


def ods_history(
    raw: pd.DataFrame,
    postcodes: pd.DataFrame,
    *,
    prefix: str,
    category: str,
    source: str,
    source_key: str,
    report,
    left_out: dict[str, pd.Series],
    moves_rule: bool,
    contract_end: bool,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame, pd.DataFrame]:
    """ODS codes -> (sites, events, records) by the module's rules.

    left_out: rule key -> boolean Series over `raw` of codes that are no facility of this kind.
    Records: one row per placed code with its site (empty when it is none) and its rule.
    """
    licence = SOURCES[source_key].licence
    since = SOURCES[source_key].on_record_since.replace("-", "")
    codes = raw.copy()
    codes["postcode_key"] = codes["postcode"].str.replace(r"\s", "", regex=True).str.upper()
    n_in = len(codes)
    proposed = codes["status_code"].eq("P")
    placed = codes["postcode_key"].isin(postcodes.index)
    codes = codes[~proposed & placed]
    codes = codes.assign(
        code=codes["organisation_code"],
        opened=pd.to_datetime(codes["open_date"], format="%Y%m%d", errors="coerce"),
        closed=pd.to_datetime(codes["close_date"].replace("", None), format="%Y%m%d"),
        on_record=codes["open_date"].eq(since),
        lines=list(zip(codes["address_line_1"], codes["address_line_2"], strict=True)),
        x=codes["postcode_key"].map(postcodes["easting"]),
        y=codes["postcode_key"].map(postcodes["northing"]),
    ).set_index("code", drop=False)
    codes.index.name = None
    codes["postcode"] = codes["postcode_key"]
    rule = pd.Series("", index=codes.index)
    for key, mask in left_out.items():
        rule[codes.index.isin(set(raw.loc[mask, "organisation_code"]))] = key
    rule[short_lived(codes[rule.eq("")])] = "short_lived"
    kept = codes[rule.eq("")]
    host = parallel_codes(kept)
    rule[list(host)] = "parallel_code"
    succ = successions(kept, ended=set(host))
    rule[list(succ)] = "change_of_owner"
    moved = moves(kept, set(succ) | set(host), set(succ.values())) if moves_rule else {}
    rule[list(moved)] = "moved"
    nxt = {**succ, **{a: b for a, (b, _) in moved.items()}}
    before = {b: a for a, b in nxt.items()}

    def head_of(code: str) -> str:
        seen = {code}
        while code in before and before[code] not in seen:
            code = before[code]
            seen.add(code)
        return code

    # Parallel codes (and the chains that end in them) join their host's site.
    site_of = {code: head_of(code) for code in kept.index}
    joined: dict[str, str] = {}

    def find(head: str) -> str:
        while head in joined:
            head = joined[head]
        return head

    for code in sorted(host, key=lambda c: kept.at[c, "closed"]):
        a, b = find(site_of[code]), find(site_of[host[code]])
        if a != b:
            joined[a] = b
    site_of = {code: find(head) for code, head in site_of.items()}
    members: dict[str, list[str]] = {}
    for code, head in site_of.items():
        members.setdefault(head, []).append(code)

    rows = kept[["code", "name", "postcode", "opened", "closed", "on_record", "x", "y"]].to_dict(
        "index"
    )
    events, sites = [], []
    for head in sorted(members):
        site_id = f"{prefix}-{head}"
        first = rows[min(members[head], key=lambda c: (rows[c]["opened"], c))]
        if first["on_record"]:
            events.append(
                event(
                    site_id,
                    "on_record",
                    first["opened"].year,
                    source,
                    first["code"],
                    f"on record since {_date(first['opened'])}, the file's date for codes "
                    "older than its records (not an opening)",
                    date=_date(first["opened"]),
                )
            )
        else:
            events.append(
                event(
                    site_id,
                    "opened",
                    first["opened"].year,
                    source,
                    first["code"],
                    _title(first["name"]),
                    date=_date(first["opened"]),
                )
            )
        chain = [head]
        while chain[-1] in nxt:
            chain.append(nxt[chain[-1]])
        for code in members[head]:
            if code in succ:
                after = succ[code]
                events.append(
                    event(
                        site_id,
                        "changed_owner",
                        rows[after]["opened"].year,
                        source,
                        after,
                        f"{code} ({_title(rows[code]['name'])}) closed "
                        f"{_date(rows[code]['closed'])}; {after} "
                        f"({_title(rows[after]['name'])}) opened "
                        f"{_date(rows[after]['opened'])} in the same building",
                        date=_date(rows[after]["opened"]),
                    )
                )
            elif code in moved:
                after, metres = moved[code]
                events.append(
                    event(
                        site_id,
                        "moved",
                        rows[after]["opened"].year,
                        source,
                        after,
                        f"moved {'within its postcode' if metres == 0 else f'{metres:.0f} m'} "
                        f"(postcode centroids): {code} ({_title(rows[code]['name'])}, "
                        f"{rows[code]['postcode']}) closed {_date(rows[code]['closed'])}; "
                        f"{after} ({_title(rows[after]['name'])}, "
                        f"{rows[after]['postcode']}) opened {_date(rows[after]['opened'])}",
                        date=_date(rows[after]["opened"]),
                    )
                )
            elif code in host:
                events.append(
                    event(
                        site_id,
                        "merged",
                        rows[code]["closed"].year,
                        source,
                        code,
                        f"{code} ({_title(rows[code]['name'])}) ended "
                        f"{_date(rows[code]['closed'])} while {host[code]} "
                        f"({_title(kept.at[host[code], 'name'])}) stayed open at the same "
                        "postcode: a second code of one facility, not a closure",
                        date=_date(rows[code]["closed"]),
                    )
                )
        last = rows[chain[-1]]
        if pd.notna(last["closed"]):
            year_end = contract_end and last["closed"].strftime("%m%d") == "0331"
            if year_end:
                rule[last["code"]] = "contract_end"
            note = (
                "NHS dental contract ended (the practice may have carried on privately)"
                if category == "Dental practice"
                else ""
            )
            if year_end:
                note += "; dated 31 March, the NHS year end: a contract-end record"
            events.append(
                event(
                    site_id,
                    "closed",
                    last["closed"].year,
                    source,
                    last["code"],
                    note,
                    date=_date(last["closed"]),
                    loss=not year_end,
                )
            )
        sites.append(dict(site_id=site_id, name=_title(last["name"]), x=last["x"], y=last["y"]))
    frame = pd.DataFrame(sites)
    frame = gpd.GeoDataFrame(
        frame.drop(columns=["x", "y"]), geometry=gpd.points_from_xy(frame["x"], frame["y"]), crs=BNG
    )
    frame = frame.assign(
        category=category,
        category_group="Health",
        sources=source,
        licence=licence,
        coord_fix="postcode_centroid",
    )
    records = gpd.GeoDataFrame(
        {
            "code": codes["code"],
            "site_id": [f"{prefix}-{site_of[c]}" if c in site_of else "" for c in codes.index],
            "category": category,
            "source": source,
            "name": codes["name"].map(_title),
            "address": [", ".join(p for p in lines if p) for lines in codes["lines"]],
            "postcode": codes["postcode_key"],
            "opened": codes["opened"].map(_date),
            "closed": codes["closed"].map(_date),
            "rule": rule,
            "next_code": [nxt.get(c, host.get(c, "")) for c in codes.index],
            "note": np.where(
                codes["on_record"], "open date is the file's date: on record since", ""
            ),
        },
        geometry=gpd.points_from_xy(codes["x"], codes["y"]),
        crs=BNG,
    ).reset_index(drop=True)
    events = events_frame(events)
    n_closed = int(codes["closed"].notna().sum())
    counts = rule.value_counts().to_dict()
    report.add(
        "history",
        source,
        n_in,
        len(frame),
        dropped=n_in - len(codes) + sum(int(m.sum()) for m in left_out.values()),
        note=f"{int(proposed.sum())} proposed and {int((~placed & ~proposed).sum())} without a "
        f"London postcode left out; {len(codes)} codes ({n_closed} closed) are {len(frame)} "
        f"sites; rules: {', '.join(f'{k} {v}' for k, v in sorted(counts.items()) if k) or 'none'}",
    )
    for key in ("short_lived", "parallel_code", "change_of_owner", "moved", "contract_end"):
        n = int(counts.get(key, 0))
        if key == "moved" and not moves_rule or key == "contract_end" and not contract_end:
            continue
        report.add(
            f"rule:{key}",
            source,
            n_closed,
            n_closed - n,
            repaired=n,
            note=f"{n} of {n_closed} closed codes: {RULE_WORDS[key]}",
        )
    n_losses = int(((events["event"] == "closed") & events["loss"]).sum())
    report.add(
        "losses",
        source,
        n_closed,
        n_losses,
        note=f"{n_losses} of {n_closed} closed codes are losses of a facility",
    )
    return frame, events, records[RECORD_COLUMNS + ["geometry"]]


RULE_WORDS = {
    "short_lived": f"open under {SHORT_LIVED_DAYS} days, no facility",
    "parallel_code": "ended while a code of the same name at the same postcode stayed open",
    "change_of_owner": f"another code opened in the same building within {CHANGE_OF_OWNER_DAYS} "
    "days of the close (a change of owner)",
    "moved": f"another pharmacy opened within {MOVE_METRES} m within {MOVE_DAYS} days (a move)",
    "contract_end": "closed on 31 March, the NHS year end: a contract-end record",
}


def read_pharmacies(raw: pd.DataFrame, postcodes, report, reviewed=None) -> tuple:
    reviewed = read_reviewed() if reviewed is None else reviewed
    # Sub-type 2 are appliance contractors (Scholl footcare, Fittleworth Medical): not pharmacies.
    appliance = raw["organisation_sub_type_code"].astype(str).eq("2")
    report.add(
        "rule:not_a_pharmacy",
        "pharmacies",
        len(raw),
        len(raw) - int(appliance.sum()),
        dropped=int(appliance.sum()),
        note=f"{int(appliance.sum())} appliance contractors (organisation sub-type 2, e.g. "
        f"Scholl footcare, Fittleworth Medical) left out",
    )
    raw = raw[~appliance]
    distance = not_community(raw, reviewed)
    report.add(
        "rule:not_community",
        "pharmacies",
        len(raw),
        len(raw) - int(distance.sum()),
        dropped=int(distance.sum()),
        note=f"{int(distance.sum())} distance-selling, hub or care-home-supplier contractors "
        f"({int((distance & raw['close_date'].ne('')).sum())} closed) by reviewed decision "
        f"({REVIEWED.name}): nobody walks into them",
    )
    return ods_history(
        raw,
        postcodes,
        prefix="pharm",
        category="Pharmacy",
        source="pharmacies_2025",
        source_key="pharmacies",
        report=report,
        left_out={"not_community": distance},
        moves_rule=True,
        contract_end=False,
    )


def read_dental(raw: pd.DataFrame, postcodes, report) -> tuple:
    service = raw["name"].str.upper().str.contains(NOT_A_DENTAL_PRACTICE)
    report.add(
        "rule:not_a_practice",
        "dental",
        len(raw),
        len(raw) - int(service.sum()),
        dropped=int(service.sum()),
        note=f"{int(service.sum())} codes are community, hospital, prison or emergency dental "
        f"services, not practices ({int((service & raw['close_date'].ne('')).sum())} closed)",
    )
    return ods_history(
        raw,
        postcodes,
        prefix="dent",
        category="Dental practice",
        source="dental_2016",
        source_key="dental",
        report=report,
        left_out={"not_a_practice": service},
        moves_rule=False,
        contract_end=True,
    )


def read_ods_codes(src: Path, postcodes: pd.DataFrame, report: Report) -> tuple:
    """(pharmacies, dental practices), each (sites, events, records) by lib/build/nhs.py."""
    columns = [
        "organisation_code",
        "name",
        "address_line_1",
        "address_line_2",
        "postcode",
        "open_date",
        "close_date",
        "status_code",
        "organisation_sub_type_code",
    ]
    pharmacies = read_csv(src, "pharmacies", columns, dtype=str, keep_default_na=False)
    dental = read_csv(src, "dental", columns, dtype=str, keep_default_na=False)
    try:
        return (
            read_pharmacies(pharmacies, postcodes, report),
            read_dental(dental, postcodes, report),
        )
    except ValueError as exc:  # a candidate without a reviewed decision
        raise InputError(str(exc)) from None
