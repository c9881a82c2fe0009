"""Borough profile: one borough's facilities, losses and voluntary sector against London."""

from functools import partial

import streamlit as st

from lib.analysis import profiles
from lib.links import declare
from lib.render import card_maps, cards, page_specs
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
    table_headers,
    widgets,
)
from lib.vocab.categories import RECORDING_CATEGORIES, categories_text

VIEW = declare.BOROUGH
layers = widgets.require_layers()
# Before the widgets. A borough that matches nothing is not replaced by another: the page asks.
link_notes, unknown = link_check.read_link(VIEW.url_path)  # said under the title bar
names = layers.borough_names
presenting = present.presentation_mode()
# Opened with no borough (a bare /borough): the first in the list is shown, and the page says so.
first_by_default = "borough" not in st.query_params


with st.sidebar:
    st.header("Borough")
    gss_code = params.widget(VIEW.param["borough"], index=None if "borough" in unknown else 0)
    st.header("Ward map")
    measure = params.widget(VIEW.param["measure"])
    policies = params.widget(VIEW.param["policy"])
    show_voluntary = params.widget(VIEW.param["helpers"])
    show_community = community.show_toggle()
    basemap = widgets.basemap_picker()

if gss_code is None:
    widgets.choose_a_place("borough", "borough", unknown, "a borough", link_notes)
name = names[gss_code]
stats = cache.borough_stats()
wards = cache.ward_table(gss_code)
profile = cache.borough_tables(gss_code)
rows = profile.figures
borough = layers.boroughs.set_index("gss_code").loc[gss_code]
slug = name.lower().replace(" ", "-")
shading = profiles.WARD_MEASURES[measure]
site_index = layers.sites.index[layers.sites["gss_code"] == gss_code]
points = layers.voluntary_points
reports = community.approved(PublicFilter(gss_codes=(gss_code,))) if show_community else None
# The screen's map, its card's and its download's: one spec.
spec = page_specs.borough_spec(
    wards,
    gss_code,
    name,
    measure,
    policies,
    cache.site_attributes().loc[site_index],
    points[points["gss_code"] == gss_code] if show_voluntary else None,
    card_maps.map_bounds(layers, [gss_code]),
    basemap,
    community.map_layer(reports),
)
map_data = cache.site_map_data()

if presenting:  # for a projector: the title, the borough's figure against London's, the map
    headline = cards.borough_headline(stats, gss_code, measure)
    present.present_header(
        cards.borough_title(name, measure), headline.value, headline.label, link_notes
    )
    present.present_map_spec(map_data, spec, key="borough_map_present", notes=link_notes)
    widgets.spec_attribution(spec)
    st.stop()

share_slot = layout.title_bar(f"Borough profile: {name}", notes=link_notes)
with share_slot:  # the card (the ward map below, with the borough's figure) drawn on a click
    share_panel.share_panel(
        "borough",
        partial(
            cards.borough_card,
            layers,
            gss_code,
            measure,
            tuple(policies),
            show_voluntary,
            stats=stats,
            wards=wards,
            spec=spec,  # the card is the screen
        ),
        file_stem=f"joined-up-london-{slug}-{measure.replace('_', '-')}",
        compact=True,
        interactive=embed.html_download(spec, cards.borough_title(name, measure)),
    )
opened_on = (
    f"**{name} is shown because it is first in the list**: choose another borough under "
    "Borough in the sidebar. "
    if first_by_default
    else ""
)
st.caption(
    opened_on + f"Wards shaded by **{shading.label[0].lower() + shading.label[1:]}**; sites "
    "(losses ringed in black)"
    + (", food banks and mutual aid groups" if show_voluntary else "")
    + ". Choose the measure and layers in the sidebar."
)
embed.show_map_spec(map_data, spec, key="borough_map", height=layout.map_height(link_notes))
widgets.spec_attribution(spec)
st.markdown(cards.ward_summary(wards, measure, name))
if wards["unstable"].any() and shading.per_head:
    st.caption(
        f"⚠ {int(wards['unstable'].sum())} ward(s) here have under "
        f"{profiles.UNSTABLE_WARD_POPULATION:,} residents: their per-resident figures "
        "are unstable."
    )

st.markdown(
    f"{'Inner' if borough['inner'] else 'Outer'} London · **{int(borough['population']):,}** "
    f"residents (mid-2020) · {len(wards)} wards (2017). Each figure is set against London's "
    "(London's total over London's residents) and ranked among the boroughs, 1 = highest. "
    "The link in your address bar opens this borough again."
)
unstable = rows[rows["unstable"]]
if not unstable.empty:
    st.warning(
        f"**{name} has only {int(borough['population']):,} residents**, far fewer than work or "
        f"visit there, so its per-resident figures are unstable: they are shown but flagged, and "
        f"not ranked (the ranking runs over the other boroughs). {len(unstable)} of "
        f"{len(rows)} figures are affected; pubs lost and deprivation are ranked as usual."
    )

key_rows = rows.set_index("measure").loc[profiles.KEY_MEASURES].reset_index()
for start in range(0, len(key_rows), 4):
    for column, (_, row) in zip(
        st.columns(4), key_rows.iloc[start : start + 4].iterrows(), strict=False
    ):
        measure_info = profiles.MEASURES[row["measure"]]
        with column.container(border=True):
            st.metric(
                ("⚠ " if row["unstable"] else "") + measure_info.short,
                row["shown"],
                delta=f"London {row['london_shown']}",
                delta_color="off",
                delta_arrow="off",
                help=f"{row['label']}. {row['note']}".strip(),
            )
            counted = " · ".join(t for t in (measure_info.unit, row["count_shown"]) if t)
            st.caption(f"{counted}  \n**Rank:** {row['rank_text']}")

closed, helpers = profile.closed, profile.helpers
figures_tab, closed_tab, voluntary_tab, wards_tab = st.tabs(
    [
        "All figures",
        f"Closed facilities ({len(closed)})",
        f"Food banks and mutual aid ({len(helpers)})",
        f"Ward table ({len(wards)})",
    ]
)

with figures_tab:
    st.caption(
        f"{name} against London (London's total over London's residents); rank 1 = the "
        "highest value among the boroughs. Hover a tile above for what each measures."
    )
    display = profile.figures_display
    st.dataframe(
        display,
        hide_index=True,
        width="stretch",
        height=widgets.table_height(len(display)),
        column_config={"figure": "Figure", "value": name, "rank": "Rank"},
    )
    headline_csv = profile.figures_csv
    widgets.csv_download(
        "Download these figures (CSV)",
        headline_csv,
        f"joined-up-london-{slug}-figures.csv",
        key="download_figures",
    )

with closed_tab:
    st.caption(" ".join(closed.attrs["caveats"]))
    if closed.empty:
        st.info(f"No closure of {categories_text(RECORDING_CATEGORIES)} is recorded in {name}.")
    else:
        table_headers.show(closed, table_headers.CLOSED_FACILITIES)
    widgets.csv_download(
        "Download closed facilities (CSV)",
        closed,
        f"joined-up-london-{slug}-closed.csv",
        key="download_closed",
        disabled=closed.empty,
    )

with voluntary_tab:
    banks = helpers[helpers["kind"] == "Food bank"]
    groups = helpers[helpers["kind"] == "Mutual aid group"]
    charity_row = rows.set_index("measure").loc["charities_per_1k"]
    closed_banks = int((banks["status"] == "closed").sum())
    st.caption(
        f"**{int(charity_row['count']):,} registered charities** in {name} (2019; the register "
        "extract gives counts per ward, not names: see the ward table), "
        f"**{int((banks['status'] == 'open').sum())} food banks**"
        + (f" (and {closed_banks} closed)" if closed_banks else "")
        + f" and **{len(groups)} mutual aid groups** of spring 2020. Food banks: Give Food "
        "(about 2022-23). Mutual aid groups: mutualaid.wiki, **CC BY-NC-SA 4.0: non-commercial "
        "use only**, share alike."
    )
    if helpers.empty:
        st.info(f"No food bank or mutual aid group is recorded in {name}.")
    else:
        table_headers.show(helpers, table_headers.HELPERS)
    widgets.csv_download(
        "Download food banks and mutual aid groups (CSV)",
        helpers,
        f"joined-up-london-{slug}-voluntary.csv",
        key="download_voluntary",
        disabled=helpers.empty,
    )

with wards_tab:
    ward_csv = profile.wards_csv
    st.caption(
        "Per-resident figures use mid-2020 residents; IMD rank 1 = the most deprived of "
        "London's 634 wards."
    )
    table_headers.show(ward_csv, table_headers.WARD_TABLE)
    widgets.csv_download(
        "Download the ward table (CSV)",
        ward_csv,
        f"joined-up-london-{slug}-wards.csv",
        key="download_wards",
    )

community.table_and_downloads(
    reports,
    f"joined-up-london-{slug}",
    cache.site_names(),
)

with st.expander("How this is calculated"):
    st.markdown(profiles.PROFILE_METHOD)
    st.markdown("**Caveats.** " + " ".join(stats.attrs.get("caveats", [])))
    st.markdown(
        "**What the joins could not match** (from the data build, and checks on the "
        "built layers): nothing is dropped silently."
    )
    table_headers.show(cache.unmatched_report(), table_headers.UNMATCHED)
