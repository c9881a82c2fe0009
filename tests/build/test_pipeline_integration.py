"""The real data build on GEODATA_SOURCE, checked against figures measured from the inputs.

Every number here was measured from the raw files in ../shared/geodata (MANIFEST.md gives most
of them too) and from the built geopackage; a change to the inputs or to the build that moves
one of them should be looked at, not waved through.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

from lib.build.culture_map import cim_points, read_cim
from lib.build.inputs import Report, normalise_name
from lib.build.pipeline import build
from lib.vocab.schema import LAYERS

pytestmark = pytest.mark.integration

# How GDAL reads each schema type back (pyogrio.read_info's dtypes).
DTYPES = {"text": "object", "integer": "int64", "real": "float64", "boolean": "bool"}
LONDON_POPULATION_MID_2020 = 9_002_488


@pytest.fixture(scope="module")
def layers(built_gpkg):
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = gpd.read_file(built_gpkg, layer=name)
        return cache[name]

    return get


@pytest.fixture(scope="module")
def sites(layers):
    return layers("sites")


@pytest.fixture(scope="module")
def report(layers):
    return pd.DataFrame(layers("build_report"))


# ---------------------------------------------------------------- the contract


def test_every_contract_layer_with_its_columns_in_british_national_grid(built_gpkg):
    """The layers and columns are exactly those lib/vocab/schema.py describes, in its order,
    with its types: a column added to the build without a description fails here."""
    listed = dict(pyogrio.list_layers(built_gpkg))
    assert set(listed) == set(LAYERS)
    for name, layer in LAYERS.items():
        assert listed[name] == layer.geometry, name
        info = pyogrio.read_info(built_gpkg, layer=name)
        assert list(info["fields"]) == layer.column_names, name
        types = [DTYPES[c.type] for c in layer.columns]
        assert list(info["dtypes"]) == types, name
        assert info["features"] > 0, name
        if layer.geometry:
            frame = gpd.read_file(built_gpkg, layer=name)
            assert frame.crs.to_epsg() == 27700, name
            assert frame.geometry.notna().all() and not frame.geometry.is_empty.any(), name


# ---------------------------------------------------------------- areas


def test_33_boroughs_with_the_mid_2020_population(layers):
    boroughs = layers("boroughs")
    assert sorted(boroughs["gss_code"]) == [f"E090000{n:02d}" for n in range(1, 34)]
    assert boroughs["population"].sum() == LONDON_POPULATION_MID_2020
    assert int(boroughs["inner"].sum()) == 14  # ONS Inner London, City included
    assert boroughs.geometry.is_valid.all()


def test_4835_lsoas_each_with_ward_imd_and_population(layers):
    lsoas = layers("lsoas")
    assert len(lsoas) == 4835 and lsoas["lsoa_code"].is_unique
    needed = ["ward_code", "imd_score", "imd_rank", "imd_decile", "population"]
    assert lsoas[needed].notna().all().all()
    assert lsoas["imd_rank"].between(1, 32844).all() and lsoas["imd_decile"].between(1, 10).all()
    assert lsoas["population"].sum() == LONDON_POPULATION_MID_2020
    assert lsoas.geometry.is_valid.all()  # 8 invalid in the source, repaired
    # Areas for Regeneration: the 20% most deprived in England (rank <= 6,568).
    assert int(lsoas["regen_area"].sum()) == 795
    assert (lsoas["regen_area"] == (lsoas["imd_rank"] <= 6568)).all()


def test_lsoa_populations_add_up_to_each_borough(layers):
    by_borough = layers("lsoas").groupby("gss_code")["population"].sum()
    boroughs = layers("boroughs").set_index("gss_code")["population"]
    pd.testing.assert_series_equal(
        by_borough.sort_index(), boroughs.sort_index(), check_names=False
    )


def test_634_wards_whose_population_is_the_lsoa_total(layers):
    wards, lsoas = layers("wards"), layers("lsoas")
    assert len(wards) == 634 and wards["ward_code"].is_unique
    assert set(wards["ward_code"]) == set(lsoas["ward_code"])
    assert wards["population"].sum() == lsoas["population"].sum() == LONDON_POPULATION_MID_2020
    assert wards["name"].notna().all() and wards["gss_code"].nunique() == 33
    # A ward's borough is the borough of its LSOAs.
    ward_borough = wards.set_index("ward_code")["gss_code"]
    assert (lsoas["ward_code"].map(ward_borough) == lsoas["gss_code"]).all()


def test_policy_areas_as_the_files_give_them(layers):
    policy = layers("policy_areas")
    assert policy.groupby("policy").size().to_dict() == {
        "town_centre": 234,
        "caz": 10,
        "opportunity_area": 27,
        "sil": 110,
        "creative_enterprise_zone": 5,
        "area_of_intensification_2015": 7,
        # every borough but the City of London has an LSOA in the most deprived 20%
        "regeneration_area": 32,
    }
    assert "OLSPG boundary" not in set(policy["name"])
    centres = policy[policy.policy == "town_centre"]["classification"].value_counts().to_dict()
    # MANIFEST: District 152 plus 2 'District Centre'; 'Local Centre' read as Local.
    assert centres == {
        "International": 2,
        "Metropolitan": 13,
        "Major": 36,
        "District": 154,
        "CAZ retail cluster": 20,
        "Local": 7,
        "Unclassified": 2,
    }
    regen = policy[policy.policy == "regeneration_area"]
    assert "E09000001" not in set(regen["borough"])


# ---------------------------------------------------------------- sites


def test_culture_map_rows_read_per_file(report):
    cim = report[report["source"].str.startswith("cim:")].set_index("source")
    assert cim["rows_in"].sum() == 7446
    assert cim["rows_in"].to_dict() == {
        f"cim:{k}": v
        for k, v in {
            "Arts_centres": 26,
            "Cinemas": 116,
            "Commercial_galleries": 306,
            "Community_centres": 903,
            "Dance_performance_venues": 189,
            "LGBT_night_time_venues": 75,
            "Libraries": 342,
            "Museums_and_public_galleries": 163,
            "Music_venues_all": 797,
            "Music_venues_grassroots": 100,
            "Outdoor_spaces_for_cultural_use": 17,
            "Pubs": 4098,
            "Skate_Parks": 50,
            "Theatres": 264,
        }.items()
    }
    assert (cim["rows_out"] == cim["rows_in"]).all()  # every row has usable coordinates
    merged = report[(report.step == "sites") & (report.source == "cim_2022")].iloc[0]
    # 616 rows are the same venue in another file (matched on the name, a leading "The" set
    # aside: "The Alma" music venue = "Alma" pub); five pairs of one name in files of different
    # kinds stay two places (Preston library and Preston pub, 65 m apart).
    assert (merged.rows_in, merged.rows_out) == (7446, 6830)
    assert merged.note.endswith("The Duke, Intimate Theatre, The Miller, Preston, Revolution")


def test_closed_sites_per_source(sites):
    closed = sites[sites.status == "closed"]
    assert set(sites["status"]) == {"open", "closed", "community_run"}
    assert closed.groupby("category").size().to_dict() == {
        "GP practice": 135,
        "Library": 38,
        "Museum or public gallery": 70,
        "Pharmacy": 312,
        "Dental practice": 294,
    }
    # Losses: closures that are not a replacement, a move, a change of owner or a contract end.
    lost = sites[sites["lost"]]
    assert lost.groupby("category").size().to_dict() == {
        "GP practice": 135,
        "Library": 20,
        "Museum or public gallery": 62,
        "Pharmacy": 312,
        "Dental practice": 188,
    }
    assert lost.groupby("category")["closed_year"].agg(["min", "max"]).astype(int).to_dict(
        "index"
    ) == {
        "Dental practice": {"min": 2006, "max": 2015},
        "GP practice": {"min": 2013, "max": 2019},
        "Library": {"min": 2011, "max": 2023},
        "Museum or public gallery": {"min": 1945, "max": 2021},
        "Pharmacy": {"min": 2004, "max": 2025},
    }
    since_2010 = lost[lost.closed_year >= 2010].groupby("category").size().to_dict()
    assert since_2010 == {
        "GP practice": 135,
        "Library": 20,
        "Museum or public gallery": 22,
        "Pharmacy": 250,
        "Dental practice": 87,
    }
    assert closed["closed_year"].notna().all()
    assert sites.loc[sites.status != "closed", "closed_year"].isna().all()
    assert not sites.loc[sites.status != "closed", "lost"].any()


def test_every_rule_reports_the_records_it_moved(report):
    rules = report[report.step.str.startswith("rule:")].set_index(["step", "source"])
    moved = rules[["rows_in", "rows_out", "repaired", "dropped"]].astype(int)
    assert moved.to_dict("index") == {
        (step, source): dict(zip(["rows_in", "rows_out", "repaired", "dropped"], n, strict=True))
        for step, source, *n in [
            ("rule:school_library", "libraries", 1165, 1159, 0, 6),
            ("rule:school_library", "cim_2022", 6830, 6828, 0, 2),
            ("rule:replaced_by_note", "libraries", 30, 25, 5, 0),
            ("rule:continuing_library", "libraries", 28, 11, 17, 0),
            ("rule:library_moved", "libraries", 31, 31, 12, 0),
            ("rule:pop_up", "museums", 312, 310, 0, 2),
            ("rule:merged_museum", "museums", 70, 62, 8, 0),
            ("rule:not_a_gp_surgery", "gp_practices", 1454, 1430, 0, 24),
            ("rule:gp_succession", "gp_practices", 186, 135, 51, 0),
            ("rule:not_a_pharmacy", "pharmacies", 3182, 3154, 0, 28),
            ("rule:not_community", "pharmacies", 3154, 3105, 0, 49),
            ("rule:short_lived", "pharmacies_2025", 1404, 1372, 32, 0),
            ("rule:parallel_code", "pharmacies_2025", 1404, 1369, 35, 0),
            ("rule:change_of_owner", "pharmacies_2025", 1404, 486, 918, 0),
            ("rule:moved", "pharmacies_2025", 1404, 1314, 90, 0),
            ("rule:not_a_practice", "dental", 1621, 1571, 0, 50),
            ("rule:short_lived", "dental_2016", 371, 336, 35, 0),
            ("rule:parallel_code", "dental_2016", 371, 366, 5, 0),
            ("rule:change_of_owner", "dental_2016", 371, 358, 13, 0),
            ("rule:contract_end", "dental_2016", 371, 265, 106, 0),
            ("rule:merge_decisions", "merge_decisions.csv", 1, 1, 1, 0),
        ]
    }
    # 11 of the 24 services are closed codes: the gynaecology, HIV, surgical, urgent-care and
    # transitional-team codes among the 197 closed of the issue.
    assert "(11 closed, 13 active)" in rules.loc[("rule:not_a_gp_surgery", "gp_practices"), "note"]


def test_the_38_closed_libraries_of_2016_one_by_one(sites, layers):
    events = layers("events")
    from_2016 = events[
        (events.source == "libraries_2016")
        & events.event.isin(["closed", "closed_replaced", "temporarily_closed", "moved"])
        & ~events.note.str.startswith("a new building")  # continuing_library's, not a record
    ]
    assert len(from_2016) == 38
    state = sites.set_index("site_id").loc[from_2016["site_id"]]
    outcome = (state["status"] + ":" + state["closure"].replace("", "-")).value_counts().to_dict()
    # 14 XL still closed, Anerley (XL) replaced by Penge (the 2016 list's note on Penge),
    # Newington (XLR) closed and replaced, 11 more XLR; six moved (the
    # old and new building of Rainham, East Ham, Manor Park, Camberwell, Waterloo, Botwell
    # Green in one list); Carnegie, Minet (XLT, open again from 2018) and Donald Hope (XLT,
    # no later list) open; Kensal Rise and North Harrow reopened as community libraries.
    assert outcome == {
        "closed:closed": 14,
        "closed:closed_replaced": 13,
        "open:-": 9,
        "community_run:-": 2,
    }


def test_a_library_in_a_new_building_is_not_a_new_library(sites):
    """The 2016 list dates a rebuilt or moved library from its new building: where the one it
    replaced is on no list it was open before (Willesden Green, rebuilt on its site in 2015;
    Camberwell, whose old building is its own record); where it is (Canada Water after
    Rotherhithe) the opening stays; Seven Kings, whose predecessor closed in the 1990s, is new.
    Penge's note names Anerley among the libraries it replaced: Anerley is no loss."""
    by_id = sites.set_index("site_id")
    for site_id in (
        "lib16-218",
        "lib16-2601",
        "lib16-1074",
    ):  # Willesden Green, Camberwell, Woolwich
        assert pd.isna(by_id.loc[site_id, "opened_year"]), site_id
        assert by_id.loc[site_id, "status"] == "open"
    assert by_id.loc["lib16-2602", "opened_year"] == 2011  # Canada Water
    # Colindale replaced Grahame Park (a 2021-list site, 64 m away), which carries the years
    # before its 2016 opening.
    assert by_id.loc["lib16-23", "opened_year"] == 2016
    assert by_id.loc["lib16-2316", "opened_year"] == 2010  # Seven Kings
    anerley = by_id.loc["lib16-264"]
    assert (anerley["closure"], bool(anerley["lost"])) == ("closed_replaced", False)
    assert "replaced by Penge Library (the 2016 list's note on it" in anerley["closure_note"]


def test_named_libraries(sites, layers):
    by_name = sites[sites.category == "Library"].set_index("name")
    assert by_name.loc["Carnegie Library (Herne Hill)", "status"] == "open"
    assert by_name.loc["Minet", "status"] == "open"
    for name, year in [
        ("Castle Green", 2013),
        ("Neasden", 2011),
        ("Hatch End", 2015),
        ("Beddington Library", 2016),
        ("East Street Library", 2023),
    ]:
        assert by_name.loc[name, ["status", "closed_year", "lost"]].tolist() == [
            "closed",
            year,
            True,
        ], name
    fanshawe = by_name.loc["Fanshawe"]
    assert (fanshawe["closure"], bool(fanshawe["lost"])) == ("closed_replaced", False)
    assert "replaced by Dagenham Library" in fanshawe["closure_note"]
    # The 2016 and 2021 lists say the same, once.
    assert by_name.loc["Wantz", "closure_note"].lower() == "now eastbrook community centre"
    for name, year in [("Kensal Rise", 2019), ("Mill Hill", 2019), ("Pitshanger Library", 2022)]:
        assert by_name.loc[name, ["status", "community_run_year"]].tolist() == [
            "community_run",
            year,
        ], name
    events = layers("events")
    waterloo = events[events.site_id == by_name.loc["Waterloo", "site_id"]]
    assert "moved" in set(waterloo["event"])
    # The lists' words on the new library's row: replacements and an announced move.
    for old, new in [
        ("Church End", "Finchley Church End"),
        ("Grahame Park", "Colindale"),
        ("Gayton", "Greenhill"),
    ]:
        site = by_name.loc[old]
        assert (site["closure"], bool(site["lost"])) == ("closed_replaced", False), old
        assert new in site["closure_note"], old
    # Heathfield: the library moved into the community centre as an access point in 2011 and
    # that closed in 2019: one library, one loss.
    heathfield = by_name.loc["Heathfield Library"]
    assert heathfield[["closed_year", "lost"]].tolist() == [2019, True]
    history = events[events.site_id == heathfield["site_id"]]
    assert history["event"].tolist() == ["moved", "closed"]
    assert "Heathfield Library Access Point" not in by_name.index
    # A school's library is not a public library.
    assert not by_name.index.str.contains("School").any()


def test_a_library_in_another_building_is_where_it_is_now(sites, layers):
    """A library's point is its latest building; the building it left is on its move."""
    events = layers("events")
    moves = events[events["from_easting"].notna()].set_index("site_id")
    assert sorted(moves.index) == sorted(
        "lib16-" + str(i)
        for i in (71, 73, 924, 1180, 1184, 1278, 1483, 1872, 1877, 2601, 2986, 3095)
    )
    at = layers("postcodes").set_index("postcode")[["easting", "northing"]]
    point = sites.set_index("site_id").geometry

    def metres(site_id, postcode=None, xy=None):
        x, y = xy if postcode is None else at.loc[postcode]
        return round(point[site_id].distance(shapely.Point(x, y)))

    # Wood Street Library: Forest Road (E17 4AA) in the 2016 and 2021 lists, 1 Troubridge
    # Square (E17 3HB) in the 2023 list, opened 2020; its 2016 point is on the move.
    wood = moves.loc["lib16-2986"]
    assert (wood["year"], wood["source"]) == (2020, "libraries_2023")
    assert metres("lib16-2986", "E173HB") == 0
    assert metres("lib16-2986", xy=(wood["from_easting"], wood["from_northing"])) == 382
    # Waterloo: the 2016 list gives the new building (SE1 7QP) the old one's point (63 m
    # from SE1 7AE); Camberwell's old building (SE5 8TR) has the new one's.
    assert metres("lib16-1483", "SE17QP") == 0
    old = moves.loc["lib16-1483", ["from_easting", "from_northing"]]
    assert round(shapely.Point(*old).distance(shapely.Point(*at.loc["SE17AE"]))) == 63
    assert moves.loc["lib16-2601", ["from_easting", "from_northing"]].tolist() == [532777, 176739]
    assert metres("lib16-2601", "SE57AL") == 71  # its own 2016 point
    # Harold Hill: the 2016 point is the new building (the culture map puts the 2023 list's
    # UPRN 2 m from it); the building it left, Hilldene Avenue, is at RM3 8DJ's centroid.
    hill = moves.loc["lib16-1180"]
    assert (hill["year"], hill["from_easting"], hill["from_northing"]) == (2016, 553854, 192283)
    assert point["lib16-1180"].distance(shapely.Point(553714.57, 192208.86)) < 3
    # Northcote: a new building across the road, its 2023 postcode 382 m off (reviewed
    # decision): a move measured at the old building.
    northcote = events[(events.site_id == "lib16-2991") & (events.event == "moved")]
    assert len(northcote) == 1 and northcote["from_easting"].isna().all()
    assert metres("lib16-2991", "SW116HW") == 7
    # No move: a postcode corrected at the same address (Stroud Green), a 2016 postcode 310 m
    # off its point (Coombes Croft), a temporary home between lists (North Woolwich, 2019-20),
    # another address under the same UPRN (West Wickham, Glebe Way).
    for site_id in ("lib16-1157", "lib16-1151", "lib16-1879", "lib16-278"):
        assert site_id not in set(events.loc[events.event == "moved", "site_id"]), site_id


def test_record_codes_that_are_not_facilities(sites, layers):
    records = layers("records").set_index("code")
    by_id = sites.set_index("site_id")
    # Wandsworth, 31 October 2017: eight codes end while a code of the same name stays open.
    wandsworth = records[(records.closed == "2017-10-31") & (records.gss_code == "E09000032")]
    assert set(wandsworth["rule"]) == {"parallel_code"} and len(wandsworth) == 8
    assert records.loc["FR560", ["site_id", "next_code"]].tolist() == ["pharm-FJE22", "FJE22"]
    assert by_id.loc["pharm-FJE22", "status"] == "open"
    # A code that lived a day, a distance-selling contractor, a dental service: no facility.
    assert records.loc["FFG83", ["rule", "site_id"]].tolist() == ["short_lived", ""]
    assert records.loc["FEN24", ["rule", "site_id"]].tolist() == ["not_community", ""]
    assert records.loc["V09289", ["rule", "site_id"]].tolist() == ["not_a_practice", ""]
    # Earl's Court Chemist moved from 240 to 206 Earls Court Road the next day.
    assert records.loc["FGV02", ["rule", "next_code"]].tolist() == ["moved", "FKG79"]
    assert by_id.loc[records.loc["FKG79", "site_id"], "status"] == "open"
    # Every pharmacy loss in a Strategic Industrial Location was one of these.
    sil = sites[(sites.category == "Pharmacy") & sites.in_sil & sites.lost]
    assert len(sil) == 0
    # Dates that are a file's: on record since, never an opening.
    pharmacies = sites[sites.category == "Pharmacy"]
    assert (pharmacies["on_record_since"] == 1948).sum() > 300
    # 1 January 1948 is the file's date; three codes opened on 1 June 1948.
    assert (pharmacies["opened_year"] == 1948).sum() == 3
    assert set(sites.loc[sites.category == "Dental practice", "status_as_of"]) == {"2016-04"}


def test_museums_merged_and_pop_ups(sites):
    museums = sites[sites.category == "Museum or public gallery"].set_index("name")
    jewish = museums.loc["Jewish Military Museum"]
    assert (jewish["closure"], bool(jewish["lost"])) == ("closed_replaced", False)
    assert "merged into Jewish Museum" in jewish["closure_note"]
    assert "Prefab Museum" not in museums.index
    assert bool(museums.loc["British Theatre Museum", "lost"])


def test_a_known_pharmacy_change_of_owner(sites, layers):
    events = layers("events")
    change = events[events.source_record == "FNM06"].iloc[0]
    assert change["event"] == "changed_owner" and change["year"] == 2022
    assert change["note"].startswith("FD035 (Chana Chemist) closed 2022-01-31")
    site = sites.set_index("site_id").loc[change["site_id"]]
    assert (site["name"], site["status"], bool(site["lost"])) == (
        "Myhealth Pharmacy",
        "open",
        False,
    )


def test_events_layer(layers, sites):
    events = layers("events")
    assert list(events.columns[:7]) == [
        "site_id",
        "event",
        "year",
        "date",
        "source",
        "source_record",
        "note",
    ]
    assert events["site_id"].isin(sites["site_id"]).all()
    assert events["event"].value_counts().to_dict() == {
        "opened": 2869,
        "on_record": 2651,
        "changed_owner": 939,
        "closed": 827,
        "moved": 123,
        "merged": 91,
        "closed_replaced": 26,
        "community_run": 14,
        "reopened": 7,
        "temporarily_closed": 4,
        "independent": 3,
    }
    # A site's status is the state its events leave it in at the latest source date.
    from lib.build.history import site_states

    derived = site_states(events).set_index("site_id")["status"]
    with_events = sites.set_index("site_id").loc[derived.index, "status"]
    assert (with_events == derived).all()


def test_policy_areas_say_when_they_were_designated(layers):
    policy = layers("policy_areas")
    years = policy.groupby("policy")["designated_year"].agg(["min", "max", "count"])
    dated = years[years["count"] > 0]
    assert dated.astype(int).to_dict("index") == {
        "area_of_intensification_2015": {"min": 2015, "max": 2015, "count": 7},
        "creative_enterprise_zone": {"min": 2018, "max": 2018, "count": 5},
        "opportunity_area": {"min": 2004, "max": 2018, "count": 27},
    }
    # The CAZ's and SILs' only date is when the GLA added the records (2018-06-04,
    # 2017-01-01), and the 2021 Plan restated the town centres: none is a designation. Areas
    # for Regeneration were in the 2011 and 2016 Plans: the IMD 2019 dates this layer's drawing.
    undated_keys = {"caz", "sil", "town_centre", "regeneration_area"}
    assert set(years.index[years["count"] == 0]) == undated_keys
    undated = policy[policy["policy"].isin(undated_keys)]
    assert undated["designated_source"].str.startswith("no designation date").all()
    assert policy["designated_source"].str.len().gt(10).all()


def test_creative_enterprise_zone_closures_came_before_designation(sites):
    recorded = sites[sites.category.isin(["Library", "GP practice", "Museum or public gallery"])]
    cez = recorded[recorded.in_creative_enterprise_zone & recorded.lost]
    assert len(cez) == 7 and (cez.closed_year <= 2018).all()


def test_gp_practices_leave_out_dormant_ones(sites, geodata_source, report):
    raw = pd.read_csv(
        geodata_source / "lost/epraccur_2019-12.csv", header=None, dtype=str, keep_default_na=False
    )
    not_active_or_closed = set("gp-" + raw.loc[~raw[12].isin(["A", "C"]), 0])
    gp = sites[sites.category == "GP practice"]
    assert not_active_or_closed.isdisjoint(gp["site_id"])
    # MANIFEST: 1,502 London GP practices; 48 of them are dormant.
    # 24 of them are services, not GP surgeries; 51 closed codes are successions in the
    # same building (2 more at the same postcode, Woodcroft Medical Centre, are losses).
    assert len(gp) == 1502 - 48 - 24 - 51
    assert (gp["coord_fix"] == "postcode_centroid").all()
    note = report[report.source == "gp_practices"]["note"].iloc[0]
    assert "1502" in note and "48 dormant" in note


def test_site_ids_unique_and_every_site_placed(sites, layers):
    assert sites["site_id"].is_unique
    assert sites[["gss_code", "ward_code", "lsoa_code"]].notna().all().all()
    prefixes = sites["site_id"].str.split("-").str[0].value_counts().to_dict()
    assert prefixes == {
        "cim": 6353,
        "osm": 3177,
        "pharm": 2005,
        "dent": 1518,
        "gp": 1379,
        "lib16": 374,
        "mm": 310,
        "lib23": 9,
        "lib21": 6,
    }
    # The ward and borough of a site are those of its LSOA.
    lsoas = layers("lsoas").set_index("lsoa_code")
    assert (sites["ward_code"] == sites["lsoa_code"].map(lsoas["ward_code"])).all()
    assert (sites["gss_code"] == sites["lsoa_code"].map(lsoas["gss_code"])).all()
    assert (sites["in_regen_area"] == sites["lsoa_code"].map(lsoas["regen_area"])).all()


def test_sites_are_in_the_right_borough(sites):
    by_id = sites.set_index("site_id")
    by_name = sites.set_index("name")
    # Wembley Library (culture map, no borough code in the file) merged into lib16 "Wembley".
    assert by_id.loc["lib16-217", "gss_code"] == "E09000005"
    assert by_id.loc["lib16-217", "sources"] == (
        "libraries_2016; libraries_2021; libraries_2023; cim_2022"
    )
    assert "Wembley Library" not in set(sites["name"])
    for name, gss in [
        ("Lyric Theatre", "E09000033"),
        ("Her Majesty's Theatre", "E09000033"),
        ("Piccadilly Theatre", "E09000033"),
        ("Croydon Museum", "E09000008"),
        ("Horniman Museum & Gardens", "E09000023"),
        ("Croydon Central", "E09000008"),  # the 2023 list's name
        ("Idea Store Whitechapel", "E09000030"),
    ]:
        assert by_name.loc[name, "gss_code"] == gss, name
    # "Museum of Croydon" in the culture map is the Mapping Museums "Croydon Museum".
    assert by_name.loc["Croydon Museum", "sources"] == "mapping_museums; cim_2022"
    assert "Museum of Croydon" not in set(sites["name"])


def test_a_known_closure(sites):
    kensal = sites.set_index("site_id").loc["lib16-210"]
    assert kensal["name"] == "Kensal Rise"
    # Closed by the council in 2011; an independent community library from the 2019 return.
    assert (kensal["status"], kensal["community_run_year"], kensal["gss_code"]) == (
        "community_run",
        2019,
        "E09000005",
    )
    assert not kensal["lost"] and pd.isna(kensal["closed_year"])
    assert kensal["sources"] == "libraries_2016; libraries_2021; libraries_2023"


def test_libraries_and_museums_in_two_sources_are_one_site(sites, report):
    libraries = sites[sites.category == "Library"]
    assert len(libraries) == 389
    assert libraries["sources"].str.contains("cim_2022").sum() == 340
    museums = sites[sites.sources == "mapping_museums; cim_2022"]
    assert len(museums) == 135 and (museums.status == "closed").sum() == 2
    dedupe = report[report.step == "dedupe"].set_index("source")["note"]
    assert dedupe["libraries"].startswith("340 of 389 records")
    assert dedupe["museums"].startswith("135 of 310 records")


def test_twins_are_one_site(sites):
    # Closed and open at one spot, a museum listed twice, geocodes a few hundred metres off.
    for name, category, sources in [
        (
            "Carnegie Library (Herne Hill)",
            "Library",
            "libraries_2016; libraries_2021; libraries_2023; cim_2022",
        ),
        ("Minet", "Library", "libraries_2016; libraries_2021; libraries_2023; cim_2022"),
        (
            "Hayes End Library",
            "Library",
            "libraries_2016; libraries_2021; libraries_2023; cim_2022",
        ),
        (
            "Belsize Community Library",
            "Library",
            "libraries_2016; libraries_2021; libraries_2023; cim_2022",
        ),
        ("Waterloo", "Library", "libraries_2016; libraries_2021; libraries_2023; cim_2022"),
    ]:
        rows = sites[(sites.name == name) & (sites.category == category)]
        assert len(rows) == 1 and rows["sources"].iloc[0] == sources, name
    museum = sites[sites.name.str.contains("British Museum")]
    assert museum["name"].tolist() == ["British Museum"]
    assert museum["sources"].tolist() == ["mapping_museums; cim_2022"]
    # A closed library the 2022 map still lists at its place is one (closed) site.
    church_end = sites[sites.name == "Church End"]
    assert len(church_end) == 1 and church_end["status"].iloc[0] == "closed"


# ---------------------------------------------------------------- coordinate repair


@pytest.fixture(scope="module")
def culture_rows(geodata_source):
    """Every culture-map row with the build's repaired coordinates, before any merging."""
    cim = read_cim(geodata_source, Report())
    return cim.assign(key=cim["name"].map(normalise_name), stem=cim["category"])


def twin_distances(rows, category, reference):
    """Distance from each `category` row to the same-named `reference` point within 1 km."""
    a = rows[rows.category == category]
    b = reference.rename(columns={"geometry": "ref"})[["key", "ref"]]
    pairs = pd.DataFrame(a[["key", "geometry"]]).merge(pd.DataFrame(b), on="key")
    d = gpd.GeoSeries(pairs["geometry"], crs=27700).distance(gpd.GeoSeries(pairs["ref"], crs=27700))
    return d[d < 1000].to_numpy()  # beyond 1 km a shared name is another venue


def test_repaired_theatres_meet_their_dance_venue_twins(culture_rows):
    # Dance_performance_venues carry right lat/lon (MANIFEST). 73 theatres share a name.
    dance = culture_rows[culture_rows.category == "Dance performance venue"]
    d = twin_distances(culture_rows, "Theatre", dance)
    assert len(d) == 73
    assert (d < 1).sum() == 24  # the same geocode in both files: 23 of them within 0.1 m
    assert np.median(d) < 20  # measured 16.5 m; unrepaired lat/lon gives 125 m
    assert (d < 20).sum() == 41 and (d < 100).sum() == 70


def test_theatres_would_be_off_without_the_repair(geodata_source):
    folder = geodata_source / "facilities/cim_2022"
    theatres = pd.read_csv(folder / "Theatres.csv", encoding="utf-8-sig")
    dance = pd.read_csv(folder / "Dance_performance_venues.csv", encoding="utf-8-sig")
    ref = gpd.GeoDataFrame(
        {"key": dance["name"].map(normalise_name)},
        geometry=cim_points(dance, "latlon").values,
        crs=27700,
    )
    for fix, low, high in [
        ("latlon", 100, 150),
        ("bng", 300, 450),
        ("latlon_double_shift_undone", 0, 20),
    ]:
        rows = gpd.GeoDataFrame(
            {"key": theatres["name"].map(normalise_name), "category": "Theatre"},
            geometry=cim_points(theatres, fix).values,
            crs=27700,
        )
        assert low <= np.median(twin_distances(rows, "Theatre", ref)) < high, fix


def test_repaired_lgbt_venues_meet_their_pub_twins(culture_rows):
    # No LGBT venue is in the dance file; 9 share a name with a pub (BNG right, MANIFEST).
    pubs = culture_rows[culture_rows.category == "Pub"]
    d = twin_distances(culture_rows, "LGBTQ+ night-time venue", pubs)
    assert len(d) == 9
    assert d.max() < 12  # measured 11.3 m (Comptons of Soho); unrepaired lat/lon: 124 m
    assert (d < 2).sum() == 6


def test_named_venues_after_repair_and_merge(sites, geodata_source):
    folder = geodata_source / "facilities/cim_2022"
    dance = pd.read_csv(folder / "Dance_performance_venues.csv", encoding="utf-8-sig")
    pubs = pd.read_csv(folder / "Pubs.csv", encoding="utf-8-sig")
    piccadilly = sites[sites.name == "Piccadilly Theatre"].iloc[0]
    assert piccadilly["categories"] == "Theatre; Dance performance venue"
    truth = cim_points(dance[dance.name == "Piccadilly Theatre"], "latlon").iloc[0]
    assert piccadilly.geometry.distance(truth) < 1
    rvt = sites[
        (sites.name == "Royal Vauxhall Tavern") & (sites.category == "LGBTQ+ night-time venue")
    ].iloc[0]
    # "The Royal Vauxhall Tavern" in the theatres file is the same venue ("The" set aside).
    assert rvt["categories"] == "LGBTQ+ night-time venue; Theatre; Pub"
    truth = cim_points(pubs[pubs.name == "Royal Vauxhall Tavern"], "bng").iloc[0]
    assert rvt.geometry.distance(truth) < 2  # measured 1.7 m


# ---------------------------------------------------------------- voluntary sector and pubs


def test_voluntary_wards(layers):
    table = pd.DataFrame(layers("voluntary_wards"))
    assert len(table) == 634 and set(table.ward_code) == set(layers("wards").ward_code)
    assert table["charities"].sum() == 16577
    assert table["charities"].notna().sum() == 546  # the other 88 wards are not in the extract
    assert table["grants_count"].sum() == 12522
    # £3,214m less £262m not by ward; £2,540m public money (government and the lottery
    # distributors, the `_public` columns), £413m from the independent funders.
    assert round(table["grants_gbp"].sum()) == 2_952_825_970
    assert round(table["grants_gbp"].sum() - table["grants_gbp_public"].sum()) == 412_988_008


def test_voluntary_points(layers):
    points = layers("voluntary_points")
    assert points.groupby(["kind", "status"]).size().to_dict() == {
        ("food_bank", "closed"): 2,
        ("food_bank", "open"): 85,
        ("mutual_aid", "active in 2020"): 657,
    }


def test_pubs_by_borough(layers, geodata_source):
    pubs = pd.DataFrame(layers("pubs_by_borough"))
    assert len(pubs) == 33 * 18 and pubs["gss_code"].nunique() == 33
    raw = pd.read_csv(geodata_source / "lost/ons_pubs_and_bars_london_boroughs_2001_2018.csv")
    london = raw[(raw.area_code == "E12000007") & (raw.size_band == "Any number of employees")]
    assert london.set_index("year")["pubs_and_bars"].loc[[2001, 2018]].tolist() == [4835, 3540]
    # Each count is rounded to 5, so the 33 boroughs add up to a little more or less than London.
    totals = pubs.groupby("year")["pubs"].sum()
    assert (totals[2001], totals[2018]) == (4840, 3535)


# ---------------------------------------------------------------- determinism


def test_build_is_deterministic(built_gpkg, geodata_source, tmp_path):
    again = tmp_path / "london.gpkg"
    build(geodata_source, again)
    for name, geometry_type in pyogrio.list_layers(built_gpkg):
        first = gpd.read_file(built_gpkg, layer=name)
        second = gpd.read_file(again, layer=name)
        if geometry_type is None:
            pd.testing.assert_frame_equal(pd.DataFrame(first), pd.DataFrame(second), obj=name)
        else:
            assert_geodataframe_equal(first, second, check_less_precise=False)


def test_garbled_culture_map_names_are_repaired(sites):
    names = set(sites["name"])
    assert {"Noël Coward Theatre", "Canal Café Theatre", "The CLF Art Café"} <= names
    assert not any("Ã" in n or "â€" in n for n in names)
