"""lib/analysis/profiles.py: borough figures, ward measures, lists and statistics.

Unit tests run on a tiny made-up London (three boroughs, five wards) whose answers are worked
out by hand in the comments; integration tests run on the real build (`built_gpkg`).
"""

from __future__ import annotations

import base64
import html

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from lib.analysis import profiles
from lib.data.layers import Layers, load_layers
from lib.render import (
    charts,
    html_map,
    maps,
    page_specs,
    site_map,
    symbols,
    tables,
    ward_maps,
)

BNG = "EPSG:27700"

# ---------------------------------------------------------------- a tiny London
# Boroughs: A (100,000 residents), B (200,000), C (10,000: under 20,000, so unstable).
# Wards: A1, A2 in A; B1, B2 in B; C1 in C. One or two LSOAs per ward.
BOROUGHS = [
    ("E09000901", "Aville", 100_000),
    ("E09000902", "Beeton", 200_000),
    ("E09000903", "Ceeford", 10_000),
]
LSOAS = [  # lsoa, borough, ward, population, imd score, regen area
    ("L1", "E09000901", "W_A1", 30_000, 40.0, True),
    ("L2", "E09000901", "W_A1", 10_000, 20.0, False),
    ("L3", "E09000901", "W_A2", 60_000, 10.0, False),
    ("L4", "E09000902", "W_B1", 100_000, 30.0, True),
    ("L5", "E09000902", "W_B2", 100_000, 10.0, False),
    ("L6", "E09000903", "W_C1", 10_000, 15.0, False),
]
WARD_NAMES = {
    "W_A1": "A One",
    "W_A2": "A Two",
    "W_B1": "B One",
    "W_B2": "B Two",
    "W_C1": "C <One> & Co",
}


def _square(i: int, size: float = 1000.0):
    return box(i * size, 0, (i + 1) * size, size)


@pytest.fixture(scope="module")
def tiny() -> dict:
    lsoas = gpd.GeoDataFrame(
        [
            dict(
                lsoa_code=c,
                name=c,
                gss_code=b,
                ward_code=w,
                population=p,
                imd_score=s,
                imd_rank=1,
                imd_decile=1,
                regen_area=r,
            )
            for c, b, w, p, s, r in LSOAS
        ],
        geometry=[_square(i) for i in range(len(LSOAS))],
        crs=BNG,
    )
    wards = lsoas.dissolve("ward_code", aggfunc={"population": "sum", "gss_code": "first"})
    wards = wards.reset_index()
    wards["name"] = wards["ward_code"].map(WARD_NAMES)
    wards = wards[["ward_code", "name", "gss_code", "population", "geometry"]]
    boroughs = lsoas.dissolve("gss_code").reset_index()[["gss_code", "geometry"]]
    info = pd.DataFrame(BOROUGHS, columns=["gss_code", "name", "population"])
    boroughs = boroughs.merge(info, on="gss_code")
    boroughs["inner"] = True
    boroughs["area_ha"] = 100.0
    sites = []

    def site(ward, borough, group, category, status="open", closed=None, source="cim_2022"):
        sites.append(
            dict(
                site_id=f"s{len(sites)}",
                name=f"Site {len(sites)}",
                category=category,
                categories=category,
                category_group=group,
                status=status,
                opened_year=None,
                closed_year=closed,
                sources=source,
                licence="OGL",
                gss_code=borough,
                ward_code=ward,
                lsoa_code="L1",
                in_town_centre=False,
                in_regen_area=False,
            )
        )

    # Open community sites: A 10 (A1 6, A2 4), B 10 (all B1), C 5.
    for _ in range(6):
        site("W_A1", "E09000901", "Community & libraries", "Community centre")
    for _ in range(4):
        site("W_A2", "E09000901", "Community & libraries", "Community centre")
    for _ in range(10):
        site("W_B1", "E09000902", "Community & libraries", "Community centre")
    for _ in range(5):
        site("W_C1", "E09000903", "Community & libraries", "Community centre")
    # Closures. A: library 2012, library with no year (its source records 2010 on: counts),
    # GP 2015, museum 2005 (before 2010: not counted). B: museum 2011.
    site("W_A1", "E09000901", "Community & libraries", "Library", "closed", 2012, "libraries_2016")
    site("W_A2", "E09000901", "Community & libraries", "Library", "closed", None, "libraries_2016")
    site("W_A1", "E09000901", "Health", "GP practice", "closed", 2015, "epraccur_2019")
    site(
        "W_A1",
        "E09000901",
        "Culture & heritage",
        "Museum or public gallery",
        "closed",
        2005,
        "mapping_museums",
    )
    site(
        "W_B2",
        "E09000902",
        "Culture & heritage",
        "Museum or public gallery",
        "closed",
        2011,
        "mapping_museums",
    )
    sites = gpd.GeoDataFrame(
        sites, geometry=[Point(500 + 10 * i, 500) for i in range(len(sites))], crs=BNG
    )
    sites["opened_year"] = sites["opened_year"].astype("Int64")
    sites["closed_year"] = pd.array(sites["closed_year"], dtype="Int64")
    sites["lost"] = sites["status"].eq("closed")
    sites["closure_note"] = ""
    sites["on_record_since"] = pd.NA
    sites["status_as_of"] = "2023"
    sites["community_run_year"] = pd.array([None] * len(sites), dtype="Int64")
    sites["changes"] = 0
    voluntary_wards = pd.DataFrame(
        {
            "ward_code": ["W_A1", "W_A2", "W_B1", "W_B2", "W_C1"],
            # W_B2 is not in the charity extract: no data, not 0.
            "charities": pd.array([30, 20, 100, None, 10], dtype="Int64"),
            "grants_gbp": [40_000.0, 0.0, 100_000.0, 50_000.0, 10_000_000.0],
            "grants_count": [4, 0, 10, 5, 3],
            "grants_gbp_public": [0.0, 0.0, 0.0, 0.0, 9_000_000.0],
            "grants_count_public": [0, 0, 0, 0, 1],
        }
    )
    grants_by_year = pd.DataFrame(
        {  # A £60,000 (some with no ward), B £150,000, C £1m and £9m from government
            "gss_code": ["E09000901", "E09000901", "E09000902", "E09000903", "E09000903"],
            "year": [2013, 2014, 2013, 2013, 2013],
            "funder_type": ["charitable", "lottery", "charitable", "charitable", "government"],
            "grants_gbp": [40_000.0, 20_000.0, 150_000.0, 1_000_000.0, 9_000_000.0],
            "grants_count": [4, 1, 15, 2, 1],
        }
    )
    pubs = pd.DataFrame(
        {  # A 100 -> 50 (50% lost), B 200 -> 150 (25%), C 10 -> 12 (gained)
            "gss_code": [
                "E09000901",
                "E09000901",
                "E09000902",
                "E09000902",
                "E09000903",
                "E09000903",
            ],
            "year": [2001, 2018, 2001, 2018, 2001, 2018],
            "pubs": [100, 50, 200, 150, 10, 12],
        }
    )
    points = gpd.GeoDataFrame(
        {
            "kind": ["food_bank", "food_bank", "mutual_aid"],
            "name": ["Bank <b>", "Shut bank", "Street helpers"],
            "status": ["open", "closed", "active in 2020"],
            "network": ["Trussell Trust", "IFAN", ""],
            "licence": [
                "Give Food terms (attribution)",
                "Give Food terms (attribution)",
                "CC BY-NC-SA 4.0 (non-commercial, share-alike)",
            ],
            "gss_code": ["E09000901", "E09000901", "E09000902"],
            "ward_code": ["W_A1", "W_A2", "W_B1"],
        },
        geometry=[Point(100, 100), Point(1200, 100), Point(3500, 500)],
        crs=BNG,
    )
    policy_areas = gpd.GeoDataFrame(
        {
            "policy": ["town_centre"],
            "name": ["Aville centre"],
            "classification": ["District"],
            "borough": ["Aville"],
        },
        geometry=[box(0, 0, 500, 500)],
        crs=BNG,
    )
    report = pd.DataFrame(
        [
            dict(
                step="voluntary_wards",
                source="charities",
                rows_in=5,
                rows_out=5,
                repaired=0,
                dropped=0,
                note="160 charities",
            ),
            dict(
                step="voluntary_wards",
                source="grants",
                rows_in=10,
                rows_out=7,
                repaired=0,
                dropped=3,
                note="3 rows with no 2017 ward",
            ),
            dict(step="sites", source="all", rows_in=1, rows_out=1, repaired=0, dropped=0, note=""),
        ]
    )
    return dict(
        boroughs=boroughs,
        wards=wards,
        lsoas=lsoas,
        sites=sites,
        voluntary_wards=voluntary_wards,
        grants_by_year=grants_by_year,
        pubs=pubs,
        points=points,
        policy_areas=policy_areas,
        report=report,
    )


@pytest.fixture(scope="module")
def stats(tiny) -> pd.DataFrame:
    return profiles.borough_stats(
        tiny["boroughs"],
        tiny["lsoas"],
        tiny["sites"],
        tiny["wards"],
        tiny["voluntary_wards"],
        tiny["grants_by_year"],
        tiny["pubs"],
    )


def figure(stats, code, measure) -> pd.Series:
    row = stats[(stats["gss_code"] == code) & (stats["measure"] == measure)]
    assert len(row) == 1
    return row.iloc[0]


# ---------------------------------------------------------------- borough figures


def test_every_borough_has_every_measure(stats):
    assert len(stats) == 3 * len(profiles.MEASURES)
    assert list(stats["measure"].drop_duplicates()) == list(profiles.MEASURES)


def test_sites_per_10k_london_is_population_weighted(stats):
    a = figure(stats, "E09000901", "sites_community_libraries")
    assert a["value"] == pytest.approx(1.0)  # 10 open sites / 100,000 * 10,000
    assert a["count"] == 10
    b = figure(stats, "E09000902", "sites_community_libraries")
    assert b["value"] == pytest.approx(0.5)  # 10 / 200,000
    # London: 25 open sites / 310,000 residents, not the mean of 1.0, 0.5 and 5.0.
    assert a["london"] == pytest.approx(25 / 310_000 * 10_000)
    assert a["london_count"] == 25


def test_ranks_run_from_the_highest_and_skip_the_unstable_borough(stats):
    a = figure(stats, "E09000901", "sites_community_libraries")
    b = figure(stats, "E09000902", "sites_community_libraries")
    c = figure(stats, "E09000903", "sites_community_libraries")
    assert (a["rank"], b["rank"]) == (1, 2)
    assert a["ranked_of"] == 2
    # Ceeford has the highest figure (5 per 10,000) but only 10,000 residents: flagged, not
    # ranked first; rank_all says where it would have been.
    assert c["value"] == pytest.approx(5.0)
    assert c["unstable"] and pd.isna(c["rank"]) and c["rank_all"] == 1
    assert not a["unstable"] and not b["unstable"]
    assert "not ranked" in profiles.rank_text(c) and "would be 1st of 33" in profiles.rank_text(c)
    assert profiles.rank_text(a) == "1st of 2 (1 = most per resident)"


def test_figures_not_per_resident_are_ranked_for_every_borough(stats):
    pubs = {
        code: figure(stats, code, "pubs_lost") for code in ["E09000901", "E09000902", "E09000903"]
    }
    assert pubs["E09000901"]["value"] == pytest.approx(50.0)
    assert pubs["E09000902"]["value"] == pytest.approx(25.0)
    assert pubs["E09000903"]["value"] == pytest.approx(-20.0)  # gained two pubs
    assert [pubs[c]["rank"] for c in pubs] == [1, 2, 3]
    assert not any(p["unstable"] for p in pubs.values())
    # London: (310 - 212) lost of 310.
    assert pubs["E09000901"]["london"] == pytest.approx(100 * 98 / 310)
    imd = figure(stats, "E09000901", "imd_score")
    # Aville: (30,000 x 40 + 10,000 x 20 + 60,000 x 10) / 100,000 = 20.
    assert imd["value"] == pytest.approx(20.0)
    # London: (2,000,000 + 4,000,000 + 150,000) / 310,000.
    assert imd["london"] == pytest.approx(6_150_000 / 310_000)
    assert figure(stats, "E09000903", "imd_score")["rank"] == 3


def test_closures_since_2010(stats):
    a_lib = figure(stats, "E09000901", "closures_library")
    assert a_lib["count"] == 2  # 2012 and the one with no year
    assert a_lib["value"] == pytest.approx(2.0)  # per 100,000 residents
    assert figure(stats, "E09000901", "closures_gp_practice")["count"] == 1
    assert figure(stats, "E09000901", "closures_museum_or_public_gallery")["count"] == 0
    assert figure(stats, "E09000902", "closures_museum_or_public_gallery")["count"] == 1
    assert figure(stats, "E09000901", "closures_all")["count"] == 3
    assert figure(stats, "E09000901", "closures_all")["london_count"] == 4


def test_voluntary_and_regeneration_figures(stats):
    a = figure(stats, "E09000901", "charities_per_1k")
    assert a["value"] == pytest.approx(0.5)  # 50 charities / 100,000 * 1,000
    # Per resident of the wards in the extract: B2's 100,000 residents have no data.
    assert figure(stats, "E09000902", "charities_per_1k")["value"] == pytest.approx(1.0)
    assert a["london"] == pytest.approx(160 / 210_000 * 1000)
    assert a["note"].startswith("The extract covers 2 of its 2 wards")
    assert figure(stats, "E09000902", "charities_per_1k")["note"].startswith(
        "The extract covers 1 of its 2 wards"
    )
    grants = figure(stats, "E09000901", "grants_per_head")
    # Borough grants come from grants_by_year (every grant with or without a ward), from the
    # independent funders: A's £20,000 from a lottery distributor and C's £9m from government
    # are public money, left out.
    assert grants["count"] == pytest.approx(40_000)
    assert grants["value"] == pytest.approx(0.4)
    assert grants["london"] == pytest.approx(1_190_000 / 310_000)
    assert figure(stats, "E09000903", "grants_per_head")["unstable"]
    regen = figure(stats, "E09000901", "regen_share")
    assert regen["value"] == pytest.approx(30.0)  # 30,000 of 100,000 in a regen LSOA
    assert regen["london"] == pytest.approx(100 * 130_000 / 310_000)


def test_headline_formats_one_borough(stats):
    rows = profiles.borough_figures(stats, "E09000901")
    assert list(rows["measure"]) == list(profiles.MEASURES)
    shown = rows.set_index("measure")
    assert shown.loc["sites_community_libraries", "shown"] == "1.0"
    assert shown.loc["pubs_lost", "shown"] == "50%"
    assert shown.loc["pubs_lost", "count_shown"] == "50 fewer pubs"
    assert shown.loc["grants_per_head", "shown"] == "£0"  # £40,000 over 100,000 residents
    table = profiles.borough_figures_display(rows)
    assert list(table.columns) == ["figure", "value", "London", "rank"]
    assert (table["rank"] == "1st of 2").any()
    csv = profiles.borough_figures_csv(rows)
    assert {"borough", "measure", "value", "london", "rank", "unstable"} <= set(csv.columns)
    city = profiles.borough_figures_display(profiles.borough_figures(stats, "E09000903"))
    assert (city["rank"] == "not ranked ⚠").sum() == sum(
        m.per_head for m in profiles.MEASURES.values()
    )
    with pytest.raises(KeyError):
        profiles.borough_figures(stats, "E09999999")


def test_ordinals():
    assert [profiles.ordinal(n) for n in [1, 2, 3, 4, 11, 12, 13, 21, 22, 33]] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "33rd",
    ]


# ---------------------------------------------------------------- wards


@pytest.fixture(scope="module")
def wards(tiny) -> pd.DataFrame:
    names = dict(zip(tiny["boroughs"]["gss_code"], tiny["boroughs"]["name"], strict=True))
    return profiles.ward_table(
        tiny["wards"], tiny["lsoas"], tiny["sites"], tiny["voluntary_wards"], names
    )


def test_ward_measures(wards):
    w = wards.set_index("ward_code")
    assert len(w) == 5
    # A1: LSOAs of 30,000 (IMD 40) and 10,000 (IMD 20) -> (1,200,000 + 200,000) / 40,000.
    assert w.loc["W_A1", "imd_score"] == pytest.approx(35.0)
    assert w.loc["W_A1", "population"] == 40_000
    assert w.loc["W_A1", "open_sites"] == 6
    assert w.loc["W_A1", "sites_per_10k"] == pytest.approx(1.5)
    assert w.loc["W_A1", "closures"] == 2  # library 2012, GP 2015 (museum 2005 not)
    assert w.loc["W_A2", "closures"] == 1  # the library with no year
    assert w.loc["W_A1", "charities_per_1k"] == pytest.approx(0.75)
    assert pd.isna(w.loc["W_B2", "charities"]) and pd.isna(w.loc["W_B2", "charities_per_1k"])
    assert w.loc["W_A1", "grants_per_head"] == pytest.approx(1.0)
    assert w.loc["W_C1", "grants_gbp"] == 1_000_000.0
    assert w.loc["W_A1", "regen_share"] == pytest.approx(75.0)
    # Rank 1 = most deprived; A2 and B2 tie on 10 and share 4th.
    assert w.loc["W_A1", "imd_rank"] == 1 and w.loc["W_A2", "imd_rank"] == 4
    assert w.loc["W_B2", "imd_rank"] == 4
    assert not w["unstable"].any()  # every ward has 5,000+ residents
    assert w.loc["W_A1", "borough"] == "Aville"
    assert "caveats" in wards.attrs and wards.attrs["caveats"]


def test_ward_grants_add_government_only_when_asked(tiny):
    names = dict(zip(tiny["boroughs"]["gss_code"], tiny["boroughs"]["name"], strict=True))
    args = (tiny["wards"], tiny["lsoas"], tiny["sites"], tiny["voluntary_wards"], names)
    own = profiles.ward_table(*args).set_index("ward_code")
    every = profiles.ward_table(*args, government=True).set_index("ward_code")
    assert own.loc["W_C1", "grants_gbp"] == 1_000_000.0 and own.loc["W_C1", "grants_count"] == 2
    assert every.loc["W_C1", "grants_gbp"] == 10_000_000.0
    assert every.loc["W_C1", "grants_count"] == 3
    assert every.loc["W_A1", "grants_gbp"] == own.loc["W_A1", "grants_gbp"]


def test_ward_table_for_one_borough_and_its_csv(tiny):
    names = dict(zip(tiny["boroughs"]["gss_code"], tiny["boroughs"]["name"], strict=True))
    one = profiles.ward_table(
        tiny["wards"],
        tiny["lsoas"],
        tiny["sites"],
        tiny["voluntary_wards"],
        names,
        gss_code="E09000902",
    )
    assert list(one["ward_code"]) == ["W_B1", "W_B2"]
    csv = profiles.ward_csv(one)
    assert "closures_since_2010" in csv.columns and "residents_mid_2020" in csv.columns
    assert tables.csv_bytes(csv).decode().startswith("ward_code,ward,")


def test_unstable_wards_under_5000_residents(tiny):
    names = dict(zip(tiny["boroughs"]["gss_code"], tiny["boroughs"]["name"], strict=True))
    table = profiles.ward_table(
        tiny["wards"],
        tiny["lsoas"],
        tiny["sites"],
        tiny["voluntary_wards"],
        names,
        min_population=15_000,
    )
    assert set(table.loc[table["unstable"], "ward_code"]) == {"W_C1"}


def test_ward_labels_are_unique():
    table = pd.DataFrame(
        {
            "ward_code": ["X1", "X2", "X3"],
            "ward": ["Abbey", "Abbey", "Abbey"],
            "borough": ["Merton", "Merton", "Barking"],
        }
    )
    labels = ward_maps.ward_labels(table)
    assert labels["X3"] == "Abbey (Barking)"
    assert labels["X1"] != labels["X2"] and labels["X1"].endswith("X1")


# ---------------------------------------------------------------- lists and statistics


def test_closed_facilities_newest_first(tiny):
    table = profiles.closed_facilities(tiny["sites"], "E09000901", WARD_NAMES)
    assert list(table["closed_year"].astype("Float64").fillna(-1)) == [2015, 2012, 2005, -1]
    assert table.loc[0, "source"] == "NHS ODS GP practices 2019"
    assert "Closures are recorded only for" in table.attrs["caveats"][0]
    assert profiles.closed_facilities(tiny["sites"], "E09000903", WARD_NAMES).empty


def test_voluntary_list_labels_kinds_and_licences(tiny):
    table = profiles.voluntary_list(tiny["points"], "E09000901", WARD_NAMES)
    assert list(table["kind"]) == ["Food bank", "Food bank"]
    assert list(table["status"]) == ["closed", "open"]
    london = profiles.voluntary_list(tiny["points"], None, WARD_NAMES, {"E09000902": "Beeton"})
    mutual = london[london["kind"] == "Mutual aid group"].iloc[0]
    assert "non-commercial" in mutual["licence"] and mutual["borough"] == "Beeton"
    assert mutual["vintage"].startswith("mutualaid.wiki")


def test_correlations_known_answers():
    imd = np.arange(1.0, 11.0)
    wards = pd.DataFrame(
        {
            "imd_score": imd,
            "charities_per_1k": 2 * imd + 1,  # r = rho = 1
            "grants_per_head": -(imd**3),  # rho = -1
            "unstable": [True] + [False] * 9,
            "gss_code": ["A"] * 5 + ["B"] * 5,
            "charities": [1, 2, 3, 4, 5, 1, None, 3, 4, 5],  # B has a ward with no data
        }
    )
    table = profiles.voluntary_correlations(wards)
    assert len(table) == 5
    assert table.iloc[2]["wards"] == "wards of the 1 borough the extract covers fully"
    assert table.iloc[2]["n"] == 4  # A's stable wards
    first = table.iloc[0]
    assert first["measure"] == "charities_per_1k" and first["wards"] == "all wards"
    assert first["n"] == 10 and first["r"] == pytest.approx(1.0)
    assert first["rho"] == pytest.approx(1.0) and first["reading"] == "strong positive"
    assert table.iloc[1]["n"] == 9  # without the unstable ward
    grants = table[table["measure"] == "grants_per_head"].iloc[0]
    assert grants["rho"] == pytest.approx(-1.0) and grants["r"] < -0.9
    assert any("registered" in c for c in table.attrs["caveats"])
    assert any("360Giving" in c for c in table.attrs["caveats"])
    assert "ρ = 1.00" in profiles.correlation_sentence(first)


def test_unmatched_report_surfaces_the_build_and_the_layers(tiny):
    vol = pd.concat(
        [
            tiny["voluntary_wards"],
            pd.DataFrame(
                {
                    "ward_code": ["W_GONE"],
                    "charities": [3],
                    "grants_gbp": [0.0],
                    "grants_count": [0],
                }
            ),
        ]
    )
    table = profiles.unmatched_report(
        tiny["report"], tiny["wards"], tiny["lsoas"], vol, tiny["points"]
    ).set_index("check")
    assert table.loc["build: voluntary_wards / grants", "not_matched"] == 3
    assert "no 2017 ward" in table.loc["build: voluntary_wards / grants", "note"]
    assert "build: sites / all" not in table.index
    row = table.loc["ward figures (voluntary_wards) on a ward polygon"]
    assert row["not_matched"] == 1 and row["note"] == "W_GONE"
    assert table.loc["LSOAs with a 2017 ward", "not_matched"] == 0


def test_integer_classes_never_say_zero_to_one():
    classes = symbols.classify(pd.Series([0, 0, 1, 2, 0]), "counts", "{:.0f}")
    assert [label for _, label in classes.rows] == ["0", "1", "2"]
    ramp = [colour for colour, _ in classes.rows]
    assert list(classes.fills) == [ramp[0], ramp[0], ramp[1], ramp[2], ramp[0]]
    labels = [label for _, label in symbols.classify(pd.Series(range(30)), "counts", "{:.0f}").rows]
    assert labels[0].startswith("0") and labels[-1].endswith("+")


def test_continuous_classes_show_pennies_when_pounds_would_repeat():
    # Grants per head: a fifth of wards get pennies; "£0 – £0" would hide that class.
    values = pd.Series([0.0, 0.1, 0.2, 0.3, 1.5, 2.0, 5.0, 9.0, 20.0, 300.0])
    labels = [label for _, label in symbols.classify(values, "quantile", "£{:,.0f}").rows]
    assert labels[0].startswith("£0.00 – £0.") and len(set(labels)) == len(labels)
    whole = symbols.classify(
        pd.Series([10.0, 20.0, 30.0, 40.0, 50.0, 60.0]), "quantile", "£{:,.0f}"
    )
    assert whole.rows[0][1].startswith("£10 – ")  # pounds enough: no pennies


# ---------------------------------------------------------------- maps


def escaped(text: str, page: str) -> bool:
    """`text` is in the page HTML-escaped (folium writes '&' inside JSON as \\u0026)."""
    once = html.escape(text)
    return once in page or once.replace("&", "\\u0026") in page


@pytest.fixture(scope="module")
def tiny_layers(tiny) -> Layers:
    return Layers(
        boroughs=tiny["boroughs"],
        wards=tiny["wards"],
        lsoas=tiny["lsoas"],
        policy_areas=tiny["policy_areas"],
        sites=tiny["sites"],
        voluntary_points=tiny["points"],
        voluntary_wards=tiny["voluntary_wards"],
        grants_by_year=tiny["grants_by_year"],
        pubs_by_borough=tiny["pubs"],
        build_report=tiny["report"],
    )


def test_borough_map_has_legend_layers_and_escapes_names(tiny, tiny_layers, wards):
    """The borough page's map as the browser receives it (page_specs.borough_spec)."""
    data = site_map.prepare(tiny_layers, maps.prepare(tiny_layers))
    points = tiny["points"]
    spec = page_specs.borough_spec(
        wards[wards["gss_code"] == "E09000901"],
        "E09000901",
        "Borough A",
        "closures",
        ("town_centre",),
        tiny["sites"][tiny["sites"]["gss_code"] == "E09000901"],
        points[points["gss_code"] == "E09000901"],
        ((51.4, -0.2), (51.6, 0.0)),
    )
    drawn = site_map.browser_spec(data, spec)
    legend = drawn["legend"]
    assert "Closures since 2010" in legend and "Town centres" in legend
    assert "Food bank, Trussell Trust (1)" in legend and "Food bank, closed (1)" in legend
    # The boroughs first, on land (no basemap), the borough outlined; its wards filled above.
    outline, fill = drawn["areas"]
    assert outline["land"] == symbols.LAND_COLOUR
    assert outline["focus"] == [list(data.borough_codes).index("E09000901")]
    assert fill["fills"] is not None
    # Food banks and mutual aid groups: the borough's own packed layer (sent once a session),
    # all of it; their text plain (the browser sets text).
    assert drawn["voluntary"]["layer"] in drawn["layers"]
    assert drawn["voluntary"]["layer"] != data.voluntary.hash  # not London's
    ours = points[points["gss_code"] == "E09000901"]
    assert drawn["voluntary"]["shown"] == len(ours) and drawn["voluntary"]["mask"] is None
    assert sorted(shown_names(data, drawn)) == sorted(ours["name"])
    assert "Bank <b>" in shown_names(data, drawn)


def shown_names(data, drawn) -> list[str]:
    """The names of the food banks and groups a view shows: its mask over the packed layer."""
    packed = [data.voluntary, *(layer for layer, _ in data.memo.values())]
    (layer,) = [p for p in packed if p.hash == drawn["voluntary"]["layer"]]
    _, columns = site_map.unpack(layer.data)
    mask = drawn["voluntary"]["mask"]
    if mask is None:
        return columns["name"]
    bits = np.unpackbits(np.frombuffer(base64.b64decode(mask), np.uint8), bitorder="little")
    return [name for name, bit in zip(columns["name"], bits, strict=False) if bit]


def test_voluntary_map_outlines_the_chosen_ward(tiny, tiny_layers, wards):
    data = site_map.prepare(tiny_layers, maps.prepare(tiny_layers))
    spec = page_specs.voluntary_spec(
        wards, "charities_per_1k", tiny["points"], "W_C1", "C ward (Borough C)"
    )
    drawn = site_map.browser_spec(data, spec)
    legend = drawn["legend"]
    assert "Registered charities per 1,000 residents (2019)" in legend
    assert "Mutual aid group 2020 (1; CC BY-NC-SA, non-commercial)" in legend
    assert "Chosen ward" in legend and "C ward (Borough C)" in legend
    fill, boroughs = drawn["areas"]
    # The ward fill carries the chosen ward's heavy outline; the boroughs' outlines over it
    # without land colour (it would cover the fill).
    assert fill["focus"] == [list(data.ward_codes).index("W_C1")]
    assert boroughs["fills"] is None and boroughs["land"] is None
    assert "mutualaid.wiki (CC BY-NC-SA 4.0)" in drawn["attribution"]
    assert drawn["voluntary"]["mask"] is None  # all of them
    assert sorted(shown_names(data, drawn)) == sorted(tiny["points"]["name"])


def test_voluntary_download_draws_the_points_escaped(tiny, tiny_layers, wards):
    """The HTML download of the voluntary map draws its food banks and groups, text escaped."""
    spec = page_specs.voluntary_spec(wards, "charities_per_1k", tiny["points"], "W_C1", "C")
    geo = ward_maps.ward_geometry(tiny["wards"], tiny_layers.borough_names)
    page = html_map.standalone_html(spec, maps.prepare(tiny_layers), "V", wards=geo).decode()
    assert escaped("Bank <b>", page) and "Bank <b>" not in page
    for colour in (symbols.NETWORK_COLOURS["Trussell Trust"], symbols.MUTUAL_AID_COLOUR):
        assert f'"fillColor": "{colour}"' in page
    assert f'"fill": true, "fillColor": "{symbols.LAND_COLOUR}"' not in page  # over the fill


def test_scatter_marks_the_chosen_ward(wards):
    chart = charts.scatter_chart(wards, "charities_per_1k", "W_A1")
    assert len(chart["layer"]) == 3
    # Every ward in one named dataset (Streamlit sends it as Arrow), the chosen one inline.
    assert chart["layer"][0]["data"] == {"name": "wards"}
    assert list(chart["datasets"]["wards"]["ward"]) == list(wards["ward"])
    y = chart["layer"][0]["encoding"]["y"]
    assert y["scale"]["type"] == "symlog"
    # Ticks at 0.5 as well as whole numbers, each labelled as itself (",.6~g": 0.5 is "0.5",
    # 1000 "1,000"); Vega's default format labelled 0.5 "1", so "1" came twice.
    assert y["axis"]["values"][:3] == [0, 0.5, 1] and y["axis"]["format"] == ",.6~g"
    assert chart["layer"][1]["data"]["values"][0]["ward_code"] == "W_A1"
    assert len(charts.scatter_chart(wards, "grants_per_head")["layer"]) == 1


# ---------------------------------------------------------------- the real build

integration = pytest.mark.integration


@pytest.fixture(scope="module")
def real(built_gpkg) -> Layers:
    return load_layers(built_gpkg)


@pytest.fixture(scope="module")
def real_wards(real) -> pd.DataFrame:
    return profiles.ward_table(
        real.wards, real.lsoas, real.sites, real.voluntary_wards, real.borough_names
    )


@pytest.fixture(scope="module")
def real_stats(real) -> pd.DataFrame:
    return profiles.borough_stats(
        real.boroughs,
        real.lsoas,
        real.sites,
        real.wards,
        real.voluntary_wards,
        real.grants_by_year,
        real.pubs_by_borough,
    )


@integration
def test_real_634_wards_and_every_lsoa_has_one(real, real_wards):
    assert len(real.wards) == 634 and real.wards["ward_code"].is_unique
    assert len(real_wards) == 634
    assert len(real.lsoas) == 4835
    assert real.lsoas["ward_code"].notna().all()
    assert real.lsoas["ward_code"].isin(set(real.wards["ward_code"])).all()
    assert real.wards["population"].sum() == real.boroughs["population"].sum() == 9_002_488
    report = profiles.unmatched_report(
        real.build_report, real.wards, real.lsoas, real.voluntary_wards, real.voluntary_points
    )
    checks = report.set_index("check")["not_matched"]
    assert checks["LSOAs with a 2017 ward"] == 0
    assert checks["ward figures (voluntary_wards) on a ward polygon"] == 0
    # The build's own count of grant rows with no 2017 London ward is surfaced, not hidden.
    assert checks["build: voluntary_wards / grants"] == 127


@integration
def test_real_wards_missing_from_the_charity_extract_have_no_data(real, real_wards):
    """88 wards have no row in the extract (Wandsworth has 55 charities in all): a gap in its
    coverage, shown as no data; the 9 boroughs it covers fully are named."""
    missing = real_wards[real_wards["charities"].isna()]
    assert len(missing) == 88 and missing["charities_per_1k"].isna().all()
    assert (missing["borough"] == "Hackney").sum() == 10
    covered = set(profiles.fully_covered(real_wards).map(real.borough_names))
    assert covered == {
        "Bexley",
        "Camden",
        "Harrow",
        "Hillingdon",
        "Kensington and Chelsea",
        "Kingston upon Thames",
        "Merton",
        "Redbridge",
        "Sutton",
    }


@integration
def test_real_grants_split_by_funder_type(real, real_wards):
    """Department for Transport money is transport money, and the Big Lottery Fund and Sport
    England are both public lottery distributors: the voluntary views count the independent
    funders, and public money only when asked."""
    by_type = real.grants_by_year.groupby("funder_type")["grants_gbp"].sum()
    assert by_type["government"] == pytest.approx(1_660_509_053, abs=1)
    assert by_type["lottery"] == pytest.approx(1_130_508_867, abs=1)
    assert by_type["charitable"] == pytest.approx(321_797_989, abs=1)
    assert by_type["research"] == pytest.approx(101_563_532, abs=1)
    groups = profiles.grants_by_group(real.grants_by_year).groupby("group", sort=False)
    independent = groups["grants_gbp"].sum().iloc[-1]
    assert independent == pytest.approx(423_361_521, abs=1)  # £423 m, not £1.27 bn
    sentence = profiles.grants_sentence(profiles.grants_by_group(real.grants_by_year))
    assert sentence.replace("\u00a0", " ") == (
        "Of the £3.21 bn published to 360Giving for 2013-2018: government departments and "
        "councils £1.66 bn; the public lottery distributors (the Big Lottery Fund and Sport "
        "England) £1.13 bn; independent charitable funders (trusts, foundations and companies) "
        "£423 m. Of the independent funders' money, £102 m came from research funders, whose "
        "money goes mainly to universities and museums."
    )
    cathedrals = real_wards.set_index("ward")["grants_gbp"]["Cathedrals"]
    assert cathedrals == pytest.approx(16_870_150.21)  # its £1.52bn of public money left out
    assert real_wards.nlargest(1, "grants_gbp")["ward"].iloc[0] == "Bloomsbury"


@integration
def test_real_charities_total_survives_the_joins(real, real_wards, real_stats, geodata_source):
    raw = pd.read_csv(
        geodata_source / "voluntary" / "charitybase_2019_charity_counts_london_wards2017.csv"
    )
    assert raw["n_charities"].sum() == 16_577
    assert real.voluntary_wards["charities"].sum() == 16_577
    assert real_wards["charities"].sum() == 16_577
    assert real_wards["charities"].notna().sum() == 546
    charities = real_stats[real_stats["measure"] == "charities_per_1k"]
    assert charities["count"].sum() == 16_577
    assert charities["london_count"].iloc[0] == 16_577


@integration
def test_real_grant_totals_per_year_match_the_raw_file(real, geodata_source):
    raw = pd.read_csv(
        geodata_source / "voluntary" / "360giving_grants_london_by_ward_funder_year.csv"
    )
    expected = raw.groupby("Award Year")["Amount Awarded"].sum()
    built = real.grants_by_year.groupby("year")["grants_gbp"].sum()
    assert list(built.index) == [2013, 2014, 2015, 2016, 2017, 2018]
    pd.testing.assert_series_equal(
        built.rename(None).rename_axis(None), expected.rename(None).rename_axis(None), rtol=1e-9
    )
    assert built.sum() == pytest.approx(3_214_379_441, abs=1)
    counts = raw.groupby("Award Year")["grant_count"].sum()
    assert list(real.grants_by_year.groupby("year")["grants_count"].sum()) == list(counts)


@integration
def test_real_known_borough_figures(real_stats, real_wards):
    hackney = profiles.borough_figures(real_stats, "E09000012").set_index("measure")
    assert hackney.loc["charities_per_1k", "count"] == 701
    # Per resident of the 11 of its 21 wards that the charity extract covers.
    assert hackney.loc["charities_per_1k", "value"] == pytest.approx(701 / 144_683 * 1000)
    assert hackney.loc["pubs_lost", "count"] == -30  # 155 pubs in 2001, 185 in 2018
    assert hackney.loc["imd_score", "rank"] == 2  # after Barking and Dagenham
    assert hackney.loc["sites_music_nightlife", "rank"] == 1
    # Losses since 2010: CLR James Library was closed and replaced (XLR), Tollgate Lodge and
    # The Surgery (Patel) closed at the postcode of a practice still active; with pharmacies
    # and dental practices recorded too: 5 NHS dental contracts, 3 pharmacies, 1 GP practice
    # and the Clowns Gallery Museum.
    assert hackney.loc["closures_all", "count"] == 10
    assert hackney.loc["closures_all", "label"].startswith(
        "Libraries, GP practices, museums, pharmacies and dental practices closed since 2010"
    )
    assert not hackney["unstable"].any()
    assert hackney.loc["charities_per_1k", "london"] == pytest.approx(2.1465, abs=1e-4)
    city = profiles.borough_figures(real_stats, "E09000001").set_index("measure")
    assert city.loc["sites_all", "unstable"] and pd.isna(city.loc["sites_all", "rank"])
    assert city.loc["sites_all", "rank_all"] == 1  # would top London, unranked
    assert city.loc["grants_per_head", "unstable"]
    assert city.loc["pubs_lost", "rank"] == 26 and not city.loc["pubs_lost", "unstable"]
    per_head = real_stats[real_stats["measure"] == "charities_per_1k"]
    assert per_head["ranked_of"].iloc[0] == 32
    assert set(per_head.loc[per_head["unstable"], "name"]) == {"City of London"}
    assert set(real_wards.loc[real_wards["unstable"], "borough"]) == {"City of London"}


@integration
def test_real_correlations_and_findings(real, real_stats, real_wards):
    table = profiles.voluntary_correlations(real_wards).set_index(["measure", "wards"])
    charities = table.loc[("charities_per_1k", "all wards")]
    grants = table.loc[("grants_per_head", "all wards")]
    assert charities["n"] == 546  # wards with no row in the extract are left out, not 0
    assert charities["rho"] == pytest.approx(-0.126, abs=0.005)
    complete = table.loc[("charities_per_1k", "wards of the 9 boroughs the extract covers fully")]
    assert complete["n"] == 175 and complete["rho_lo"] < 0 < complete["rho_hi"]
    assert complete["reading"] == (
        "negligible, but only 7 of these 175 wards are in London's most deprived fifth: too "
        "few to say there is no link"
    )
    assert grants["rho"] == pytest.approx(0.209, abs=0.005)
    found = profiles.findings(real_stats, real_wards, real.voluntary_points, real.sites)
    assert len(found) == 3
    assert found[0]["figures"]["borough"] == "Islington"
    assert found[0]["figures"]["fewest_grants"] == "Barking and Dagenham"
    assert found[1]["figures"]["top_ward"] == "Bloomsbury"
    assert found[1]["figures"]["complete_rho"] == pytest.approx(0.068, abs=0.005)
    # The wards where the extract is complete hold too few of the most deprived to tell.
    complete = found[1]["figures"]
    assert (complete["complete_wards"], complete["complete_most_deprived"]) == (175, 7)
    assert "only 7 of those wards are in London's most deprived fifth" in found[1]["text"]
    # Losses per site-year at risk since 2010, not per resident, pooled over categories.
    closures = found[2]["figures"]
    assert (closures["closures_most"], round(closures["years_most"])) == (97, 10_046)
    assert (closures["closures_least"], round(closures["years_least"])) == (86, 9_789)
    # A trend over all five fifths, within categories, on site-years.
    assert [round(r, 2) for r in closures["rates_per_100"]] == [0.88, 1.06, 0.98, 1.07, 0.97]
    assert round(closures["trend"], 3) == 1.009
    assert (round(closures["trend_lo"], 2), round(closures["trend_hi"], 2)) == (0.95, 1.07)
    assert round(closures["trend_p"], 2) == 0.78
    assert "no clear trend" in found[2]["text"]


def test_the_closure_measures_say_the_five_categories_they_count(real, real_wards, real_stats):
    """The ward map's "Closures since 2010" counts every recorded category (pharmacies and
    dental practices too): its label, its sources and the definitions say so, from the
    vocabulary."""
    from lib.vocab.categories import RECORDING, categories_text
    from lib.vocab.sources import recording_source_keys

    hackney = real_wards[real_wards["gss_code"] == "E09000012"]
    borough = profiles.borough_figures(real_stats, "E09000012").set_index("measure")
    # Hackney's 10 losses: 5 dental contracts, 3 pharmacies, a GP practice, a museum.
    assert hackney["closures"].sum() == borough.loc["closures_all", "count"] == 10
    measure = profiles.WARD_MEASURES["closures"]
    assert measure.label == (
        "Closures since 2010 (libraries, GP practices, museums, pharmacies and dental practices)"
    )
    assert {"pharmacies", "dental", "gp_practices", "museums", "libraries"} <= set(measure.sources)
    assert set(recording_source_keys()) == set(measure.sources)
    assert {"pharmacies", "dental"} <= set(profiles.WARD_MEASURES["sites_per_10k"].sources)
    method = " ".join(profiles.PROFILE_METHOD.split())
    assert "only for the five kinds of facility" in method
    for r in RECORDING.values():
        assert r.plural in method and r.window_since(2010) in method, r.category
    assert categories_text(RECORDING) in measure.label
