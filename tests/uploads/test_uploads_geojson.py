"""GeoJSON uploads, read feature by feature in Python: bad features named by number."""

from __future__ import annotations

import json

from lib.uploads import BNG, WGS84, read_upload
from tests.uploads.files import BRIXTON, PARIS, TRAFALGAR, feature, geojson_bytes


def messages(result, level=None):
    return [p.message for p in result.problems if level is None or p.level == level]


def point(xy):
    return {"type": "Point", "coordinates": list(xy)}


def test_rfc7946_geojson_is_longitude_latitude(london_box):
    data = geojson_bytes(
        [
            feature(point(TRAFALGAR), name="Trafalgar", tags={"a": 1}),
            feature(point(BRIXTON), name="Brixton", tags=None),
        ]
    )
    result = read_upload("places.geojson", data, london=london_box)
    assert result.ok and result.problems == [] and result.crs == WGS84
    assert result.features["source_row"].tolist() == [1, 2]
    assert result.features["tags"].tolist()[0] == '{"a": 1}'
    assert result.features.crs.to_epsg() == 27700


def test_a_named_crs_is_honoured():
    data = geojson_bytes(
        [feature(point((530000, 180430)))],
        {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
    )
    result = read_upload("bng.geojson", data)
    assert result.ok and result.crs == BNG
    assert result.features.geometry.x[0] == 530000


def test_grid_coordinates_without_a_crs_are_asked_about():
    data = geojson_bytes([feature(point((530000, 180430)))])
    result = read_upload("bng.geojson", data)
    assert not result.ok and result.needs_crs and result.crs_suggestion == BNG
    assert messages(result) == [
        "The GeoJSON does not say which coordinate system it uses (it has no crs member), and "
        "its coordinates are not longitude and latitude: choose one."
    ]
    assert read_upload("bng.geojson", data, crs=BNG).ok


def test_a_crs_link_is_not_followed():
    data = geojson_bytes(
        [feature(point((530000, 180430)))],
        {"type": "link", "properties": {"href": "file:///etc/passwd"}},
    )
    result = read_upload("link.geojson", data)
    assert result.needs_crs
    assert messages(result) == [
        "The GeoJSON does not say which coordinate system it uses (its crs member is a link "
        "or not a name, and is not followed): choose one."
    ]


def test_missing_empty_invalid_and_malformed_geometries(london_box):
    bowtie = {
        "type": "Polygon",
        "coordinates": [
            [[-0.13, 51.50], [-0.12, 51.51], [-0.12, 51.50], [-0.13, 51.51], [-0.13, 51.50]]
        ],
    }
    data = geojson_bytes(
        [
            feature(point(TRAFALGAR), name="ok"),
            feature(None, name="no geometry"),
            feature({"type": "Point", "coordinates": []}, name="empty"),
            feature({"type": "Point", "coordinates": "abc"}, name="malformed"),
            feature(bowtie, name="bowtie"),
            feature({"type": "GeometryCollection", "geometries": [point(BRIXTON)]}, name="gc"),
            "not a feature",
            feature({"type": "Point", "coordinates": [float("nan"), 51.5]}, name="nan"),
        ]
    )
    result = read_upload("bad.geojson", data, london=london_box)
    assert result.features["source_row"].tolist() == [1, 5]
    assert messages(result) == [
        "Features 4, 7: not a valid GeoJSON feature or geometry (dropped).",
        "Feature 2: no geometry (dropped).",
        "Feature 3: empty geometry (dropped).",
        "Feature 8: coordinates are not numbers (dropped).",
        "Feature 6: a geometry collection: split it into points, lines or polygons (dropped).",
        "Feature 5: invalid geometry (self-intersection), repaired.",
        "Mixed geometry types (1 point, 1 polygon): feature 5 is not a point. Each feature is "
        "counted in every policy area it touches, and in the borough its centre is in.",
    ]


def test_mixed_geometry_types_are_kept_and_reported(london_box):
    line = {"type": "LineString", "coordinates": [list(TRAFALGAR), list(BRIXTON)]}
    data = geojson_bytes(
        [
            feature(point(TRAFALGAR)),
            feature(line),
            feature(point(BRIXTON)),
            feature(line),
            feature(point(PARIS)),
        ]
    )
    result = read_upload("mixed.geojson", data, london=london_box)
    assert result.features["source_row"].tolist() == [1, 2, 3, 4]
    assert messages(result) == [
        "Mixed geometry types (3 points, 2 lines): features 2, 4 are not points. Each feature "
        "is counted in every policy area it touches, and in the borough its centre is in.",
        "Feature 5: outside London (dropped).",
    ]


def test_files_that_are_not_geojson():
    assert messages(read_upload("x.geojson", b'{"type": "Feature"')) == [
        "The GeoJSON is not valid JSON: Expecting ',' delimiter at line 1, column 19."
    ]
    assert messages(read_upload("x.json", json.dumps({"a": 1}).encode())) == [
        "The file is JSON but not GeoJSON: it needs a FeatureCollection, a Feature or a geometry."
    ]
    assert messages(read_upload("x.geojson", geojson_bytes([]))) == ["The GeoJSON has no features."]
    assert messages(
        read_upload(
            "x.geojson",
            b'{"type": "FeatureCollection", "features": '
            b'[{"type": "Feature", "geometry": {"type": '
            b'"Point", "coordinates": [0, 0]}, "properties": '
            b'{"n": "\xe9"}}]}',
        )
    ) == ["The GeoJSON is not UTF-8, as GeoJSON must be: save it again as UTF-8."]


def test_an_unknown_named_crs_and_deep_nesting_are_messages():
    data = geojson_bytes(
        [feature(point((1, 2)))], {"type": "name", "properties": {"name": "EPSG:999999"}}
    )
    assert messages(read_upload("x.geojson", data)) == [
        "The GeoJSON's coordinate system (EPSG:999999) is not known."
    ]
    deep = b'{"type": "Feature", "geometry": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    assert messages(read_upload("deep.geojson", deep)) == [
        "The GeoJSON is nested too deeply to read."
    ]
