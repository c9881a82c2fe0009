"""Community-reported contributions on the official pages (Streamlit glue).

Reads go through lib.store.public_contributions, the one public read path, again whenever the
store's public version changes (lib/ui/cache.public_reports): a report a moderator hides must
vanish at once, and one made through another app process must appear. When the store cannot be
opened the official pages still work and say so.
"""

from __future__ import annotations

import json

import geopandas as gpd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from lib.data import crs
from lib.links import declare
from lib.render import community
from lib.store import PublicFilter
from lib.store.engine import StoreConfigError
from lib.ui import params, widgets
from lib.ui.cache import public_reports
from lib.vocab import contributions as vocab


def approved(filters: PublicFilter | None = None) -> gpd.GeoDataFrame | None:
    """Approved contributions (public columns), or None with a note when the store is out."""
    try:
        return public_reports(filters)
    except (StoreConfigError, SQLAlchemyError, OSError) as exc:
        st.caption(f"Community reports are unavailable here ({type(exc).__name__}).")
        return None


def show_toggle() -> bool:
    return params.widget(declare.COMMUNITY)


def geojson(contributions: gpd.GeoDataFrame) -> str:
    """The contributions as GeoJSON (WGS84) with the licence on every feature."""
    frame = crs.to_crs(contributions[contributions.geometry.notna()], 4326)
    data = json.loads(frame.to_json(drop_id=True))
    data["licence"] = vocab.LICENCE
    data["attribution"] = f"Joined Up London contributors ({vocab.LICENCE})"
    return json.dumps(data, ensure_ascii=False)


def table_and_downloads(
    contributions: gpd.GeoDataFrame | None, file_stem: str, site_names: dict | None = None
) -> None:
    """The approved reports as a table (plain text), with CSV and GeoJSON downloads that carry
    the licence on every row."""
    if contributions is None:
        return
    n = len(contributions)
    with st.expander(f"Community-reported ({n:,}): reports by the public, moderated"):
        if not n:
            st.caption("No approved community reports here yet.")
            return
        table = community.public_table(contributions, site_names)
        columns = [
            c
            for c in [
                "id",
                "what",
                "category",
                "name",
                "event_date",
                "description",
                "evidence_url",
                "outcome",
                "listed_site",
                "licence",
            ]
            if c in table.columns
        ]
        st.dataframe(table[columns], hide_index=True, width="stretch", height=min(300, 38 + 35 * n))
        st.caption(
            f"Published under {vocab.LICENCE} ({vocab.LICENCE_URL}): credit "
            '"Joined Up London contributors".'
        )
        d1, d2 = st.columns(2)
        with d1:
            widgets.csv_download(
                "Community reports (CSV)",
                table,
                f"{file_stem}-community.csv",
                width="stretch",
                key=f"{file_stem}_community_csv",
            )
        d2.download_button(
            "Community reports (GeoJSON)",
            geojson(contributions).encode(),
            f"{file_stem}-community.geojson",
            "application/geo+json",
            width="stretch",
            on_click="ignore",
            key=f"{file_stem}_community_geojson",
        )


def map_layer(reports: gpd.GeoDataFrame | None):
    """The approved reports as the explorer's community-reported overlay (None: none shown)."""
    return community.site_map_layer(reports)
