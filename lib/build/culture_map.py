"""The GLA's Cultural Infrastructure Map (2022): one site per venue across its category files."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer

from lib.build.gp import same_building
from lib.build.inputs import (
    BNG,
    WGS84,
    InputError,
    Report,
    normalise_name,
    repair_text,
    require_columns,
    source_path,
    stable_id,
)
from lib.vocab.categories import SITE_CATEGORIES
from lib.vocab.sources import SOURCES

CIM_CATEGORIES = {  # file stem -> (category, category group)
    "Arts_centres": ("Arts centre", "Culture & heritage"),
    "Cinemas": ("Cinema", "Culture & heritage"),
    "Commercial_galleries": ("Commercial gallery", "Culture & heritage"),
    "Community_centres": ("Community centre", "Community & libraries"),
    "Dance_performance_venues": ("Dance performance venue", "Culture & heritage"),
    "LGBT_night_time_venues": ("LGBTQ+ night-time venue", "Music & nightlife"),
    "Libraries": ("Library", "Community & libraries"),
    "Museums_and_public_galleries": ("Museum or public gallery", "Culture & heritage"),
    "Music_venues_all": ("Music venue", "Music & nightlife"),
    "Music_venues_grassroots": ("Grassroots music venue", "Music & nightlife"),
    "Outdoor_spaces_for_cultural_use": ("Outdoor cultural space", "Culture & heritage"),
    "Pubs": ("Pub", "Pubs"),
    "Skate_Parks": ("Skate park", "Community & libraries"),
    "Theatres": ("Theatre", "Culture & heritage"),
}


# When one venue is in several culture-map files, its main category is the most specific one.
CATEGORY_PRIORITY = list(SITE_CATEGORIES[: SITE_CATEGORIES.index("Pub") + 1])


# How each culture-map file's coordinates are repaired (see MANIFEST.md, measured in tests).
CIM_COORD_FIX = {
    "Arts_centres": "latlon",
    "Dance_performance_venues": "latlon",
    "LGBT_night_time_venues": "latlon_double_shift_undone",
    "Theatres": "latlon_double_shift_undone",
}


CIM_DEFAULT_FIX = "bng"


CIM_EXPECTED_FILES = len(CIM_CATEGORIES)


def cim_points(frame: pd.DataFrame, fix: str) -> gpd.GeoSeries:
    if fix == "bng":
        return gpd.GeoSeries(gpd.points_from_xy(frame.easting, frame.northing), crs=BNG)
    lon, lat = frame.longitude.to_numpy(), frame.latitude.to_numpy()
    if fix == "latlon_double_shift_undone":
        # The WGS84 -> OSGB36 datum shift was applied twice; undo one of them.
        lon, lat = Transformer.from_crs(WGS84, "EPSG:4277", always_xy=True).transform(lon, lat)
    return gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=WGS84).to_crs(BNG)


def uprn_key(value) -> str:
    """A UPRN as text ('' where missing; 1.00023217029e+11 read as a number made whole again)."""
    if pd.isna(value):
        return ""
    text = str(value).strip()
    try:
        return str(int(float(text)))
    except ValueError:
        return text


def library_uprns(src: Path) -> dict[str, tuple[float, float]]:
    """Where the culture map puts each library building it names by UPRN (its BNG pair, right
    in this file). A UPRN given twice, or rounded by a spreadsheet (100000000000), is no key."""
    path = source_path(src, "cim") / "Libraries.csv"
    raw = pd.read_csv(path, encoding="utf-8-sig", dtype={"os_addressbase_uprn": str})
    require_columns(raw, ["os_addressbase_uprn", "easting", "northing"], path)
    raw = raw.dropna(subset=["easting", "northing"])
    uprn = raw["os_addressbase_uprn"].map(uprn_key)
    usable = (uprn != "") & ~uprn.str.endswith("000000") & (uprn.map(uprn.value_counts()) == 1)
    return {
        u: (float(x), float(y))
        for u, x, y in zip(
            uprn[usable], raw["easting"][usable], raw["northing"][usable], strict=True
        )
    }


def read_cim(src: Path, report: Report) -> gpd.GeoDataFrame:
    folder = source_path(src, "cim")
    frames = []
    for stem, (category, group) in CIM_CATEGORIES.items():
        path = folder / f"{stem}.csv"
        if not path.exists():
            raise InputError(
                f"Missing input {path}: expected the Cultural Infrastructure Map "
                f"'{stem}' file ({SOURCES['cim'].upstream})"
            )
        fix = CIM_COORD_FIX.get(stem, CIM_DEFAULT_FIX)
        coords = ["easting", "northing"] if fix == "bng" else ["longitude", "latitude"]
        try:
            raw = pd.read_csv(path, encoding="utf-8-sig")
        except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise InputError(f"Malformed input {path}: not a readable CSV ({exc})") from exc
        require_columns(raw, ["name", "address1", *coords], path)
        usable = raw.dropna(subset=coords)
        usable = usable[usable["name"].notna()]
        try:
            geometry = cim_points(usable, fix)
        except (ValueError, TypeError) as exc:
            raise InputError(
                f"Malformed input {path}: coordinates {', '.join(coords)} are not "
                f"all numbers ({exc})"
            ) from exc
        frame = gpd.GeoDataFrame(
            {
                "site_id": [
                    stable_id("cim", stem, n, a, round(x), round(y))
                    for n, a, x, y in zip(
                        usable["name"], usable["address1"], geometry.x, geometry.y, strict=True
                    )
                ],
                "name": usable["name"].astype(str).str.strip().map(repair_text),
                "category": category,
                "category_group": group,
                "status": "open",
                "opened_year": pd.NA,
                "closed_year": pd.NA,
                "sources": "cim_2022",
                "licence": SOURCES["cim"].licence,
                "coord_fix": fix,
                "_address": usable["address1"]
                .astype(object)
                .fillna("")
                .astype(str)
                .str.strip()
                .values,
            },
            geometry=geometry.values,
            crs=BNG,
        )
        renamed = int((frame["name"] != usable["name"].astype(str).str.strip().values).sum())
        report.add(
            "sites",
            f"cim:{stem}",
            len(raw),
            len(frame),
            repaired=len(frame) if fix != "bng" else 0,
            dropped=len(raw) - len(frame),
            note=f"coordinates from {fix}"
            + ("" if fix == "bng" else " (repaired)")
            + (f"; {renamed} names with garbled accents repaired" if renamed else ""),
        )
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def house_numbers(address: str) -> set[int]:
    """House numbers in an address, ranges spelt out ('205-213'); five-digit numbers are
    spreadsheet dates ('43161 Greenland Place'), not house numbers."""
    numbers: set[int] = set()
    for low, high in re.findall(r"\b(\d{1,4})(?:[a-zA-Z]?\s*-\s*(\d{1,4}))?[a-zA-Z]?\b", address):
        first = int(low)
        last = int(high) if high and 0 <= int(high) - first <= 50 else first
        numbers.update(range(first, last + 1))
    return numbers


def two_places(key: str, address_a: str, address_b: str, metres: float) -> bool:
    """Whether two records of one name in files of different kinds are two places: house
    numbers none within 2 of the other, more than 50 m apart; or a one-word name ("Preston",
    a library and a pub) more than 20 m apart with addresses that share no number or word.
    Otherwise one venue whose files word its address differently ("The Mall", "12 Carlton
    House Terrace")."""
    a, b = house_numbers(address_a), house_numbers(address_b)
    numbers_agree = bool(a and b) and min(abs(i - j) for i in a for j in b) <= 2
    if a and b and not numbers_agree and metres > 50:
        return True
    shared = numbers_agree or same_building((address_a, ""), (address_b, ""))
    return len(key.split()) == 1 and metres > 20 and not shared


def merge_cim_duplicates(cim: gpd.GeoDataFrame, report: Report) -> gpd.GeoDataFrame:
    """One venue listed in several culture-map files becomes one site: the same name within
    100 m. Files of different kinds (a library and a pub) give one venue's address in their own
    ways, so they merge too, unless the records say two places (`two_places`)."""
    # "The British Museum" and "British Museum" are one venue: a leading "the" is not compared.
    cim = cim.assign(_key=cim["name"].map(normalise_name).str.replace(r"^the ", "", regex=True))
    cim["_rank"] = cim["category"].map(CATEGORY_PRIORITY.index)
    cim = cim.sort_values(["_key", "_rank", "site_id"], ignore_index=True)
    cluster = np.arange(len(cim))
    x, y = cim.geometry.x.to_numpy(), cim.geometry.y.to_numpy()
    category, address = cim["category"].to_numpy(), cim["_address"].to_numpy()
    kept_apart: list[str] = []
    for _, idx in cim.groupby("_key").indices.items():
        for i_pos, i in enumerate(idx):
            for j in idx[i_pos + 1 :]:
                if cluster[j] != j or np.hypot(x[i] - x[j], y[i] - y[j]) > 100:
                    continue
                if category[i] != category[j] and two_places(
                    cim["_key"].iat[i], address[i], address[j], np.hypot(x[i] - x[j], y[i] - y[j])
                ):
                    kept_apart.append(cim["name"].iat[i])
                    continue
                cluster[j] = cluster[i]
    cim["_cluster"] = cluster
    categories = cim.groupby("_cluster")["category"].agg(lambda c: "; ".join(dict.fromkeys(c)))
    merged = cim.drop_duplicates("_cluster").copy()
    merged["categories"] = merged["_cluster"].map(categories)
    report.add(
        "sites",
        "cim_2022",
        len(cim),
        len(merged),
        note=f"{len(cim) - len(merged)} rows are the same venue in another culture-map "
        "file (same name within 100 m, unless files of different kinds say two places) and "
        f"were merged; kept apart as two places (different kinds, records that disagree): "
        f"{', '.join(kept_apart) or 'none'}",
    )
    return merged.drop(columns=["_key", "_rank", "_cluster", "_address"])
