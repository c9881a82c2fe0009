"""Postcode lookup: a point, or a clear reason why not."""

from __future__ import annotations

import pytest

from lib.store.where import PostcodeError, lookup_postcode, normalise

HEADER = "postcode,postcode_nospace,easting,northing,latitude,longitude,pqi,admin_district_code,admin_ward_code\n"  # noqa: E501


@pytest.fixture(scope="module")
def tiny_source(tmp_path_factory):
    """Two Code-Point files made in code: one current postcode, one terminated."""
    source = tmp_path_factory.mktemp("geodata")
    (source / "postcodes").mkdir()
    (source / "postcodes" / "london_postcodes_codepoint_open_2025.csv").write_text(
        HEADER + "SE1 7PB,SE17PB,530625,179850,51.49,-0.10,10,E09000028,E05011104\n"
    )
    (source / "postcodes" / "london_postcodes_codepoint_open_2014_not_in_2025.csv").write_text(
        HEADER + "UB1 1HF,UB11HF,510140,179496,51.50,-0.41,10,E09000017,E05000339\n"
    )
    return source


def code(text, source) -> str:
    with pytest.raises(PostcodeError) as raised:
        lookup_postcode(text, source)
    return raised.value.code


def test_normalise():
    assert normalise(" se1  7pb ") == "SE17PB"
    assert normalise("SW1A1AA") == "SW1A1AA"
    assert normalise("SE1 7P") is None


def test_found_in_either_file(tiny_source):
    point = lookup_postcode("se17pb", tiny_source)
    assert (point.postcode, point.x, point.y, point.gss_code) == (
        "SE1 7PB",
        530625,
        179850,
        "E09000028",
    )
    assert not point.terminated
    assert lookup_postcode("UB1 1HF", tiny_source).terminated


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
def test_not_a_postcode(tiny_source, text):
    assert code(text, tiny_source) == "not_a_postcode"


def test_outside_london_and_not_found_are_told_apart(tiny_source):
    assert code("M1 1AE", tiny_source) == "outside_london"
    assert code("SE1 9ZZ", tiny_source) == "not_found"  # a London district, unknown unit


def test_no_source_is_said(tmp_path, monkeypatch):
    monkeypatch.delenv("GEODATA_SOURCE", raising=False)
    assert code("SE1 7PB", None) == "unavailable"
    assert code("SE1 7PB", tmp_path) == "unavailable"


@pytest.mark.integration
def test_real_code_point_files(geodata_source):
    assert lookup_postcode("SW1A 1AA", geodata_source).gss_code == "E09000033"
    assert code("M1 1AE", geodata_source) == "outside_london"
    assert code("CM1 1AA", geodata_source) == "outside_london"  # Chelmsford
    assert code("E1 0ZZ", geodata_source) == "not_found"


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
def test_postcode_and_built_wards_agree(geodata_source, built_gpkg):
    import geopandas as gpd

    from lib.store.where import locate

    wards = gpd.read_file(built_gpkg, layer="wards")
    point = lookup_postcode("SE1 7PB", geodata_source)
    assert locate(point.x, point.y, wards)[0] == point.gss_code
