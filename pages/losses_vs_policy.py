"""Losses vs policy: are closures more common inside the London Plan's places than elsewhere?"""

from functools import partial

import streamlit as st

from lib.analysis import community as community_counts
from lib.analysis import losses
from lib.render import cards, charts, loss_maps, tables
from lib.store import PublicFilter
from lib.ui import cache, community, embed, layout, link_check, present, share_panel, widgets
from lib.vocab.categories import RECORDING_CATEGORIES
from lib.vocab.policies import ANALYSED, MAIN_ANALYSED, base_policy, policy_label, policy_title

# Main policies first, then the town-centre classes; the URL carries the readable title.
POLICY_OPTIONS = [*MAIN_ANALYSED, *[p for p in ANALYSED if ":" in p]]
DEFAULT_POLICY = "regeneration_area"


layers = widgets.require_layers()
link_check.check_link("losses")  # before the widgets
presenting = present.presentation_mode()

with st.sidebar:
    st.header("Compare")
    policy = st.selectbox(
        "London Plan policy",
        POLICY_OPTIONS,
        index=POLICY_OPTIONS.index(DEFAULT_POLICY),
        format_func=policy_title,
        key="against",
        bind="query-params",
        help="Town centres can be taken as a whole or one class at a time.",
    )
    chosen = st.multiselect(
        "Categories",
        RECORDING_CATEGORIES,
        key="categories",
        bind="query-params",
        placeholder="All three",
        help="Only these three have sources that record closures as well as open sites.",
    )
    include_community = st.checkbox(
        "Include community reports",
        key="count_community",
        bind="query-params",
        help="Count closures of listed sites that a moderator has confirmed from community "
        "reports (dated within the source's recording years). The figures say how many.",
    )
    basemap = widgets.basemap_picker()

categories = tuple(c for c in RECORDING_CATEGORIES if c in chosen) or RECORDING_CATEGORIES
slug = policy.replace(":", "-").replace(" ", "-").lower()
label = policy_label(policy)
title = policy_title(policy)
# Community reports are always on the map; confirmed closures count only when ticked.
reports = community.approved(PublicFilter(kinds=("closed", "under_threat")))
community_closures, community_count = (), None
if include_community and reports is not None:
    community_closures, community_count = community_counts.counted_closures(layers.sites, reports)
rates, shares = cache.rates_and_shares(policy, categories, community_closures)
distance = cache.distance_bands(categories, community_closures)
total = rates.iloc[-1]  # the "All three"/"All selected" row, or the only category
closure_layers = cache.loss_map_layers(policy, categories, community_closures)
map_sources = ["boroughs", "libraries", "gp_practices", "museums", *base_policy(policy).sources]

if presenting:  # for a projector: the title, one figure, the map
    headline = cards.losses_headline(total, policy)
    present.present_header(cards.losses_title(policy), headline.value, headline.label)
    present.present_map(
        loss_maps.losses_map(
            cache.map_layers(), closure_layers, basemap, community_reports=reports
        ),
        key="losses_map_present",
    )
    widgets.attribution_caption(map_sources, basemap)
    st.stop()

adjusted = total["category"] in (losses.ALL_THREE, losses.ALL_SELECTED)
key = "ratio_adj" if adjusted else "ratio"
closures = total["closed_in"] + total["closed_out"]
share_slot = layout.title_bar(
    "Losses vs policy",
    [
        layout.Figure(
            "Closure rate inside",
            tables.pct(total["rate_in"]),
            help=f"{total['closed_in']:,} of {total['sites_in']:,} recorded sites inside {label}",
        ),
        layout.Figure(
            "Closure rate elsewhere",
            tables.pct(total["rate_out"]),
            help=f"{total['closed_out']:,} of {total['sites_out']:,} recorded sites elsewhere",
        ),
        layout.Figure(
            "Adjusted rate ratio" if adjusted else "Rate ratio",
            tables.ratio(total[key]),
            help="Rate inside / rate elsewhere"
            + (", allowing for the mix of categories on each side" if adjusted else "")
            + "; 95% CI "
            + tables.ratio_interval(total[key + "_lo"], total[key + "_hi"])
            + ". 1 means no difference.",
        ),
        layout.Figure("Closures inside", f"{total['closed_in']:,} of {closures:,}"),
    ],
)
with share_slot:  # the card (the map below, with this headline) is drawn only on a click
    share_panel.share_panel(
        "losses",
        partial(cards.losses_card, layers, policy, categories, table=rates),
        file_stem=f"joined-up-london-losses-{slug}",
        compact=True,
    )
st.markdown(f"#### {losses.verdict_sentence(total, label)}")  # the verdict (small type: layout.py)
if community_count is not None:
    st.caption(community_count.note())

embed.show_map(
    loss_maps.losses_map(cache.map_layers(), closure_layers, basemap, community_reports=reports),
    key="losses_map",
    height=layout.MAP_HEIGHT,
)
widgets.attribution_caption(map_sources, basemap)
st.markdown(
    cards.losses_summary(
        policy,
        categories,
        len(closure_layers.inside["features"]),
        len(closure_layers.outside["features"]),
        len(closure_layers.area["features"]),
    )
)
st.markdown(
    f"Did London's {loss_maps.categories_text(categories)} close more often **inside {label}** "
    "than elsewhere? Closure rate = closed sites / all recorded sites on each side "
    "of the boundary, with 95% intervals. Choose the policy and categories in the sidebar: "
    "the link in your address bar keeps the choice."
)

st.subheader(f"Closure rate inside {title} and elsewhere")
st.vega_lite_chart(spec=charts.rates_chart(rates, policy), width="stretch")
st.dataframe(tables.rates_display(rates), hide_index=True, width="stretch")
st.caption(
    "Counts are recorded sites (open and closed) of each category. The ratio allowing "
    "for category mix (Mantel-Haenszel) and its exact test are what the verdict of a "
    "total row reads; on a category row they equal the plain figures."
)
st.download_button(
    "Download closure rates (CSV)",
    partial(tables.csv_bytes, rates.assign(policy=policy)),
    f"joined-up-london-closure-rates-{slug}.csv",
    "text/csv",
    key="dl_rates",
)

with st.expander("The map as a table: every closed site shown"):
    closed_table = loss_maps.closed_sites_display(
        community_counts.apply_closures(layers.sites, community_closures),
        policy,
        layers.borough_names,
        categories,
    )
    st.dataframe(
        closed_table,
        hide_index=True,
        width="stretch",
        height=360,
        column_config={"Closed": st.column_config.NumberColumn(format="%d")},
    )
    st.download_button(
        "Download the closed sites (CSV)",
        partial(tables.csv_bytes, closed_table),
        f"joined-up-london-closed-sites-{slug}.csv",
        "text/csv",
        key="dl_closed",
    )
share_column, band_column = st.columns(2, gap="large")
with share_column:
    st.subheader(f"Share inside {title}")
    st.markdown(
        "If closures fell evenly, the share of closures inside would match the share "
        "of sites inside."
    )
    st.vega_lite_chart(spec=charts.shares_chart(shares, policy), width="stretch")
    st.dataframe(
        tables.shares_display(shares),
        hide_index=True,
        width="stretch",
        column_config={"Measure": st.column_config.TextColumn(width="small")},
    )
    st.download_button(
        "Download shares (CSV)",
        partial(tables.csv_bytes, shares.assign(policy=policy)),
        f"joined-up-london-shares-{slug}.csv",
        "text/csv",
        key="dl_shares",
    )
with band_column:
    st.subheader("Closure rate by distance to a town centre")
    st.markdown(
        "Straight-line distance to the edge of the nearest town centre, whatever the "
        "policy chosen above."
    )
    st.vega_lite_chart(spec=charts.bands_chart(distance), width="stretch")
    st.dataframe(tables.bands_display(distance), hide_index=True, width="stretch")
    st.download_button(
        "Download distance bands (CSV)",
        partial(tables.csv_bytes, distance),
        "joined-up-london-distance-bands.csv",
        "text/csv",
        key="dl_bands",
    )

community.table_and_downloads(
    reports,
    f"joined-up-london-losses-{slug}",
    dict(zip(layers.sites["site_id"], layers.sites["name"], strict=True)),
)
widgets.caveats_and_definitions([rates, shares, distance], losses.DEFINITIONS)
