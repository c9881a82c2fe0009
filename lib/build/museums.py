"""Museums and public galleries from Mapping Museums."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from lib.build.history import event, events_frame
from lib.build.inputs import BNG, WGS84, Report, read_csv
from lib.vocab.sources import SOURCES


def read_museums(src: Path, report: Report) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    raw = read_csv(
        src,
        "museums",
        [
            "museum_id",
            "museum_name",
            "latitude",
            "longitude",
            "admin_area_2",
            "year_opened_low",
            "year_closed_low",
        ],
        dtype={"year_closed_low": str, "year_opened_low": str, "year_closed_high": str},
    )
    london = raw[raw["admin_area_2"] == "London"].dropna(subset=["latitude", "longitude"])
    closed_year = pd.to_numeric(london["year_closed_low"], errors="coerce")
    closed_year = closed_year.where(closed_year != 9999)
    geometry = gpd.GeoSeries(
        gpd.points_from_xy(london.longitude, london.latitude), crs=WGS84
    ).to_crs(BNG)
    frame = gpd.GeoDataFrame(
        {
            "site_id": "mm-" + london["museum_id"].astype(str),
            "name": london["museum_name"].astype(str).str.strip(),
            "category": "Museum or public gallery",
            "category_group": "Culture & heritage",
            "status": np.where(closed_year.notna(), "closed", "open"),
            "opened_year": pd.to_numeric(london["year_opened_low"], errors="coerce").astype(
                "Int64"
            ),
            "closed_year": closed_year.astype("Int64"),
            "sources": "mapping_museums",
            "licence": SOURCES["museums"].licence,
            "coord_fix": "none",
        },
        geometry=geometry.values,
        crs=BNG,
    )
    report.add(
        "sites",
        "museums",
        len(raw),
        len(frame),
        dropped=len(raw) - len(frame),
        note=f"admin_area_2 == London; {int(closed_year.notna().sum())} closed "
        "(earliest year of the closure range)",
    )
    high = pd.to_numeric(
        london.get("year_closed_high", london["year_closed_low"]), errors="coerce"
    ).where(closed_year.notna())
    events = []
    for site_id, opened, low, hi, museum_id in zip(
        frame["site_id"], frame["opened_year"], closed_year, high, london["museum_id"], strict=True
    ):
        events.append(event(site_id, "opened", opened, "mapping_museums", museum_id))
        if pd.notna(low):
            span = "" if pd.isna(hi) or hi == low else f"closed between {int(low)} and {int(hi)}"
            events.append(event(site_id, "closed", low, "mapping_museums", museum_id, span))
    return frame, events_frame(events)
