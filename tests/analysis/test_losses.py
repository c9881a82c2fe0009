"""Tests for lib/analysis/losses.py: statistics on hand-made fixtures with known answers, and
integration tests on the real build (marked ``integration``)."""

import math
import pickle
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import box

from lib.analysis import inference, losses, pub_trends
from lib.vocab.policies import MAIN_ANALYSED, policy_flag, policy_label, policy_title

BNG = "EPSG:27700"


# ---------------------------------------------------------------- hand-made fixtures


def make_sites(rows) -> gpd.GeoDataFrame:
    """Sites with the columns of the built ``sites`` layer; rows give only what matters."""
    defaults = dict(
        site_id="x",
        name="x",
        category="Library",
        category_group="g",
        status="open",
        closed_year=pd.NA,
        sources="libraries_2016",
        gss_code="E09000001",
        in_town_centre=False,
        town_centre_class=None,
        in_caz=False,
        in_opportunity_area=False,
        in_sil=False,
        in_creative_enterprise_zone=False,
        in_regen_area=False,
        dist_town_centre_m=1000.0,
        x=0.0,
        y=0.0,
    )
    records = []
    for i, row in enumerate(rows):
        record = {**defaults, "site_id": f"s{i}", **row}
        records.append(record)
    frame = pd.DataFrame(records)
    frame["closed_year"] = frame["closed_year"].astype("Int64")
    geometry = gpd.points_from_xy(frame.pop("x"), frame.pop("y"))
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=BNG)


@pytest.fixture
def ten_sites():
    """10 recorded libraries: 4 inside the CAZ (2 closed), 6 outside (1 closed); plus a
    culture-map-only library (closed status impossible, must be left out) and a pub."""
    rows = []
    for closed in (True, True, False, False):
        rows.append(
            dict(
                in_caz=True,
                status="closed" if closed else "open",
                closed_year=2012 if closed else pd.NA,
            )
        )
    for closed in (True, False, False, False, False, False):
        rows.append(
            dict(
                in_caz=False,
                status="closed" if closed else "open",
                closed_year=2014 if closed else pd.NA,
            )
        )
    rows.append(dict(in_caz=True, sources="cim_2022"))
    rows.append(dict(category="Pub", sources="cim_2022", in_caz=True))
    return make_sites(rows)


# ---------------------------------------------------------------- Wilson interval


def test_wilson_5_of_20_by_hand():
    # p = 5/20 = 0.25, z = 1.96, z² = 3.8416, z²/n = 0.19208, denominator 1 + z²/n = 1.19208.
    # centre = (p + z²/2n) / 1.19208 = (0.25 + 0.09604) / 1.19208 = 0.290283
    # half = z / 1.19208 * sqrt(p(1-p)/n + z²/4n²) = 1.96 / 1.19208 * sqrt(0.009375 + 0.002401)
    #      = 1.644185 * 0.108517 = 0.178422
    # so (0.1119, 0.4687), the textbook value for 5/20.
    lo, hi = inference.wilson_interval(5, 20)
    assert lo == pytest.approx(0.1119, abs=5e-5)
    assert hi == pytest.approx(0.4687, abs=5e-5)


def test_wilson_edges_and_arrays():
    lo, hi = inference.wilson_interval(0, 10)
    assert lo == 0.0 and hi == pytest.approx(0.2775, abs=5e-5)  # 0/10: (0, 0.2775)
    lo, hi = inference.wilson_interval(10, 10)
    assert hi == 1.0 and lo == pytest.approx(0.7225, abs=5e-5)
    lo, hi = inference.wilson_interval(0, 0)
    assert math.isnan(lo) and math.isnan(hi)
    lo, hi = inference.wilson_interval([5, 0], [20, 0])
    assert lo[0] == pytest.approx(0.11186, abs=1e-5) and np.isnan(lo[1])


# ---------------------------------------------------------------- rate ratio


def test_rate_ratio_matches_katz_formula():
    # 10 of 50 inside, 20 of 200 outside: RR = 0.2 / 0.1 = 2,
    # se = sqrt(1/10 - 1/50 + 1/20 - 1/200) = sqrt(0.125) = 0.353553
    rr = inference.rate_ratio(10, 50, 20, 200)
    se = math.sqrt(1 / 10 - 1 / 50 + 1 / 20 - 1 / 200)
    assert rr.ratio == pytest.approx(2.0)
    # 1.96 * se = 0.692965; exp(-0.692965) = 0.500091, so lo = 1.00018 and hi = 3.99927
    assert rr.lo == pytest.approx(2 * math.exp(-1.96 * se))
    assert rr.hi == pytest.approx(2 * math.exp(1.96 * se))
    assert (rr.lo, rr.hi) == pytest.approx((1.00018, 3.99927), abs=1e-5)
    assert rr.note == ""


def test_rate_ratio_zero_closures_inside_uses_haldane_correction():
    # 0 of 10 inside, 5 of 50 outside: 0.5 added to each of the four cells,
    # so 0.5 of 11 against 5.5 of 51.
    rr = inference.rate_ratio(0, 10, 5, 50)
    ratio = (0.5 / 11) / (5.5 / 51)
    se = math.sqrt(1 / 0.5 - 1 / 11 + 1 / 5.5 - 1 / 51)
    assert rr.ratio == pytest.approx(ratio)  # 0.4215
    assert rr.lo == pytest.approx(ratio * math.exp(-1.96 * se))
    assert rr.hi == pytest.approx(ratio * math.exp(1.96 * se))
    assert "Haldane" in rr.note and "no closures inside" in rr.note


def test_rate_ratio_every_site_closed_is_corrected_too():
    # 1 of 1 inside: the inside term 1/a - 1/n1 would be 0 and the interval far too narrow.
    rr = inference.rate_ratio(1, 1, 37, 380)
    assert rr.ratio == pytest.approx((1.5 / 2) / (37.5 / 381))
    assert "every site inside closed" in rr.note


def test_rate_ratio_without_a_comparison_is_nan_not_an_error():
    for args, words in [
        ((0, 0, 3, 10), "no sites inside"),
        ((2, 5, 0, 0), "no sites outside"),
        ((0, 5, 0, 10), "no closures on either side"),
    ]:
        rr = inference.rate_ratio(*args)
        assert all(math.isnan(x) for x in rr[:3]) and words in rr.note
        assert losses.verdict(*rr[:3], "the CAZ", rr.note).startswith("cannot compare")
    with pytest.raises(ValueError):
        inference.rate_ratio(6, 5, 0, 10)


def test_fisher_exact_known_values():
    # Fisher's tea-tasting table [[3, 1], [1, 3]]: two-sided p = 34/70 = 0.4857
    assert inference.fisher_exact(3, 4, 1, 4) == pytest.approx(34 / 70)
    # 1 of 1 inside closed, 37 of 380 outside: p = P(the one site is closed) = 38/381
    assert inference.fisher_exact(1, 1, 37, 380) == pytest.approx(38 / 381)
    assert math.isnan(inference.fisher_exact(0, 0, 1, 2))


def test_mantel_haenszel_undoes_a_mix_of_categories():
    # Two categories, each closing at the same rate inside and out (ratio 1 in each), but the
    # often-closing one is mostly inside: the crude ratio is 3.85, the stratified one 1.
    strata = [(20, 40, 10, 20), (1, 20, 10, 200)]
    crude = inference.rate_ratio(21, 60, 20, 220)
    assert crude.ratio == pytest.approx((21 / 60) / (20 / 220)) and crude.lo > 2
    mh = inference.mh_rate_ratio(strata)
    # R = 20*20/60 + 1*200/220 = 7.5758 = S, so RR = 1
    assert mh.ratio == pytest.approx(1.0)
    # Greenland-Robins: (40*20*30 - 20*10*60)/60² + (20*200*11 - 1*10*220)/220² = 4.19697
    var = ((40 * 20 * 30 - 20 * 10 * 60) / 60**2 + (20 * 200 * 11 - 1 * 10 * 220) / 220**2) / (
        20 * 20 / 60 + 200 / 220
    ) ** 2
    assert (mh.lo, mh.hi) == pytest.approx(
        (math.exp(-1.96 * math.sqrt(var)), math.exp(1.96 * math.sqrt(var)))
    )
    assert (mh.lo, mh.hi) == pytest.approx((0.5886, 1.6990), abs=5e-4)
    # One stratum: Mantel-Haenszel is the Katz interval, the stratified test is Fisher's.
    one = inference.mh_rate_ratio([(10, 50, 20, 200)])
    assert one[:3] == pytest.approx(inference.rate_ratio(10, 50, 20, 200)[:3])
    assert inference.fisher_exact_stratified([(3, 4, 1, 4)]) == pytest.approx(34 / 70)
    assert inference.fisher_exact_stratified(strata) > 0.5  # no difference within categories


def test_all_three_verdict_reads_the_adjusted_ratio():
    rows = (
        [
            dict(
                category="Museum or public gallery",
                sources="mapping_museums",
                in_caz=True,
                status="closed",
            )
        ]
        * 20
        + [dict(category="Museum or public gallery", sources="mapping_museums", in_caz=True)] * 20
        + [dict(category="Museum or public gallery", sources="mapping_museums", status="closed")]
        * 10
        + [dict(category="Museum or public gallery", sources="mapping_museums")] * 10
        + [dict(category="GP practice", sources="epraccur_2019", in_caz=True, status="closed")]
        + [dict(category="GP practice", sources="epraccur_2019", in_caz=True)] * 19
        + [dict(category="GP practice", sources="epraccur_2019", status="closed")] * 10
        + [dict(category="GP practice", sources="epraccur_2019")] * 190
    )
    table = losses.closure_table(make_sites(rows), "caz").set_index("category")
    total = table.loc["All three"]
    assert (total.closed_in, total.sites_in, total.closed_out, total.sites_out) == (21, 60, 20, 220)
    assert total.ratio == pytest.approx(3.85, abs=0.01)
    assert total.ratio_adj == pytest.approx(1.0)
    assert total.verdict.startswith(
        "no clear difference once the mix of categories is "
        "allowed for; the crude ratio of 3.8 (95% CI 2.2-6.6)"
    )
    gp = table.loc["GP practice"]
    assert gp.ratio_adj == gp.ratio and gp.p_exact_adj == gp.p_exact


# ---------------------------------------------------------------- verdicts


def test_verdicts():
    assert losses.verdict(1.5, 0.9, 2.5, "the CAZ") == "no clear difference"
    assert losses.verdict(2.0, 1.0, 4.0, "the CAZ") == "no clear difference"  # 1 is on the edge
    assert losses.verdict(2.0, 1.2, 3.3, "the CAZ") == (
        "closures were 2.0 times as likely inside the CAZ (rate ratio 95% CI 1.2-3.3)"
    )
    assert losses.verdict(0.5, 0.3, 0.8, "the CAZ") == (
        "closures were less likely inside the CAZ: 0.50 times the rate elsewhere "
        "(rate ratio 95% CI 0.30-0.80)"
    )
    # The interval excludes 1 but the exact test does not back it: no clear difference.
    assert losses.verdict(7.6, 3.2, 17.9, "SIL", p_exact=0.0997).startswith(
        "no clear difference (too few sites to tell: exact test p = 0.10"
    )


# ---------------------------------------------------------------- closure_table and headline


def test_closure_table_on_ten_sites(ten_sites):
    table = losses.closure_table(ten_sites, "caz", ["Library"])
    assert list(table.columns) == losses.CLOSURE_COLUMNS
    assert len(table) == 1  # one category chosen: no total row
    row = table.iloc[0]
    # the culture-map-only library and the pub are left out
    assert (row.sites_in, row.closed_in, row.sites_out, row.closed_out) == (4, 2, 6, 1)
    assert row.rate_in == pytest.approx(0.5) and row.rate_out == pytest.approx(1 / 6)
    assert (row.rate_in_lo, row.rate_in_hi) == pytest.approx(inference.wilson_interval(2, 4))
    se = math.sqrt(1 / 2 - 1 / 4 + 1 / 1 - 1 / 6)
    assert row.ratio == pytest.approx(3.0)
    assert row.ratio_lo == pytest.approx(3 * math.exp(-1.96 * se))  # 0.39: spans 1
    assert row.ratio_hi == pytest.approx(3 * math.exp(1.96 * se))
    assert row.verdict == "no clear difference"
    assert "2010 to 2023" in row.caveat
    caveats = " ".join(table.attrs["caveats"])
    assert "1 libraries known only from the 2022 culture map are left out" in caveats
    assert "cannot show losses" in caveats


def test_closure_table_all_three_row_and_significant_verdict():
    rows = (
        [dict(category="GP practice", sources="epraccur_2019", in_regen_area=True, status="closed")]
        * 30
        + [dict(category="GP practice", sources="epraccur_2019", in_regen_area=True)] * 30
        + [dict(category="GP practice", sources="epraccur_2019", status="closed")] * 10
        + [dict(category="GP practice", sources="epraccur_2019")] * 90
        + [
            dict(
                category="Museum or public gallery",
                sources="mapping_museums; cim_2022",
                in_regen_area=True,
            )
        ]
        * 5
        + [dict(category="Museum or public gallery", sources="mapping_museums", status="closed")]
        * 5
    )
    sites = make_sites(rows)
    table = losses.closure_table(sites, "regeneration_area")
    assert list(table["category"]) == [
        "Library",
        "GP practice",
        "Museum or public gallery",
        "All three",
    ]
    gp = table.set_index("category").loc["GP practice"]
    assert (gp.sites_in, gp.closed_in, gp.sites_out, gp.closed_out) == (60, 30, 100, 10)
    assert gp.ratio == pytest.approx(5.0)
    assert gp.verdict.startswith("closures were 5.0 times as likely inside Areas for Regen")
    total = table.set_index("category").loc["All three"]
    assert (total.sites_in, total.closed_in, total.sites_out, total.closed_out) == (65, 30, 105, 15)
    library = table.set_index("category").loc["Library"]
    assert library.sites_in == 0 and library.verdict.startswith("cannot compare")
    sentence = losses.verdict_sentence(gp, "Areas for Regeneration")
    assert sentence == (
        "For GP practices, the closure rate inside Areas for Regeneration was 50.0% (95% CI "
        "37.7-62.3%) against 10.0% (5.5-17.4%) elsewhere: closures were 5.0 times as likely "
        "inside (rate ratio 95% CI 2.6-9.5)."
    )
    assert losses.verdict_sentence(library, "Areas for Regeneration").endswith(
        "no recorded sites inside Areas for Regeneration."
    )


def test_headline_no_clear_difference(ten_sites):
    row = losses.closure_table(ten_sites, "caz", ["Library"]).iloc[0]
    assert losses.verdict_sentence(row, "the Central Activities Zone") == (
        "For libraries, the closure rate inside the Central Activities Zone was 50.0% (95% CI "
        "15.0-85.0%) against 16.7% (3.0-56.4%) elsewhere: no clear difference."
    )


def test_categories_without_closure_records_cannot_show_losses(ten_sites):
    table = losses.closure_table(ten_sites, "caz", ["Pub"])
    assert table.empty and list(table.columns) == losses.CLOSURE_COLUMNS
    assert any(c.startswith("Pub: no source records closures") for c in table.attrs["caveats"])


def test_town_centre_class_is_a_sub_policy():
    sites = make_sites(
        [
            dict(in_town_centre=True, town_centre_class="Metropolitan", status="closed"),
            dict(in_town_centre=True, town_centre_class="District"),
            dict(in_town_centre=False),
        ]
    )
    assert list(losses.inside_mask(sites, "town_centre")) == [True, True, False]
    assert list(losses.inside_mask(sites, "town_centre:Metropolitan")) == [True, False, False]
    table = losses.closure_table(sites, "town_centre:Metropolitan", ["Library"])
    assert (table.sites_in[0], table.sites_out[0]) == (1, 2)
    with pytest.raises(KeyError):
        losses.closure_table(sites, "green_belt")


def test_policies_cover_the_brief():
    for key in [
        "town_centre",
        "caz",
        "opportunity_area",
        "sil",
        "creative_enterprise_zone",
        "regeneration_area",
        "town_centre:Metropolitan",
    ]:
        assert policy_label(key) and policy_flag(key)
    assert policy_title("caz") == "Central Activities Zone"
    assert any("27 of the 47" in c for c in losses.caveats_for("opportunity_area"))
    assert not any("27 of the 47" in c for c in losses.caveats_for("caz"))
    assert any("July 2013" in c for c in losses.caveats_for("caz", ["GP practice"]))


# ---------------------------------------------------------------- distance bands


def test_distance_band_edges():
    # Lower bounds are inclusive: exactly 400 m is in "400-800 m", exactly 1,600 m is
    # "1,600 m or more"; a site on a centre's edge but not inside (0 m) is "Under 400 m".
    dist = [0, 0, 399.9, 400, 799.9, 800, 1599.9, 1600, 5000]
    inside = [True] + [False] * 8
    bands = list(losses.distance_band(inside, dist))
    assert bands == [
        losses.INSIDE_BAND,
        "Under 400 m",
        "Under 400 m",
        "400-800 m",
        "400-800 m",
        "800-1,600 m",
        "800-1,600 m",
        "1,600 m or more",
        "1,600 m or more",
    ]


def test_distance_bands_table():
    sites = make_sites(
        [
            dict(in_town_centre=True, dist_town_centre_m=0, status="closed"),
            dict(in_town_centre=True, dist_town_centre_m=0),
            dict(dist_town_centre_m=400, status="closed"),
            dict(dist_town_centre_m=100),
            dict(dist_town_centre_m=2000),
            dict(category="Pub", sources="cim_2022", dist_town_centre_m=100),
        ]
    )
    table = losses.distance_bands(sites).set_index("band")
    assert list(table.index) == [
        losses.INSIDE_BAND,
        "Under 400 m",
        "400-800 m",
        "800-1,600 m",
        "1,600 m or more",
    ]
    assert list(table["sites"]) == [2, 1, 1, 0, 1]
    assert list(table["closed"]) == [1, 0, 1, 0, 0]
    assert table.loc["400-800 m", "rate"] == 1.0
    assert np.isnan(table.loc["800-1,600 m", "rate"])
    assert any("straight-line" in c for c in table.attrs["caveats"])


# ---------------------------------------------------------------- shares of area and people


@pytest.fixture
def grid():
    """Four 100 m square LSOAs in a row (populations 100, 200, 300, 400; the last two in
    Areas for Regeneration), two boroughs of two LSOAs each, and policy polygons."""
    lsoas = gpd.GeoDataFrame(
        {
            "lsoa_code": ["L1", "L2", "L3", "L4"],
            "gss_code": ["B1", "B1", "B2", "B2"],
            "population": [100, 200, 300, 400],
            "regen_area": [False, False, True, True],
        },
        geometry=[box(i * 100, 0, (i + 1) * 100, 100) for i in range(4)],
        crs=BNG,
    )
    boroughs = gpd.GeoDataFrame(
        {"gss_code": ["B1", "B2"], "name": ["One", "Two"], "population": [300, 700]},
        geometry=[box(0, 0, 200, 100), box(200, 0, 400, 100)],
        crs=BNG,
    )
    policy_areas = gpd.GeoDataFrame(
        {
            "policy": ["caz", "caz", "caz", "opportunity_area", "regeneration_area"],
            "name": ["a", "b", "outside London", "oa", "regen"],
            "classification": "",
            "borough": "",
        },
        geometry=[
            box(50, 0, 200, 100),  # half of L1 and all of L2
            box(150, 0, 200, 100),  # overlaps the first: must count once
            box(500, 0, 600, 100),  # beyond London: no land, no people
            box(300, 0, 400, 50),  # half of L4
            box(200, 0, 400, 100),
        ],
        crs=BNG,
    )
    return lsoas, boroughs, policy_areas


def test_share_table_area_weighted(grid):
    lsoas, boroughs, policy_areas = grid
    sites = make_sites(
        [
            dict(in_caz=True, status="closed"),
            dict(in_caz=True),
            dict(status="closed"),
            dict(),
            dict(),
        ]
    )
    table = losses.share_table(sites, lsoas, policy_areas, boroughs, "caz").set_index("measure")
    assert list(table.index) == ["Closures", "Sites", "Land area", "Residents"]
    assert (table.loc["Closures", "inside"], table.loc["Closures", "total"]) == (1, 2)
    assert table.loc["Sites", "share"] == pytest.approx(2 / 5)
    # land: 0.5 ha of L1 + 1 ha of L2 (overlap counted once, the piece outside London ignored)
    assert table.loc["Land area", "inside"] == pytest.approx(1.5)
    assert table.loc["Land area", "total"] == pytest.approx(4.0)
    assert table.loc["Land area", "share"] == pytest.approx(0.375)
    # residents: 100 * 0.5 + 200 = 250 of 1,000
    assert table.loc["Residents", "inside"] == pytest.approx(250)
    assert table.loc["Residents", "share"] == pytest.approx(0.25)
    assert "area weighting" in table.loc["Residents", "caveat"]
    lo, hi = inference.wilson_interval(1, 2)
    assert table.loc["Closures", "share_lo"] == pytest.approx(lo)


def test_share_table_regeneration_uses_lsoas(grid):
    lsoas, boroughs, policy_areas = grid
    sites = make_sites([dict(in_regen_area=True)])
    table = losses.share_table(sites, lsoas, policy_areas, boroughs, "regeneration_area")
    table = table.set_index("measure")
    assert table.loc["Residents", "inside"] == 700
    assert table.loc["Land area", "share"] == pytest.approx(0.5)
    assert "regeneration LSOAs" in table.loc["Residents", "caveat"]


def test_policy_share_by_borough(grid):
    lsoas, boroughs, policy_areas = grid
    shares = pub_trends.policy_share_by_borough(boroughs, policy_areas, lsoas).set_index("gss_code")
    assert shares.loc["B1", "share_caz"] == pytest.approx(0.75)
    assert shares.loc["B2", "share_caz"] == 0
    assert shares.loc["B2", "share_opportunity_area"] == pytest.approx(0.25)
    assert shares.loc["B2", "share_regeneration_area"] == pytest.approx(1.0)
    assert shares.loc["B1", "area_ha"] == pytest.approx(2.0)
    assert any("27 of the 47" in c for c in shares.attrs["caveats"])


# ---------------------------------------------------------------- closures over time


def test_closures_by_year_counts_and_borough_filter():
    sites = make_sites(
        [
            dict(status="closed", closed_year=2012),
            dict(status="closed", closed_year=2012, gss_code="E09000002"),
            dict(status="closed", closed_year=pd.NA),
            dict(
                category="GP practice", sources="epraccur_2019", status="closed", closed_year=2015
            ),
            dict(
                category="Museum or public gallery",
                sources="mapping_museums",
                status="closed",
                closed_year=1985,
            ),
            dict(status="open"),
        ]
    )
    table = losses.closures_by_year(sites)
    assert table.to_dict("records") == [
        dict(year=1985, category="Museum or public gallery", closures=1),
        dict(year=2012, category="Library", closures=2),
        dict(year=2015, category="GP practice", closures=1),
    ]
    assert table.attrs["undated"] == {"Library": 1}
    assert any("no closure year" in c for c in table.attrs["caveats"])
    borough = losses.closures_by_year(sites, ["Library"], gss_code="E09000002")
    assert borough.to_dict("records") == [dict(year=2012, category="Library", closures=1)]


# ---------------------------------------------------------------- pubs


@pytest.fixture
def pubs():
    boroughs = pd.DataFrame(
        {"gss_code": ["B1", "B2"], "name": ["One", "Two"], "population": [20_000, 100_000]}
    )
    counts = pd.DataFrame(
        {
            "gss_code": ["B1", "B1", "B1", "B2", "B2", "B2"],
            "year": [2001, 2010, 2018] * 2,
            "pubs": [100, 90, 80, 50, 55, 60],
        }
    )
    return counts, boroughs


def test_pubs_change(pubs):
    counts, boroughs = pubs
    table = pub_trends.pubs_change(counts, boroughs).set_index("gss_code")
    assert list(table.loc["B1", ["pubs_start", "pubs_end", "change"]]) == [100, 80, -20]
    assert table.loc["B1", "pct_change"] == pytest.approx(-20.0)
    assert table.loc["B1", "change_per_10k"] == pytest.approx(-10.0)
    assert table.loc["B2", "pct_change"] == pytest.approx(20.0)
    assert table.attrs["london"]["pubs_start"] == 150
    assert table.attrs["london"]["pubs_end"] == 140
    with pytest.raises(ValueError, match="No pub counts for 1999"):
        pub_trends.pubs_change(counts, boroughs, start=1999)


def test_pubs_trend(pubs):
    counts, boroughs = pubs
    trend = pub_trends.pubs_trend(counts, boroughs)
    london = trend[trend.gss_code == "london"]
    assert list(london["pubs"]) == [150, 145, 140]
    assert trend[trend.gss_code == "B2"]["index"].iloc[-1] == pytest.approx(120)


def test_correlation_and_verdicts():
    x = np.arange(10, dtype=float)
    y = 2 * x + np.array([0.1, -0.2, 0.3, 0, -0.1, 0.2, -0.3, 0.1, 0, -0.1])
    stats = inference.correlation(x, y)
    assert stats["r"] == pytest.approx(np.corrcoef(x, y)[0, 1])
    assert stats["n"] == 10 and stats["r_lo"] > 0.9
    shares = pd.DataFrame({"gss_code": [f"B{i}" for i in range(10)], "share_caz": x / 10})
    change = pd.DataFrame({"gss_code": shares.gss_code, "pct_change": y})
    table = pub_trends.pubs_policy_correlation(change, shares)
    assert table.loc[0, "verdict"].startswith("boroughs with more of this policy area had higher")
    flat = change.assign(pct_change=[1, -1, 1, -1, 1, -1, 1, -1, 1, -1])
    assert (
        pub_trends.pubs_policy_correlation(flat, shares).loc[0, "verdict"] == "no clear association"
    )


def test_results_carry_caveats_through_pickling(ten_sites):
    table = losses.closure_table(ten_sites, "opportunity_area")
    again = pickle.loads(pickle.dumps(table))
    assert any("27 of the 47" in c for c in again.attrs["caveats"])
    assert "Wilson" in losses.DEFINITIONS and "Katz" in losses.DEFINITIONS


def test_module_does_not_import_streamlit():
    source = Path(losses.__file__).read_text()
    assert "import streamlit" not in source


# ---------------------------------------------------------------- integration: the real build


@pytest.fixture(scope="module")
def layers(built_gpkg):
    """The real build (``built_gpkg`` from tests/conftest.py), read once for this module."""
    return {
        name: pyogrio.read_dataframe(built_gpkg, layer=name)
        for name in ["sites", "lsoas", "boroughs", "policy_areas", "pubs_by_borough"]
    }


@pytest.mark.integration
def test_real_closures_by_year_total_equals_closed_sites(layers):
    sites = layers["sites"]
    recorded = losses.recorded_sites(sites)
    # Losses (issue 9): not the closures that were replacements, moves or successions.
    closed = recorded[losses.lost_mask(recorded)]
    assert closed.groupby("category").size().to_dict() == {
        "GP practice": 133,
        "Library": 27,
        "Museum or public gallery": 72,
    }
    assert (recorded.status == "closed").sum() == 246  # 14 libraries closed and replaced
    table = losses.closures_by_year(sites)
    undated = table.attrs["undated"]
    assert undated == {}  # Donald Hope Library (XLT, no year) is not a loss
    assert table["closures"].sum() == len(closed) == 232
    by_category = table.groupby("category")["closures"].sum().to_dict()
    assert by_category == {"GP practice": 133, "Library": 27, "Museum or public gallery": 72}
    assert table.loc[table.category == "Library", "year"].between(2011, 2023).all()
    assert table.loc[table.category == "GP practice", "year"].between(2013, 2019).all()
    assert table.loc[table.category == "Museum or public gallery", "year"].min() == 1945
    # Culture-map-only libraries and museums are left out of rates.
    # Libraries in any of the three lists; GP practices less 24 services and 53 successions.
    assert len(recorded) == 392 + 1377 + 312


@pytest.mark.integration
def test_real_pubs_change_london(layers, geodata_source):
    table = pub_trends.pubs_change(layers["pubs_by_borough"], layers["boroughs"])
    assert len(table) == 33
    london = table.attrs["london"]
    # ONS's own London row says 4,835 -> 3,540; the built layer keeps the 33 boroughs only,
    # whose counts (each rounded to 5) add up to 4,840 -> 3,535.
    assert (london["pubs_start"], london["pubs_end"]) == (4840, 3535)
    raw = pd.read_csv(geodata_source / "lost/ons_pubs_and_bars_london_boroughs_2001_2018.csv")
    ons = raw[(raw.area_code == "E12000007") & (raw.size_band == "Any number of employees")]
    ons = ons.set_index("year")["pubs_and_bars"]
    assert (ons[2001], ons[2018]) == (4835, 3540)
    hackney = table.set_index("gss_code").loc["E09000012"]
    assert hackney.change == 30  # the one borough with more pubs in 2018 than in 2001
    assert (table.change > 0).sum() == 1


@pytest.mark.integration
def test_real_caz_counts_match_a_direct_spatial_join(layers):
    sites, policy_areas = layers["sites"], layers["policy_areas"]
    recorded = losses.recorded_sites(sites)
    caz = policy_areas[policy_areas.policy == "caz"]
    joined = gpd.sjoin(
        recorded[["site_id", "status", "geometry"]], caz[["geometry"]], predicate="within"
    )
    inside_ids = set(joined.site_id)
    closed_inside = int(losses.lost_mask(recorded[recorded.site_id.isin(inside_ids)]).sum())
    table = losses.closure_table(sites, "caz").set_index("category")
    total = table.loc["All three"]
    assert (total.sites_in, total.closed_in) == (len(inside_ids), closed_inside) == (187, 34)
    assert (total.sites_out, total.closed_out) == (1894, 198)
    assert total.sites_in + total.sites_out == len(recorded)
    # Crude, the CAZ looks worse (1.74, 95% CI 1.25-2.42); within each category it does not:
    # museums close most often and 121 of the 312 recorded museums are in the CAZ.
    assert (total.ratio, total.ratio_lo, total.ratio_hi) == pytest.approx(
        (1.74, 1.25, 2.42), abs=0.005
    )
    assert total.ratio_adj == pytest.approx(1.01, abs=0.005) and total.ratio_adj_lo < 1
    assert total.verdict.startswith("no clear difference once the mix of categories")
    assert table.loc["Museum or public gallery", "sites_in"] == 121


@pytest.mark.integration
def test_real_regeneration_counts_match_a_direct_spatial_join(layers):
    sites, lsoas = layers["sites"], layers["lsoas"]
    recorded = losses.recorded_sites(sites)
    regen_codes = set(lsoas.loc[lsoas.regen_area, "lsoa_code"])
    inside = recorded.lsoa_code.isin(regen_codes)
    table = losses.closure_table(sites, "regeneration_area").set_index("category")
    total = table.loc["All three"]
    assert total.sites_in == int(inside.sum()) == 377
    assert total.closed_in == int((inside & losses.lost_mask(recorded)).sum()) == 45


@pytest.mark.integration
def test_real_tables_are_consistent(layers):
    sites = layers["sites"]
    bands = losses.distance_bands(sites)
    assert bands["sites"].sum() == 2081 and bands["closed"].sum() == 232
    assert bands.loc[0, "sites"] == int(losses.recorded_sites(sites).in_town_centre.sum())
    for policy in MAIN_ANALYSED:
        closure = losses.closure_table(sites, policy).set_index("category").loc["All three"]
        shares = losses.share_table(
            sites, layers["lsoas"], layers["policy_areas"], layers["boroughs"], policy
        ).set_index("measure")
        assert shares.loc["Sites", "inside"] == closure.sites_in
        assert shares.loc["Closures", "inside"] == closure.closed_in
        assert 0 < shares.loc["Land area", "share"] < 0.2
        assert 0 < shares.loc["Residents", "share"] < 0.2
        assert shares.loc["Residents", "total"] == layers["lsoas"].population.sum()
        assert losses.verdict_sentence(closure, policy_label(policy)).endswith(".")
    shares = pub_trends.policy_share_by_borough(
        layers["boroughs"], layers["policy_areas"], layers["lsoas"]
    ).set_index("gss_code")
    assert shares.loc["E09000001", "share_caz"] > 0.99  # the City is all CAZ
    assert shares.filter(like="share_").stack().between(0, 1).all()
