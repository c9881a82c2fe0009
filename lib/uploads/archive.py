"""Check a zip with zipfile before anything in it is extracted, then take out a shapefile.

Refused before extraction: more than MAX_ENTRIES entries, an entry whose path leaves the zip's
folder (absolute, '..', a drive letter), a symbolic link, an encrypted entry, a nested archive,
more than `max_bytes` * EXPAND_FACTOR uncompressed, or a compression ratio above MAX_RATIO (a
zip bomb). Extraction reads into memory at most the size each entry declares, and the members
are given names of our own, so nothing in the zip chooses a path on disk.
"""

from __future__ import annotations

import io
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from lib.uploads.model import megabytes
from lib.uploads.sniff import GZIP_MAGIC, OTHER_ARCHIVES, ZIP_MAGIC

MAX_ENTRIES = 100
MAX_RATIO = 200  # real shapefiles compress by up to about 20 (padded .dbf text a little more)
RATIO_FLOOR_BYTES = 1024 * 1024  # tiny entries can compress very well: judge only bigger ones
EXPAND_FACTOR = 4  # the zip may expand to 4 times the upload limit
ARCHIVE_SUFFIXES = (".zip", ".kmz", ".gz", ".tgz", ".tar", ".7z", ".rar", ".bz2", ".xz")
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
REFUSED_MEMBERS = {  # suffix -> why it is not read
    ".vrt": "a VRT file can point at other files",
    ".kml": "KML can fetch other files through network links",
    ".ovf": "a virtual format can point at other files",
}


class ZipRefused(Exception):
    """The zip fails a safety check: the message says which."""


@dataclass
class Shapefiles:
    """The shapefiles a safe zip holds, by layer name, and what else it held."""

    layers: dict[str, dict[str, zipfile.ZipInfo]] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # messages about refused members
    incomplete: list[str] = field(default_factory=list)


def _unsafe_path(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or ".." in parts or (len(name) > 1 and name[1] == ":")


def open_checked(data: bytes, name: str, max_bytes: int) -> zipfile.ZipFile:
    """The zip, once every check has passed (ZipRefused otherwise). Nothing is extracted."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise ZipRefused(f"{name} is not a readable zip ({exc}).") from None
    if len(entries) > MAX_ENTRIES:
        raise ZipRefused(
            f"{name} has {len(entries):,} entries; at most {MAX_ENTRIES} are accepted."
        )
    for info in entries:
        if _unsafe_path(info.filename):
            raise ZipRefused(
                f"{name} has an entry outside its folder ({info.filename}): the zip is not read."
            )
        if stat.S_ISLNK(info.external_attr >> 16):
            raise ZipRefused(f"{name} has a symbolic link ({info.filename}): the zip is not read.")
        if info.flag_bits & 0x1:
            raise ZipRefused(
                f"{name} has an encrypted entry ({info.filename}): upload it without a password."
            )
        if PurePosixPath(info.filename.lower()).suffix in ARCHIVE_SUFFIXES:
            raise ZipRefused(
                f"{name} holds another archive ({info.filename}): upload a zip "
                "of the shapefile's own files, not a zip inside a zip."
            )
    total = sum(info.file_size for info in entries)
    packed = sum(info.compress_size for info in entries)
    limit = max_bytes * EXPAND_FACTOR
    for info in entries:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR_BYTES and ratio > MAX_RATIO:
            raise ZipRefused(
                f"{name} looks like a zip bomb: {info.filename} would expand "
                f"{ratio:,.0f} times (at most {MAX_RATIO} is accepted)."
            )
    if total > RATIO_FLOOR_BYTES and total / max(packed, 1) > MAX_RATIO:
        raise ZipRefused(
            f"{name} looks like a zip bomb: it would expand "
            f"{total / max(packed, 1):,.0f} times (at most {MAX_RATIO} is "
            "accepted)."
        )
    if total > limit:
        raise ZipRefused(
            f"{name} would expand to {megabytes(total)}; at most {megabytes(limit)} is accepted."
        )
    return archive


def shapefiles(archive: zipfile.ZipFile) -> Shapefiles:
    """Group the zip's members into shapefiles (by path without suffix, any letter case)."""
    found = Shapefiles()
    groups: dict[str, dict[str, zipfile.ZipInfo]] = {}
    stems: dict[str, str] = {}  # lower-case key -> the stem as the zip spells it
    for info in archive.infolist():
        if info.is_dir():
            continue
        path = PurePosixPath(info.filename.replace("\\", "/"))
        if path.name.startswith(".") or "__MACOSX" in path.parts:
            continue  # macOS resource forks and hidden files
        suffix = path.suffix.lower()
        if suffix in REFUSED_MEMBERS:
            found.refused.append(f"{info.filename} is not read: {REFUSED_MEMBERS[suffix]}.")
        elif suffix in SHAPEFILE_PARTS:
            stem = str(path.with_suffix(""))
            stems.setdefault(stem.lower(), stem)
            groups.setdefault(stem.lower(), {})[suffix] = info
        else:
            found.ignored.append(info.filename)
    for key in sorted(groups):
        parts = groups[key]
        stem = stems[key]
        if ".shp" not in parts:
            found.ignored.extend(info.filename for info in parts.values())
            continue
        missing = [s for s in (".shx", ".dbf") if s not in parts]
        if missing:
            found.incomplete.append(f"{stem}.shp has no {' or '.join(missing)} beside it.")
            continue
        layer = PurePosixPath(stem).name
        if layer in found.layers:  # two folders with the same shapefile name
            layer = stem
        found.layers[layer] = parts
    return found


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> bytes:
    """The member's bytes: no more than it declares, and not itself an archive."""
    try:
        with archive.open(info) as member:
            data = member.read(info.file_size + 1)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as exc:
        raise ZipRefused(f"{name}: {info.filename} could not be read ({exc}).") from None
    if len(data) > info.file_size:
        raise ZipRefused(
            f"{name}: {info.filename} is larger than the zip says: the zip is not read."
        )
    head = data[:8]
    if head.startswith(ZIP_MAGIC + (GZIP_MAGIC,)) or any(
        head.startswith(m) for m in OTHER_ARCHIVES
    ):
        raise ZipRefused(
            f"{name} holds another archive ({info.filename}): upload a zip of the "
            "shapefile's own files, not a zip inside a zip."
        )
    return data
