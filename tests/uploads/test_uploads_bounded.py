"""Uploads that would run for ever or without limit of memory: read in a child process with a
time and memory budget, and bounded in features and vertices (issue 16, items 1 and 9)."""

from __future__ import annotations

import threading

import numpy as np

from lib.uploads import read_upload, read_upload_bounded
from lib.uploads.model import MAX_FEATURE_VERTICES, MAX_FEATURES
from tests.uploads.files import (
    ENDLESS_VIEW,
    TRAFALGAR,
    feature,
    geojson_bytes,
    gpkg_bytes,
    gpkg_view_bytes,
    points_frame,
    self_crossing_polygon,
)

# Far beyond what any read of these small files needs: reaching it means the read hung.
HANG = 120


def bounded_in_thread(*args, **kwargs):
    """read_upload_bounded, run where a hang cannot hang the test itself."""
    out = {}
    thread = threading.Thread(
        target=lambda: out.setdefault("result", read_upload_bounded(*args, **kwargs)), daemon=True
    )
    thread.start()
    thread.join(HANG)
    assert not thread.is_alive(), "the read never returned"
    return out["result"]


def test_an_endless_view_is_stopped_and_the_next_upload_still_reads(tmp_path, london_box):
    endless = gpkg_view_bytes(tmp_path, ENDLESS_VIEW)
    stopped = bounded_in_thread("endless.gpkg", endless, seconds=3, london=london_box)
    assert not stopped.ok
    assert "took longer than 3 seconds to read, so it was stopped" in stopped.errors[0].message
    # The app's process held no GDAL lock meanwhile: a GeoPackage read in it still works.
    good = gpkg_bytes(tmp_path, {"places": points_frame("EPSG:27700")})
    assert read_upload("good.gpkg", good, london=london_box).ok
    assert len(bounded_in_thread("good.gpkg", good, london=london_box).features) == 3


def test_a_view_of_millions_of_features_is_refused_without_reading_them(tmp_path, london_box):
    millions = gpkg_view_bytes(tmp_path, ENDLESS_VIEW + " LIMIT 3000000", "millions")
    result = bounded_in_thread("millions.gpkg", millions, london=london_box)
    assert not result.ok
    assert f"more than {MAX_FEATURES:,} features" in result.errors[0].message


def test_a_finite_view_reads_like_a_table(tmp_path, london_box):
    five = gpkg_view_bytes(tmp_path, ENDLESS_VIEW + " LIMIT 5", "five")
    result = bounded_in_thread("five.gpkg", five, london=london_box)
    assert result.ok and len(result.features) == 5


def test_a_read_past_its_memory_budget_is_refused(london_box):
    # 150,000 points in a 15 MB GeoJSON text: well over 16 MB of memory to parse.
    points = [feature({"type": "Point", "coordinates": TRAFALGAR}) for _ in range(150_000)]
    data = geojson_bytes(points)
    result = bounded_in_thread("many.geojson", data, memory_bytes=16 * 1024 * 1024)
    assert not result.ok
    message = result.errors[0].message
    assert "needs more memory to read than the 16 MB" in message or "too large to read" in message


def test_a_polygon_that_crosses_itself_thousands_of_times_is_stopped(london_box):
    # Repairing it would take far longer than any budget (the study's 12 MB ring: 15 minutes).
    data = geojson_bytes([feature(self_crossing_polygon(3000), name="knot")])
    result = bounded_in_thread("knot.geojson", data, seconds=3, london=london_box)
    assert not result.ok
    assert "took longer than 3 seconds" in result.errors[0].message


def test_a_feature_with_too_many_vertices_is_dropped_and_named(london_box):
    ring = np.column_stack(
        [
            TRAFALGAR[0] + 0.01 * np.cos(np.linspace(0, 2 * np.pi, MAX_FEATURE_VERTICES + 1)),
            TRAFALGAR[1] + 0.01 * np.sin(np.linspace(0, 2 * np.pi, MAX_FEATURE_VERTICES + 1)),
        ]
    ).tolist()
    ring[-1] = ring[0]
    data = geojson_bytes(
        [
            feature({"type": "Polygon", "coordinates": [ring]}, name="huge"),
            feature({"type": "Point", "coordinates": TRAFALGAR}, name="small"),
        ]
    )
    result = read_upload("two.geojson", data, london=london_box)
    assert result.ok and result.features["name"].tolist() == ["small"]
    assert any(
        p.rows == (1,) and f"more than {MAX_FEATURE_VERTICES:,} vertices" in p.message
        for p in result.errors
    )
