"""CSV uploads: location columns found by name and value range, bad rows named by number."""

from __future__ import annotations

import pytest

from lib.uploads import BNG, WGS84, read_upload
from tests.uploads.files import csv_bytes


def messages(result, level=None):
    return [p.message for p in result.problems if level is None or p.level == level]


def test_latitude_longitude_are_read_as_wgs84_and_stored_in_bng(london_box):
    data = csv_bytes(
        "name,latitude,longitude\nTrafalgar,51.50809,-0.12804\nBrixton,51.4624,-0.1147\n"
    )
    result = read_upload("places.csv", data, london=london_box)
    assert result.ok and result.problems == []
    assert result.format == "csv" and result.crs == WGS84
    assert result.features.crs.to_epsg() == 27700
    assert result.features["source_row"].tolist() == [2, 3]
    assert result.features["name"].tolist() == ["Trafalgar", "Brixton"]
    x, y = result.features.geometry.x[0], result.features.geometry.y[0]
    assert x == pytest.approx(530000, abs=100) and y == pytest.approx(180430, abs=100)


def test_easting_northing_are_british_national_grid(london_box):
    data = csv_bytes("Name;Easting;Northing\nTrafalgar;530000;180430\n")
    result = read_upload("places.csv", data, london=london_box)
    assert result.ok and result.crs == BNG and result.problems == []
    assert result.features.geometry.x[0] == 530000


def test_postcodes_are_placed_at_their_centroid(london_box, few_postcodes):
    data = csv_bytes("name,Post Code\nA,WC2N 5DN\nB,sw9 8rr\nC,E20 1EJ\nD,ZZ9 9ZZ\nE,hello\nF,\n")
    result = read_upload("places.csv", data, london=london_box, postcodes=few_postcodes)
    assert result.features["source_row"].tolist() == [2, 3, 4]
    assert result.features.geometry.x.tolist() == [530040, 531280, 538270]
    assert result.used_postcodes
    assert messages(result) == [
        "Row 7: no postcode (dropped).",
        "Row 6: not a postcode (dropped).",
        "Row 5: postcode not found among London's postcodes: outside London, or not in "
        "Code-Point Open (dropped).",
        "Row 4: a postcode no longer in use: placed where it was in 2014.",
    ]


def test_postcodes_without_the_postcode_list_say_so():
    result = read_upload("places.csv", csv_bytes("name,postcode\nA,WC2N 5DN\n"))
    assert not result.ok
    assert messages(result) == [
        "This CSV is placed by postcode, but the postcode list (Code-Point Open) is not "
        "available here: give the rows coordinates instead."
    ]


def test_missing_coordinates_are_named_by_row(london_box):
    data = csv_bytes("name,lat,lon\nA,51.5,-0.12\nB,,-0.1\nC,51.49,\nD,51.51,-0.13\n")
    result = read_upload("places.csv", data, london=london_box)
    assert result.features["source_row"].tolist() == [2, 5]
    assert messages(result) == [
        "Rows 3, 4: no coordinates (latitude or longitude is empty; dropped)."
    ]


def test_missing_coordinates_fall_back_on_the_postcode(london_box, few_postcodes):
    data = csv_bytes("name,lat,lon,postcode\nA,51.5,-0.12,\nB,,,SW9 8RR\n")
    result = read_upload("places.csv", data, london=london_box, postcodes=few_postcodes)
    assert result.features["source_row"].tolist() == [2, 3]
    assert messages(result) == ["Row 3: no coordinates: placed by postcode."]


def test_swapped_latitude_and_longitude_are_read_the_other_way_round(london_box):
    data = csv_bytes(
        "name,latitude,longitude\nA,51.5,-0.12\nB,-0.1147,51.4624\nC,-0.0035,51.5419\n"
    )
    result = read_upload("places.csv", data, london=london_box)
    assert result.features["source_row"].tolist() == [2, 3, 4]
    assert messages(result, "warning") == [
        "Rows 3, 4: latitude and longitude are the wrong way round: read the other way round."
    ]
    assert result.features.geometry.y.between(170000, 190000).all()


def test_swapped_easting_and_northing(london_box):
    data = csv_bytes("name,easting,northing\nA,530000,180430\nB,175640,531280\n")
    result = read_upload("places.csv", data, london=london_box)
    assert messages(result) == [
        "Row 3: easting and northing are the wrong way round: read the other way round."
    ]
    assert result.features.geometry.x.tolist() == [530000, 531280]


def test_rows_outside_london_are_dropped_and_named(london_box):
    data = csv_bytes(
        "name,latitude,longitude\nTrafalgar,51.50809,-0.12804\n"
        "Paris,48.85661,2.35222\nNew York,40.7128,-74.006\n"
    )
    result = read_upload("places.csv", data, london=london_box)
    assert result.features["source_row"].tolist() == [2]
    assert messages(result) == ["Rows 3, 4: outside London (dropped)."]


def test_every_row_outside_london_is_an_error(london_box):
    data = csv_bytes("name,latitude,longitude\nParis,48.85661,2.35222\n")
    result = read_upload("paris.csv", data, london=london_box)
    assert not result.ok and result.features is None
    assert messages(result) == [
        "Row 2: outside London (dropped).",
        "No feature of paris.csv could be shown: see the problems above.",
    ]


def test_coordinates_that_are_not_numbers_or_out_of_range(london_box):
    data = csv_bytes("name,latitude,longitude\nA,north,-0.1\nB,51.5,-0.12\nC,95,-0.1\n")
    result = read_upload("places.csv", data, london=london_box)
    assert result.features["source_row"].tolist() == [3]
    assert messages(result) == [
        "Row 2: latitude or longitude is not a number (dropped).",
        "Row 4: latitude not between -90 and 90 or longitude not between -180 and 180 (dropped).",
    ]


def test_latitude_columns_holding_grid_values_are_read_as_easting_northing(london_box):
    data = csv_bytes("name,lat,lon\nA,180430,530000\n")
    result = read_upload("places.csv", data, london=london_box)
    assert result.ok and result.crs == BNG
    assert messages(result) == [
        "The latitude and longitude columns hold British National Grid values (metres): read "
        "as easting and northing."
    ]


def test_x_y_columns_ask_for_a_crs_and_suggest_one_from_their_values(london_box):
    data = csv_bytes("name,x,y\nA,530000,180430\nB,531280,175640\n")
    result = read_upload("places.csv", data, london=london_box)
    assert not result.ok and result.needs_crs and result.crs_suggestion == BNG
    assert messages(result) == [
        "The columns x and y do not say which coordinate system they use: choose one."
    ]
    again = read_upload("places.csv", data, london=london_box, crs=BNG)
    assert again.ok and again.crs == BNG and again.problems == []
    degrees = read_upload("p.csv", csv_bytes("X,Y\n-0.12,51.5\n"), london=london_box)
    assert degrees.needs_crs and degrees.crs_suggestion == WGS84


def test_a_wkt_column_asks_for_a_crs_unless_it_names_an_srid(london_box):
    data = csv_bytes(
        'name,WKT\nA,"POINT (530000 180430)"\n'
        'B,"POLYGON ((530000 180000, 530100 180000, 530100 180100, 530000 180000))"\n'
    )
    result = read_upload("shapes.csv", data, london=london_box)
    assert result.needs_crs and result.crs_suggestion == BNG
    assert messages(result) == [
        "The WKT column does not say which coordinate system it uses: choose one."
    ]
    again = read_upload("shapes.csv", data, london=london_box, crs=BNG)
    assert again.ok and len(again.features) == 2
    assert messages(again) == [
        "Mixed geometry types (1 point, 1 polygon): row 3 is not a point. Each feature is "
        "counted in every policy area it touches, and in the borough its centre is in."
    ]
    ewkt = csv_bytes('name,shape_text\nA,"SRID=4326;POINT(-0.128 51.508)"\nB,"POINT(oops"\n')
    result = read_upload("ewkt.csv", ewkt, london=london_box)
    assert result.ok and result.crs == WGS84
    assert messages(result) == ["Row 3: shape_text: not valid WKT (dropped)."]


def test_invalid_and_empty_wkt_geometries(london_box):
    data = csv_bytes(
        "name,wkt\n"
        'bowtie,"SRID=27700;POLYGON ((530000 180000, 530100 180100, 530100 180000, '
        '530000 180100, 530000 180000))"\n'
        'empty,"SRID=27700;POLYGON EMPTY"\n'
        'square,"SRID=27700;POLYGON ((530000 180000, 530100 180000, 530100 180100, '
        '530000 180000))"\n'
    )
    result = read_upload("shapes.csv", data, london=london_box)
    assert result.features["source_row"].tolist() == [2, 4]
    assert messages(result) == [
        "Row 3: empty geometry (dropped).",
        "Row 2: invalid geometry (self-intersection), repaired.",
    ]
    assert result.features.geometry.is_valid.all()


def test_no_location_columns():
    result = read_upload("people.csv", csv_bytes("name,age\nA,3\n"))
    assert messages(result) == [
        "No location columns found: the CSV needs a postcode column, latitude and longitude, "
        "easting and northing, or a WKT geometry column. Its columns are: name, age."
    ]


def test_rows_with_too_many_values_and_header_only_files(london_box):
    data = csv_bytes("name,lat,lon\nA,51.5,-0.12\nB,51.5,-0.12,extra\n")
    result = read_upload("places.csv", data, london=london_box)
    assert result.features["source_row"].tolist() == [2]
    assert messages(result) == ["Row 3: more values than the header's 3 columns (dropped)."]
    empty = read_upload("empty.csv", csv_bytes("name,lat,lon\n"))
    assert messages(empty) == ["The CSV has a header but no rows."]


def test_a_csv_that_is_not_utf8_is_read_as_windows_1252(london_box):
    data = "name,lat,lon\nCafé,51.5,-0.12\n".encode("cp1252")
    result = read_upload("places.csv", data, london=london_box)
    assert result.features["name"].tolist() == ["Café"]
    assert messages(result) == [
        "The file is not UTF-8 (first at line 2): read as Windows-1252. Check accented letters."
    ]
