"""Data & sources: every input with its publisher, licence, vintage and gaps; the build report."""

import pandas as pd
import streamlit as st

from lib.data import layers as data
from lib.ui import cache, widgets
from lib.vocab.categories import recording_windows
from lib.vocab.sources import SOURCES

st.title("Data & sources")
st.markdown(
    "Joined Up London is built from open data only. Each input below is named with its "
    "publisher, licence and what it cannot tell you. Maps and downloads credit the layers "
    "they show."
)

st.warning(
    "**Known gaps.** Only 27 of the London Plan's 47 Opportunity Areas have published boundaries. "
    f"Closures are recorded only for {recording_windows()} (a dental closure is an NHS "
    "contract ending: the practice may have gone private); a closure that "
    "was a replacement, a move, a merger or a change of owner, and a record that is not a "
    "facility (a second code of one shop, a code that lived days), is not counted as a loss. "
    "Open means open at each source's date. The culture map, places of worship "
    "and pubs as points list open venues only. Planning boundaries are indicative."
)

catalogue = pd.DataFrame(
    [
        {
            "Input": s.title,
            "Publisher": s.publisher,
            "Licence": s.licence,
            "Vintage": s.vintage,
            "Where to get it": s.upstream,
        }
        for s in SOURCES.values()
    ]
)
st.dataframe(
    catalogue,
    hide_index=True,
    width="stretch",
    height=widgets.table_height(len(catalogue)),
    column_config={"Where to get it": st.column_config.LinkColumn()},
)

with st.expander("Known gaps, attribution and file of each input"):
    for source in SOURCES.values():
        st.markdown(
            f"**{source.title}** (`{source.path}`)  \n"
            + (f"Gaps: {source.gaps}  \n" if source.gaps else "")
            + f"Credit: {'. '.join(source.attribution)}"
        )

st.subheader("How the data was built")
st.markdown(
    "`make data` reads the inputs above from `GEODATA_SOURCE` and writes "
    "`geodata/london.gpkg` (EPSG:27700; every layer and column is described in the "
    "repository's `docs/DATA.md` and in the file's own metadata). Each step reports what it "
    "read, kept, repaired and dropped:"
)
try:
    report = cache.layers().build_report
except data.DataMissing as exc:
    st.info(f"No build report yet: {exc}")
else:
    st.dataframe(
        report,
        hide_index=True,
        width="stretch",
        height=widgets.table_height(len(report)),
        column_config={"note": st.column_config.TextColumn(width="large")},
    )
