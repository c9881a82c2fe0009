"""Losses over time: closures per year, and the pubs London lost borough by borough."""

from functools import partial

import streamlit as st

from lib.analysis import losses, pub_trends
from lib.links import declare
from lib.render import cards, charts, page_specs, tables
from lib.ui import cache, embed, layout, link_check, params, present, share_panel, widgets
from lib.vocab.categories import PUBS_END, PUBS_START, RECORDING, categories_text
from lib.vocab.policies import policy_title

VIEW = declare.OVER_TIME
layers = widgets.require_layers()
# Before the widgets. A borough that matches nothing is not replaced by London: the page asks.
link_notes, unknown = link_check.read_link(VIEW.url_path)  # said under the title bar
names = layers.borough_names
presenting = present.presentation_mode()

with st.sidebar:
    st.header("Where")
    area = params.widget(VIEW.param["area"], index=None if "area" in unknown else 0)
    basemap = widgets.basemap_picker()

if area is None:
    widgets.choose_a_place("over-time", "area", unknown, "a borough (or All London)", link_notes)
gss_code = None if area == declare.LONDON else area
place = "London" if gss_code is None else names[gss_code]

change, trend, shares, correlation = cache.pub_tables()
spec = page_specs.pubs_spec(change, gss_code, basemap)  # the screen's, the card's, the download's
map_data = cache.site_map_data()

if presenting:  # for a projector: the title, one figure, the pubs map
    headline = cards.pubs_headline(change, gss_code)
    present.present_header(
        cards.pubs_title(PUBS_START, PUBS_END), headline.value, headline.label, link_notes
    )
    present.present_map_spec(map_data, spec, key="pubs_map_present", notes=link_notes)
    widgets.spec_attribution(spec)
    st.stop()

# ---------------------------------------------------------------- pubs: the map first
london = change.attrs["london"]
figures = [
    layout.Figure(
        f"London, {PUBS_START} → {PUBS_END}",
        f"{london['pubs_start']:,} → {london['pubs_end']:,}",
        delta=f"{london['change']:,} ({london['pct_change']:.1f}%)",
        help="Sum of the 33 boroughs' ONS counts (rounded to 5 each).",
    )
]
if gss_code is not None:
    row = change.set_index("gss_code").loc[gss_code]
    figures += [
        layout.Figure(
            f"{place}, {PUBS_START} → {PUBS_END}",
            f"{int(row['pubs_start']):,} → {int(row['pubs_end']):,}",
            delta=f"{int(row['change']):,} ({row['pct_change']:.1f}%)",
        ),
        layout.Figure(
            f"{place}: change per 10,000 residents",
            f"{row['change_per_10k']:.2f}",
            help=f"London: {london['change_per_10k']:.2f}",
        ),
    ]
else:
    lost = int((change["change"] < 0).sum())
    figures += [
        layout.Figure("Boroughs with fewer pubs", f"{lost} of {len(change)}"),
        layout.Figure("London: change per 10,000 residents", f"{london['change_per_10k']:.2f}"),
    ]
share_slot = layout.title_bar("Losses over time", figures, link_notes)
with share_slot:  # the card (the pubs map, with this borough's or London's count) on a click
    share_panel.share_panel(
        "over-time",
        partial(cards.pubs_card, layers, gss_code, change=change, spec=spec),
        file_stem=f"joined-up-london-pubs-{place.lower().replace(' ', '-')}",
        compact=True,
        interactive=embed.html_download(spec, cards.pubs_title(PUBS_START, PUBS_END)),
    )

map_column, line_column = st.columns([3, 2], gap="medium")
with map_column:
    embed.show_map_spec(map_data, spec, key="pubs_map", height=layout.map_height(link_notes))
    widgets.spec_attribution(spec)
with line_column:
    st.markdown(cards.pubs_summary(change, gss_code))
    st.markdown(
        f"**Pubs and bars per year, {PUBS_START} = 100**: "
        + (
            "London and every borough (grey)."
            if gss_code is None
            else f"{place} against London; other boroughs in grey."
        )
    )
    st.vega_lite_chart(spec=charts.pubs_trend_chart(trend, gss_code), width="stretch")
st.markdown(
    f"When London's {categories_text(RECORDING)} closed, and how many pubs and bars "
    f"each borough lost between {PUBS_START} and {PUBS_END}. Choose a borough in the sidebar; "
    "the link in your address bar keeps the choice."
)

st.dataframe(
    tables.pubs_display(change, PUBS_START, PUBS_END),
    hide_index=True,
    width="stretch",
    height=420,
    column_config={
        f"Pubs {PUBS_START}": st.column_config.NumberColumn(format="localized"),
        f"Pubs {PUBS_END}": st.column_config.NumberColumn(format="localized"),
        "Change": st.column_config.NumberColumn(format="localized"),
        "% change": st.column_config.NumberColumn(format="%.1f%%"),
        "Change per 10,000 residents": st.column_config.NumberColumn(format="%.2f"),
    },
)
widgets.csv_download(
    "Download pubs by borough (CSV)",
    change,
    f"joined-up-london-pubs-{PUBS_START}-{PUBS_END}.csv",
    key="dl_pubs",
)

# ---------------------------------------------------------------- closures per year
by_year = cache.closures_by_year(gss_code)
undated = by_year.attrs.get("undated", {})
st.subheader(f"Closures per year: {place}")
c1, c2, c3 = st.columns(3)
c1.metric("Closures with a year", f"{int(by_year['closures'].sum()):,}")
c2.metric("Closures with no recorded year", f"{sum(undated.values()):,}")
if peak := tables.peak_year(by_year):
    c3.metric("Most in one year", f"{peak[1]:,} in {peak[0]}")
if by_year.empty:
    st.info(f"No recorded closures of {categories_text(RECORDING)} in {place}.")
else:
    chart_column, table_column = st.columns([5, 3], gap="medium")
    with chart_column:
        st.vega_lite_chart(spec=charts.closures_by_year_chart(by_year), width="stretch")
    with table_column:
        wide = tables.closures_by_year_wide(by_year)
        st.dataframe(
            wide, hide_index=True, height=390 if len(wide) > 10 else "auto", width="stretch"
        )
if sentence := tables.undated_sentence(undated, "" if gss_code is None else place):
    st.markdown(sentence)
st.caption(
    "Closures are recorded only in these years: "
    + "; ".join(f"{r.plural} {r.window}" for r in RECORDING.values())
    + ". An empty year is a year with no recorded closure, not proof that none closed."
)
widgets.csv_download(
    "Download closures by year (CSV)",
    by_year.assign(area=place),
    f"joined-up-london-closures-by-year-{place.lower().replace(' ', '-')}.csv",
    key="dl_years",
)

st.subheader("Did boroughs with more policy area lose more pubs?")
st.markdown(
    "Each dot is a borough: the share of its area in the policy's places against its "
    f"% change in pubs and bars, {PUBS_START}-{PUBS_END}."
)
for column, policy in zip(
    st.columns(len(pub_trends.BOROUGH_SHARE_POLICIES)),
    pub_trends.BOROUGH_SHARE_POLICIES,
    strict=True,
):
    with column:
        st.markdown(f"**{policy_title(policy)}**")
        st.vega_lite_chart(
            spec=charts.pubs_share_chart(change, shares, policy, gss_code), width="stretch"
        )
st.dataframe(tables.correlation_display(correlation), hide_index=True, width="stretch")
st.info(losses.CAVEATS["ecological"])
d1, d2 = st.columns(2)
with d1:
    widgets.csv_download(
        "Download correlations (CSV)",
        correlation,
        "joined-up-london-pubs-vs-policy.csv",
        key="dl_correlation",
    )
with d2:
    widgets.csv_download(
        "Download policy shares and pubs by borough (CSV)",
        tables.pubs_and_shares(change, shares),
        "joined-up-london-pubs-and-policy-shares.csv",
        key="dl_shares",
    )

widgets.caveats_and_definitions([by_year, change, correlation], losses.DEFINITIONS)
