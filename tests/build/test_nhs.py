"""The NHS code rules (lib/build/nhs.py) on codes made here: which codes are one facility."""

from __future__ import annotations

import pandas as pd
import pytest

from lib.build.inputs import Report
from lib.build.nhs import (
    moves,
    name_key,
    not_community,
    ods_history,
    parallel_codes,
    same_name,
    short_lived,
    successions,
)

COLUMNS = ["organisation_code", "name", "address_line_1", "address_line_2", "postcode"]


def raw(rows) -> pd.DataFrame:
    """ODS rows: (code, name, address, postcode, opened, closed)."""
    frame = pd.DataFrame(
        [(c, n, a, "", p, o, x or "", "C" if x else "A", "1") for c, n, a, p, o, x in rows],
        columns=[
            *COLUMNS,
            "open_date",
            "close_date",
            "status_code",
            "organisation_sub_type_code",
        ],
    )
    return frame


def codes(rows) -> pd.DataFrame:
    """The rules' own frame: code, name, lines, postcode, opened, closed, x, y."""
    frame = pd.DataFrame(
        rows, columns=["code", "name", "address", "postcode", "opened", "closed", "x", "y"]
    )
    frame["lines"] = [(a, "") for a in frame["address"]]
    frame["opened"] = pd.to_datetime(frame["opened"])
    frame["closed"] = pd.to_datetime(frame["closed"])
    frame.index = frame["code"].to_list()
    return frame


POSTCODES = pd.DataFrame(
    {"easting": [527000.0, 527030.0, 530000.0], "northing": [178000.0, 178000.0, 180000.0]},
    index=["SW179PB", "SW179PC", "E11AA"],
)


def test_names_without_company_and_trade_words():
    assert name_key("BOOTS UK LIMITED") == name_key("Boots") == "BOOTS"
    assert same_name("DAY LEWIS PHARMACY", "DAY LEWIS PLC")
    assert not same_name("DENTAL SURGERY", "DENTAL SURGERY")  # trade words alone name nobody
    assert not same_name("LLOYDSPHARMACY", "BOOTS")


def test_a_code_ending_beside_an_open_code_of_the_same_name_is_a_parallel_code():
    # Wandsworth, 31 October 2017: FR560 (Boots UK Limited) ends; FJE22 (Boots) stays open.
    frame = codes(
        [
            ("FJE22", "BOOTS", "59/61 MITCHAM ROAD", "SW179PB", "1986-04-01", None, 0, 0),
            (
                "FR560",
                "BOOTS UK LIMITED",
                "59/61 MITCHAM ROAD",
                "SW179PB",
                "2004-11-01",
                "2017-10-31",
                0,
                0,
            ),
            (
                "FX001",
                "SMITHS CHEMIST",
                "61 MITCHAM ROAD",
                "SW179PB",
                "2000-01-01",
                "2017-10-31",
                0,
                0,
            ),
        ]
    )
    assert parallel_codes(frame) == {"FR560": "FJE22"}


def test_a_new_code_opened_just_before_the_close_is_a_change_of_owner_not_a_parallel_code():
    frame = codes(
        [
            ("A", "GREEN PHARMACY", "1 HIGH ST", "E11AA", "1990-01-01", "2015-06-30", 0, 0),
            ("B", "GREEN PHARMACY", "1 HIGH ST", "E11AA", "2015-06-01", None, 0, 0),
        ]
    )
    assert parallel_codes(frame) == {}
    assert successions(frame) == {"A": "B"}


def test_a_change_of_owner_needs_the_same_building_and_92_days():
    frame = codes(
        [
            ("A", "X", "10 HIGH ST", "E11AA", "1990-01-01", "2015-06-30", 0, 0),
            ("B", "Y", "10 HIGH ST", "E11AA", "2015-07-01", None, 0, 0),
            ("C", "Z", "3 MARKET ROW", "E11AA", "2000-01-01", "2012-01-31", 0, 0),
            ("D", "W", "9 MARKET ROW", "E11AA", "2012-02-01", None, 0, 0),
            ("E", "V", "20 HIGH ST", "E11AA", "1990-01-01", "2015-01-31", 0, 0),
            ("F", "U", "20 HIGH ST", "E11AA", "2015-06-01", None, 0, 0),
        ]
    )
    # C and D are two buildings at one postcode; E and F are 121 days apart.
    assert successions(frame) == {"A": "B"}


def test_codes_open_under_31_days_are_no_facility():
    frame = codes(
        [
            ("FFG83", "BLENHEIM", "202 PORTOBELLO RD", "E11AA", "2022-01-14", "2022-01-15", 0, 0),
            ("B", "Y", "1 HIGH ST", "E11AA", "2022-01-01", "2022-02-01", 0, 0),
        ]
    )
    assert list(short_lived(frame)) == ["FFG83"]


def test_a_pharmacy_opening_within_250_m_within_6_months_is_a_move():
    frame = codes(
        [
            (
                "OLD",
                "BRUNTONS",
                "240 EARLS COURT RD",
                "SW59AA",
                "1993-04-30",
                "2018-01-21",
                525500,
                178500,
            ),
            (
                "NEW",
                "EARLS COURT CHEMIST",
                "206 EARLS COURT RD",
                "SW59QB",
                "2018-01-22",
                None,
                525500,
                178530,
            ),
            ("FAR", "ELSEWHERE", "1 HIGH ST", "E11AA", "2018-01-22", None, 530000, 180000),
        ]
    )
    assert moves(frame, set(), set()) == {"OLD": ("NEW", 30.0)}


def test_a_move_takes_a_pharmacy_no_change_of_owner_has_taken():
    frame = codes(
        [
            ("OLD", "A", "1 HIGH ST", "E11AA", "1990-01-01", "2018-01-21", 0, 0),
            ("NEW", "B", "2 HIGH ST", "E11AB", "2018-01-22", None, 0, 100),
        ]
    )
    assert moves(frame, set(), {"NEW"}) == {}


def test_a_distance_selling_candidate_needs_a_reviewed_decision():
    rows = raw(
        [
            ("FEN24", "CAPLET PHARMACY", "UNIT 45 BUSINESS PARK", "HA01HX", "20221017", "20241001"),
            ("FQ459", "ASDA PHARMACY", "PARK ROYAL INDUSTRIAL EST", "NW107LW", "20010325", ""),
            ("FA001", "HIGH STREET PHARMACY", "1 HIGH STREET", "E11AA", "20010325", ""),
        ]
    )
    reviewed = pd.DataFrame(
        {
            "source": ["pharmacies", "pharmacies"],
            "code": ["FEN24", "FQ459"],
            "decision": ["not_community", "community"],
        }
    )
    assert not_community(rows, reviewed).tolist() == [True, False, False]
    with pytest.raises(ValueError, match="FQ459"):
        not_community(rows, reviewed.iloc[:1])


def history(rows, **kwargs):
    report = Report()
    defaults = dict(
        prefix="pharm",
        category="Pharmacy",
        source="pharmacies_2025",
        source_key="pharmacies",
        report=report,
        left_out={},
        moves_rule=True,
        contract_end=False,
    )
    defaults.update(kwargs)
    return (*ods_history(raw(rows), POSTCODES, **defaults), report)


def test_one_site_per_chain_with_parallel_codes_folded_in_and_the_file_date_on_record():
    sites, events, records, report = history(
        [
            ("FJE22", "BOOTS", "59/61 MITCHAM ROAD", "SW17 9PB", "19480101", ""),
            ("FR560", "BOOTS UK LIMITED", "59/61 MITCHAM ROAD", "SW17 9PB", "20041101", "20171031"),
            ("FA001", "A CHEMIST", "1 HIGH ST", "E1 1AA", "19900101", "20150630"),
            ("FA002", "B CHEMIST", "1 HIGH ST", "E1 1AA", "20150701", "20200101"),
        ]
    )
    assert sorted(sites["site_id"]) == ["pharm-FA001", "pharm-FJE22"]
    boots = events[events["site_id"] == "pharm-FJE22"]
    assert boots["event"].tolist() == ["on_record", "merged"]
    assert not boots["loss"].any()
    chain = events[events["site_id"] == "pharm-FA001"]
    assert chain["event"].tolist() == ["opened", "changed_owner", "closed"]
    assert chain["loss"].tolist() == [False, False, True]
    assert dict(zip(records["code"], records["rule"], strict=True)) == {
        "FJE22": "",
        "FR560": "parallel_code",
        "FA001": "change_of_owner",
        "FA002": "",
    }
    assert set(records["site_id"]) == {"pharm-FJE22", "pharm-FA001"}


def test_a_dental_contract_ending_on_31_march_is_not_a_loss_and_says_so():
    sites, events, records, _ = history(
        [
            ("V1", "SMILE DENTAL", "1 HIGH ST", "E1 1AA", "20060401", "20110331"),
            ("V2", "GRIN DENTAL", "2 HIGH ST", "SW17 9PB", "20070501", "20120615"),
        ],
        prefix="dent",
        category="Dental practice",
        source="dental_2016",
        source_key="dental",
        moves_rule=False,
        contract_end=True,
    )
    closed = events[events["event"] == "closed"].set_index("site_id")
    assert not closed.at["dent-V1", "loss"] and closed.at["dent-V2", "loss"]
    assert closed["note"].str.startswith("NHS dental contract ended").all()
    assert events[events["site_id"] == "dent-V1"]["event"].iloc[0] == "on_record"
    assert records.set_index("code").at["V1", "rule"] == "contract_end"
