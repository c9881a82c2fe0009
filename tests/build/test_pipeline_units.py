"""Unit tests for the build (lib/build) on tiny inputs made here.

Most tests call one build step on a few rows. The bad-input tests run the whole build on a tiny
but complete source folder (`tiny_source`: two boroughs, four LSOAs, one row per input), so the
only reason a build fails is the fault a test puts in. One test (marked integration) breaks a
copy of the real inputs.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from pyproj import Transformer
from shapely.geometry import Point, box

from lib.build import geopackage, integrity
from lib.build.areas import attach_areas
from lib.build.culture_map import (
    CIM_CATEGORIES,
    CIM_COORD_FIX,
    CIM_DEFAULT_FIX,
    cim_points,
    merge_cim_duplicates,
)
from lib.build.inputs import BNG, InputError, Report
from lib.build.pipeline import build, main
from lib.build.sites import match_same_facility, merge_cross_source
from lib.vocab.sources import SOURCES

BNG_TO_WGS84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
BNG_TO_OSGB36_LATLON = Transformer.from_crs("EPSG:27700", "EPSG:4277", always_xy=True)
OSGB36_TO_WGS84 = Transformer.from_crs("EPSG:4277", "EPSG:4326", always_xy=True)

# Known points in British National Grid (Trafalgar Square, Croydon, Walthamstow).
TRUE_POINTS = [(530000.0, 180500.0), (532400.0, 165400.0), (537500.0, 189200.0)]


def distances(series: gpd.GeoSeries, points) -> np.ndarray:
    return np.array([geom.distance(Point(xy)) for geom, xy in zip(series, points, strict=True)])


# ---------------------------------------------------------------- coordinate repair


def test_cim_points_bng_keeps_the_grid_reference():
    frame = pd.DataFrame(
        {"easting": [x for x, _ in TRUE_POINTS], "northing": [y for _, y in TRUE_POINTS]}
    )
    points = cim_points(frame, "bng")
    assert points.crs == BNG
    assert distances(points, TRUE_POINTS).max() < 0.001


def test_cim_points_latlon_converts_wgs84_to_the_grid():
    lon, lat = BNG_TO_WGS84.transform(*zip(*TRUE_POINTS, strict=True))
    points = cim_points(pd.DataFrame({"longitude": lon, "latitude": lat}), "latlon")
    assert points.crs == BNG
    assert distances(points, TRUE_POINTS).max() < 1.0


def test_cim_points_undoes_a_double_datum_shift():
    # Truth in WGS84, then the OSGB36 -> WGS84 shift applied once more: the Theatres fault.
    lon, lat = BNG_TO_WGS84.transform(*zip(*TRUE_POINTS, strict=True))
    bad_lon, bad_lat = OSGB36_TO_WGS84.transform(lon, lat)
    frame = pd.DataFrame({"longitude": bad_lon, "latitude": bad_lat})
    # The fixture really is faulty: read as plain WGS84 it lands over 100 m from the truth.
    assert distances(cim_points(frame, "latlon"), TRUE_POINTS).min() > 100
    repaired = cim_points(frame, "latlon_double_shift_undone")
    assert repaired.crs == BNG
    assert distances(repaired, TRUE_POINTS).max() < 1.0


def test_osgb36_latlon_read_as_wgs84_is_the_fault_the_bng_fix_avoids():
    # Most culture-map files carry OSGB36 lat/lon labelled WGS84: about 110 m east, 60 m south.
    lon, lat = BNG_TO_OSGB36_LATLON.transform(*zip(*TRUE_POINTS, strict=True))
    wrong = cim_points(pd.DataFrame({"longitude": lon, "latitude": lat}), "latlon")
    dx = np.array([p.x - x for p, (x, _) in zip(wrong, TRUE_POINTS, strict=True)])
    dy = np.array([p.y - y for p, (_, y) in zip(wrong, TRUE_POINTS, strict=True)])
    assert ((dx > 90) & (dx < 130)).all() and ((dy < -40) & (dy > -80)).all()


def test_each_culture_map_file_has_the_fix_the_manifest_measured():
    assert set(CIM_COORD_FIX) <= set(CIM_CATEGORIES)
    assert CIM_COORD_FIX == {
        "Arts_centres": "latlon",
        "Dance_performance_venues": "latlon",
        "LGBT_night_time_venues": "latlon_double_shift_undone",
        "Theatres": "latlon_double_shift_undone",
    }
    assert CIM_DEFAULT_FIX == "bng"


# ---------------------------------------------------------------- culture-map duplicates


def cim_rows(rows) -> gpd.GeoDataFrame:
    """rows: (site_id, name, category, x, y[, address])."""
    rows = [(*row, "")[:6] for row in rows]
    site_id, name, category, x, y, address = zip(*rows, strict=True)
    return gpd.GeoDataFrame(
        {
            "site_id": site_id,
            "name": name,
            "category": category,
            "status": "open",
            "sources": "cim_2022",
            "_address": address,
        },
        geometry=gpd.points_from_xy(x, y),
        crs=BNG,
    )


def test_same_venue_in_two_files_becomes_one_site_with_the_more_specific_category():
    cim = cim_rows(
        [
            ("cim-a", "Rio Cinema", "Music venue", 533500, 185000),
            ("cim-b", "RIO  cinema ", "Cinema", 533560, 185040),  # 72 m away, same name normalised
        ]
    )
    report = Report()
    merged = merge_cim_duplicates(cim, report)
    assert len(merged) == 1
    site = merged.iloc[0]
    assert site["category"] == "Cinema"
    assert site["categories"] == "Cinema; Music venue"
    assert site["site_id"] == "cim-b"  # the row of the more specific file is kept
    assert report.rows[-1]["rows_in"] == 2 and report.rows[-1]["rows_out"] == 1


def test_one_word_name_in_two_kinds_at_two_addresses_stays_two_sites():
    # Preston: a library on Carlton Avenue East and a pub on Preston Road, 65 m apart.
    cim = cim_rows(
        [
            ("cim-a", "Preston", "Library", 518500, 187800, "Carlton Avenue East"),
            ("cim-b", "Preston", "Pub", 518560, 187825, "161 Preston Road"),
            ("cim-c", "Royal Opera House", "Music venue", 530400, 181000, "Covent Garden"),
            ("cim-d", "Royal Opera House", "Theatre", 530402, 181000, "Bow St"),
        ]
    )
    merged = merge_cim_duplicates(cim, Report())
    assert sorted(merged["site_id"]) == ["cim-a", "cim-b", "cim-d"]


def test_same_name_500_m_apart_stays_two_sites():
    cim = cim_rows(
        [
            ("cim-a", "Red Lion", "Pub", 530000, 180000),
            ("cim-b", "Red Lion", "Music venue", 530300, 180400),  # 500 m
        ]
    )
    merged = merge_cim_duplicates(cim, Report())
    assert sorted(merged["site_id"]) == ["cim-a", "cim-b"]
    assert sorted(merged["categories"]) == ["Music venue", "Pub"]


def test_different_names_at_the_same_spot_stay_two_sites():
    cim = cim_rows(
        [
            ("cim-a", "Red Lion", "Pub", 530000, 180000),
            ("cim-b", "Jazz Cafe", "Music venue", 530000, 180000),
        ]
    )
    merged = merge_cim_duplicates(cim, Report())
    assert sorted(merged["name"]) == ["Jazz Cafe", "Red Lion"]


# ---------------------------------------------------------------- cross-source merge


def lost_rows(rows) -> gpd.GeoDataFrame:
    """rows: (site_id, name, status, x, y)."""
    site_id, name, status, x, y = zip(*rows, strict=True)
    return gpd.GeoDataFrame(
        {
            "site_id": site_id,
            "name": name,
            "category": "Library",
            "status": status,
            "sources": "libraries_2016",
            "licence": SOURCES["libraries"].licence,
        },
        geometry=gpd.points_from_xy(x, y),
        crs=BNG,
    )


def cim_libraries(rows) -> gpd.GeoDataFrame:
    cim = cim_rows([(i, n, "Library", x, y) for i, n, x, y in rows])
    cim["categories"] = "Library; Community centre"
    return cim


def test_open_library_and_culture_map_library_150_m_apart_merge():
    lost = lost_rows([("lib16-1", "Kentish Town Library", "open", 528900, 184800)])
    cim = cim_libraries([("cim-k", "Kentish Town", 528990, 184920)])  # 150 m
    assert match_same_facility(lost, cim, "Library") == {"lib16-1": "cim-k"}
    merged, used = merge_cross_source(lost, cim, "Library", Report(), "libraries")
    assert used == {"cim-k"}
    assert len(merged) == 1
    assert merged.iloc[0]["sources"] == "libraries_2016; cim_2022"
    assert merged.iloc[0]["categories"] == "Library; Community centre"


def test_library_at_exactly_the_same_point_merges():
    lost = lost_rows([("lib16-1", "Swiss Cottage Library", "open", 526700, 184300)])
    cim = cim_libraries([("cim-s", "Swiss Cottage Library", 526700, 184300)])
    assert match_same_facility(lost, cim, "Library") == {"lib16-1": "cim-s"}


def test_closed_library_merges_only_with_a_venue_of_its_own_name():
    # The 2022 map still listing a closed library at its place: one library (history: closed).
    lost = lost_rows([("lib16-2", "Kensal Rise Library", "closed", 523500, 183700)])
    cim = cim_libraries([("cim-r", "Kensal Rise Library", 523500, 183700)])
    assert match_same_facility(lost, cim, "Library") == {"lib16-2": "cim-r"}
    # A venue whose name only shares words with a closed library is its replacement.
    lost = lost_rows([("lib16-3", "CLR James Library", "closed", 533700, 184900)])
    cim = cim_libraries([("cim-d", "Dalston CLR James Library", 533760, 184940)])
    assert match_same_facility(lost, cim, "Library") == {}
    merged, used = merge_cross_source(lost, cim, "Library", Report(), "libraries")
    assert used == set()
    assert merged.iloc[0]["sources"] == "libraries_2016"


def test_closed_library_and_its_namesake_beyond_300_m_stay_apart():
    lost = lost_rows([("lib16-2", "Kensal Rise Library", "closed", 523500, 183700)])
    cim = cim_libraries([("cim-r", "Kensal Rise Library", 523500, 184100)])  # 400 m
    assert match_same_facility(lost, cim, "Library") == {}


def test_unrelated_names_at_the_same_point_do_not_merge():
    lost = lost_rows([("lib16-3", "Queen's Crescent Library", "open", 528300, 185100)])
    cim = cim_libraries([("cim-x", "Chalk Farm Library", 528300, 185100)])
    assert match_same_facility(lost, cim, "Library") == {}


def test_same_name_400_m_apart_merges_a_source_with_coordinates_off():
    # Hayes End Library: the 2016 geocode is 1 km from the culture map's point.
    lost = lost_rows([("lib16-4", "Highgate Library", "open", 528800, 188100)])
    cim = cim_libraries([("cim-h", "Highgate Library", 528800, 188500)])  # 400 m
    assert match_same_facility(lost, cim, "Library") == {"lib16-4": "cim-h"}


def test_same_name_beyond_1500_m_does_not_merge():
    lost = lost_rows([("lib16-4", "Highgate Library", "open", 528800, 188100)])
    cim = cim_libraries([("cim-h", "Highgate Library", 528800, 189700)])  # 1.6 km
    assert match_same_facility(lost, cim, "Library") == {}


def test_punctuation_and_the_do_not_keep_twins_apart():
    lost = lost_rows(
        [
            ("mm-1", "Hogarths House", "open", 521300, 177800),
            ("mm-2", "Museum Of London", "open", 532200, 181600),
        ]
    )
    cim = cim_libraries(
        [
            ("cim-1", "The Hogarth\u2019s House", 521500, 177800),
            ("cim-2", "Museum of London", 532210, 181600),
        ]
    )
    assert match_same_facility(lost, cim, "Library") == {"mm-1": "cim-1", "mm-2": "cim-2"}


def test_a_different_kind_of_place_never_merges_however_close():
    lost = lost_rows([("lib16-7", "Barbican Library", "open", 532300, 181800)])
    cim = cim_rows([("cim-m", "Barbican Library", "Music venue", 532300, 181800)])
    assert match_same_facility(lost, cim, "Library") == {}


def test_keep_apart_decision_vetoes_and_merge_decision_forces():
    lost = lost_rows(
        [
            ("lib16-8", "Hayes End Library", "open", 509600, 181900),
            ("lib16-9", "Kingswood Order and Collect", "closed", 533000, 172000),
        ]
    )
    cim = cim_libraries(
        [
            ("cim-e", "Hayes End Library", 509700, 181900),
            ("cim-k", "Kingswood Library", 533090, 172000),
        ]
    )
    decisions = pd.DataFrame(
        [
            ("lib16-8", "", "cim-e", "", "keep_apart", "test"),
            ("lib16-9", "", "cim-k", "", "merge", "same building"),
        ],
        columns=["site_id", "name", "other_site_id", "other_name", "decision", "reason"],
    )
    assert match_same_facility(lost, cim, "Library", decisions) == {"lib16-9": "cim-k"}


def test_the_reviewed_merge_decisions_file_parses():
    from lib.build.merge import read_decisions

    table = read_decisions()
    assert set(table["decision"]) == {"merge", "keep_apart"}
    assert not table.duplicated(["site_id", "other_site_id"]).any()
    assert (table["reason"].str.len() > 10).all()


def test_each_culture_map_venue_pairs_with_one_record_only():
    lost = lost_rows(
        [
            ("lib16-5", "Bow Library", "open", 537000, 183000),
            ("lib16-6", "Bow Library", "open", 537050, 183000),
        ]
    )
    cim = cim_libraries([("cim-b", "Bow Library", 537040, 183000)])
    assert match_same_facility(lost, cim, "Library") == {"lib16-6": "cim-b"}


# ---------------------------------------------------------------- areas


@pytest.fixture
def two_lsoas() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "lsoa_code": ["E01000001", "E01000002"],
            "ward_code": ["E05000001", "E05000002"],
            "gss_code": ["E09000001", "E09000002"],
            "regen_area": [True, False],
        },
        geometry=[box(528000, 179000, 529000, 180000), box(529000, 179000, 530000, 180000)],
        crs=BNG,
    )


def sites_at(points, sources) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"site_id": [f"s{i}" for i in range(len(points))], "sources": sources},
        geometry=[Point(p) for p in points],
        crs=BNG,
    )


def test_point_inside_an_lsoa_gets_its_codes(two_lsoas):
    report = Report()
    out = attach_areas(
        sites_at([(528500, 179500), (529500, 179500)], ["a", "b"]), two_lsoas, report
    )
    assert out["lsoa_code"].tolist() == ["E01000001", "E01000002"]
    assert out["ward_code"].tolist() == ["E05000001", "E05000002"]
    assert out["gss_code"].tolist() == ["E09000001", "E09000002"]
    assert out["in_regen_area"].tolist() == [True, False]
    assert report.rows[-1]["repaired"] == 0 and report.rows[-1]["dropped"] == 0


def test_point_100_m_outside_snaps_to_the_nearest_lsoa(two_lsoas):
    report = Report()
    out = attach_areas(sites_at([(530100, 179500)], ["pier"]), two_lsoas, report)
    assert out["lsoa_code"].tolist() == ["E01000002"]
    assert out["gss_code"].tolist() == ["E09000002"]
    assert report.rows[-1]["repaired"] == 1


def test_point_5_km_away_is_dropped_and_reported(two_lsoas):
    report = Report()
    sites = sites_at([(528500, 179500), (535000, 179500)], ["libraries_2016", "mapping_museums"])
    out = attach_areas(sites, two_lsoas, report)
    assert out["site_id"].tolist() == ["s0"]
    row = report.rows[-1]
    assert (row["rows_in"], row["rows_out"], row["dropped"]) == (2, 1, 1)
    assert "mapping_museums" in row["note"]


# ---------------------------------------------------------------- a tiny complete source folder

X0, Y0 = 528000, 179000  # south-west corner of the tiny world, in central London
BOROUGHS = {
    "E09000001": ("Borough A", box(X0, Y0, X0 + 2000, Y0 + 2000)),
    "E09000002": ("Borough B", box(X0 + 2000, Y0, X0 + 4000, Y0 + 2000)),
}
LSOAS = [  # code, borough, ward, IMD rank, population, polygon
    ("E01000001", "E09000001", "E05000001", 100, 1500, box(X0, Y0, X0 + 2000, Y0 + 1000)),
    ("E01000002", "E09000001", "E05000001", 20000, 1600, box(X0, Y0 + 1000, X0 + 2000, Y0 + 2000)),
    ("E01000003", "E09000002", "E05000002", 15000, 1700, box(X0 + 2000, Y0, X0 + 4000, Y0 + 1000)),
    (
        "E01000004",
        "E09000002",
        "E05000002",
        30000,
        1800,
        box(X0 + 2000, Y0 + 1000, X0 + 4000, Y0 + 2000),
    ),
]
IMD_COLUMNS = [
    "Index of Multiple Deprivation (IMD) Score",
    "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)",
    "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)",
]


def lonlat(x, y):
    return BNG_TO_WGS84.transform(x, y)


def write_csv(path: Path, frame: pd.DataFrame, **kwargs) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, **kwargs)


def polygons_4326(rows) -> gpd.GeoDataFrame:
    """rows: (sitename, borough, classification, polygon in BNG)."""
    name, borough, classification, geometry = zip(*rows, strict=True)
    return gpd.GeoDataFrame(
        {
            "sitename": name,
            "borough": borough,
            "classification": classification,
            "designation": "x",
        },
        geometry=list(geometry),
        crs=BNG,
    ).to_crs("EPSG:4326")


def cim_file(stem: str, x: float, y: float) -> pd.DataFrame:
    """One venue at (x, y), with the coordinate fault the real file has."""
    lon, lat = lonlat(x, y)
    fix = CIM_COORD_FIX.get(stem, CIM_DEFAULT_FIX)
    if fix == "latlon_double_shift_undone":
        lon, lat = OSGB36_TO_WGS84.transform(lon, lat)
    easting, northing = (x, y) if fix == "bng" else (x + 250, y - 100)  # wrong where unused
    return pd.DataFrame(
        {
            "name": [f"Tiny {stem}"],
            "address1": ["1 High Street"],
            "os_addressbase_uprn": [""],
            "easting": [easting],
            "northing": [northing],
            "longitude": [lon],
            "latitude": [lat],
        }
    )


def make_tiny_source(src: Path) -> Path:
    b = src / "boundaries"
    b.mkdir(parents=True)
    gpd.GeoDataFrame(
        {
            "NAME": [v[0] for v in BOROUGHS.values()],
            "GSS_CODE": list(BOROUGHS),
            "HECTARES": 400.0,
            "ONS_INNER": ["T", "F"],
        },
        geometry=[v[1] for v in BOROUGHS.values()],
        crs=BNG,
    ).to_file(b / "London_Borough_Excluding_MHW.geojson", driver="GeoJSON")
    code, lad, ward, rank, pop, geom = zip(*LSOAS, strict=True)
    gpd.GeoDataFrame(
        {"LSOA11CD": code, "LSOA11NM": [f"Tiny {c}" for c in code], "LAD11CD": lad},
        geometry=list(geom),
        crs=BNG,
    ).to_file(b / "LSOA_2011_London_gen_MHW.shp")
    write_csv(
        b / "LSOA11_to_WD17_lookup_England_Wales.csv",
        pd.DataFrame(
            {
                "LSOA11CD": code,
                "WD17CD": ward,
                "WD17NM": [f"Ward {w[-1]}" for w in ward],
                "LAD17CD": lad,
            }
        ),
        encoding="utf-8-sig",
    )
    write_csv(
        src / "deprivation/IMD2019_London_LSOA.csv",
        pd.DataFrame(
            {
                "geography code": code,
                IMD_COLUMNS[0]: [40.0, 10.0, 12.0, 5.0],
                IMD_COLUMNS[1]: rank,
                IMD_COLUMNS[2]: [1 + r * 10 // 32845 for r in rank],
            }
        ),
    )
    write_csv(
        src / "population/london-lsoa11-pop-mid2020.csv",
        pd.DataFrame({"LSOA11CD": code, "Persons_All-Ages": pop}),
    )
    write_csv(
        src / "population/london_borough_population_mid2019_mid2020.csv",
        pd.DataFrame(
            {
                "gss_code": ["E09000001", "E09000002"] * 2,
                "year": [2019, 2019, 2020, 2020],
                "Persons_All-Ages": [3000, 3400, 3100, 3500],
            }
        ),
    )

    plan = src / "london_plan"
    plan.mkdir()
    a, bb = X0, X0 + 2000
    layers = {
        "town_centres": [
            (
                "Tiny Centre",
                "Borough A",
                "District Centre",
                box(a + 200, Y0 + 200, a + 800, Y0 + 800),
            )
        ],
        "central_activities_zone": [
            ("CAZ", "Borough A", "", box(a, Y0 + 1000, a + 2000, Y0 + 2000))
        ],
        "opportunity_areas": [
            ("Tiny OA", "Borough B", "", box(bb, Y0, bb + 1000, Y0 + 1000)),
            ("OLSPG boundary", "", "", box(bb, Y0, bb + 2000, Y0 + 2000)),
        ],
        "strategic_industrial_locations": [
            ("Tiny SIL", "Borough B", "SIL", box(bb + 1000, Y0, bb + 2000, Y0 + 1000))
        ],
        "creative_enterprise_zones": [
            ("Tiny CEZ", "Borough A", "", box(a, Y0, a + 1000, Y0 + 1000))
        ],
        "areas_of_intensification_2015": [
            ("Tiny AoI", "Borough B", "", box(bb, Y0 + 1000, bb + 1000, Y0 + 2000))
        ],
    }
    for name, rows in layers.items():
        polygons_4326(rows).to_file(plan / f"{name}.geojson", driver="GeoJSON")

    cim = src / "facilities/cim_2022"
    for i, stem in enumerate(CIM_CATEGORIES):
        write_csv(cim / f"{stem}.csv", cim_file(stem, a + 100 + 100 * i, Y0 + 1500))
    gpd.GeoDataFrame(
        {"osm_id": ["101"], "fclass": ["christian"], "name": ["St Tiny"]},
        geometry=[Point(lonlat(bb + 500, Y0 + 500))],
        crs="EPSG:4326",
    ).to_file(src / "facilities/osm_places_of_worship_london_2020-12-18.geojson", driver="GeoJSON")

    lost = src / "lost"
    points = [lonlat(a + 500, Y0 + 500), lonlat(bb + 500, Y0 + 1500), lonlat(400000, 300000)]
    write_csv(
        lost / "libraries_england_2016.csv",
        pd.DataFrame(
            {
                "name": ["Tiny Library", "Old Tiny Library", "Far Library"],
                "id": [1, 2, 3],
                "authority_id": [1, 1, 2],
                "lat": [p[1] for p in points],
                "lng": [p[0] for p in points],
                "closed": ["", "XL", ""],
                "closed_year": ["", "2012", ""],
                "opened_year": ["", "", ""],
                "postcode": ["TT1 1AA", "TT1 9ZZ", "ZZ9 9ZZ"],
                "address": ["1 Tiny Road", "2 Old Road", "Far Road"],
                "type": ["LAL", "", "LAL"],
            }
        ),
    )
    write_csv(
        lost / "library_authorities_england_2016.csv",
        pd.DataFrame(
            {
                "authority_id": [1, 2],
                "code": ["E09000001", "E06000001"],
                "name": ["Borough A", "Far Borough"],
            }
        ),
    )
    write_csv(
        lost / "mapping_museums_uk.csv",
        pd.DataFrame(
            {
                "museum_id": ["mm.1", "mm.2", "mm.3"],
                "museum_name": ["Tiny Museum", "Lost Tiny Museum", "Far Museum"],
                "latitude": [p[1] for p in points],
                "longitude": [p[0] for p in points],
                "admin_area_2": ["London", "London", "Yorkshire"],
                "year_opened_low": ["1990"] * 3,
                "year_closed_low": ["9999", "2015", "9999"],
                "year_closed_high": ["9999", "2015", "9999"],
            }
        ),
    )
    gp = pd.DataFrame([[""] * 27] * 4)
    gp[0] = ["T1", "T2", "T3", "T4"]
    gp[1] = ["TINY SURGERY", "GONE SURGERY", "DORMANT SURGERY", "FAR SURGERY"]
    gp[9] = ["TT1 1AA", "TT1 9ZZ", "TT1 1AA", "ZZ9 9ZZ"]
    gp[10] = "19900101"
    gp[11] = ["", "20150331", "", ""]
    gp[12] = ["A", "C", "D", "A"]
    gp[25] = "4"
    write_csv(lost / "epraccur_2019-12.csv", gp, header=False)
    write_csv(
        lost / "ons_pubs_and_bars_london_boroughs_2001_2018.csv",
        pd.DataFrame(
            {
                "area_code": ["E09000001", "E09000002", "E12000007"] * 2,
                "size_band": "Any number of employees",
                "year": [2001] * 3 + [2018] * 3,
                "pubs_and_bars": [10.0, 20.0, 30.0, 5.0, 15.0, 20.0],
            }
        ),
    )

    more = src / "lost_more"
    write_csv(
        more / "libraries_london_2021-01.csv",
        pd.DataFrame(
            {
                "Local authority": ["Borough A", "Borough A"],
                "Library name": ["Tiny Library", "Old Tiny Library"],
                "Address 1": ["1 Tiny Road", "2 Old Road"],
                "Postcode": ["TT1 1AA", "TT1 9ZZ"],
                "Unique property reference number": ["", ""],
                "Type of library": ["LAL", "LAL"],
                "Year opened": ["", ""],
                "Year closed": ["", "2012"],
                "Notes": ["", "Now a cafe"],
            }
        ),
    )
    write_csv(
        more / "libraries_london_2023.csv",
        pd.DataFrame(
            {
                "reporting": ["Borough A", "Borough A"],
                "name": ["Tiny Library", "Old Tiny Library"],
                "address1": ["1 Tiny Road", "2 Old Road"],
                "postcode": ["TT1 1AA", "TT1 9ZZ"],
                "type": "Static Library",
                "closed": ["", "2012"],
                "opened": ["", ""],
                "uprn": ["", ""],
                "operation_16": ["LA", "Closed"],
                "operation_19": ["CR", "Closed"],
                "operation_21": ["CR", "Closed"],
                "operation_22": ["CR", "Closed"],
                "operation_23": ["CR", "Closed"],
            }
        ),
    )
    ods = [
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
    write_csv(
        more / "pharmacies_london_2025-04.csv",
        pd.DataFrame(
            [
                (
                    "FA001",
                    "TINY CHEMIST",
                    "1 HIGH ST",
                    "",
                    "TT1 1AA",
                    "19900101",
                    "20150630",
                    "C",
                    "1",
                ),
                (
                    "FA002",
                    "NEW OWNER CHEMIST",
                    "1 HIGH ST",
                    "",
                    "TT1 1AA",
                    "20150701",
                    "",
                    "A",
                    "1",
                ),
                (
                    "FA003",
                    "GONE CHEMIST",
                    "9 LOW ST",
                    "",
                    "TT1 9ZZ",
                    "19900101",
                    "20180131",
                    "C",
                    "1",
                ),
                ("FA004", "SCHOLL FOOTCARE", "1 HIGH ST", "", "TT1 1AA", "19900101", "", "A", "2"),
            ],
            columns=ods,
        ),
    )
    write_csv(
        more / "dental_practices_london_2016.csv",
        pd.DataFrame(
            [
                ("V001", "TINY DENTAL", "2 HIGH ST", "", "TT1 1AA", "20060401", "", "A", "D"),
                (
                    "V002",
                    "CONTRACT END ORTHO",
                    "8 LOW ST",
                    "",
                    "TT1 9ZZ",
                    "20060401",
                    "20160331",
                    "C",
                    "D",
                ),
            ],
            columns=ods,
        ),
    )

    vol = src / "voluntary"
    write_csv(
        vol / "charitybase_2019_charity_counts_london_wards2017.csv",
        pd.DataFrame({"WD17CD": ["E05000001"], "n_charities": [7]}),
    )
    write_csv(
        vol / "360giving_grants_london_by_ward_funder_year.csv",
        pd.DataFrame(
            {
                "Funding Org:Name": ["Tiny Trust", "Department for Transport"],
                "Recipient Ward Geographic Code": ["E05000002", "E05000002"],
                "Recipient District Geographic Code": ["E09000002", "E09000002"],
                "Award Year": [2015, 2015],
                "Amount Awarded": [1000.0, 5000.0],
                "grant_count": [2, 1],
            }
        ),
    )
    p = lonlat(a + 600, Y0 + 600)
    write_csv(
        vol / "covid_mutual_aid_groups_london_2020.csv",
        pd.DataFrame({"name": ["Tiny Mutual Aid"], "latitude": [p[1]], "longitude": [p[0]]}),
    )
    write_csv(
        vol / "givefood_foodbanks_london.csv",
        pd.DataFrame(
            {
                "name": ["Tiny Foodbank"],
                "closed": ["False"],
                "network": ["Independent"],
                "latitude": [p[1]],
                "longitude": [p[0]],
            }
        ),
    )

    pc = src / "postcodes"
    write_csv(
        pc / "london_postcodes_codepoint_open_2025.csv",
        pd.DataFrame(
            {
                "postcode": ["TT1 1AA"],
                "postcode_nospace": ["TT11AA"],
                "easting": [a + 700],
                "northing": [Y0 + 300],
                "admin_district_code": ["E09000001"],
            }
        ),
    )
    write_csv(
        pc / "london_postcodes_codepoint_open_2014_not_in_2025.csv",
        pd.DataFrame(
            {
                "postcode": ["TT1 9ZZ"],
                "postcode_nospace": ["TT19ZZ"],
                "easting": [bb + 700],
                "northing": [Y0 + 300],
                "admin_district_code": ["E09000002"],
            }
        ),
    )
    return src


@pytest.fixture
def tiny_source(tmp_path, monkeypatch) -> Path:
    # Tiny inputs are not the catalogue's vintage: no record counts to expect of them.
    monkeypatch.setattr(integrity, "EXPECTED_ROWS", {})
    return make_tiny_source(tmp_path / "source")


def read_layer(path: Path, layer: str):
    return gpd.read_file(path, layer=layer)


def policy_years(out: Path) -> dict:
    policy = read_layer(out, "policy_areas")
    years = policy.groupby("policy")["designated_year"].first()
    return {k: (None if pd.isna(v) else int(v)) for k, v in years.items()}


def test_tiny_source_builds(tiny_source, tmp_path):
    """The fixture is complete: every later failure is the fault a test puts in."""
    out = tmp_path / "out" / "london.gpkg"
    report = build(tiny_source, out)
    assert {name for name, _ in pyogrio.list_layers(out)} >= {
        "boroughs",
        "wards",
        "lsoas",
        "policy_areas",
        "sites",
        "voluntary_points",
        "voluntary_wards",
        "pubs_by_borough",
        "build_report",
    }
    assert sorted(os.listdir(out.parent)) == ["london.gpkg"]
    sites = read_layer(out, "sites").set_index("name")
    # Every repaired culture-map venue lands where it was put (x = X0 + 100 + 100 i).
    for i, stem in enumerate(CIM_CATEGORIES):
        if stem == "Libraries":
            # "Tiny Libraries" is the listed "Tiny Library" (same name within 1.5 km): one site.
            assert f"Tiny {stem}" not in sites.index
            assert sites.loc["Tiny Library", "sources"].endswith("cim_2022")
            continue
        point = sites.loc[f"Tiny {stem}", "geometry"]
        assert point.distance(Point(X0 + 100 + 100 * i, Y0 + 1500)) < 1.0, stem
    assert sites.loc["Old Tiny Library", "status"] == "closed"
    assert sites.loc["Old Tiny Library", "closed_year"] == 2012
    assert bool(sites.loc["Old Tiny Library", "lost"])
    assert sites.loc["Tiny Library", ["status", "community_run_year"]].tolist() == [
        "community_run",
        2019,
    ]
    # Pharmacies: a change of owner is one open site; an appliance contractor is not a pharmacy.
    assert sites.loc["New Owner Chemist", "status"] == "open"
    assert "Tiny Chemist" not in sites.index and "Scholl Footcare" not in sites.index
    assert bool(sites.loc["Gone Chemist", "lost"])
    # Dental: a 31 March 2016 contract end is closed but not a loss.
    assert sites.loc["Contract End Ortho", ["status", "lost"]].tolist() == ["closed", False]
    events = read_layer(out, "events")
    assert set(events["event"]) <= {
        "on_record",
        "opened",
        "closed",
        "closed_replaced",
        "moved",
        "temporarily_closed",
        "reopened",
        "merged",
        "changed_owner",
        "community_run",
        "independent",
    }
    assert "changed_owner" in set(events["event"])
    # The dental list's 1 April 2006 is a contract regime's start: on record since, no opening.
    dental = sites[sites["category"] == "Dental practice"].loc["Tiny Dental"]
    assert pd.isna(dental["opened_year"]) and dental["on_record_since"] == 2006
    assert policy_years(out) == {
        "town_centre": None,
        "caz": None,
        "opportunity_area": None,
        "sil": None,
        "creative_enterprise_zone": 2018,
        "area_of_intensification_2015": 2015,
        "regeneration_area": None,  # the IMD 2019 dates the drawing, not a designation
    }
    assert sites.loc["Lost Tiny Museum", "gss_code"] == "E09000002"
    assert sites.loc["Gone Surgery", ["status", "closed_year"]].tolist() == ["closed", 2015]
    assert "Dormant Surgery" not in sites.index and "Far Surgery" not in sites.index
    assert "Far Library" not in sites.index and "Far Museum" not in sites.index
    policy = read_layer(out, "policy_areas")
    assert "OLSPG boundary" not in set(policy["name"])
    assert policy.loc[policy.policy == "town_centre", "classification"].tolist() == ["District"]
    assert report.loc[report.source == "opportunity_areas", "dropped"].tolist() == [1]
    # Grants split by funder type; a ward missing from the charity extract has no data.
    vol = read_layer(out, "voluntary_wards").set_index("ward_code")
    assert vol.loc["E05000002", ["grants_gbp", "grants_gbp_public"]].tolist() == [
        6000.0,
        5000.0,
    ]
    assert vol.loc["E05000001", "charities"] == 7 and pd.isna(vol.loc["E05000002", "charities"])
    by_year = read_layer(out, "grants_by_year")
    assert sorted(by_year["funder_type"]) == ["charitable", "government"]


# ---------------------------------------------------------------- bad input


def remove_input(src: Path, key: str) -> Path:
    path = src / SOURCES[key].path
    shutil.rmtree(path) if path.is_dir() else path.unlink()
    return path


@pytest.mark.parametrize("key", sorted(SOURCES))
def test_missing_input_is_named(tiny_source, tmp_path, key):
    path = remove_input(tiny_source, key)
    with pytest.raises(InputError, match="Missing input") as err:
        build(tiny_source, tmp_path / "out" / "london.gpkg")
    assert str(path) in str(err.value)
    assert SOURCES[key].upstream in str(err.value) or key == "cim"


@pytest.mark.parametrize("stem", sorted(CIM_CATEGORIES))
def test_missing_culture_map_file_is_named(tiny_source, tmp_path, stem):
    path = tiny_source / SOURCES["cim"].path / f"{stem}.csv"
    path.unlink()
    with pytest.raises(InputError) as err:
        build(tiny_source, tmp_path / "out" / "london.gpkg")
    assert str(path) in str(err.value)


@pytest.mark.parametrize(
    "relpath, column",
    [
        ("deprivation/IMD2019_London_LSOA.csv", "geography code"),
        ("deprivation/IMD2019_London_LSOA.csv", IMD_COLUMNS[1]),
        ("population/london-lsoa11-pop-mid2020.csv", "Persons_All-Ages"),
        ("lost/libraries_england_2016.csv", "closed"),
        ("lost/mapping_museums_uk.csv", "year_closed_low"),
        ("lost/ons_pubs_and_bars_london_boroughs_2001_2018.csv", "size_band"),
        ("voluntary/charitybase_2019_charity_counts_london_wards2017.csv", "n_charities"),
        ("facilities/cim_2022/Theatres.csv", "latitude"),
        ("facilities/cim_2022/Pubs.csv", "easting"),
    ],
)
def test_csv_missing_a_required_column_is_named(tiny_source, tmp_path, relpath, column):
    path = tiny_source / relpath
    pd.read_csv(path).drop(columns=[column]).to_csv(path, index=False)
    with pytest.raises(InputError, match="missing column") as err:
        build(tiny_source, tmp_path / "out" / "london.gpkg")
    assert str(path) in str(err.value)
    assert column in str(err.value)


def test_empty_culture_map_file_is_an_input_error(tiny_source, tmp_path):
    path = tiny_source / "facilities/cim_2022/Theatres.csv"
    path.write_bytes(b"")
    with pytest.raises(InputError, match="not a readable CSV") as err:
        build(tiny_source, tmp_path / "out" / "london.gpkg")
    assert str(path) in str(err.value)


def test_non_numeric_culture_map_coordinates_are_an_input_error(tiny_source, tmp_path):
    path = tiny_source / "facilities/cim_2022/Arts_centres.csv"
    frame = pd.read_csv(path).astype({"latitude": str})
    frame.loc[0, "latitude"] = "51.5o"
    frame.to_csv(path, index=False)
    with pytest.raises(InputError, match="not all numbers") as err:
        build(tiny_source, tmp_path / "out" / "london.gpkg")
    assert str(path) in str(err.value)


def test_truncated_shapefile_is_an_input_error(tiny_source, tmp_path):
    path = tiny_source / SOURCES["lsoas"].path
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="no geometry") as err:
        build(tiny_source, tmp_path / "out" / "london.gpkg")
    assert str(path) in str(err.value)


def test_nonexistent_source_folder(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(InputError, match="does not exist") as err:
        build(missing, tmp_path / "out" / "london.gpkg")
    assert str(missing) in str(err.value)


def test_cli_failure_exits_2_with_message_and_writes_nothing(tiny_source, tmp_path, capsys):
    path = remove_input(tiny_source, "food_banks")  # read late, after every other layer
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    code = main(["--source", str(tiny_source), "--out", str(out_dir / "london.gpkg")])
    captured = capsys.readouterr()
    assert code == 2
    assert "build failed" in captured.err and str(path) in captured.err
    assert captured.out == ""
    assert list(out_dir.iterdir()) == []


def test_cli_success_exits_0_prints_three_lines_and_writes_the_report(
    tiny_source, tmp_path, capsys
):
    out = tmp_path / "out" / "london.gpkg"
    assert main(["--source", str(tiny_source), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert f"Built {out} in" in " ".join(captured.out.split())
    assert "join_areas" not in captured.out and len(captured.out) < 400
    assert sorted(os.listdir(out.parent)) == ["london.gpkg", "london.report.txt"]
    assert "join_areas (sites)" in (out.parent / "london.report.txt").read_text()


def test_cli_without_a_source_says_how_to_set_one(monkeypatch, capsys):
    monkeypatch.delenv("GEODATA_SOURCE", raising=False)
    with pytest.raises(SystemExit) as exit_:
        main(["--out", "unused.gpkg"])
    assert exit_.value.code == 2
    assert "GEODATA_SOURCE" in capsys.readouterr().err


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_failed_build_keeps_the_previous_output(tiny_source, tmp_path):
    out = tmp_path / "out" / "london.gpkg"
    build(tiny_source, out)
    before = sha256(out)
    remove_input(tiny_source, "pubs")  # the last input read
    with pytest.raises(InputError):
        build(tiny_source, out)
    assert sha256(out) == before
    assert sorted(os.listdir(out.parent)) == ["london.gpkg"]


def test_failure_while_writing_keeps_the_previous_output(tiny_source, tmp_path, monkeypatch):
    out = tmp_path / "out" / "london.gpkg"
    build(tiny_source, out)
    before = sha256(out)
    real_write = pyogrio.write_dataframe

    def write_then_fail(frame, path, layer=None, **kwargs):
        if layer == "sites":
            raise OSError("disk full")
        return real_write(frame, path, layer=layer, **kwargs)

    monkeypatch.setattr(geopackage.pyogrio, "write_dataframe", write_then_fail)
    with pytest.raises(OSError, match="disk full"):
        build(tiny_source, out)
    assert sha256(out) == before
    assert sorted(os.listdir(out.parent)) == ["london.gpkg"]


@pytest.mark.integration
def test_broken_copy_of_the_real_inputs_keeps_the_previous_output(
    built_gpkg, geodata_source, tmp_path, capsys
):
    # Copy without the read-only modes of the shared inputs, so the copy can be broken.
    src = tmp_path / "source"
    shutil.copytree(geodata_source, src, copy_function=shutil.copyfile)
    for folder, _, _ in os.walk(src):
        os.chmod(folder, 0o755)
    broken = src / SOURCES["cim"].path / "Theatres.csv"
    broken.write_bytes(b"")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "london.gpkg"
    shutil.copyfile(built_gpkg, out)
    before = sha256(out)
    assert main(["--source", str(src), "--out", str(out)]) == 2
    assert str(broken) in capsys.readouterr().err
    assert sha256(out) == before
    assert sorted(os.listdir(out_dir)) == ["london.gpkg"]


def test_repair_text_undoes_utf8_read_as_windows_1252():
    from lib.build.inputs import repair_text

    assert repair_text("NoÃ«l Coward Theatre") == "Noël Coward Theatre"
    assert repair_text("Half Moon Young Peopleâ€™s Theatre") == "Half Moon Young People’s Theatre"
    assert repair_text("Café Royal") == "Café Royal"  # already right: left alone
    assert repair_text("Ã and ÿ\u0100") == "Ã and ÿ\u0100"  # not repairable: left alone
