"""Map explorer: every site, open and closed, over borough density and London Plan layers."""

from dataclasses import replace

import streamlit as st

from lib.data import layers as data
from lib.links import declare
from lib.render import card_maps, cards, mapspec, page_specs
from lib.store import PublicFilter
from lib.ui import (
    cache,
    community,
    embed,
    layout,
    link_check,
    own_data,
    params,
    present,
    share_panel,
    widgets,
)
from lib.vocab.categories import STATUS_LABELS

VIEW = declare.MAP_EXPLORER
layers = widgets.require_layers()
# Before the widgets (?borough=hackney, ?status=closed); the notes are said under the title bar.
link_notes, _ = link_check.read_link(VIEW.url_path)
sites = layers.sites
names = layers.borough_names

presenting = present.presentation_mode()

with st.sidebar:
    st.header("Filters")
    groups = params.widget(VIEW.param["group"])
    categories = params.widget(VIEW.param["category"], earlier={"group": groups})
    status = params.widget(VIEW.param["status"])
    boroughs = params.widget(VIEW.param["borough"])
    first_year = int(sites["closed_year"].min())
    last_year = int(sites["closed_year"].max())
    closed_years = params.widget(
        VIEW.param["closed"],
        min_value=first_year,
        max_value=last_year,
        value=(first_year, last_year),
    )
    st.header("Map")
    density_group = params.widget(VIEW.param["density"])
    policies = params.widget(VIEW.param["policy"])
    show_community = community.show_toggle()
    basemap = widgets.basemap_picker()
    st.header("Your own data")
    own = own_data.uploader()
own_layer = own.layer if own is not None else None

site_filter = data.SiteFilter(
    groups=tuple(groups),
    categories=tuple(categories),
    statuses=tuple(k for k, label in STATUS_LABELS.items() if label == status),
    boroughs=tuple(boroughs),
    closed_from=closed_years[0] if closed_years[0] > first_year else None,
    closed_to=closed_years[1] if closed_years[1] < last_year else None,
)
shown = data.filter_sites(cache.site_attributes(), site_filter)  # no geometry: faster
density = cache.open_sites_per_10k(
    None if density_group == declare.ALL_FACILITIES else density_group
)
reports = (
    community.approved(
        PublicFilter(gss_codes=tuple(boroughs) or None, categories=tuple(categories) or None)
    )
    if show_community
    else None
)
community_layer = community.map_layer(reports)

closed = shown["status"] == "closed"
lost = int((closed & shown["lost"].astype(bool)).sum())
view = embed.map_view()
bounds = card_maps.map_bounds(layers, site_filter.boroughs)  # the chosen boroughs, else London
map_data = cache.site_map_data()
# The map, declared once (its card draws the same spec): legend and credits derived from it.
spec = page_specs.explorer_spec(
    density.reindex(list(map_data.borough_codes)),
    density_group,
    policies,
    shown,
    mapspec.View(bounds, view),
    basemap,
    community_layer,
    own_layer,
    own_data.source_keys(own),
    # the shading counts open sites of its group: their sources too
    density_sources=cache.site_sources(
        () if density_group == declare.ALL_FACILITIES else (density_group,), (), "open"
    ),
)
if presenting:
    headline = cards.explorer_headline(shown)
    present.present_header(
        cards.explorer_title(site_filter, names), headline.value, headline.label, link_notes
    )
    present.present_map_spec(map_data, spec, key="explorer_map_present", notes=link_notes)
    widgets.spec_attribution(spec)
    st.stop()
share_slot = layout.title_bar(
    "Map explorer",
    [
        layout.Figure("Sites shown", f"{len(shown):,}"),
        layout.Figure(
            "Of which lost",
            f"{lost:,}",
            help=f"Closed and not replaced. {int(closed.sum()) - lost:,} more closed but were "
            "not losses: replaced, moved or merged, and dental contract-end records. "
            "Grey rings on the map; hover a site for its history.",
        ),
        layout.Figure("Boroughs", f"{shown['gss_code'].nunique()} of 33"),
    ],
    link_notes,
)
st.caption(site_filter.describe(names))

if shown.empty:
    st.info("No site matches these filters. Clear a filter in the sidebar to see more.")
# Leaflet in the browser, fed once per session; a change of view sends only what changed.
view = embed.show_map_spec(
    map_data, spec, key="explorer_map", save_view=True, height=layout.map_height(link_notes)
)
embed.reset_view_button(view)
widgets.spec_attribution(spec)
st.markdown(
    "Community facilities across London's 33 boroughs, the ones that were **lost** (black "
    "rings; grey rings closed but were not losses, such as a library replaced by a new one), "
    "and the London Plan's places. Filter in the sidebar: the link in your address "
    "bar keeps every choice, so you can share exactly this view."
)
with share_slot:  # after the map, which may have saved its position to the link
    card_args = (layers, site_filter, density_group, tuple(policies))
    share_panel.share_panel(
        "",
        lambda link, size, args=card_args, view=view: cards.explorer_card(
            *args, link, size, view, spec=replace(spec, view=mapspec.View(bounds, view))
        ),
        file_stem="joined-up-london-map",
        compact=True,
        interactive=embed.html_download(spec, "map explorer"),
    )

rows = map_data.positions.get_indexer(shown.index)  # the tables are built once per process
table = cache.sites_table().iloc[rows].reset_index(drop=True)
st.subheader(f"{len(table):,} sites")
# Lazy: the browser fetches rows as it scrolls, not every row on every view.
st.dataframe(
    cache.sites_table_display().iloc[rows].reset_index(drop=True),
    hide_index=True,
    height=420,
    width="stretch",
    lazy=True,
    column_config={
        "name": st.column_config.TextColumn("Name", width="medium"),
        "category": "Category",
        "status": "Status",
        "history": st.column_config.TextColumn("History", width="medium"),
        "closed_year": st.column_config.NumberColumn("Closed", format="%d"),
        "borough": "Borough",
        "source": "Source",
    },
)
# Each file says the view that made it: in its name, and in its contents with the link.
selection = f"{site_filter.describe(names)} ({share_panel.page_link('map_explorer')})"
with st.container(horizontal=True):
    # Built on click, not on every rerun (the GeoJSON takes ~0.4 s for all sites).
    widgets.csv_download(
        "Download these sites (CSV)",
        lambda: data.sites_download(table, selection),
        site_filter.file_name(names, "csv"),
        wrap=True,
    )
    st.download_button(
        "Download these sites (GeoJSON)",
        lambda: data.sites_geojson(
            sites.loc[shown.index],
            names,
            selection,
            site_filter.file_name(names, "geojson").removesuffix(".geojson"),
        ).encode(),
        site_filter.file_name(names, "geojson"),
        "application/geo+json",
        on_click="ignore",
        wrap=True,
    )

community.table_and_downloads(reports, "joined-up-london", cache.site_names())
own_data.report(own)
