"""The GeoPackage describes itself, and is a version QGIS's long-term releases read."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import Point

from lib.build import geopackage, summary
from lib.vocab.schema import LAYERS

# Debian's python3-gdal (.ci/run installs it) ships GDAL's own validator; gdal-bin 3.6 is the
# GDAL of QGIS 3.28 LTR.
VALIDATOR = Path("/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py")


def test_a_column_the_schema_lacks_stops_the_build(tmp_path):
    frame = pd.DataFrame({name: [1] for name in LAYERS["pubs_by_borough"].column_names})
    geopackage.check_columns("pubs_by_borough", frame)
    with pytest.raises(geopackage.SchemaError, match="not described in lib/vocab/schema.py: x"):
        geopackage.check_columns("pubs_by_borough", frame.assign(x=1))
    with pytest.raises(geopackage.SchemaError, match="did not make: pubs"):
        geopackage.check_columns("pubs_by_borough", frame.drop(columns="pubs"))
    with pytest.raises(geopackage.SchemaError, match="layer 'other'"):
        geopackage.check_columns("other", frame)


def test_a_layer_is_written_in_the_schema_order_with_its_descriptions(tmp_path):
    path = tmp_path / "one.gpkg"
    columns = LAYERS["wards"].column_names
    frame = gpd.GeoDataFrame(
        {name: ["x"] for name in reversed(columns)} | {"population": [1]},
        geometry=[Point(530000, 180000)],
        crs="EPSG:27700",
    )
    geopackage.write_layer(path, "wards", frame)
    info = pyogrio.read_info(path, layer="wards")
    assert list(info["fields"]) == columns
    assert info["layer_metadata"]["column.ward_code"].startswith("the 2017 ward's ONS code")
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (10300,)


def test_the_summary_is_a_few_lines_a_terminal_wide(tmp_path, monkeypatch):
    """What `make run` prints before the app's address: three lines, as `make` passes it."""
    report = pd.DataFrame(
        [dict(step="s", source="x", rows_in=1, rows_out=1, repaired=0, dropped=0, note="n " * 600)]
    )
    monkeypatch.chdir(tmp_path)
    (tmp_path / "geodata").mkdir()
    printed = summary.write(report, Path("geodata/london.gpkg"), 5.04)
    assert printed.splitlines() == [
        "Built geodata/london.gpkg in 5.0 s.",
        "What each step read, kept, repaired and dropped: geodata/london.report.txt",
        "(also the build_report layer, and the app's Data & sources page).",
    ]
    written = (tmp_path / "geodata" / "london.report.txt").read_text()
    assert written.startswith("s (x): 1 in, 1 out, 0 repaired, 0 dropped\n  n n")
    assert max(map(len, written.splitlines())) <= summary.WIDTH


# ---------------------------------------------------------------- the real build


@pytest.mark.integration
def test_version_1_3_with_every_layer_and_column_described(built_gpkg):
    with sqlite3.connect(built_gpkg) as db:
        assert db.execute("PRAGMA application_id").fetchone() == (0x47504B47,)  # 'GPKG'
        assert db.execute("PRAGMA user_version").fetchone() == (10300,)
        contents = dict(db.execute("SELECT table_name, description FROM gpkg_contents"))
        columns = set(
            db.execute("SELECT table_name, column_name, description FROM gpkg_data_columns")
        )
        extensions = set(db.execute("SELECT table_name, extension_name FROM gpkg_extensions"))
    assert contents == {name: layer.description for name, layer in LAYERS.items()}
    assert columns == {
        (layer.name, c.name, c.description) for layer in LAYERS.values() for c in layer.columns
    }
    assert ("gpkg_data_columns", "gpkg_schema") in extensions
    sites = pyogrio.read_info(built_gpkg, layer="sites")["layer_metadata"]
    assert sites["column.lost"].startswith("the closure is a loss")
    assert len(sites) == len(LAYERS["sites"].columns) + 1  # and DESCRIPTION


@pytest.mark.integration
@pytest.mark.skipif(
    not VALIDATOR.exists(), reason=f"{VALIDATOR} missing: apt-get install python3-gdal"
)
def test_gdal_validator_passes(built_gpkg):
    done = subprocess.run(
        ["/usr/bin/python3", str(VALIDATOR), "--extra", str(built_gpkg)],
        capture_output=True,
        text=True,
    )
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


@pytest.mark.integration
@pytest.mark.skipif(not shutil.which("ogrinfo"), reason="ogrinfo missing: apt-get install gdal-bin")
def test_qgis_ltr_gdal_opens_it_without_a_warning(built_gpkg):
    version = subprocess.run(["ogrinfo", "--version"], capture_output=True, text=True).stdout
    opened = subprocess.run(
        ["ogrinfo", "-so", "-q", str(built_gpkg), "sites"], capture_output=True, text=True
    )
    assert opened.returncode == 0, version
    assert "Warning" not in opened.stdout + opened.stderr, version
    assert "column.coord_fix=how its point was placed" in opened.stdout
