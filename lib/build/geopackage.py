"""Write the built layers as a GeoPackage that describes itself (lib/vocab/schema.py).

Version 1.3, not GDAL's default 1.4: GDAL 3.6, as in the QGIS long-term releases many councils
run, opens 1.4 files with "may only be partially supported". Each layer's description goes in
`gpkg_contents` and its columns' in `gpkg_data_columns` (the GeoPackage schema extension, read
by GDAL 3.7+ as field comments) and in the layer's metadata items `column.<name>` (read by any
GDAL, shown by QGIS under Layer Properties > Information).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pyogrio

from lib.vocab.schema import LAYERS

VERSION = "1.3"
SCHEMA_EXTENSION = "http://www.geopackage.org/spec/#extension_schema"


class SchemaError(Exception):
    """A layer's columns differ from lib/vocab/schema.py."""


def check_columns(name: str, frame: pd.DataFrame) -> None:
    """A column the schema does not describe, or one it lists that the frame lacks, stops the
    build: every column in the file is documented (docs/DATA.md, the GeoPackage's metadata)."""
    if name not in LAYERS:
        raise SchemaError(f"layer {name!r} is not described in lib/vocab/schema.py")
    columns = [c for c in frame.columns if c != "geometry"]
    described = LAYERS[name].column_names
    extra = [c for c in columns if c not in described]
    missing = [c for c in described if c not in columns]
    if extra or missing:
        raise SchemaError(
            f"layer {name!r}: "
            + "; ".join(
                part
                for part in (
                    extra and f"columns not described in lib/vocab/schema.py: {', '.join(extra)}",
                    missing and f"described columns the build did not make: {', '.join(missing)}",
                )
                if part
            )
            + " (describe each column there, then `make docs`)"
        )


def write_layer(path: Path, name: str, frame: pd.DataFrame) -> None:
    """One layer, in the schema's column order, with its descriptions."""
    check_columns(name, frame)
    layer = LAYERS[name]
    order = layer.column_names + (["geometry"] if "geometry" in frame.columns else [])
    pyogrio.write_dataframe(
        frame[order],
        path,
        layer=name,
        driver="GPKG",
        dataset_options={"VERSION": VERSION},  # used when this write creates the file
        layer_options={"DESCRIPTION": layer.description},
        layer_metadata={f"column.{c.name}": c.description for c in layer.columns},
    )


def describe_columns(path: Path) -> None:
    """Every layer present and complete, and its columns described in `gpkg_data_columns`."""
    present = set(pyogrio.list_layers(path)[:, 0])
    missing = [name for name in LAYERS if name not in present]
    if missing:
        raise SchemaError(f"the build wrote no layer {', '.join(missing)} (lib/vocab/schema.py)")
    with sqlite3.connect(path) as db:
        # The tables as the GeoPackage 1.3 schema extension defines them.
        db.execute(
            """CREATE TABLE IF NOT EXISTS gpkg_data_columns (
                table_name TEXT NOT NULL, column_name TEXT NOT NULL, name TEXT, title TEXT,
                description TEXT, mime_type TEXT, constraint_name TEXT,
                CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name),
                CONSTRAINT gdc_tn UNIQUE (table_name, name))"""
        )
        db.execute(
            """CREATE TABLE IF NOT EXISTS gpkg_data_column_constraints (
                constraint_name TEXT NOT NULL, constraint_type TEXT NOT NULL, value TEXT,
                min NUMERIC, min_is_inclusive BOOLEAN, max NUMERIC, max_is_inclusive BOOLEAN,
                description TEXT,
                CONSTRAINT gdcc_ntv UNIQUE (constraint_name, constraint_type, value))"""
        )
        db.executemany(
            "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition,"
            " scope) VALUES (?, NULL, 'gpkg_schema', ?, 'read-write')",
            [(t, SCHEMA_EXTENSION) for t in ("gpkg_data_columns", "gpkg_data_column_constraints")],
        )
        db.executemany(
            "INSERT INTO gpkg_data_columns (table_name, column_name, name, description)"
            " VALUES (?, ?, ?, ?)",
            [
                (layer.name, c.name, c.name, c.description)
                for layer in LAYERS.values()
                for c in layer.columns
            ],
        )
