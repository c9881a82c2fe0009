"""Where a contribution is: a postcode looked up in Ordnance Survey Code-Point Open.

The built GeoPackage has no postcodes, so this reads the raw inputs in GEODATA_SOURCE
(postcodes/london_postcodes_codepoint_open_2025.csv, and the 2014 file of London postcodes
since terminated, which closed facilities often still carry). Both files list London postcodes
only: a well-formed postcode whose district (the part before the space) has none in London is
"outside London"; one in a London district that neither file lists is "not found".
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

CURRENT = "postcodes/london_postcodes_codepoint_open_2025.csv"
TERMINATED = "postcodes/london_postcodes_codepoint_open_2014_not_in_2025.csv"
ATTRIBUTION = (
    "Contains OS data © Crown copyright and database right 2025; Contains Royal Mail data © "
    "Royal Mail copyright and database right 2025; Contains National Statistics data © Crown "
    "copyright and database right 2025"
)
# Outward code (area, district, optional sub-district letter) + inward code (sector, unit).
POSTCODE = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})")


class PostcodeError(Exception):
    """`code` is one of not_a_postcode, not_found, outside_london, unavailable; `message` is
    what the form shows."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class PostcodePoint:
    postcode: str  # formatted "SW1A 1AA"
    x: float  # easting, EPSG:27700
    y: float  # northing
    gss_code: str  # the borough
    terminated: bool  # only in the 2014 file


def normalise(text: str) -> str | None:
    """'sw1a1aa', ' SW1A  1AA ' -> 'SW1A1AA'; None if it is not shaped like a postcode."""
    compact = re.sub(r"\s+", "", str(text or "")).upper()
    return compact if POSTCODE.fullmatch(compact) else None


def default_source() -> Path | None:
    source = os.environ.get("GEODATA_SOURCE")
    return Path(source) if source else None


@cache
def _table(source: Path) -> pd.DataFrame:
    frames = []
    for name, terminated in ((CURRENT, False), (TERMINATED, True)):
        path = source / name
        if not path.exists():
            raise PostcodeError(
                "unavailable",
                f"Postcode lookup is not available: {path} is missing. Choose the place on the "
                "map or pick a listed facility instead.",
            )
        frame = pd.read_csv(
            path,
            usecols=["postcode_nospace", "easting", "northing", "admin_district_code"],
            dtype={"postcode_nospace": str, "admin_district_code": str},
        )
        frame["terminated"] = terminated
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True).drop_duplicates("postcode_nospace")
    return table.set_index("postcode_nospace")


@cache
def _districts(source: Path) -> frozenset[str]:
    return frozenset(m.group(1) for p in _table(source).index if (m := POSTCODE.fullmatch(p)))


def lookup_postcode(text: str, source: Path | None = None) -> PostcodePoint:
    """The point of a London postcode, or PostcodeError saying clearly why not."""
    compact = normalise(text)
    if not str(text or "").strip():
        raise PostcodeError("not_a_postcode", "Type a postcode, like SE1 7PB.")
    if compact is None:
        raise PostcodeError(
            "not_a_postcode",
            f"{str(text).strip()[:20]!r} is not a postcode: a postcode looks like SE1 7PB.",
        )
    source = source or default_source()
    if source is None:
        raise PostcodeError(
            "unavailable",
            "Postcode lookup is not available here (GEODATA_SOURCE is not set). Choose the "
            "place on the map or pick a listed facility instead.",
        )
    table = _table(Path(source))
    match = POSTCODE.fullmatch(compact)
    assert match is not None  # normalise() checked the shape
    outward, inward = match.groups()
    formatted = f"{outward} {inward}"
    if compact in table.index:
        row = table.loc[compact]
        return PostcodePoint(
            formatted,
            float(row.easting),
            float(row.northing),
            str(row.admin_district_code),
            bool(row.terminated),
        )
    if outward not in _districts(Path(source)):
        raise PostcodeError(
            "outside_london",
            f"{formatted} is not a London postcode: this map covers the 33 London boroughs.",
        )
    raise PostcodeError(
        "not_found",
        f"{formatted} was not found among London's postcodes (Code-Point Open 2025 and "
        "those in use in 2014): it may be mistyped, very new or just outside London. Check "
        "it, or choose the place on the map.",
    )


@cache
def _to_bng():
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)


def point_from_lonlat(lon: float, lat: float) -> tuple[float, float]:
    """A map click (WGS84 longitude, latitude) as British National Grid metres (x, y)."""
    x, y = _to_bng().transform(float(lon), float(lat))
    return round(x, 1), round(y, 1)


def locate(x: float, y: float, wards) -> tuple[str, str] | None:
    """(gss_code, ward_code) of the 2017 ward (`wards`: the built layer, EPSG:27700) holding
    the point, or None when no London ward does: the point is outside London."""
    from shapely.geometry import Point

    point = Point(x, y)
    hits = wards.iloc[wards.sindex.query(point, predicate="intersects")]
    if hits.empty:
        return None
    first = hits.sort_values("ward_code").iloc[0]
    return str(first["gss_code"]), str(first["ward_code"])
