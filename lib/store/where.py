"""Where a contribution is: a postcode looked up in the build's `postcodes` table.

The table (Ordnance Survey Code-Point Open 2025, and the 2014 London postcodes since
terminated, which closed facilities often still carry) is a layer of the built GeoPackage; the
caller passes it in (lib/ui/cache.py reads it once). Both lists hold London postcodes only: a
well-formed postcode whose district (the part before the space) has none in London is
"outside London"; one in a London district that neither lists is "not found".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import pandas as pd

ATTRIBUTION = (
    "Contains OS data © Crown copyright and database right 2025; Contains Royal Mail data © "
    "Royal Mail copyright and database right 2025; Contains National Statistics data © Crown "
    "copyright and database right 2025"
)
# Outward code (area, district, optional sub-district letter) + inward code (sector, unit).
POSTCODE = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})")


class PostcodeError(Exception):
    """`code` is one of not_a_postcode, not_found, outside_london; `message` is
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


def lookup_postcode(text: str, table: pd.DataFrame) -> PostcodePoint:
    """The point of a London postcode, or PostcodeError saying clearly why not. `table` is the
    build's `postcodes` layer indexed by postcode (lib/data/layers.load_postcodes)."""
    compact = normalise(text)
    if not str(text or "").strip():
        raise PostcodeError("not_a_postcode", "Type a postcode, like SE1 7PB.")
    if compact is None:
        raise PostcodeError(
            "not_a_postcode",
            f"{str(text).strip()[:20]!r} is not a postcode: a postcode looks like SE1 7PB.",
        )
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
            str(row.gss_code),
            bool(row.terminated),
        )
    # The inward code is always three characters: what comes before is the district.
    if not table.index.str[:-3].isin([outward]).any():
        raise PostcodeError(
            "outside_london",
            f"{formatted} is not a London postcode: this map covers the 33 London boroughs.",
        )
    raise PostcodeError(
        "not_found",
        f"{formatted} was not found among London's postcodes (Code-Point Open 2025 and "
        "those in use in 2014): it may be mistyped, very new or just outside London.",
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
