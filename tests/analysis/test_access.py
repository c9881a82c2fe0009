"""Tests for lib/analysis/access.py: the rules on hand-made layers with known answers, and
the figures on the real build (marked ``integration``).

The real figures were checked by hand for 10 LSOAs against the raw files
(bench/access_hand_check.py): the same postcodes' distances recomputed by brute force."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

from lib.analysis import access as A
from lib.data.layers import load_layers, load_postcodes

# ---------------------------------------------------------------- hand-made layers


def square_lsoas() -> gpd.GeoDataFrame:
    """Two 1 km squares side by side: A (1,000 residents), B (300 residents)."""
    return gpd.GeoDataFrame(
        {
            "lsoa_code": ["A", "B"],
            "ward_code": ["W1", "W2"],
            "gss_code": ["E09000001", "E09000001"],
            "population": [1000, 300],
        },
        geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)],
        crs=27700,
    )


def postcode_table(rows) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["postcode", "easting", "northing", "gss_code", "terminated"]
    ).set_index("postcode")


def test_population_spread_over_live_postcodes_and_fallback_point():
    postcodes = postcode_table(
        [
            ("A1", 100, 100, "E09000001", False),
            ("A2", 900, 900, "E09000001", False),
            ("A3", 500, 500, "E09000001", False),
            ("A4", 500, 600, "E09000001", True),  # terminated: nobody placed there
            ("X1", 5000, 5000, "E09000001", False),  # in no LSOA
        ]
    )
    residents = A.resident_points(square_lsoas(), postcodes)
    assert list(residents.code("lsoa_code")) == ["A", "A", "A", "B"]
    assert list(residents.code("ward_code")) == ["W1", "W1", "W1", "W2"]
    assert residents.population.tolist() == pytest.approx([1000 / 3] * 3 + [300])
    assert sorted(residents.postcode[:3]) == ["A1", "A2", "A3"]
    assert residents.fallback_lsoas == ("B",)
    assert residents.postcode[3] == ""
    assert box(1000, 0, 2000, 1000).contains(shapely.Point(residents.x[3], residents.y[3]))
    assert residents.postcodes_outside == 1


def test_open_then_reads_years_as_the_loss_rates_do():
    sites = pd.DataFrame(
        {
            "opened_year": pd.array([None, 2009, 2010, 2013, None, None, None], dtype="Int64"),
            "closed_year": pd.array([None, None, None, None, 2009, 2010, 2013], dtype="Int64"),
            "status": ["open", "open", "open", "open", "closed", "closed", "closed"],
        }
    )
    assert A.open_then(sites, 2010.0).tolist() == [True, True, False, False, False, True, True]
    # GP practices' records start on 1 July 2013: a 2013 opening or closure counts as open.
    assert A.open_then(sites, 2013.5).tolist() == [True, True, True, True, False, False, True]
    assert A.year_text(2013.5) == "July 2013"
    assert A.year_text(2010.0) == "2010"


def test_nearest_matches_brute_force():
    rng = np.random.default_rng(7)
    points = rng.uniform(0, 10_000, (2_000, 2))
    facilities = rng.uniform(0, 10_000, (50, 2))
    distance, index = A.nearest(
        shapely.points(points[:, 0], points[:, 1]), facilities[:, 0], facilities[:, 1]
    )
    brute = np.hypot(*(points[:, None, :] - facilities[None, :, :]).transpose(2, 0, 1))
    assert distance == pytest.approx(brute.min(axis=1))
    assert np.allclose(brute[np.arange(len(points)), index], distance)
    none, missing = A.nearest(shapely.points(points[:3, 0], points[:3, 1]), [], [])
    assert np.isinf(none).all() and (missing == -1).all()


def test_a_site_that_moved_is_at_the_building_it_left_until_the_year_after_its_move():
    sites = gpd.GeoDataFrame(
        {"site_id": ["a", "b", "c", "d"]},
        geometry=shapely.points([(0, 0), (100, 0), (200, 0), (300, 0)]),
        crs=27700,
    )
    moves = pd.DataFrame(
        {
            "site_id": ["a", "b", "c", "c"],
            "year": pd.array([2009, 2010, None, 2012], dtype="Int64"),
            "from_easting": [-1.0, 99.0, 199.0, 150.0],
            "from_northing": [5.0, 5.0, 5.0, 5.0],
        }
    )
    x, y = A.placed_at(sites, moves, 2010.0)
    # a moved in 2009: at its point in 2010; b moved in 2010, after its first day; c's first
    # move after 2010 is the dated one (2012), an undated one counts as later still; d never.
    assert x.tolist() == [0, 99, 150, 300] and y.tolist() == [0, 5, 5, 0]
    assert A.placed_at(sites, moves)[0].tolist() == [0, 100, 200, 300]  # now: the points


def test_weighted_median():
    assert A.weighted_median(np.array([1.0, 2.0, 10.0]), np.array([1.0, 1.0, 5.0])) == 10.0
    assert A.weighted_median(np.array([1.0, 2.0, 10.0]), np.array([3.0, 1.0, 1.0])) == 1.0
    assert np.isnan(A.weighted_median(np.array([]), np.array([])))


# ---------------------------------------------------------------- the real build


@pytest.fixture(scope="module")
def layers(built_gpkg):
    return load_layers(built_gpkg)


@pytest.fixture(scope="module")
def access(built_gpkg, layers):
    return A.compute_access(layers, load_postcodes(built_gpkg))


def _figures(table: pd.DataFrame, codes) -> dict:
    rows = table.set_index("code").loc[list(codes)]
    return {
        code: (int(r.beyond_then), int(r.beyond_now))
        for code, r in zip(codes, rows.itertuples(), strict=True)
    }


def test_residents_are_london_placed_at_its_postcodes(access):
    residents = access.residents
    assert residents.population.sum() == pytest.approx(9_002_488)
    assert len(residents.x) == 180_773  # every live postcode but the 19 off the LSOA polygons
    assert residents.postcodes_outside == 19
    assert residents.fallback_lsoas == ()


BOROUGHS = ("E09000002", "E09000005", "E09000022")  # Barking and Dagenham, Brent, Lambeth


@pytest.mark.parametrize(
    "category, london, boroughs",
    [
        (
            "GP practice",
            (931_030, 1_066_230),
            {
                "E09000002": (12_280, 12_280),
                "E09000005": (19_425, 21_984),
                "E09000022": (2_774, 2_829),
            },
        ),
        (
            "Pharmacy",
            (518_455, 549_555),
            {
                "E09000002": (12_429, 8_249),
                "E09000005": (8_411, 8_489),
                "E09000022": (2_887, 2_887),
            },
        ),
        (
            "Library",
            (3_467_072, 3_642_957),
            {
                "E09000002": (66_014, 120_167),
                "E09000005": (128_566, 158_580),
                "E09000022": (122_495, 125_626),
            },
        ),
    ],
)
def test_residents_beyond_800_m_then_and_now(access, category, london, boroughs):
    assert _figures(A.walking_access(access, category, 800, "london"), ["E12000007"]) == {
        "E12000007": london
    }
    assert _figures(A.walking_access(access, category, 800, "borough"), BOROUGHS) == boroughs


def test_then_and_now_are_each_sources_dates(access):
    gp = A.walking_access(access, "GP practice")
    assert (gp.attrs["then"], gp.attrs["now"]) == ("July 2013", "December 2019")
    assert any("'then' is July 2013, not 2010" in c for c in gp.attrs["caveats"])
    # 48 dormant codes have no close date (43 of them on record before July 2013): when they
    # stopped is unknown, so none can be placed open then.
    assert any(c.startswith("Dormant practices are left out") for c in gp.attrs["caveats"])
    libraries = A.walking_access(access, "Library")
    assert (libraries.attrs["then"], libraries.attrs["now"]) == ("2010", "2023")
    pharmacies = A.walking_access(access, "Pharmacy")
    assert (pharmacies.attrs["then"], pharmacies.attrs["now"]) == ("2010", "April 2025")
    assert any("straight lines" in c for c in pharmacies.attrs["caveats"])


def test_residents_who_lost_and_gained_walking_access_to_a_library_by_borough(access):
    table = A.walking_access(access, "Library", 800, "borough").set_index("code")
    figures = table[["lost_access", "gained_access"]].astype(int)
    assert figures.loc["E09000002"].tolist() == [56_313, 2_161]  # Barking and Dagenham
    assert figures.loc["E09000005"].tolist() == [42_512, 12_498]  # Brent
    assert figures.loc["E09000015"].tolist() == [32_453, 3_595]  # Harrow
    # Lambeth: no library closed (Clapham, 2012, is a new building), but Waterloo moved in 2016
    # from Lower Marsh to the Oasis Centre, 301 m south-east: 3,380 of the 3,484 are its.
    assert figures.loc["E09000022"].tolist() == [3_484, 352]
    # Waltham Forest: no library closed; Wood Street Library moved 382 m south in 2020.
    assert figures.loc["E09000031"].tolist() == [4_614, 4_237]
    # Beyond now = beyond then + lost - gained, in every borough (up to rounding).
    change = table["beyond_then"] + table["lost_access"] - table["gained_access"]
    assert (change - table["beyond_now"]).abs().max() <= 2
    london = A.walking_access(access, "Library", 800, "london").iloc[0]
    assert (int(london.lost_access), int(london.gained_access)) == (276_897, 101_013)
    mile = A.walking_access(access, "Library", A.MILE_M, "london").iloc[0]
    assert (int(mile.beyond_then), int(mile.beyond_now)) == (241_843, 303_493)


def test_a_moved_library_is_measured_where_it_was_then_and_is_now(access):
    """Wood Street Library: Forest Road (E17 4AA) in the 2016 and 2021 lists, 1 Troubridge
    Square (E17 3HB) from 2020 in the 2023 list. Two LSOAs either side, checked against the raw
    files (bench/access_hand_check.py: the 2016 list's points then, the 2023 list's postcodes
    now): one lost walking access, one gained it."""
    table = A.resident_distances(access, "Library").set_index("lsoa_code")
    assert table.loc["E01004378", ["then_mean_m", "now_mean_m"]].round(1).tolist() == [566.2, 898.1]
    assert table.loc["E01004465", ["then_mean_m", "now_mean_m"]].round(1).tolist() == [909.7, 536.2]
    libraries = access.categories["Library"]
    assert "lib16-2986" in libraries.then.site_ids and "lib16-2986" in libraries.now.site_ids
    caveats = " ".join(libraries.caveats)
    assert "12 libraries that moved since 2010 are measured at the building they left" in caveats


def test_wards_add_up_to_their_boroughs(access):
    wards = A.walking_access(access, "Pharmacy", 800, "ward")
    assert len(wards) == 634
    boroughs = A.walking_access(access, "Pharmacy", 800, "borough").set_index("code")
    summed = wards.groupby("gss_code")[["residents", "beyond_now", "lost_access"]].sum()
    difference = (summed - boroughs.loc[summed.index, summed.columns]).abs()
    assert difference.to_numpy().max() <= 40  # each ward rounded to whole residents
    assert wards.set_index("code").loc["E05000027", "name"] == "Alibon"


def test_a_lost_library_its_residents_and_their_next_nearest(access):
    lost = A.lost_facilities(access, "Library").set_index("site_id")
    assert len(lost) == 20  # the libraries lost since 2010, none replaced or moved
    markyate = lost.loc["lib16-6"]  # Barking and Dagenham, closed 2012
    assert markyate["name"] == "Markyate" and markyate["closed_year"] == 2012
    assert int(markyate["residents_nearest"]) == 28_917
    assert (markyate["then_mean_m"], markyate["extra_mean_m"]) == (745, 655)
    assert markyate["extra_median_m"] == 559
    assert int(markyate["lost_access"]) == 16_842
    # A library closed and replaced is no loss: East Greenwich (replaced by Greenwich Central
    # Library, 2015) and Gayton (moved to Greenhill, 2020) are not here.
    assert "lib16-1065" not in lost.index and "lib16-1161" not in lost.index


def test_community_centres_are_now_only(access):
    table = A.walking_access(access, "Community centre", 800, "borough")
    assert table.attrs["then"] is None and table.attrs["now"] == "November 2022"
    for column in ["beyond_then", "lost_access", "gained_access", "share_beyond_then"]:
        assert table[column].isna().all()  # unknown, never "no access lost"
    london = A.walking_access(access, "Community centre", 800, "london").iloc[0]
    assert int(london.beyond_now) == 2_992_357
    assert any("only access in November 2022 is known" in c for c in table.attrs["caveats"])
    lost = A.lost_facilities(access, "Community centre")
    assert lost.empty and lost.attrs["then"] is None


def test_lsoa_distances_checked_by_hand(access):
    """Four of the ten LSOAs checked against the raw files (bench/access_hand_check.py):
    mean straight-line metres over their postcodes, then and now."""
    table = A.resident_distances(access, "GP practice").set_index("lsoa_code")
    assert table.loc["E01000490", ["then_mean_m", "now_mean_m"]].round(1).tolist() == [352.7, 492.1]
    assert table.loc["E01002970", ["then_mean_m", "now_mean_m"]].round(1).tolist() == [504.2, 790.6]
    pharmacies = A.resident_distances(access, "Pharmacy").set_index("lsoa_code")
    assert pharmacies.loc["E01003462", "now_mean_m"].round(1) == 752.0
    centres = A.resident_distances(access, "Community centre").set_index("lsoa_code")
    assert centres.loc["E01000986", "now_mean_m"].round(1) == 2350.5
    assert centres["then_mean_m"].isna().all()


def test_a_window_starting_after_a_source_ends_is_now_only(access, layers):
    points = access.residents.geometry
    gp = A.category_access(points, layers.sites, "GP practice", 2020)  # records end July 2019
    assert gp.then is None and gp.lost.empty
    assert "GP practice: its records end before 2020, so only access in December 2019" in (
        " ".join(gp.caveats)
    )
    assert gp.now.distance == pytest.approx(access.categories["GP practice"].now.distance)
