"""Voluntary sector: charities and grants per ward against deprivation; food banks, mutual aid."""

from functools import partial

import pandas as pd
import streamlit as st

from lib.analysis import profiles
from lib.links import declare
from lib.render import cards, charts, page_specs, ward_maps
from lib.ui import (
    cache,
    embed,
    layout,
    link_check,
    params,
    present,
    share_panel,
    table_headers,
    widgets,
)
from lib.vocab.funders import VOLUNTARY

VIEW = declare.VOLUNTARY
layers = widgets.require_layers()
# Before the widgets; a wrong value's note goes under the title bar.
link_notes, _ = link_check.read_link(VIEW.url_path)
presenting = present.presentation_mode()


with st.sidebar:
    st.header("Voluntary sector")
    measure = params.widget(VIEW.param["measure"])
    government = params.widget(VIEW.param["government"])
    wards = cache.ward_table(government=government)
    labels = ward_maps.ward_labels(wards)
    ward = params.widget(VIEW.param["ward"], index=None)
    basemap = widgets.basemap_picker()

by_year = layers.grants_by_year
grants = by_year if government else by_year[by_year["funder_type"].isin(VOLUNTARY)]
funders = "every funder publishing to 360Giving" if government else profiles.OWN_FUNDERS
sector = cache.voluntary_tables(government)
points = layers.voluntary_points
banks = points[points["kind"] == "food_bank"]
groups = points[points["kind"] == "mutual_aid"]
# The screen's map, its card's and its download's: one spec.
spec = page_specs.voluntary_spec(
    wards, measure, points, ward, labels[ward] if ward else "", basemap
)
map_data = cache.site_map_data()

if presenting:  # for a projector: the title, London's (or the ward's) figure, the map
    headline = cards.voluntary_headline(wards, measure, ward, labels)
    present.present_header(
        cards.voluntary_title(measure), headline.value, headline.label, link_notes
    )
    present.present_map_spec(map_data, spec, key="voluntary_map_present", notes=link_notes)
    widgets.spec_attribution(spec)
    st.stop()

share_slot = layout.title_bar(
    "Voluntary sector",
    [
        layout.Figure(
            "Registered charities (2019)",
            f"{int(wards['charities'].sum()):,}",
            help="Charities in the CharityBase extract, by the ward of their registered address.",
        ),
        layout.Figure(
            f"Grants {profiles.GRANT_YEARS}",
            profiles.gbp_text(grants["grants_gbp"].sum()),
            help=f"From {funders}. £{wards['grants_gbp'].sum() / 1e9:,.2f} bn of it has a "
            "recipient ward.",
        ),
        layout.Figure(
            "Food banks",
            f"{int((banks['status'] == 'open').sum())}",
            delta=f"{int((banks['status'] == 'closed').sum())} closed",
            help="Give Food, about 2022-23: "
            + ", ".join(f"{k} {v}" for k, v in banks["network"].value_counts().items()),
        ),
        layout.Figure(
            "Mutual aid groups (2020)",
            f"{len(groups):,}",
            help="mutualaid.wiki, March-May 2020; CC BY-NC-SA 4.0 (non-commercial).",
        ),
    ],
    notes=link_notes,
)
with share_slot:  # the card (the ward map, with London's or the ward's figure) on a click
    share_panel.share_panel(
        "voluntary",
        partial(
            cards.voluntary_card,
            layers,
            measure,
            ward,
            wards=wards,
            government=government,
            spec=spec,  # the card is the screen
        ),
        file_stem=f"joined-up-london-voluntary-{measure.replace('_', '-')}",
        compact=True,
        interactive=embed.html_download(spec, cards.voluntary_title(measure)),
    )

embed.show_map_spec(map_data, spec, key="voluntary_map", height=layout.map_height(link_notes))
widgets.spec_attribution(spec)
if ward:  # under the map, so that all of the map is on a 1280x720 screen
    row = wards.set_index("ward_code").loc[ward]
    charities = (
        "no row in the 2019 charity extract (no data)"
        if pd.isna(row["charities"])
        else f"{int(row['charities'])} registered "
        f"{'charity' if row['charities'] == 1 else 'charities'} "
        f"({row['charities_per_1k']:.2f} per 1,000)"
    )
    st.info(
        f"**{labels[ward]}**: {int(row['population']):,} residents; {charities}; "
        f"£{row['grants_gbp']:,.0f} in {int(row['grants_count'])} "
        f"{'grant' if row['grants_count'] == 1 else 'grants'} "
        f"(£{row['grants_per_head']:,.0f} a head); IMD 2019 score {row['imd_score']:.1f}, "
        f"{profiles.ordinal(row['imd_rank'])} most deprived of {len(wards)} wards."
        + (
            f" ⚠ Under {profiles.UNSTABLE_WARD_POPULATION:,} residents: per-resident figures "
            "are unstable."
            if row["unstable"]
            else ""
        )
    )
st.markdown(
    cards.ward_summary(wards, measure, "London")
    + " The ward table further down has every ward's figures."
)
st.markdown(
    "Who is there to help, ward by ward: registered charities (2019) and grants from funders "
    "publishing to 360Giving (2013-2018), against deprivation, with food banks and the mutual "
    "aid groups of spring 2020. Choose a ward in the sidebar to find it on the map and the chart."
)
st.caption(
    '**Licences.** Food banks: Give Food (about 2022-23), attribution "Food bank data from Give '
    'Food". Mutual aid groups: mutualaid.wiki (March-May 2020), **CC BY-NC-SA 4.0: '
    "non-commercial use only**, share alike; points are coarse geocodes of a place name. "
    "Charities: Charity Commission via CharityBase (January 2019, OGL). Grants: 360Giving "
    "publishers' own licences (mostly CC BY 4.0 / OGL)."
)

st.subheader("Against deprivation")
chart_column, text_column = st.columns([3, 2], gap="medium")
with chart_column:
    st.vega_lite_chart(spec=charts.scatter_chart(wards, measure, ward), width="stretch")
    st.caption(
        "One dot per 2017 ward; hollow dots are the City's wards of under "
        f"{profiles.UNSTABLE_WARD_POPULATION:,} residents. The y axis is compressed "
        "(symlog) so that zero and the few very large values both show."
    )
with text_column:
    table = cache.voluntary_correlations(government)
    st.markdown("**Correlation with ward deprivation**")
    for _, row in table[table["measure"] == measure].iterrows():
        st.markdown("- " + profiles.correlation_sentence(row))
    other = table[(table["measure"] != measure) & (table["wards"] == "all wards")]
    for _, row in other.iterrows():
        st.caption(profiles.correlation_sentence(row))
    caveats = table.attrs["caveats"]
    st.markdown("**Caveats.** " + " ".join(caveats[:2]))
    with st.expander("More caveats"):
        for caveat in caveats[2:]:
            st.markdown("- " + caveat)

st.subheader("Findings")
st.markdown(f"**Who gives.** {profiles.grants_sentence(sector.funder_groups)}")
for finding in cache.findings():
    st.markdown(f"**{finding['title']}.** {finding['text']}")

st.subheader("Ward table")
ward_csv = sector.wards_csv
table_headers.show(ward_csv, table_headers.WARD_TABLE, height=360)
widgets.csv_download(
    "Download the ward table (CSV)",
    ward_csv,
    "joined-up-london-voluntary-wards.csv",
    key="download_wards",
)

# The list's 744 rows are sent when it is opened, not with every view (the map has them).
helpers_list = st.expander(
    "Food banks and mutual aid groups (list)", key="helpers_list", on_change="rerun"
)
with helpers_list:
    if helpers_list.open:
        table_headers.show(sector.helpers, table_headers.HELPERS, height=360)
    widgets.csv_download(
        "Download the list (CSV)",
        sector.helpers,
        "joined-up-london-food-banks-mutual-aid.csv",
        key="download_helpers",
    )

with st.expander("How this is calculated"):
    st.markdown(profiles.VOLUNTARY_METHOD)
    st.markdown(
        "**What the joins could not match** (from the data build, and checks on the "
        "built layers): nothing is dropped silently."
    )
    table_headers.show(cache.unmatched_report(), table_headers.UNMATCHED)
