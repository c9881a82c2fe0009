"""The GLA's Cultural Infrastructure Map (2022): one site per venue across its category files."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer

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


def merge_cim_duplicates(cim: gpd.GeoDataFrame, report: Report) -> gpd.GeoDataFrame:
    """One venue listed in several culture-map files (same name within 100 m) becomes one site."""
    # "The British Museum" and "British Museum" are one venue: a leading "the" is not compared.
    cim = cim.assign(_key=cim["name"].map(normalise_name).str.replace(r"^the ", "", regex=True))
    cim["_rank"] = cim["category"].map(CATEGORY_PRIORITY.index)
    cim = cim.sort_values(["_key", "_rank", "site_id"], ignore_index=True)
    cluster = np.arange(len(cim))
    x, y = cim.geometry.x.to_numpy(), cim.geometry.y.to_numpy()
    for _, idx in cim.groupby("_key").indices.items():
        for i_pos, i in enumerate(idx):
            for j in idx[i_pos + 1 :]:
                if cluster[j] == j and np.hypot(x[i] - x[j], y[i] - y[j]) <= 100:
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
        "file (same name within 100 m) and were merged",
    )
    return merged.drop(columns=["_key", "_rank", "_cluster"])
