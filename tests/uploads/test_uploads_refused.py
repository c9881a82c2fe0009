"""Files refused before anything reads them: each bad file and the exact message it gets."""

from __future__ import annotations

import io
import stat
import zipfile

import pytest

from lib.uploads import BNG, read_upload
from lib.uploads.model import max_upload_bytes
from tests.uploads.files import (
    KML,
    VRT,
    points_frame,
    shapefile_parts,
    zip_bomb_bytes,
    zip_bytes,
)

ACCEPTED = "upload a CSV, GeoJSON or GeoPackage file, or a zipped shapefile."


def only_message(result) -> str:
    assert not result.ok and result.features is None
    assert len(result.problems) == 1, result.problems
    return result.problems[0].message


def test_an_oversized_file():
    data = b"name,lat,lon\n" + b"x,51.5,-0.12\n" * 2000
    assert only_message(read_upload("big.csv", data, max_bytes=10_000)) == (
        "big.csv is 25.4 KB; the largest file accepted is 9.8 KB."
    )


def test_the_limit_is_configurable_and_defaults_to_25_mb(monkeypatch):
    monkeypatch.delenv("JOINED_UP_UPLOAD_MAX_MB", raising=False)
    assert max_upload_bytes() == 25 * 1024 * 1024
    monkeypatch.setenv("JOINED_UP_UPLOAD_MAX_MB", "0.01")
    assert max_upload_bytes() == 10485
    assert only_message(read_upload("big.csv", b"a,b\n" + b"1,2\n" * 5000)) == (
        "big.csv is 19.5 KB; the largest file accepted is 10.2 KB."
    )
    for bad in ("lots", "-3", "0"):
        monkeypatch.setenv("JOINED_UP_UPLOAD_MAX_MB", bad)
        assert max_upload_bytes() == 25 * 1024 * 1024


def test_a_zip_with_too_many_entries():
    data = zip_bytes({f"f{i}.txt": b"x" for i in range(101)})
    assert only_message(read_upload("many.zip", data)) == (
        "many.zip has 101 entries; at most 100 are accepted."
    )


@pytest.mark.parametrize(
    "entry", ["../evil.shp", "/etc/evil.shp", "a/../../evil.shp", "C:/evil.shp", "..\\evil.shp"]
)
def test_a_zip_entry_outside_its_folder(entry, tmp_path):
    parts = shapefile_parts(tmp_path, points_frame(BNG), name="evil")
    data = zip_bytes(
        {entry: parts["evil.shp"], "evil.shx": parts["evil.shx"], "evil.dbf": parts["evil.dbf"]}
    )
    assert only_message(read_upload("evil.zip", data)) == (
        f"evil.zip has an entry outside its folder ({entry}): the zip is not read."
    )


def test_a_nested_zip(tmp_path):
    inner = zip_bytes(shapefile_parts(tmp_path, points_frame(BNG)))
    assert only_message(read_upload("outer.zip", zip_bytes({"inner.zip": inner}))) == (
        "outer.zip holds another archive (inner.zip): upload a zip of the shapefile's own "
        "files, not a zip inside a zip."
    )


def test_a_nested_zip_under_another_name_is_found_by_its_content(tmp_path):
    parts = shapefile_parts(tmp_path, points_frame(BNG))
    parts["places.dbf"] = zip_bytes({"x.txt": b"hello"})
    assert only_message(read_upload("sneaky.zip", zip_bytes(parts))) == (
        "sneaky.zip holds another archive (places.dbf): upload a zip of the shapefile's own "
        "files, not a zip inside a zip."
    )


def test_a_zip_bomb():
    data = zip_bomb_bytes(20)
    assert len(data) < 100_000
    assert only_message(read_upload("bomb.zip", data)) == (
        "bomb.zip looks like a zip bomb: places.dbf would expand 1,029 times (at most 200 is "
        "accepted)."
    )


def test_a_zip_that_expands_past_the_limit():
    import random

    # random a's and b's compress about 7 times: not a bomb, but too much once expanded
    text = "".join(random.Random(1).choices("ab", k=400_000)).encode()
    data = zip_bytes({"places.dbf": text})
    assert len(data) < 80_000
    assert only_message(read_upload("large.zip", data, max_bytes=80_000)) == (
        "large.zip would expand to 390.6 KB; at most 312.5 KB is accepted."
    )


def test_a_zip_with_a_symbolic_link():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("places.shp")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/passwd")
    assert only_message(read_upload("link.zip", buffer.getvalue())) == (
        "link.zip has a symbolic link (places.shp): the zip is not read."
    )


def test_a_vrt_inside_a_zip():
    assert only_message(read_upload("vrt.zip", zip_bytes({"layer.vrt": VRT}))) == (
        "vrt.zip holds no shapefile (a .shp with its .shx and .dbf). layer.vrt is not read: a "
        "VRT file can point at other files."
    )


def test_a_vrt_beside_a_shapefile_is_left_out(tmp_path, london_box):
    parts = shapefile_parts(tmp_path, points_frame(BNG))
    result = read_upload("both.zip", zip_bytes(parts | {"layer.vrt": VRT}), london=london_box)
    assert result.ok
    assert [p.message for p in result.problems] == [
        "layer.vrt is not read: a VRT file can point at other files."
    ]


@pytest.mark.parametrize("name", ["layer.vrt", "layer.geojson", "layer.csv"])
def test_a_vrt_under_any_name_is_refused(name):
    assert only_message(read_upload(name, VRT)) == (
        f"{name} is a GDAL virtual format (VRT) file: a VRT can point at other files, so it is "
        "not read."
    )


def test_kml_with_a_network_link_is_refused():
    assert only_message(read_upload("places.kml", KML)) == (
        "places.kml is a KML file: KML can fetch other files through network links, so it is "
        "not read; export it as GeoJSON."
    )


def test_a_bare_shp_an_empty_file_and_binary_junk(tmp_path):
    parts = shapefile_parts(tmp_path, points_frame(BNG))
    assert only_message(read_upload("places.shp", parts["places.shp"])) == (
        "places.shp is the .shp part of a shapefile alone: zip it with its .shx, .dbf and .prj "
        "files and upload the zip."
    )
    assert only_message(read_upload("empty.csv", b"")) == "empty.csv is empty."
    assert only_message(read_upload("x.bin", b"\x00\x01\x02garbage")) == (
        f"x.bin is not a format this page reads: {ACCEPTED}"
    )
    assert only_message(read_upload("x.zip", b"PK\x03\x04broken")) == (
        "x.zip is not a readable zip (File is not a zip file)."
    )


def test_content_wins_over_the_name(tmp_path, london_box):
    parts = shapefile_parts(tmp_path, points_frame(BNG))
    result = read_upload("places.csv", zip_bytes(parts), london=london_box)
    assert result.ok and result.format == "shapefile"
    assert [p.message for p in result.problems] == [
        "places.csv is named .csv but holds a zip: read as such."
    ]
