"""Tell an upload's format from its first bytes, not from its name.

Only four formats are read: CSV, GeoJSON, GeoPackage and a zipped shapefile. Formats that can
make a reader open other files or reach the network (a GDAL VRT, KML with network links, GML
with external references) are named and refused here, whatever the file is called.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
SQLITE_MAGIC = b"SQLite format 3\x00"
GPKG_APPLICATION_IDS = (b"GPKG", b"GP10", b"GP11")
SHP_MAGIC = b"\x00\x00\x27\x0a"
GZIP_MAGIC = b"\x1f\x8b"
OTHER_ARCHIVES = {b"7z\xbc\xaf": "7-Zip", b"Rar!": "RAR", b"BZh": "bzip2"}
EXTENSIONS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".geojson": "geojson",
    ".json": "geojson",
    ".gpkg": "gpkg",
    ".zip": "zip",
}
XML_KINDS = [  # (pattern in the first bytes, what it is, why it is refused)
    (
        re.compile(rb"<OGRVRTDataSource", re.I),
        "a GDAL virtual format (VRT) file",
        "a VRT can point at other files, so it is not read",
    ),
    (
        re.compile(rb"<kml\b", re.I),
        "a KML file",
        "KML can fetch other files through network links, so it is not read; export it as GeoJSON",
    ),
    (
        re.compile(rb"<(\w+:)?FeatureCollection\b", re.I),
        "a GML file",
        "GML can refer to other files, so it is not read; export it as GeoJSON or a GeoPackage",
    ),
]
ACCEPTED = "a CSV, GeoJSON or GeoPackage file, or a zipped shapefile"


@dataclass(frozen=True)
class Sniffed:
    format: str | None  # csv, geojson, gpkg, zip; None when refused
    message: str = ""  # why it was refused, or a note that the name and content disagree


def _strip_text_start(data: bytes) -> bytes:
    head = data[:4096]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    return head.lstrip()


def sniff(name: str, data: bytes) -> Sniffed:
    head = data[:100]
    ext = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if not data.strip():
        return Sniffed(None, f"{name} is empty.")
    if head.startswith(ZIP_MAGIC):
        found = "zip"
    elif head.startswith(SQLITE_MAGIC):
        if data[68:72] not in GPKG_APPLICATION_IDS:
            return Sniffed(
                None, f"{name} is an SQLite database but not a GeoPackage: upload {ACCEPTED}."
            )
        found = "gpkg"
    elif head.startswith(SHP_MAGIC):
        return Sniffed(
            None,
            f"{name} is the .shp part of a shapefile alone: zip it with its "
            ".shx, .dbf and .prj files and upload the zip.",
        )
    elif head.startswith(GZIP_MAGIC) or any(head.startswith(m) for m in OTHER_ARCHIVES):
        return Sniffed(
            None, f"{name} is a compressed archive that is not a zip: upload {ACCEPTED}."
        )
    else:
        text = _strip_text_start(data)
        if b"\x00" in text:
            return Sniffed(None, f"{name} is not a format this page reads: upload {ACCEPTED}.")
        if text.startswith(b"<"):
            for pattern, what, why in XML_KINDS:
                if pattern.search(data[:4096]):
                    return Sniffed(None, f"{name} is {what}: {why}.")
            return Sniffed(
                None,
                f"{name} is an XML or HTML file, not a format this page reads: upload {ACCEPTED}.",
            )
        found = "geojson" if text.startswith((b"{", b"[")) else "csv"
    expected = EXTENSIONS.get(ext)
    note = ""
    if expected and expected != found:
        label = {"zip": "a zip", "gpkg": "a GeoPackage", "geojson": "JSON", "csv": "text"}
        note = f"{name} is named {ext} but holds {label[found]}: read as such."
    return Sniffed(found, note)
