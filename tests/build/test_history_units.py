"""Unit tests for the history rules of the build (issue 9), each on a few rows made here."""

from __future__ import annotations

import pandas as pd
import pytest
from pyproj import Transformer

from lib.build.culture_map import library_uprns
from lib.build.gp import gp_history, not_a_surgery, same_building
from lib.build.history import event, events_frame, site_states
from lib.build.inputs import Report
from lib.build.libraries import (
    OPERATION_YEARS,
    geocoded_at_later_building,
    link_library_records,
    moved_between_lists,
    postcode_key,
    read_library_history,
    record_places,
)
from lib.build.policy_areas import designation_dates


def states(rows, as_of=None) -> pd.DataFrame:
    return site_states(events_frame(rows), as_of).set_index("site_id")


# ---------------------------------------------------------------- state from events


def test_a_closure_is_a_loss_and_the_state_at_the_latest_date_is_closed():
    s = states([event("a", "opened", 1990, "x", 1), event("a", "closed", 2012, "x", 1)])
    assert s.loc["a", ["status", "closed_year", "closure", "lost"]].tolist() == [
        "closed",
        2012,
        "closed",
        True,
    ]


def test_closed_and_replaced_is_closed_but_not_a_loss():
    s = states([event("a", "closed_replaced", 2013, "x", 1, "Replaced by New Library")])
    assert s.loc["a", ["status", "closure", "lost", "closure_note"]].tolist() == [
        "closed",
        "closed_replaced",
        False,
        "Replaced by New Library",
    ]


def test_a_temporary_closure_then_reopening_is_open():
    s = states(
        [event("a", "temporarily_closed", 2016, "x", 1), event("a", "reopened", 2018, "y", 1)]
    )
    assert s.loc["a", ["status", "lost"]].tolist() == ["open", False]


def test_reopened_as_a_community_library_is_community_run():
    s = states(
        [
            event("a", "closed", 2011, "x", 1),
            event("a", "independent", 2019, "y", 1),
            event("a", "reopened", 2019, "y", 1),
        ]
    )
    assert pd.isna(s.loc["a", "closed_year"])
    assert s.loc["a", ["status", "lost", "community_run_year"]].tolist() == [
        "community_run",
        False,
        2019,
    ]


def test_state_as_of_an_earlier_year():
    rows = [event("a", "closed", 2011, "x", 1), event("a", "reopened", 2019, "y", 1)]
    assert states(rows, as_of=2015).loc["a", "status"] == "closed"
    assert states(rows).loc["a", "status"] == "open"


def test_a_move_and_a_change_of_owner_leave_the_site_open():
    s = states(
        [
            event("a", "opened", 2000, "x", 1),
            event("a", "moved", 2013, "x", 2),
            event("a", "changed_owner", 2015, "x", 3),
            event("a", "merged", 2016, "x", 4),
        ]
    )
    assert s.loc["a", ["status", "changes"]].tolist() == ["open", 2]


def test_a_closure_marked_not_a_loss():
    s = states([event("a", "closed", 2016, "x", 1, "contract end", loss=False)])
    assert s.loc["a", ["status", "lost"]].tolist() == ["closed", False]


def test_unknown_event_kind_is_refused():
    with pytest.raises(ValueError):
        event("a", "demolished", 2000, "x", 1)


# ---------------------------------------------------------------- GP practices


def epraccur(rows) -> pd.DataFrame:
    frame = pd.DataFrame([[""] * 27 for _ in rows])
    for i, (code, name, address, postcode, opened, closed, status) in enumerate(rows):
        frame.loc[i, [0, 1, 4, 9, 10, 11, 12]] = [
            code,
            name,
            address,
            postcode,
            opened,
            closed,
            status,
        ]
    return frame


def test_services_that_are_not_gp_surgeries():
    names = pd.Series(
        [
            "GYNAECOLOGY SERVICES",
            "CN HIV THREE BOROUGHS TEAM",
            "ST CHARLES UCC PRACTICE",
            "SOUTH WEST HUB 1",
            "SAFEHAVEN",
            "THE GREENHOUSE WALK-IN",
            "DR SMITH SURGERY",
            "GENERAL SURGERY SERVICES",
            "QUEENS WALK PRACTICE",
        ]
    )
    address = pd.Series(["", "", "", "", "WALK-IN CENTRE", "", "", "", ""])
    flags = not_a_surgery(names, pd.Series([""] * 9), address).tolist()
    assert flags == [True, True, True, True, True, False, False, True, False]


@pytest.mark.parametrize(
    "closed, active, same",
    [
        # HA8 0NR holds two buildings: Woodcroft (Gervase Road) closed, Watling still open.
        (
            ("WOODCROFT MEDICAL CENTRE", "GERVASE ROAD"),
            ("WATLING MEDICAL CENTRE", "108 WATLING AVE,BURNT OAK"),
            False,
        ),
        (("157 STROUD GREEN ROAD", "FINSBURY PARK"), ("181 STROUD GREEN ROAD", "LONDON"), False),
        (("WASU MEDICAL CENTRE", "275A KINGS ROAD"), ("275A KINGS ROAD", ""), True),
        (
            ("SOUTH HORNCHURCH HLTH CTR", "106-110 SOUTH END ROAD"),
            ("SOUTH HORNCHURCH HTH CTR", "106 SOUTHEND ROAD"),
            True,
        ),
        (
            ("JOHN SCOTT HEALTH CENTRE", "GREEN LANES"),
            ("CEDAR PRACTICE", "JOHN SCOTT HEALTH CENTRE"),
            True,
        ),
        (("", ""), ("THE SURGERY", "1 HIGH STREET"), True),  # no address: the postcode decides
    ],
)
def test_same_building_at_one_postcode(closed, active, same):
    assert same_building(closed, active) is same


def test_a_closed_code_at_an_active_practice_postcode_is_a_succession():
    postcodes = pd.DataFrame(
        {"easting": [530000, 531000], "northing": [180000, 181000]}, index=["E11AA", "E22BB"]
    )
    kept = epraccur(
        [
            ("G1", "HEALTH CENTRE PRACTICE", "", "E1 1AA", "19740401", "", "A"),
            ("G2", "DR GONE", "", "E1 1AA", "19740401", "20160331", "C"),
            ("G3", "DR LOST", "", "E2 2BB", "19740401", "20170630", "C"),
            ("G4", "GYNAECOLOGY SERVICE", "", "E2 2BB", "20090401", "20150101", "C"),
        ]
    )
    key = kept[9].str.replace(" ", "")
    report = Report()
    sites, events = gp_history(kept, key, postcodes, "epraccur", "OGL", report)
    assert sorted(sites["site_id"]) == ["gp-G1", "gp-G3"]
    merged = events[events["event"] == "merged"]
    assert merged[["site_id", "source_record", "year"]].values.tolist() == [["gp-G1", "G2", 2016]]
    s = site_states(events).set_index("site_id")
    assert s.loc["gp-G1", "status"] == "open" and bool(s.loc["gp-G3", "lost"])
    rules = {r["step"]: r for r in report.rows}
    assert rules["rule:gp_succession"]["repaired"] == 1
    assert rules["rule:not_a_gp_surgery"]["dropped"] == 1


# ---------------------------------------------------------------- libraries across lists


def test_one_library_across_lists_by_name_in_its_borough_never_by_postcode_alone():
    records = pd.DataFrame(
        {
            "list": [2016, 2016, 2023, 2023, 2021],
            "borough": ["lambeth", "lambeth", "lambeth", "lambeth", "brent"],
            "key": ["minet", "carnegie herne hill", "minet", "lambeth archives", "minet"],
            "postcode": ["SE59QY", "SE240AG", "SE59QY", "SE59QY", "NW1"],
        }
    )
    cluster = link_library_records(records).tolist()
    assert cluster[0] == cluster[2]  # Minet in 2016 and 2023
    assert cluster[3] not in (cluster[0], cluster[1])  # Lambeth Archives shares Minet's postcode
    assert cluster[4] not in cluster[:4]  # another borough


def library_lists():
    lib16 = pd.DataFrame(
        {
            "id": [1, 2, 3, 4, 5],
            "name": ["Old Town", "Old Town", "Westway", "Park", "Hill"],
            "borough": "Borough A",
            "postcode": ["A1", "A2", "A3", "A4", "A5"],
            "address": ["1 High Street", "2 New Road", "Westway", "Park Road", "Hill Road"],
            "lat": 51.5,
            "lng": -0.1,
            "closed": ["XL", None, "XLR", "XLT", "XL"],
            "closed_year": [2014, None, 2012, 2016, 2011],
            "opened_year": [None, 2014, None, None, None],
            "type": [None, "LAL", None, None, None],
            "notes": ["", "", "Replaced by New Westway", "", ""],
        }
    )
    lib21 = pd.DataFrame(
        {
            "Local authority": "Borough A",
            "Library name": ["Westway", "Park", "Hill"],
            "Address 1": ["Westway", "Park Road", "Hill Road"],
            "Postcode": ["A3", "A4", "A5"],
            "Type of library": "LAL",
            "Year opened": [None, "2018", None],
            "Year closed": ["2012", "2016", "2011"],
            "Notes": ["Now a cafe", None, None],
        }
    )
    ops = {
        f"operation_{y}": v
        for y, v in zip(
            ["16", "19", "21", "22", "23"],
            [
                ["Closed", "LA", "Closed"],
                ["Closed", "LA", "ICL"],
                ["Closed", "LA", "ICL"],
                ["Closed", "LA", "ICL"],
                ["Closed", "LA", "ICL"],
            ],
            strict=True,
        )
    }
    lib23 = pd.DataFrame(
        {
            "reporting": "Borough A",
            "name": ["Westway", "Park", "Hill"],
            "address1": ["Westway", "Park Road", "Hill Road"],
            "postcode": ["A3", "A4", "A5"],
            "type": "Static Library",
            "closed": [2012, None, None],
            "opened": None,
            **ops,
        }
    )
    postcodes = pd.DataFrame(
        {"easting": [530000] * 5, "northing": [180000] * 5}, index=["A1", "A2", "A3", "A4", "A5"]
    )
    return lib16, lib21, lib23, postcodes


def test_library_histories_across_the_2016_2021_and_2023_lists():
    lib16, lib21, lib23, postcodes = library_lists()
    sites, events = read_library_history(lib16, lib21, lib23, postcodes, "OGL", Report())
    s = site_states(events).set_index("site_id")
    # Old Town: closed and open under one name in the 2016 list: a move, one open site.
    assert "lib16-2" in s.index and "lib16-1" not in s.index
    assert s.loc["lib16-2", "status"] == "open"
    assert "moved" in set(events.loc[events.site_id == "lib16-2", "event"])
    # Westway: XLR, closed and replaced, not a loss; the 2021 note kept.
    assert s.loc["lib16-3", ["status", "closure", "lost"]].tolist() == [
        "closed",
        "closed_replaced",
        False,
    ]
    assert "Now a cafe" in s.loc["lib16-3", "closure_note"]
    # Park: XLT, open again in the 2023 list: reopened in 2018 (the 2021 list's year).
    park = events[(events.site_id == "lib16-4") & (events.event == "reopened")]
    assert s.loc["lib16-4", "status"] == "open" and park["year"].tolist() == [2018]
    # Hill: closed 2011, an independent community library from the 2019 return.
    assert s.loc["lib16-5", ["status", "lost", "community_run_year"]].tolist() == [
        "community_run",
        False,
        2019,
    ]
    assert len(sites) == 4


def test_a_library_in_another_building_is_one_site_at_its_latest_place():
    lib16, lib21, lib23, postcodes = library_lists()
    # Where the 2016 list's geocode (51.5, -0.1) lies in British National Grid.
    x, y = Transformer.from_crs(4326, 27700, always_xy=True).transform(-0.1, 51.5)
    wood, quern = (
        pd.DataFrame({"name": name, "borough": "Borough A", "lat": 51.5, "lng": -0.1, **rest})
        for name, rest in [
            ("Wood", dict(id=[6], postcode=["W1"], address=["Forest Road, Walthamstow"])),
            ("Quern", dict(id=[7], postcode=["Q1"], address=["Quernmore Road, London"])),
        ]
    )
    lib16 = pd.concat([lib16, wood, quern], ignore_index=True)
    later = dict(name=["Wood", "Quern"], postcode=["W2", "Q2"], opened=[2020, None])
    lib23 = pd.concat(
        [lib23, pd.DataFrame({**later, "address1": ["1 Troubridge Square", "Quernmore Road"]})],
        ignore_index=True,
    ).assign(reporting="Borough A", type="Static Library")
    places = {
        # The 2016 list gives Old Town's old and new buildings (A1, A2) one geocode, the old one's.
        "A1": (x, y),
        "A2": (x + 300, y),
        "W1": (x + 30, y),  # Wood Street: Forest Road, then 1 Troubridge Square, 400 m south
        "W2": (x, y - 400),
        "Q1": (x, y + 10),  # Quernmore Road: a later list's other postcode, the same address
        "Q2": (x, y + 400),
    }
    postcodes = (
        pd.concat([postcodes, pd.DataFrame(places, index=["easting", "northing"]).T])
        .groupby(level=0)
        .last()
    )
    report = Report()
    sites, events = read_library_history(lib16, lib21, lib23, postcodes, "OGL", report)
    point = sites.set_index("site_id").geometry
    moved = events[events["event"] == "moved"].set_index("site_id")
    # Wood Street: its point is the 2023 building; the move keeps the 2016 point, dated by the
    # 2023 list's opening year.
    assert (point["lib16-6"].x, point["lib16-6"].y) == places["W2"]
    assert moved.loc["lib16-6", ["year", "source"]].tolist() == [2020, "libraries_2023"]
    assert moved.loc["lib16-6", ["from_easting", "from_northing"]].tolist() == pytest.approx([x, y])
    # Old Town: the shared geocode is the old building's (nearer A1); the new one is at A2.
    assert (point["lib16-2"].x, point["lib16-2"].y) == places["A2"]
    assert moved.loc["lib16-2", ["from_easting", "from_northing"]].tolist() == pytest.approx([x, y])
    # Quernmore Road: another postcode at the same address is no move.
    assert "lib16-7" not in moved.index
    assert [point["lib16-7"].x, point["lib16-7"].y] == pytest.approx([x, y])
    row = report.frame().set_index("step").loc["rule:library_moved"]
    assert row["repaired"] == 2 and "Quern 400 m" in row["note"]


# ---------------------------------------------------------------- library moves reviewed (issue 18)

# Four real libraries, one record in each list: the 2016 point (British National Grid), each
# list's (address, postcode, UPRN) and the postcodes' centroids (Code-Point Open).
WEST_WICKHAM = dict(
    point=(538606, 165883),
    listed={
        2016: ("Glebe Way, West Wickham", "BR4 0SH", ""),
        2021: ("Glebe Way", "BR4 0SH", "100022897598"),
        2023: ("77 Addington Road", "BR4 9BG", "100022897598"),  # 788 m from Glebe Way
    },
    centroids={"BR40SH": (538606, 165883), "BR49BG": (539041, 165226)},
)
HAROLD_HILL = dict(
    point=(553717, 192209),  # the new building (the culture map's UPRN below is 2 m off)
    listed={
        2016: ("Harold Hill Library, Hilldene Avenue, Romford", "RM3 8DJ", ""),
        2021: ("19A Farnham Road", "RM3 8ED", ""),
        2023: ("19A Farnham Road", "RM3 8ED", "100023217029"),
    },
    centroids={"RM38DJ": (553854, 192283), "RM38ED": (553777, 192065)},
    opened=2016,
)
HAROLD_HILL_UPRNS = {"100023217029": (553714.57, 192208.86)}  # culture_map.library_uprns
NORTHCOTE = dict(
    point=(527637, 174506),
    listed={
        2016: ("155e Northcote Road", "SW11 6HW", ""),
        2021: ("155e Northcote Road", "SW11 6HW", ""),
        2023: ("150 Northcote Road", "SW11 6DR", ""),  # its centroid 382 m off the road
    },
    centroids={"SW116HW": (527638, 174513), "SW116DR": (527385, 174793)},
)
PONDERS_END = dict(
    point=(535183, 195852),
    listed={
        2016: ("College Court, High Street, Ponders End", "EN3 4EY", ""),
        2021: ("Swan Annexe, 219-221 High Street", "EN3 4DX", "207182838"),
        2023: ("198-200 High Street,", "EN3 4EZ", "207031954"),
    },
    centroids={"EN34EY": (535207, 195794), "EN34DX": (535249, 195973), "EN34EZ": (535216, 195959)},
)
TO_WGS84 = Transformer.from_crs(27700, 4326, always_xy=True)
NO_REVIEWS = pd.DataFrame(columns=["source", "code", "name", "decision", "evidence"])


def library_records(case: dict, change: dict | None = None) -> list[dict]:
    """One library's records as `read_library_history` groups them (list order); change:
    {year: (address, postcode, uprn)} replaces a list's record."""
    listed = case["listed"] | (change or {})
    return [
        dict(
            list=year,
            row=0,
            address=address,
            postcode=postcode_key(postcode),
            uprn=uprn,
            closed=False,
            x=case["point"][0],
            y=case["point"][1],
            pc_x=case["centroids"][postcode_key(postcode)][0],
            pc_y=case["centroids"][postcode_key(postcode)][1],
        )
        for year, (address, postcode, uprn) in sorted(listed.items())
    ]


def library_history(case: dict, **options) -> tuple:
    """The case's three lists read by `read_library_history`: (its site's point, its moved
    events, the library_moved rule's note); options: uprns, reviewed."""
    lng, lat = TO_WGS84.transform(*case["point"])
    (a16, p16, _), (a21, p21, u21), (a23, p23, u23) = (
        case["listed"][y] for y in (2016, 2021, 2023)
    )
    lib16 = pd.DataFrame(
        {"id": [1], "name": "Library", "borough": "Borough A", "postcode": p16, "address": a16}
        | {"lat": lat, "lng": lng, "type": "LAL", "notes": ""}
        | dict.fromkeys(["closed", "closed_year", "opened_year"])
    )
    lib21 = pd.DataFrame(
        {"Local authority": ["Borough A"], "Library name": "Library", "Address 1": a21}
        | {"Postcode": p21, "Unique property reference number": u21, "Type of library": "LAL"}
        | dict.fromkeys(["Year opened", "Year closed", "Notes"])
    )
    lib23 = pd.DataFrame(
        {"reporting": ["Borough A"], "name": "Library", "address1": a23, "postcode": p23}
        | {"uprn": u23, "type": "Static Library", "closed": None, "opened": case.get("opened")}
        | {column: "LA" for column in OPERATION_YEARS}
    )
    postcodes = pd.DataFrame(case["centroids"], index=["easting", "northing"]).T
    report = Report()
    sites, events = read_library_history(
        lib16, lib21, lib23, postcodes, "OGL", report, **{"reviewed": NO_REVIEWS} | options
    )
    note = report.frame().set_index("step").loc["rule:library_moved", "note"]
    point = sites.geometry.iloc[0]
    return (point.x, point.y), events[events["event"] == "moved"], note


def test_another_address_under_the_same_uprn_is_no_move():
    # West Wickham: the 2023 list's 77 Addington Road carries the UPRN the 2021 list gives Glebe
    # Way, the 2016 postcode: one building, though its postcode lies 788 m off.
    group = library_records(WEST_WICKHAM)
    verdict, now, metres = moved_between_lists(group, record_places(group), group[0])
    assert (verdict, now["list"], round(metres)) == ("same UPRN", 2023, 788)
    # Under another UPRN (or none) at Glebe Way, the same records are a move.
    for uprn in ("100022897599", ""):
        other = library_records(WEST_WICKHAM, {2021: ("Glebe Way", "BR4 0SH", uprn)})
        assert moved_between_lists(other, record_places(other), other[0])[0] == "moved"
    point, moved, note = library_history(WEST_WICKHAM)
    assert moved.empty and point == pytest.approx(WEST_WICKHAM["point"])
    assert "same UPRN (Library 788 m)" in note


def test_the_culture_map_names_a_library_building_by_a_whole_unique_uprn(tmp_path):
    path = tmp_path / "facilities/cim_2022/Libraries.csv"
    path.parent.mkdir(parents=True)
    pd.DataFrame(
        {
            # Harold Hill's UPRN as a spreadsheet writes a number; one UPRN given twice, one
            # rounded, one missing, one without a point.
            "os_addressbase_uprn": ["1.00023217029e+11", "207000261", "207000261"]
            + ["100000000000", "", "100022897598"],
            "easting": [553714.57, 1, 2, 3, 4, None],
            "northing": [192208.86, 1, 2, 3, 4, None],
        }
    ).to_csv(path, index=False)
    assert library_uprns(tmp_path) == HAROLD_HILL_UPRNS


def test_a_2016_point_at_the_later_building_is_where_the_library_moved_to():
    # Harold Hill: the culture map puts the 2023 list's UPRN 2 m from the 2016 point, 157 m from
    # the 2016 postcode's centroid (Hilldene Avenue, the building it left).
    group = library_records(HAROLD_HILL)
    places = record_places(group)
    assert geocoded_at_later_building(group, places, group[0], HAROLD_HILL_UPRNS)
    # Not where the UPRN is elsewhere, unknown, or the lists show no move (the 2023 record at
    # the 2016 postcode).
    far = {"100023217029": HAROLD_HILL["centroids"]["RM38ED"]}
    assert not geocoded_at_later_building(group, places, group[0], far)
    assert not geocoded_at_later_building(group, places, group[0], {})
    same = library_records(HAROLD_HILL, {2023: ("Hilldene Avenue", "RM3 8DJ", "100023217029")})
    assert not geocoded_at_later_building(same, record_places(same), same[0], HAROLD_HILL_UPRNS)
    # Nor where the 2016 postcode's centroid is within 100 m of the UPRN too (50 m here).
    near = library_records(
        HAROLD_HILL | {"centroids": {"RM38DJ": (553717, 192259), "RM38ED": (553777, 192065)}}
    )
    assert not geocoded_at_later_building(near, record_places(near), near[0], HAROLD_HILL_UPRNS)
    # The move runs from RM3 8DJ's centroid to the 2016 point, where the library now is.
    point, moved, note = library_history(HAROLD_HILL, uprns=HAROLD_HILL_UPRNS)
    assert point == pytest.approx(HAROLD_HILL["point"])
    assert moved[["year", "from_easting", "from_northing"]].values.tolist() == [
        [2016, 553854, 192283]
    ]
    assert "the latest list's UPRN there: Library." in note
    # Without the culture map's UPRN it ran the other way: from the 2016 point to RM3 8ED.
    point, moved, _ = library_history(HAROLD_HILL)
    assert point == HAROLD_HILL["centroids"]["RM38ED"]
    assert moved[["from_easting", "from_northing"]].iloc[0].tolist() == pytest.approx(
        list(HAROLD_HILL["point"])
    )


def test_a_reviewed_wrong_postcode_makes_a_move_measured_at_one_place():
    # Northcote: a new building across the road, its 2023 postcode's centroid 382 m off. Read
    # as is, the library moved 382 m.
    point, moved, _ = library_history(NORTHCOTE)
    assert point == NORTHCOTE["centroids"]["SW116DR"] and moved["from_easting"].notna().all()
    # A reviewed decision on the 2023 record: a move, placed at the 2016 point only.
    evidence = "a new building across Northcote Road; SW11 6DR's centroid is 382 m off"
    decision = ["libraries", "2023:Library", "Library", "moved_postcode_wrong", evidence]
    reviewed = pd.DataFrame([decision], columns=NO_REVIEWS.columns)
    point, moved, note = library_history(NORTHCOTE, reviewed=reviewed)
    assert point == pytest.approx(NORTHCOTE["point"])
    assert len(moved) == 1 and moved["from_easting"].isna().all()
    assert moved["source"].tolist() == ["libraries_2023"]
    assert moved["note"].iloc[0] == (
        "moved from 155e Northcote Road (SW11 6HW) to 150 Northcote Road (SW11 6DR): "
        f"{evidence} (reviewed decision, reviewed_records.csv); measured at the earlier place"
    )
    assert "or a later postcode wrong by reviewed decision): Library." in note
    # The same decision for another source is not the libraries'.
    reviewed["source"] = "museums"
    assert library_history(NORTHCOTE, reviewed=reviewed)[0] == NORTHCOTE["centroids"]["SW116DR"]


def test_a_move_names_the_third_address_of_a_list_between():
    # Ponders End: College Court (2016), the Swan Annexe (2021), 198-200 High Street (2023):
    # the library had left College Court by the 2021 list.
    point, moved, _ = library_history(PONDERS_END)
    assert point == PONDERS_END["centroids"]["EN34EZ"]
    assert moved["year"].isna().all()
    assert moved["note"].iloc[0] == (
        "moved from College Court, High Street, Ponders End (EN3 4EY) to 198-200 High Street "
        "(EN3 4EZ), 112 m: the 2023 list's address; when is not recorded: it had left by the "
        "2021 list, which has it at Swan Annexe, 219-221 High Street (EN3 4DX)"
    )


# ---------------------------------------------------------------- policy vintage


def test_opportunity_area_adoption_dates_are_read_per_area():
    raw = pd.DataFrame({"extrainfo3": ["Adopted date:20150901", "Adopted date:2015", None]})
    dates = designation_dates("opportunity_area", raw)
    assert dates["designated_year"].isna().tolist() == [False, False, True]
    assert dates["designated_year"].iloc[:2].tolist() == [2015, 2015]
    assert dates["designated_date"].tolist()[:2] == ["2015-09-01", "2015"]


def test_policies_without_a_date_in_their_file_say_where_the_year_comes_from():
    dates = designation_dates("creative_enterprise_zone", pd.DataFrame(index=[0]))
    assert dates.loc[0, "designated_year"] == 2018
    assert "14 December 2018" in dates.loc[0, "designated_source"]


def test_a_community_library_handed_back_to_the_council_is_open_again():
    s = states(
        [
            event("a", "community_run", 2019, "x", 1),
            event("a", "changed_owner", 2023, "x", 1, "council-run again in the 2023 return"),
        ]
    )
    assert s.loc["a", "status"] == "open"
