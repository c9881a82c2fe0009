"""Losses vs policy: are closures more common inside the London Plan's places than elsewhere?"""

from functools import partial

import streamlit as st

from lib.analysis import community as community_counts
from lib.analysis import geometry, losses
from lib.links import declare
from lib.render import cards, charts, loss_maps, mapspec, page_specs, tables
from lib.store import PublicFilter
from lib.ui import (
    cache,
    community,
    embed,
    layout,
    link_check,
    params,
    present,
    share_panel,
    widgets,
)
from lib.vocab.categories import RECORDING_CATEGORIES, categories_text
from lib.vocab.policies import policy_label, policy_title

VIEW = declare.LOSSES
layers = widgets.require_layers()
link_notes, _ = link_check.read_link(VIEW.url_path)  # before the widgets
presenting = present.presentation_mode()

with st.sidebar:
    st.header("Compare")
    policy = params.widget(VIEW.param["against"])
    chosen = params.widget(VIEW.param["categories"])
    start = params.widget(VIEW.param["since"])
    vintage = params.widget(VIEW.param["after_designation"])
    by_borough = params.widget(VIEW.param["by_borough"])
    include_community = params.widget(VIEW.param["count_community"])
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
# The CAZ, SILs, town centres and Areas for Regeneration have no designation date in their
# sources: the option does not apply to them (a note under the map says so).
dated = geometry.has_designation(layers.policy_areas, policy)
choices = losses.Choices(start=int(start), vintage=vintage and dated, by_borough=by_borough)
rates, shares, sides = cache.rates_and_shares(policy, categories, community_closures, choices)
robust = cache.robustness(policy, categories, community_closures, choices)
driven = cache.drivers(policy, categories, community_closures, choices).set_index("category")
distance = cache.distance_bands(categories, community_closures, choices.start)
total = rates.iloc[-1]  # the pooled row, or the only category
# `sides`: the analysis decided which losses count inside (once, with the rates); the map
# draws them.
spec = page_specs.losses_spec(
    cache.site_attributes(),
    sides,
    policy,
    categories,
    choices.start,
    choices.vintage,
    layers.policy_areas,
    basemap,
    community.map_layer(reports),
)
map_data = cache.site_map_data()

if presenting:  # for a projector: the title, one figure, the map
    headline = cards.losses_headline(total, policy)
    present.present_header(cards.losses_title(policy), headline.value, headline.label, link_notes)
    present.present_map_spec(map_data, spec, key="losses_map_present", notes=link_notes)
    widgets.spec_attribution(spec)
    st.stop()

pooled = total["category"] in (losses.ALL_RECORDED, losses.ALL_SELECTED)
closures = total["closed_in"] + total["closed_out"]
share_slot = layout.title_bar(
    "Losses vs policy",
    [
        layout.Figure(
            "Per 100 site-years inside",
            tables.ratio(total["rate_in"]),
            help=f"Losses per 100 site-years at risk: {total['closed_in']:,} losses in "
            f"{total['years_in']:,.0f} site-years inside {label}, since {choices.start}",
        ),
        layout.Figure(
            "Elsewhere",
            tables.ratio(total["rate_out"]),
            help=f"Losses per 100 site-years at risk elsewhere: {total['closed_out']:,} losses "
            f"in {total['years_out']:,.0f} site-years",
        ),
        layout.Figure(
            "Rate ratio",
            tables.ratio(total["ratio"]),
            help="Rate inside / rate elsewhere"
            + (", each category compared with itself, then pooled" if pooled else "")
            + "; 95% CI (mid-p exact) "
            + tables.ratio_interval(total["ratio_lo"], total["ratio_hi"])
            + ". 1 means no difference.",
        ),
        layout.Figure("Losses inside", f"{total['closed_in']:,} of {closures:,}"),
    ],
    link_notes,
)
with share_slot:  # the card (the map below, with this headline) is drawn only on a click
    share_panel.share_panel(
        "losses",
        partial(
            cards.losses_card,
            layers,
            policy,
            categories,
            table=rates,
            choices=choices,
            fragile=robust.attrs["fragile"],
            spec=spec,  # the card is the screen
        ),
        file_stem=f"joined-up-london-losses-{slug}",
        compact=True,
        interactive=embed.html_download(spec, cards.losses_title(policy)),
    )
st.markdown(f"#### {losses.verdict_sentence(total, label)}")  # the verdict (small type: layout.py)
embed.show_map_spec(map_data, spec, key="losses_map", height=layout.map_height(link_notes))
widgets.spec_attribution(spec)
# Under the map, so that all of it stays on a projector's first screen.
if total["category"] in driven.index:  # a higher or lower headline: what drives it
    st.caption(f"**What drives it.** {driven.loc[total['category'], 'text']}")
st.caption(
    f"{losses.robustness_note(robust)} {losses.family_text(rates)} An association with a "
    "designated area is not evidence that the designation caused the closures."
)
if vintage and not dated:
    source = geometry.policy_layer(layers.policy_areas, policy)["designated_source"].iloc[0]
    why = source.split(": ", 1)[-1]  # the build's "no designation date: <why>"
    st.caption(
        f"No designation date for {title} ({why}), so “Only closures after designation” does "
        "not apply: every year inside counts."
    )
if community_count is not None:
    st.caption(community_count.note())
st.markdown(
    cards.losses_summary(
        policy,
        categories,
        int(sides.sum()),
        int((~sides).sum()),
        spec.first(mapspec.PolicyAreas).counts[0],
    )
)
st.markdown(
    f"Did London's {categories_text(categories)} close more often **inside {label}** "
    f"than elsewhere, since {choices.start}? Rate = losses per 100 site-years at risk (the years "
    "each site was open in its source's window) on each side of the boundary, with 95% "
    "intervals. Choose the policy, categories and window in the sidebar: the link in your "
    "address bar keeps the choice."
)

st.subheader(f"Losses per site-year inside {title} and elsewhere")
st.vega_lite_chart(spec=charts.rates_chart(rates, policy), width="stretch")
st.dataframe(tables.rates_display(rates), hide_index=True, width="stretch")
st.caption(
    "Site-years count each recorded site from the window start (or its opening) to its "
    "closure (or its source's end). A pooled row's ratio is Mantel-Haenszel over categories"
    + (" and boroughs" if choices.by_borough else "")
    + "; intervals and p-values are mid-p exact. Holm's p allows for the "
    f"{int(total['comparisons'])} comparisons that can give a verdict (of "
    f"{int(rates.attrs['offered'])} offered; those with under {losses.MIN_CLOSURES} closures "
    "expected inside cannot)."
)
if len(driven):
    st.markdown("**What drives each finding** (every row that reads higher or lower)")
    for category, row in driven.iterrows():
        st.markdown(f"- **{category}** ({row['reading']}). {row['text']}")
widgets.csv_download(
    "Download closure rates (CSV)",
    rates.assign(
        policy=policy,
        since=choices.start,
        after_designation=choices.vintage,
        by_borough=choices.by_borough,
        fragile=robust.attrs["fragile"],
    ),
    f"joined-up-london-closure-rates-{slug}.csv",
    key="dl_rates",
)

st.subheader("Robustness: the headline under other reasonable choices")
st.markdown(losses.robustness_note(robust))
st.dataframe(tables.robustness_display(robust), hide_index=True, width="stretch")
widgets.csv_download(
    "Download robustness (CSV)",
    robust.assign(policy=policy),
    f"joined-up-london-robustness-{slug}.csv",
    key="dl_robust",
)

with st.expander("The map as a table: every closed site shown"):
    closed_table = loss_maps.closed_sites_display(
        community_counts.apply_closures(layers.sites, community_closures),
        sides,
        policy,
        layers.borough_names,
    )
    st.dataframe(
        closed_table,
        hide_index=True,
        width="stretch",
        height=360,
        column_config={"Closed": st.column_config.NumberColumn(format="%d")},
    )
    widgets.csv_download(
        "Download the closed sites (CSV)",
        closed_table,
        f"joined-up-london-closed-sites-{slug}.csv",
        key="dl_closed",
    )
share_column, band_column = st.columns(2, gap="large")
with share_column:
    st.subheader(f"Share inside {title}")
    st.markdown(
        "If losses fell evenly, the share of losses inside would match the share "
        "of site-years inside."
    )
    st.vega_lite_chart(spec=charts.shares_chart(shares, policy), width="stretch")
    st.dataframe(
        tables.shares_display(shares),
        hide_index=True,
        width="stretch",
        column_config={"Measure": st.column_config.TextColumn(width="small")},
    )
    widgets.csv_download(
        "Download shares (CSV)",
        shares.assign(policy=policy),
        f"joined-up-london-shares-{slug}.csv",
        key="dl_shares",
    )
with band_column:
    st.subheader("Losses per site-year by distance to a town centre")
    st.markdown(
        "Straight-line distance to the edge of the nearest town centre, whatever the "
        "policy chosen above."
    )
    st.vega_lite_chart(spec=charts.bands_chart(distance), width="stretch")
    st.dataframe(tables.bands_display(distance), hide_index=True, width="stretch")
    widgets.csv_download(
        "Download distance bands (CSV)",
        distance,
        "joined-up-london-distance-bands.csv",
        key="dl_bands",
    )

community.table_and_downloads(
    reports,
    f"joined-up-london-losses-{slug}",
    cache.site_names(),
)
widgets.caveats_and_definitions([rates, shares, distance], losses.DEFINITIONS)
