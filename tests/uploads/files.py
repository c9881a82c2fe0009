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
