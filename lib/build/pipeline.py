"""Build geodata/london.gpkg from the raw inputs.

    python -m lib.build --source DIR --out geodata/london.gpkg

Deterministic: the same inputs give the same rows in the same order. Every step records what it
read, kept, repaired and dropped in the `build_report` layer. A missing or malformed input stops
the build with a message naming the file; the output is written to a temporary file and only
renamed into place when every layer is written.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from lib.build import geopackage, integrity, summary
from lib.build.areas import build_boroughs, build_lsoas, build_wards
from lib.build.inputs import InputError, Report, read_postcodes
from lib.build.policy_areas import build_policy_areas
from lib.build.pubs import build_pubs
from lib.build.sites import build_sites
from lib.build.voluntary import (
    build_grants_by_year,
    build_voluntary_points,
    build_voluntary_wards,
    read_grants,
)


def build(source_dir: Path, out: Path) -> pd.DataFrame:
    source_dir = Path(source_dir)
    if not source_dir.is_dir():
        raise InputError(
            f"Source folder {source_dir} does not exist: set --source or "
            "GEODATA_SOURCE to the folder holding the raw inputs (see MANIFEST.md)"
        )
    report = Report()
    try:  # a truncated or altered input stops the build, named (lib/build/integrity.py)
        checked = integrity.check_inputs(source_dir)
    except integrity.IntegrityError as exc:
        raise InputError(str(exc)) from None
    report.add("inputs", "all", checked.counted, checked.counted, note=checked.note())
    lsoas = build_lsoas(source_dir, report)
    wards = build_wards(source_dir, lsoas, report)
    boroughs = build_boroughs(source_dir, lsoas, report)
    policy_areas = build_policy_areas(source_dir, lsoas, report)
    postcodes = read_postcodes(source_dir)
    sites, events, records = build_sites(source_dir, lsoas, policy_areas, postcodes, report)
    voluntary_points = build_voluntary_points(source_dir, lsoas, report)
    grants = read_grants(source_dir, report)
    voluntary_wards = build_voluntary_wards(source_dir, grants, wards, report)
    grants_by_year = build_grants_by_year(grants)
    pubs = build_pubs(source_dir, boroughs, report)

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(suffix=".gpkg", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()
    try:
        for name, layer in [
            ("boroughs", boroughs),
            ("wards", wards),
            ("lsoas", lsoas),
            ("policy_areas", policy_areas),
            ("sites", sites),
            ("records", records),
            ("voluntary_points", voluntary_points),
        ]:
            geopackage.write_layer(tmp, name, layer)
        for name, table in [
            ("voluntary_wards", voluntary_wards),
            ("grants_by_year", grants_by_year),
            ("pubs_by_borough", pubs),
            ("events", events),
            ("postcodes", postcodes.reset_index()),
            ("build_report", report.frame()),
        ]:
            geopackage.write_layer(tmp, name, pd.DataFrame(table))
        geopackage.describe_columns(tmp)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return report.frame()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--source",
        default=os.environ.get("GEODATA_SOURCE"),
        help="folder of raw inputs (default: $GEODATA_SOURCE)",
    )
    parser.add_argument("--out", default="geodata/london.gpkg")
    args = parser.parse_args(argv)
    if not args.source:
        parser.error(
            "no --source given and GEODATA_SOURCE is not set "
            "(export GEODATA_SOURCE=/path/to/shared/geodata)"
        )
    started = time.perf_counter()
    try:
        report = build(Path(args.source), Path(args.out))
    except InputError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 2
    print(summary.write(report, Path(args.out), time.perf_counter() - started))
    return 0


if __name__ == "__main__":
    sys.exit(main())
