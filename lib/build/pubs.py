"""Pubs and bars by borough and year (ONS counts, no points)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from lib.build.inputs import Report, read_csv


def build_pubs(src: Path, boroughs: gpd.GeoDataFrame, report: Report) -> pd.DataFrame:
    raw = read_csv(src, "pubs", ["area_code", "size_band", "year", "pubs_and_bars"])
    total = raw[
        (raw["size_band"] == "Any number of employees")
        & raw["area_code"].isin(boroughs["gss_code"])
    ]
    pubs = total.rename(columns={"area_code": "gss_code", "pubs_and_bars": "pubs"})[
        ["gss_code", "year", "pubs"]
    ]
    pubs["pubs"] = pubs["pubs"].astype(int)
    report.add(
        "pubs_by_borough",
        "pubs",
        len(raw),
        len(pubs),
        note="'Any number of employees' band, 33 boroughs",
    )
    return pubs.sort_values(["gss_code", "year"], ignore_index=True)
