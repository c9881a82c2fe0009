"""The one public read path: approved contributions, public columns only.

Every map, table, card and download reads contributions through `public_contributions`, which
reads the database view of the same name (made by the migrations: approved rows only, no token,
no contact table, no moderation details, no point for an area need). A filter can only narrow
what the view returns, so nothing pending, hidden or private can leak through a forgotten one.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
from sqlalchemy import Engine, column, func, select, table

from lib.store.models import ModerationEntry
from lib.vocab import contributions as vocab

PUBLIC_COLUMNS = (
    "id",
    "kind",
    "correction",
    "site_id",
    "category",
    "name",
    "event_date",
    "evidence_url",
    "description",
    "where_source",
    "x",
    "y",
    "gss_code",
    "ward_code",
    "outcome",
    "duplicate_of",
    "licence",
    "created_at",
    "updated_at",
)
VIEW = table("public_contributions", *(column(c) for c in PUBLIC_COLUMNS))
CRS = "EPSG:27700"
LABEL = "community-reported"


@dataclass(frozen=True)
class PublicFilter:
    """Hashable (tuples), so the UI can pass it to a cached function."""

    kinds: tuple[str, ...] | None = None
    categories: tuple[str, ...] | None = None
    outcomes: tuple[str, ...] | None = None
    gss_codes: tuple[str, ...] | None = None
    ward_codes: tuple[str, ...] | None = None
    site_ids: tuple[str, ...] | None = None


def _in(name: str, values: Collection[str] | None):
    return None if values is None else VIEW.c[name].in_(list(values))


def public_contributions(engine: Engine, filters: PublicFilter | None = None) -> gpd.GeoDataFrame:
    """Approved contributions as points in EPSG:27700 (no geometry for area needs), with the
    licence of each row and `source` = "community-reported"."""
    filters = filters or PublicFilter()
    conditions = [
        c
        for c in (
            _in("kind", filters.kinds),
            _in("category", filters.categories),
            _in("outcome", filters.outcomes),
            _in("gss_code", filters.gss_codes),
            _in("ward_code", filters.ward_codes),
            _in("site_id", filters.site_ids),
        )
        if c is not None
    ]
    query = select(*VIEW.c).where(*conditions).order_by(VIEW.c.id)
    with engine.connect() as connection:
        frame = pd.DataFrame(
            connection.execute(query).mappings().all(), columns=list(PUBLIC_COLUMNS)
        )
    # Dates as ISO text (YYYY-MM-DD; created_at and updated_at are UTC days), so every
    # download (CSV, GeoJSON, GeoPackage) writes them the same way.
    for name in ("event_date", "created_at", "updated_at"):
        frame[name] = pd.to_datetime(frame[name]).dt.strftime("%Y-%m-%d").astype(object)
        frame[name] = frame[name].where(frame[name].notna(), None)
    frame["x"] = pd.to_numeric(frame["x"])
    frame["y"] = pd.to_numeric(frame["y"])
    located = frame["x"].notna() & frame["y"].notna()
    geometry = gpd.GeoSeries([None] * len(frame), index=frame.index, crs=CRS)
    if located.any():
        geometry[located] = gpd.points_from_xy(
            frame.loc[located, "x"], frame.loc[located, "y"], crs=CRS
        )
    frame["source"] = LABEL
    frame["licence_url"] = frame["licence"].map({vocab.LICENCE: vocab.LICENCE_URL})
    return gpd.GeoDataFrame(frame.drop(columns=["x", "y"]), geometry=geometry, crs=CRS)


def public_version(engine: Engine) -> tuple:
    """A small value that changes whenever `public_contributions` may return something else:
    every approval, hiding, edit and outcome writes a moderation log entry, and the approved
    rows' count, ids and latest change cover a row made public any other way. One aggregate
    query, so a page can read the reports again only when they changed."""
    latest_entry = select(func.max(ModerationEntry.id)).scalar_subquery()
    query = select(
        latest_entry, func.count(), func.sum(VIEW.c.id), func.max(VIEW.c.updated_at)
    ).select_from(VIEW)
    with engine.connect() as connection:
        return tuple(connection.execute(query).one())
