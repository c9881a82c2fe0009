"""Nearest-facility distances recomputed by hand from the raw files, for a check (no timing).

Independent of lib/: reads the raw CSVs in GEODATA_SOURCE with pandas (pyproj only for the
2016 library list's latitude/longitude), places each facility by its own coordinates or its
postcode's Code-Point Open centroid, and measures every postcode's straight-line distance to
the nearest one by brute force (numpy, every pair). The postcodes and their LSOAs come from a
CSV the app's side wrote (lsoa_code, postcode, category, then_m, now_m): the residents'
placement is the only thing taken from the app. Prints, per LSOA and category, the app's
mean distance over the LSOA's postcodes against the hand one (each postcode carries an equal
share of its LSOA, so the population-weighted mean is the plain mean).

    PYTHONPATH=. .venv/bin/python bench/access_hand_check.py --write-ours ours.csv
    GEODATA_SOURCE=../shared/geodata .venv/bin/python bench/access_hand_check.py ours.csv

The first line (the app's side, lib/ imported there only) writes the postcodes of ten LSOAs,
every 484th of the sorted codes (or the LSOA codes given after the file name), with the app's
distances then and now for each category.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Transformer

RAW = Path(os.environ.get("GEODATA_SOURCE", "../shared/geodata"))


def postcodes() -> pd.DataFrame:
    files = [
        "postcodes/london_postcodes_codepoint_open_2025.csv",
        "postcodes/london_postcodes_codepoint_open_2014_not_in_2025.csv",
    ]
    table = pd.concat([pd.read_csv(RAW / f) for f in files])
    return table.drop_duplicates("postcode_nospace").set_index("postcode_nospace")


def by_postcode(codes: pd.Series, centroids: pd.DataFrame) -> np.ndarray:
    key = codes.astype(str).str.replace(" ", "").str.upper()
    found = centroids.reindex(key)[["easting", "northing"]].dropna()
    return found.to_numpy(dtype=float)


def libraries(centroids):
    new = pd.read_csv(RAW / "lost_more/libraries_london_2023.csv", dtype=str)
    new = new[new["type"].isin(["Static Library", "Static Local History Library"])]
    now = new[new["closed"].isna() & new["operation_23"].ne("Closed")]
    old = pd.read_csv(RAW / "lost/libraries_england_2016.csv", dtype=str)
    authorities = pd.read_csv(RAW / "lost/library_authorities_england_2016.csv", dtype=str)
    london = authorities.loc[authorities["code"].str.startswith("E09"), "authority_id"]
    old = old[old["authority_id"].isin(london)]
    closed = pd.to_numeric(old["closed_year"], errors="coerce")
    opened = pd.to_numeric(old["opened_year"], errors="coerce")
    then = old[(closed.isna() | (closed >= 2010)) & (opened.isna() | (opened < 2010))]
    to_bng = Transformer.from_crs(4326, 27700, always_xy=True)
    x, y = to_bng.transform(then["lng"].astype(float), then["lat"].astype(float))
    return np.column_stack([x, y]), by_postcode(now["postcode"], centroids)


def gp_practices(centroids):
    raw = pd.read_csv(RAW / "lost/epraccur_2019-12.csv", header=None, dtype=str)
    raw = raw[raw[25] == "4"]
    close = raw[11].fillna("99999999")
    then = raw[(raw[10] < "20130701") & (close >= "20130701")]
    now = raw[raw[12] == "A"]
    return by_postcode(then[9], centroids), by_postcode(now[9], centroids)


def pharmacies(centroids):
    raw = pd.read_csv(RAW / "lost_more/pharmacies_london_2025-04.csv", dtype=str)
    close = raw["close_date"].fillna("99999999")
    then = raw[(raw["open_date"] < "20100101") & (close >= "20100101")]
    now = raw[raw["status_code"] == "A"]
    return by_postcode(then["postcode"], centroids), by_postcode(now["postcode"], centroids)


def community_centres(_):
    raw = pd.read_csv(RAW / "facilities/cim_2022/Community_centres.csv")
    return None, raw[["easting", "northing"]].dropna().to_numpy(dtype=float)


def nearest(points: np.ndarray, facilities: np.ndarray) -> np.ndarray:
    gaps = points[:, None, :] - facilities[None, :, :]
    return np.sqrt((gaps**2).sum(axis=2)).min(axis=1)


def main(ours_csv: str) -> None:
    centroids = postcodes()
    ours = pd.read_csv(ours_csv, dtype={"postcode": str})
    sets = {
        "Library": libraries(centroids),
        "GP practice": gp_practices(centroids),
        "Pharmacy": pharmacies(centroids),
        "Community centre": community_centres(centroids),
    }
    rows = []
    for category, (then, now) in sets.items():
        mine = ours[ours["category"] == category].copy()
        points = centroids.loc[mine["postcode"], ["easting", "northing"]].to_numpy(dtype=float)
        mine["hand_now_m"] = nearest(points, now)
        mine["hand_then_m"] = nearest(points, then) if then is not None else np.nan
        rows.append(mine)
    table = pd.concat(rows, ignore_index=True)
    table["now_gap_m"] = (table["now_m"] - table["hand_now_m"]).abs()
    table["then_gap_m"] = (table["then_m"] - table["hand_then_m"]).abs()
    summary = table.groupby(["lsoa_code", "category"], sort=False).agg(
        postcodes=("postcode", "size"),
        then_m=("then_m", "mean"),
        hand_then_m=("hand_then_m", "mean"),
        now_m=("now_m", "mean"),
        hand_now_m=("hand_now_m", "mean"),
        worst_then_gap_m=("then_gap_m", "max"),
        worst_now_gap_m=("now_gap_m", "max"),
    )
    with pd.option_context(
        "display.width", 250, "display.max_rows", 100, "display.max_columns", 20
    ):
        print(summary.round(1))


def write_ours(path: str, lsoas: list[str]) -> None:
    from lib.analysis import access
    from lib.data.layers import load_layers, load_postcodes

    layers = load_layers()
    result = access.compute_access(layers, load_postcodes())
    chosen = lsoas or sorted(layers.lsoas["lsoa_code"])[::484][:10]
    residents = result.residents
    inside = np.isin(residents.code("lsoa_code"), chosen)
    frames = []
    for category, found in result.categories.items():
        then = found.then.distance[inside] if found.then is not None else np.nan
        frames.append(
            pd.DataFrame(
                {
                    "lsoa_code": residents.code("lsoa_code")[inside],
                    "postcode": residents.postcode[inside],
                    "category": category,
                    "then_m": then,
                    "now_m": found.now.distance[inside],
                }
            )
        )
    pd.concat(frames).to_csv(path, index=False)


if __name__ == "__main__":
    if sys.argv[1] == "--write-ours":
        write_ours(sys.argv[2], sys.argv[3:])
    else:
        main(sys.argv[1])
