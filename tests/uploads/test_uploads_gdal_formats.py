"""GeoPackage and zipped shapefile uploads (read with pyogrio from a temporary folder)."""

from __future__ import annotations

import tempfile

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from lib.uploads import BNG, read_upload
from lib.uploads.gdal import SAFE_GDAL_OPTIONS, GdalRead
from tests.uploads.files import gpkg_bytes, points_frame, shapefile_parts, zip_bytes


def messages(result, level=None):
    return [p.message for p in result.problems if level is None or p.level == level]


def test_a_geopackage_layer_is_read(tmp_path, london_box):
    data = gpkg_bytes(tmp_path, {"places": points_frame(BNG)})
    result = read_upload("places.gpkg", data, london=london_box)
    assert result.ok and result.problems == []
    assert result.format == "gpkg" and result.crs == BNG and result.layer == "places"
    assert result.features["name"].tolist() == ["Trafalgar", "Brixton", "Stratford"]
    assert result.features["source_row"].tolist() == [1, 2, 3]


def test_a_geopackage_with_several_layers_asks_which(tmp_path, london_box):
    data = gpkg_bytes(
        tmp_path,
        {
            "places": points_frame(BNG),
            "more": points_frame("EPSG:4326").head(1),
            "notes": pd.DataFrame({"text": ["a table"]}),
        },
    )
    result = read_upload("two.gpkg", data, london=london_box)
    assert not result.ok and result.needs_layer
    assert set(result.layers) == {"places", "more"}
    assert messages(result) == ["The file has 2 layers: choose one."]
    chosen = read_upload("two.gpkg", data, london=london_box, layer="more")
    assert chosen.ok and len(chosen.features) == 1 and chosen.crs == "EPSG:4326"
    wrong = read_upload("two.gpkg", data, layer="notes")
    assert messages(wrong) == ["There is no layer 'notes': choose one of places, more."]


def test_a_geopackage_with_no_spatial_layer(tmp_path):
    data = gpkg_bytes(tmp_path, {"tbl": pd.DataFrame({"x": [1, 2]})})
    result = read_upload("table.gpkg", data)
    assert not result.ok
    assert messages(result) == ["table.gpkg has no spatial layer (tables: tbl): nothing to map."]


@pytest.mark.filterwarnings("ignore:.crs. was not provided")
def test_a_geopackage_without_a_crs_is_asked_about(tmp_path, london_box):
    frame = gpd.GeoDataFrame({"n": [1]}, geometry=[shapely.Point(530000, 180430)])
    data = gpkg_bytes(tmp_path, {"nocrs": frame})
    result = read_upload("nocrs.gpkg", data)
    assert result.needs_crs and result.crs_suggestion == BNG
    assert messages(result) == [
        "The GeoPackage has no coordinate system, so which coordinate system it uses is not "
        "known: choose one."
    ]
    assert read_upload("nocrs.gpkg", data, crs=BNG, london=london_box).ok


def test_a_broken_geopackage_is_a_message_not_a_crash(tmp_path):
    data = gpkg_bytes(tmp_path, {"places": points_frame(BNG)})
    result = read_upload("broken.gpkg", data[:2048])
    assert not result.ok
    assert messages(result) == [
        "broken.gpkg could not be read as a GeoPackage: it may be damaged or incomplete "
        "(database disk image is malformed)."
    ]


def test_a_sqlite_file_that_is_not_a_geopackage(tmp_path):
    import sqlite3

    path = tmp_path / "plain.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("create table t (x)")
    result = read_upload("plain.gpkg", path.read_bytes())
    assert messages(result) == [
        "plain.gpkg is an SQLite database but not a GeoPackage: upload a CSV, GeoJSON or "
        "GeoPackage file, or a zipped shapefile."
    ]


def test_a_zipped_shapefile_is_read(tmp_path, london_box):
    parts = shapefile_parts(tmp_path, points_frame(BNG))
    result = read_upload(
        "places.zip", zip_bytes({f"places/{k}": v for k, v in parts.items()}), london=london_box
    )
    assert result.ok and result.problems == []
    assert result.format == "shapefile" and result.crs == BNG and result.layer == "places"
    assert result.features["name"].tolist() == ["Trafalgar", "Brixton", "Stratford"]


def test_a_shapefile_without_prj_is_asked_about(tmp_path, london_box):
    parts = shapefile_parts(tmp_path, points_frame(BNG))
    del parts["places.prj"]
    data = zip_bytes(parts)
    result = read_upload("noprj.zip", data, london=london_box)
    assert result.needs_crs and result.crs_suggestion == BNG
    assert messages(result) == [
        "The zipped shapefile has no .prj file, so which coordinate system it uses is not "
        "known: choose one."
    ]
    assert read_upload("noprj.zip", data, crs=BNG, london=london_box).ok


def test_a_non_utf8_dbf_without_cpg_is_read_as_windows_1252(tmp_path, london_box):
    frame = points_frame(BNG, names=["Café Nero", "Brixton", "Stratford – East"])
    parts = shapefile_parts(tmp_path, frame, encoding="cp1252")
    del parts["places.cpg"]
    result = read_upload("cp1252.zip", zip_bytes(parts), london=london_box)
    assert result.features["name"].tolist() == ["Café Nero", "Brixton", "Stratford – East"]
    assert messages(result) == [
        "The shapefile's attribute table (.dbf) is not UTF-8 and no .cpg file names its "
        "encoding: read as Windows-1252. Check the text of features 1, 3."
    ]


def test_a_dbf_whose_cpg_wrongly_says_utf8(tmp_path, london_box):
    parts = shapefile_parts(
        tmp_path, points_frame(BNG, names=["Café", "B", "C"]), encoding="cp1252"
    )
    parts["places.cpg"] = b"UTF-8"
    result = read_upload("wrongcpg.zip", zip_bytes(parts), london=london_box)
    assert result.features["name"].tolist() == ["Café", "B", "C"]
    assert messages(result) == [
        "The shapefile's attribute table (.dbf) is not UTF-8 and its .cpg file says UTF-8: "
        "read as Windows-1252. Check the text of feature 1."
    ]


def test_a_zip_with_two_shapefiles_asks_which(tmp_path, london_box):
    parts = shapefile_parts(tmp_path, points_frame(BNG), name="a")
    parts |= shapefile_parts(tmp_path, points_frame(BNG).head(1), name="b")
    result = read_upload("two.zip", zip_bytes(parts), london=london_box)
    assert result.needs_layer and result.layers == ("a", "b")
    chosen = read_upload("two.zip", zip_bytes(parts), london=london_box, layer="b")
    assert chosen.ok and len(chosen.features) == 1


def test_a_shapefile_missing_its_dbf(tmp_path):
    parts = shapefile_parts(tmp_path, points_frame(BNG))
    del parts["places.dbf"]
    result = read_upload("nodbf.zip", zip_bytes(parts))
    assert messages(result) == [
        "nodbf.zip holds no shapefile (a .shp with its .shx and .dbf). places.shp has no .dbf "
        "beside it."
    ]


def test_mixed_and_invalid_geometries_in_a_geopackage(tmp_path, london_box):
    bowtie = shapely.Polygon(
        [(530000, 180000), (530100, 180100), (530100, 180000), (530000, 180100)]
    )
    frame = gpd.GeoDataFrame(
        {"n": [1, 2, 3, 4]},
        geometry=[
            shapely.Point(530000, 180430),
            bowtie,
            shapely.Point(),
            shapely.Point(531000, 181000),
        ],
        crs=BNG,
    )
    result = read_upload("mixed.gpkg", gpkg_bytes(tmp_path, {"mixed": frame}), london=london_box)
    assert result.features["source_row"].tolist() == [1, 2, 4]
    assert messages(result) == [
        "Feature 3: empty geometry (dropped).",
        "Feature 2: invalid geometry (self-intersection), repaired.",
        "Mixed geometry types (2 points, 1 polygon): feature 2 is not a point. Each feature is "
        "counted in every policy area it touches, and in the borough its centre is in.",
    ]


def test_the_temporary_folder_is_removed_after_good_and_bad_reads(
    tmp_path, monkeypatch, london_box
):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    good = gpkg_bytes(tmp_path, {"places": points_frame(BNG)})
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    assert read_upload("places.gpkg", good, london=london_box).ok
    assert not read_upload("broken.gpkg", good[:2048]).ok
    parts = shapefile_parts(tmp_path, points_frame(BNG))
    assert read_upload("places.zip", zip_bytes(parts), london=london_box).ok
    assert list(scratch.iterdir()) == []


def test_gdal_reads_with_network_and_other_file_access_off(tmp_path, monkeypatch, london_box):
    seen = {}
    original = GdalRead.read

    def spy(self, *args, **kwargs):
        seen.update({key: pyogrio.get_gdal_config_option(key) for key in SAFE_GDAL_OPTIONS})
        seen["source"] = self.source
        return original(self, *args, **kwargs)

    monkeypatch.setattr(GdalRead, "read", spy)
    before = {key: pyogrio.get_gdal_config_option(key) for key in SAFE_GDAL_OPTIONS}
    assert read_upload(
        "places.gpkg", gpkg_bytes(tmp_path, {"places": points_frame(BNG)}), london=london_box
    ).ok
    assert seen["source"].startswith("GPKG:")  # no other driver may open it
    assert seen["OGR_SQLITE_ALLOW_EXTERNAL_ACCESS"] in ("NO", False)
    assert seen["GDAL_ALLOW_REMOTE_RESOURCE_TO_ACCESS_LOCAL_FILE"] in ("NO", False)
    assert (
        seen["CPL_VSIL_CURL_ALLOWED_FILENAME"]
        == SAFE_GDAL_OPTIONS["CPL_VSIL_CURL_ALLOWED_FILENAME"]
    )
    after = {key: pyogrio.get_gdal_config_option(key) for key in SAFE_GDAL_OPTIONS}
    assert after == before


@pytest.mark.parametrize("crs", ["EPSG:3857", "+proj=longlat", "/etc/passwd"])
def test_only_the_offered_crs_choices_are_accepted(crs):
    with pytest.raises(ValueError, match="crs must be one of"):
        read_upload("x.csv", b"x,y\n1,2\n", crs=crs)


def test_a_users_own_source_row_column_is_kept_apart(tmp_path, london_box):
    frame = points_frame(BNG).assign(source_row=["a", "b", "c"])
    result = read_upload("own.gpkg", gpkg_bytes(tmp_path, {"own": frame}), london=london_box)
    assert result.features["source_row"].tolist() == [1, 2, 3]
    assert result.features["source_row_original"].tolist() == ["a", "b", "c"]
    data = b"source_row,lat,lon\nx,51.5,-0.12\n"
    csv_result = read_upload("own.csv", data, london=london_box)
    assert csv_result.features[["source_row", "source_row_original"]].values.tolist() == [[2, "x"]]
