"""Postcode lookup: a point, or a clear reason why not."""

from __future__ import annotations

import pandas as pd
import pytest

from lib.store.where import PostcodeError, lookup_postcode, normalise


@pytest.fixture(scope="module")
def tiny_table():
    """The build's postcodes table made in code: one current postcode, one terminated."""
    return pd.DataFrame(
        {
            "postcode": ["SE17PB", "UB11HF"],
            "easting": [530625, 510140],
            "northing": [179850, 179496],
            "gss_code": ["E09000028", "E09000017"],
            "terminated": [False, True],
        }
    ).set_index("postcode")


@pytest.fixture(scope="module")
def built_table(built_gpkg):
    from lib.data.layers import load_postcodes

    return load_postcodes(built_gpkg)


def code(text, source) -> str:
    with pytest.raises(PostcodeError) as raised:
        lookup_postcode(text, source)
    return raised.value.code


def test_normalise():
    assert normalise(" se1  7pb ") == "SE17PB"
    assert normalise("SW1A1AA") == "SW1A1AA"
    assert normalise("SE1 7P") is None


def test_found_in_either_file(tiny_table):
    point = lookup_postcode("se17pb", tiny_table)
    assert (point.postcode, point.x, point.y, point.gss_code) == (
        "SE1 7PB",
        530625,
        179850,
        "E09000028",
    )
    assert not point.terminated
    assert lookup_postcode("UB1 1HF", tiny_table).terminated


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "hello",
        "12345",
        "SE1",
        "<script>alert(1)",
        "SE1 7PB; DROP TABLE",
        "S E 1 7 P B X",
    ],
)
def test_not_a_postcode(tiny_table, text):
    assert code(text, tiny_table) == "not_a_postcode"


def test_outside_london_and_not_found_are_told_apart(tiny_table):
    assert code("M1 1AE", tiny_table) == "outside_london"
    assert code("SE1 9ZZ", tiny_table) == "not_found"  # a London district, unknown unit


def test_the_built_table_needs_no_raw_inputs(built_table, monkeypatch):
    """The app reads postcodes from the GeoPackage the build made: GEODATA_SOURCE is not
    needed while it runs."""
    monkeypatch.delenv("GEODATA_SOURCE", raising=False)
    assert len(built_table) == 195_496  # 180,792 current + 14,704 terminated, none in both
    assert int(built_table["terminated"].sum()) == 14_704
    assert lookup_postcode("SW1A 1AA", built_table).gss_code == "E09000033"
    assert lookup_postcode("UB1 1HF", built_table).terminated
    assert code("M1 1AE", built_table) == "outside_london"
    assert code("CM1 1AA", built_table) == "outside_london"  # Chelmsford
    assert code("E1 0ZZ", built_table) == "not_found"


def test_a_map_click_becomes_british_national_grid():
    from lib.store.where import point_from_lonlat

    x, y = point_from_lonlat(-0.1246, 51.5007)  # Big Ben
    assert 530_200 < x < 530_400 and 179_500 < y < 179_700


def test_locate_in_a_ward():
    import geopandas as gpd
    from shapely.geometry import box

    from lib.store.where import locate

    wards = gpd.GeoDataFrame(
        {"ward_code": ["E05000001", "E05000002"], "gss_code": ["E09000001", "E09000002"]},
        geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10)],
        crs="EPSG:27700",
    )
    assert locate(5, 5, wards) == ("E09000001", "E05000001")
    assert locate(15, 5, wards) == ("E09000002", "E05000002")
    assert locate(50, 50, wards) is None


@pytest.mark.integration
def test_postcode_and_built_wards_agree(built_table, built_gpkg):
    import geopandas as gpd

    from lib.store.where import locate

    wards = gpd.read_file(built_gpkg, layer="wards")
    point = lookup_postcode("SE1 7PB", built_table)
    assert locate(point.x, point.y, wards)[0] == point.gss_code
