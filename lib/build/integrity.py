"""Before the build reads anything: is every input whole and unaltered?

A truncated download or a file edited by hand can still parse (half of Pubs.csv is a valid
CSV), so the build would go on and publish smaller figures without a word. Two checks, each
naming the file:
- where the source folder has a `SHA256SUMS` (as ../shared/geodata does), every input it
  lists must match its checksum (a missing one is reported by the build itself, with its
  publisher; files the build does not read are not checked);
- every catalogued input (lib/vocab/sources.py) must have the number of records its vintage
  has (`EXPECTED_ROWS`): that holds for a folder of the publishers' own downloads too.
"""

from __future__ import annotations

import csv
import hashlib
import json
import struct
from dataclasses import dataclass
from pathlib import Path

from lib.vocab.sources import SOURCES

CHECKSUMS = "SHA256SUMS"

# Records in each input of the catalogue's vintages (data rows, not the header; features of a
# GeoJSON; records of a shapefile's .dbf), keyed by path under the source folder. The counts
# are those of MANIFEST.md where it gives one. (To move into the catalogue, Source.rows, once
# lib/vocab settles.)
EXPECTED_ROWS: dict[str, int] = {
    "boundaries/London_Borough_Excluding_MHW.geojson": 33,
    "boundaries/LSOA_2011_London_gen_MHW.shp": 4835,
    "boundaries/LSOA11_to_WD17_lookup_England_Wales.csv": 34753,
    "deprivation/IMD2019_London_LSOA.csv": 4835,
    "facilities/cim_2022/Arts_centres.csv": 26,
    "facilities/cim_2022/Cinemas.csv": 116,
    "facilities/cim_2022/Commercial_galleries.csv": 306,
    "facilities/cim_2022/Community_centres.csv": 903,
    "facilities/cim_2022/Dance_performance_venues.csv": 189,
    "facilities/cim_2022/LGBT_night_time_venues.csv": 75,
    "facilities/cim_2022/Libraries.csv": 342,
    "facilities/cim_2022/Museums_and_public_galleries.csv": 163,
    "facilities/cim_2022/Music_venues_all.csv": 797,
    "facilities/cim_2022/Music_venues_grassroots.csv": 100,
    "facilities/cim_2022/Outdoor_spaces_for_cultural_use.csv": 17,
    "facilities/cim_2022/Pubs.csv": 4098,
    "facilities/cim_2022/Skate_Parks.csv": 50,
    "facilities/cim_2022/Theatres.csv": 264,
    "facilities/osm_places_of_worship_london_2020-12-18.geojson": 3177,
    "london_plan/town_centres.geojson": 234,
    "london_plan/central_activities_zone.geojson": 10,
    "london_plan/opportunity_areas.geojson": 28,
    "london_plan/strategic_industrial_locations.geojson": 110,
    "london_plan/creative_enterprise_zones.geojson": 5,
    "london_plan/areas_of_intensification_2015.geojson": 7,
    "lost/libraries_england_2016.csv": 3238,
    "lost/epraccur_2019-12.csv": 14357,  # no header row
    "lost/mapping_museums_uk.csv": 4141,
    "lost/ons_pubs_and_bars_london_boroughs_2001_2018.csv": 1836,
}
NO_HEADER = {"lost/epraccur_2019-12.csv"}


class IntegrityError(Exception):
    """An input is truncated or altered; the message names the file."""


@dataclass(frozen=True)
class Checked:
    checksums: int  # files that matched SHA256SUMS
    counted: int  # files whose records were counted and matched

    def note(self) -> str:
        parts = [
            f"{self.checksums} files match {CHECKSUMS}"
            if self.checksums
            else f"no {CHECKSUMS} in the source folder"
        ]
        parts.append(f"{self.counted} inputs have the catalogued number of records")
        return "; ".join(parts)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_checksums(path: Path) -> dict[str, str]:
    """`sha256sum` output: "<hex>  ./dir/file" (or "*file" in binary mode) -> {dir/file: hex}."""
    sums: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        digest, _, name = line.partition(" ")
        name = name.strip().lstrip("*")
        if len(digest) != 64 or not name:
            raise IntegrityError(f"{path}, line {number}: not a sha256sum line ({line[:80]!r})")
        sums[name.removeprefix("./")] = digest.lower()
    return sums


def count_records(path: Path, header: bool = True) -> int:
    """Data records of a CSV (quoted line breaks allowed), features of a GeoJSON, records of
    a shapefile (its .dbf header says how many)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
            rows = sum(1 for row in csv.reader(handle) if row)
        return rows - 1 if header and rows else rows
    if suffix in {".geojson", ".json"}:
        with open(path, encoding="utf-8") as handle:
            return len(json.load(handle).get("features", []))
    if suffix == ".shp":
        with open(path.with_suffix(".dbf"), "rb") as handle:
            head = handle.read(8)
        if len(head) < 8:
            raise IntegrityError(f"{path.with_suffix('.dbf')} is truncated: no dBase header")
        return struct.unpack("<I", head[4:8])[0]
    raise ValueError(f"no record count for {path.suffix} files")


def is_input(name: str) -> bool:
    """Whether the build reads `name` (a path under the source folder): a catalogued file, a
    file in a catalogued folder, or a shapefile's companion (.dbf, .shx, .prj). Other files
    listed in SHA256SUMS (MANIFEST.md, inputs of later issues) are not the build's concern."""
    for source in SOURCES.values():
        if name == source.path or name.startswith(source.path.rstrip("/") + "/"):
            return True
        if source.path.endswith(".shp") and name.rsplit(".", 1)[0] == source.path[:-4]:
            return True
    return False


def check_inputs(source_dir: Path, expected_rows: dict[str, int] | None = None) -> Checked:
    """Raise IntegrityError naming the first input that is truncated or altered."""
    source_dir = Path(source_dir)
    expected_rows = EXPECTED_ROWS if expected_rows is None else expected_rows
    matched = 0
    sums_path = source_dir / CHECKSUMS
    if sums_path.is_file():
        for name, digest in read_checksums(sums_path).items():
            path = source_dir / name
            if not is_input(name) or not path.is_file():
                continue  # the build says which input is missing, and where to get it
            if sha256(path) != digest:
                raise IntegrityError(
                    f"Altered or truncated input {path}: its SHA-256 does not match "
                    f"{sums_path}. Copy the file again from the shared folder or its publisher "
                    "(MANIFEST.md)."
                )
            matched += 1
    counted = 0
    for name, rows in expected_rows.items():
        path = source_dir / name
        if not path.is_file():
            continue
        try:
            found = count_records(path, header=name not in NO_HEADER)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise IntegrityError(
                f"Malformed input {path}: cannot count its records ({exc})"
            ) from exc
        if found != rows:
            raise IntegrityError(
                f"Truncated or altered input {path}: {found:,} records where the catalogued "
                f"vintage has {rows:,}. Copy the file again from the shared folder or its "
                "publisher (MANIFEST.md)."
            )
        counted += 1
    return Checked(matched, counted)
