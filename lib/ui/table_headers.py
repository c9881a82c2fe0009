"""Readable headers for the pages' tables, and the columns that matter on screen (the CSV
downloads keep every column)."""

from __future__ import annotations

import streamlit as st

from lib.render import tables

WARD_TABLE = {
    "ward": st.column_config.TextColumn("Ward", width="medium"),
    "borough": "Borough",
    "residents_mid_2020": st.column_config.NumberColumn("Residents (2020)", format="localized"),
    "open_sites": "Open sites",
    "sites_per_10k": st.column_config.NumberColumn("Sites per 10,000", format="%.1f"),
    "closures_since_2010": "Closures since 2010",
    "charities": "Charities",
    "charities_per_1k": st.column_config.NumberColumn("Charities per 1,000", format="%.2f"),
    "grants_per_head": st.column_config.NumberColumn("Grants per head (£)", format="localized"),
    "imd_score": st.column_config.NumberColumn("IMD score", format="%.1f"),
    "imd_rank": st.column_config.NumberColumn("IMD rank", help="1 = the most deprived ward"),
    "regen_share": st.column_config.NumberColumn("% in Areas for Regeneration", format="%.0f"),
    "under_5000_residents": st.column_config.CheckboxColumn("Under 5,000 residents"),
}
CLOSED_FACILITIES = {
    "name": st.column_config.TextColumn("Name", width="medium"),
    "category": "Category",
    "closed_year": st.column_config.NumberColumn("Closed", format="%d"),
    "opened_year": st.column_config.NumberColumn("Opened", format="%d"),
    "history": st.column_config.TextColumn("History", width="medium"),
    "ward": "Ward (2017)",
    "source": "Source",
    "licence": "Licence",
}
HELPERS = {
    "kind": "Kind",
    "name": st.column_config.TextColumn("Name", width="medium"),
    "network": "Network",
    "status": "Status",
    "ward": "Ward",
    "borough": "Borough",
    "vintage": "Data of",
    "licence": "Licence",
}
UNMATCHED = {"check": "Check", "matched": "Matched", "not_matched": "Not matched", "note": "Note"}


def show(frame, columns: dict, **kwargs) -> None:
    """`frame` with the columns named in `columns` (in that order, when present) and their
    readable headers. Only those columns are sent to the browser, compacted (the same values
    in fewer bytes: `tables.compact`)."""
    order = [c for c in columns if c in frame.columns]
    st.dataframe(
        tables.compact(frame, order),
        hide_index=True,
        width="stretch",
        column_order=order,
        column_config={c: columns[c] for c in order},
        **kwargs,
    )
