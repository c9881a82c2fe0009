"""Upload files made in code: good ones in each format and every kind of bad one."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

# Three places in London (WGS84 longitude, latitude) and one outside.
TRAFALGAR = (-0.12804, 51.50809)  # Westminster, in the CAZ
BRIXTON = (-0.11470, 51.46240)  # Lambeth
STRATFORD = (-0.00350, 51.54190)  # Newham
PARIS = (2.35222, 48.85661)
# A rough box around London in British National Grid, for unit tests without the build.
LONDON_BOX = shapely.box(503000, 155000, 562000, 201000)


def points_frame(
    crs: str = "EPSG:4326",
    names=("Trafalgar", "Brixton", "Stratford"),
    places=(TRAFALGAR, BRIXTON, STRATFORD),
) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(
        {"name": list(names)}, geometry=[shapely.Point(p) for p in places], crs="EPSG:4326"
    )
    return frame.to_crs(crs)


def csv_bytes(text: str) -> bytes:
    return text.strip("\n").replace("\n", "\r\n").encode("utf-8") + b"\r\n"


def geojson_bytes(features: list, crs_member=None) -> bytes:
    doc = {"type": "FeatureCollection", "features": features}
    if crs_member is not None:
        doc["crs"] = crs_member
    return json.dumps(doc).encode("utf-8")


def feature(geometry, **properties) -> dict:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def gpkg_bytes(tmp_path: Path, layers: dict[str, pd.DataFrame]) -> bytes:
    path = tmp_path / "made.gpkg"
    for name, frame in layers.items():
        if isinstance(frame, gpd.GeoDataFrame):
            frame.to_file(path, layer=name, driver="GPKG")
        else:
            pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG")
    return path.read_bytes()


def shapefile_parts(
    tmp_path: Path, frame: gpd.GeoDataFrame, name: str = "places", encoding: str | None = None
) -> dict[str, bytes]:
    folder = tmp_path / f"shp-{name}"
    folder.mkdir(exist_ok=True)
    kwargs = {"encoding": encoding} if encoding else {}
    frame.to_file(folder / f"{name}.shp", driver="ESRI Shapefile", **kwargs)
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def zip_bytes(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def zip_bomb_bytes(megabytes: int = 20) -> bytes:
    """A zip whose one entry (zeros) expands about a thousand times, written in chunks."""
    buffer = io.BytesIO()
    chunk = bytes(1024 * 1024)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("places.dbf", "w") as member:
            for _ in range(megabytes):
                member.write(chunk)
    return buffer.getvalue()


VRT = (
    b'<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>/etc/passwd</SrcDataSource>'
    b"</OGRVRTLayer></OGRVRTDataSource>"
)
KML = (
    b'<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><NetworkLink>'
    b"<Link><href>http://example.com/x.kml</href></Link></NetworkLink></kml>"
)


def gpkg_view_bytes(tmp_path: Path, select: str, name: str = "view") -> bytes:
    """A GeoPackage whose only layer is a view, `select` over the table `places` (fid, geom)."""
    import sqlite3

    path = tmp_path / f"{name}.gpkg"
    points_frame("EPSG:27700").to_file(path, layer="places", driver="GPKG")
    with sqlite3.connect(path) as db:
        db.execute(f"CREATE VIEW {name} AS {select}")
        db.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) "
            "VALUES (?, 'features', ?, 27700)",
            (name, name),
        )
        db.execute(
            "INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', 'POINT', 27700, 0, 0)", (name,)
        )
        db.execute("DELETE FROM gpkg_geometry_columns WHERE table_name = 'places'")
        db.execute("DELETE FROM gpkg_contents WHERE table_name = 'places'")
    return path.read_bytes()


#: A view that never ends: counting or reading it runs for ever.
ENDLESS_VIEW = (
    "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r) "
    "SELECT r.i AS fid, places.geom AS geom FROM r, places"
)


def self_crossing_polygon(vertices: int, seed: int = 1) -> dict:
    """A GeoJSON polygon (WGS84, in London) whose ring crosses itself about vertices² times."""
    import numpy as np

    rng = np.random.default_rng(seed)
    ring = rng.uniform(0, 0.02, (vertices, 2)) + TRAFALGAR
    ring = [*ring.tolist(), ring[0].tolist()]
    return {"type": "Polygon", "coordinates": [ring]}
