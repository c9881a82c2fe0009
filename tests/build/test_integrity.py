"""lib/build/integrity.py: a truncated or altered input stops the build, naming the file.
Tiny source folders made here; the last test runs the check on the real inputs."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from lib.build import integrity
from lib.build.pipeline import InputError, build

PUBS = "facilities/cim_2022/Pubs.csv"
TOWNS = "london_plan/town_centres.geojson"
GP = "lost/epraccur_2019-12.csv"


def write(src: Path, name: str, text: str) -> Path:
    path = src / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def sums(src: Path, names: list[str]) -> None:
    lines = [f"{hashlib.sha256((src / n).read_bytes()).hexdigest()}  ./{n}" for n in names]
    write(src, "SHA256SUMS", "\n".join(lines) + "\n")


@pytest.fixture
def source(tmp_path) -> Path:
    """Three inputs, their checksums and the record counts of this tiny vintage."""
    src = tmp_path / "geodata"
    write(
        src,
        PUBS,
        'name,easting,northing\n"The Crown, Hackney",533000,184000\nThe Plough,'
        '531000,182000\n"The\nAnchor",530000,180000\n',
    )
    towns = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"sitename": n}, "geometry": None} for n in "ab"
        ],
    }
    write(src, TOWNS, json.dumps(towns))
    write(src, GP, "A1,One\nA2,Two\n")  # no header row
    write(src, "MANIFEST.md", "edited after the checksums were made: not an input\n")
    sums(src, [PUBS, TOWNS, GP])
    with open(src / "SHA256SUMS", "a") as handle:
        handle.write("0" * 64 + "  ./MANIFEST.md\n")
    return src


EXPECTED = {PUBS: 3, TOWNS: 2, GP: 2}


def test_whole_inputs_pass_and_say_what_was_checked(source):
    checked = integrity.check_inputs(source, EXPECTED)
    assert checked == integrity.Checked(checksums=3, counted=3)
    assert checked.note() == (
        "3 files match SHA256SUMS; 3 inputs have the catalogued number of records"
    )


def test_a_truncated_copy_fails_naming_the_file(source):
    path = source / PUBS
    path.write_text(path.read_text()[:60])  # half the file: still a readable CSV
    with pytest.raises(
        integrity.IntegrityError,
        match=r"Altered or truncated input \S*"
        r"facilities/cim_2022/Pubs.csv: its "
        r"SHA-256 does not match",
    ):
        integrity.check_inputs(source, EXPECTED)


def test_without_checksums_a_truncated_copy_fails_on_its_record_count(source):
    (source / "SHA256SUMS").unlink()
    path = source / PUBS
    path.write_text(path.read_text().split("The Plough")[0])
    with pytest.raises(integrity.IntegrityError) as error:
        integrity.check_inputs(source, EXPECTED)
    assert str(error.value).startswith(
        f"Truncated or altered input {source / PUBS}: 1 records where the catalogued vintage has 3"
    )


def test_a_geojson_missing_a_feature_fails_on_its_count(source):
    (source / "SHA256SUMS").unlink()
    (source / TOWNS).write_text(json.dumps({"type": "FeatureCollection", "features": [{}]}))
    with pytest.raises(integrity.IntegrityError, match="town_centres.geojson: 1 records"):
        integrity.check_inputs(source, EXPECTED)


def test_files_the_build_does_not_read_and_missing_files_are_left_alone(source):
    (source / GP).unlink()  # the build itself names a missing input, with its publisher
    assert integrity.check_inputs(source, EXPECTED) == integrity.Checked(2, 2)


def test_a_malformed_checksum_file_is_named(source):
    write(source, "SHA256SUMS", "not a checksum\n")
    with pytest.raises(integrity.IntegrityError, match=r"SHA256SUMS, line 1"):
        integrity.check_inputs(source, EXPECTED)


def test_the_build_stops_before_reading_anything(source, tmp_path):
    (source / PUBS).write_text("name,easting,northing\n")
    out = tmp_path / "out" / "london.gpkg"
    with pytest.raises(InputError, match=r"Pubs.csv: its SHA-256 does not match"):
        build(source, out)
    assert not out.exists()


def test_the_catalogue_counts_hold_for_the_real_inputs(geodata_source):
    checked = integrity.check_inputs(geodata_source)
    assert checked.counted == len(integrity.EXPECTED_ROWS)
    assert checked.checksums >= 40
