"""The one home of Streamlit caching: base layers and prepared map data, once per process.

Everything cached here is treated read-only; cached functions take small hashable keys
(tuples of codes, years), never a GeoDataFrame.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import streamlit as st

from lib import uploads
from lib.analysis import access as walking
from lib.analysis import drivers as finding_drivers
from lib.analysis import losses, needs, profiles, pub_trends
from lib.analysis.community import Closures, apply_closures
from lib.data import layers as data
from lib.links import declare, match, views
from lib.render import (
    card_maps,
    maps,
    mapspec,
    needs_maps,
    needs_tables,
    site_map,
    tables,
    ward_maps,
)
from lib.vocab import sources
from lib.vocab.categories import PUBS_END, PUBS_START, RECORDING_CATEGORIES
from lib.vocab.rules import RECORD_RULES


@st.cache_resource(show_spinner="Loading London's data…")
def layers() -> data.Layers:
    return data.load_layers()


@st.cache_resource(show_spinner=False)
def link_lookups() -> declare.Lookups:
    """The built data's names the views' options need: boroughs, wards, categories."""
    built = layers()
    wards = pd.DataFrame(
        {
            "ward_code": built.wards["ward_code"],
            "ward": built.wards["name"],
            "borough": built.wards["gss_code"].map(built.borough_names),
        }
    )
    labels = ward_maps.ward_labels(wards)
    names = built.borough_names
    by_group: dict[str, set[str]] = {}
    sites = built.sites
    for group, cats in zip(sites["category_group"], sites["categories"], strict=True):
        by_group.setdefault(group, set()).update(cats.split("; "))
    return declare.Lookups(
        boroughs=dict(sorted(names.items(), key=lambda item: item[1])),
        wards=dict(sorted(labels.items(), key=lambda item: item[1])),
        categories={g: sorted(c) for g, c in by_group.items()},
    )


@st.cache_resource(show_spinner=False)
def link_choices() -> dict[str, dict[str, match.Choice]]:
    """Every view's bound link parameters and their options (boroughs, categories, wards)."""
    return declare.page_choices(link_lookups())


@st.cache_resource
def map_layers() -> maps.MapLayers:
    return maps.prepare(layers())


@st.cache_resource(show_spinner=False)
def ward_geometry():
    """Ward shapes (WGS84, escaped names) for the borough and voluntary maps' HTML downloads."""
    return ward_maps.ward_geometry(layers().wards, layers().borough_names)


@st.cache_resource
def _card_layers_ready() -> bool:
    card_maps.card_layers(layers())  # prepared once per process, before the first click
    return True


# Results cached by small keys (a policy key, a tuple of categories, a borough code).


@st.cache_data(show_spinner=False)
def borough_stats():
    built = layers()
    return profiles.borough_stats(
        built.boroughs,
        built.lsoas,
        built.sites,
        built.wards,
        built.voluntary_wards,
        built.grants_by_year,
        built.pubs_by_borough,
    )


@st.cache_data(show_spinner=False, max_entries=40)
def borough_tables(gss_code: str) -> profiles.BoroughTables:
    built = layers()
    return profiles.borough_tables(
        borough_stats(),
        ward_table(gss_code),
        built.sites,
        built.voluntary_points,
        gss_code,
        ward_names(),
    )


@st.cache_data(show_spinner=False)
def voluntary_tables(government: bool = False) -> profiles.VoluntaryTables:
    built = layers()
    return profiles.voluntary_tables(
        ward_table(government=government),
        built.voluntary_points,
        built.grants_by_year,
        ward_names(),
        built.borough_names,
    )


@st.cache_data(show_spinner=False)
def unmatched_report():
    """What the build's joins could not match (the borough and voluntary pages show it)."""
    built = layers()
    return profiles.unmatched_report(
        built.build_report, built.wards, built.lsoas, built.voluntary_wards, built.voluntary_points
    )


@st.cache_resource(show_spinner=False)
def ward_names() -> dict[str, str]:
    """Each ward's name by ward_code (read-only)."""
    built = layers()
    return dict(zip(built.wards["ward_code"], built.wards["name"], strict=True))


@st.cache_data(show_spinner=False)
def ward_table(gss_code: str | None = None, government: bool = False):
    """One borough's wards, or (None) all of London's; grants with government's if asked."""
    built = layers()
    return profiles.ward_table(
        built.wards,
        built.lsoas,
        built.sites,
        built.voluntary_wards,
        built.borough_names,
        gss_code,
        government=government,
    )


@st.cache_data(show_spinner=False, max_entries=40)
def closures_by_year(gss_code: str | None):
    return losses.closures_by_year(layers().sites, RECORDING_CATEGORIES, gss_code)


@st.cache_data(show_spinner=False)
def pub_tables():
    built = layers()
    change = pub_trends.pubs_change(built.pubs_by_borough, built.boroughs, PUBS_START, PUBS_END)
    trend = pub_trends.pubs_trend(built.pubs_by_borough, built.boroughs)
    shares = pub_trends.policy_share_by_borough(built.boroughs, built.policy_areas, built.lsoas)
    return change, trend, shares, pub_trends.pubs_policy_correlation(change, shares)


# `closures`: confirmed community closures counted as (site_id, year) pairs
# (lib.analysis.community.counted_closures); () unless "include community reports" is ticked.


@st.cache_data(show_spinner=False, max_entries=64)
def rates_and_shares(
    policy: str,
    categories: tuple[str, ...],
    closures: Closures = (),
    choices: losses.Choices = losses.DEFAULT_CHOICES,
):
    """The closure table (every finding marked against the page's family of comparisons),
    the shares, and each loss counted, inside the policy's areas or not (what the map
    draws: the table's own exposure, computed once), for one policy, categories and choices."""
    built = layers()
    sites = apply_closures(built.sites, closures)
    table = losses.comparisons(sites, built.policy_areas, policy, categories, choices)
    # Out of attrs: pandas deep-copies attrs on every operation on the table.
    sides = table.attrs.pop("sides")
    return (
        table,
        losses.share_table(
            sites, built.lsoas, built.policy_areas, None, policy, categories, choices.start
        ),
        sides,
    )


@st.cache_data(show_spinner=False, max_entries=32)
def robustness(
    policy: str,
    categories: tuple[str, ...],
    closures: Closures = (),
    choices: losses.Choices = losses.DEFAULT_CHOICES,
):
    built = layers()
    sites = apply_closures(built.sites, closures)
    undone = {
        rule: apply_closures(data.without_rule(built.sites, built.records, rule), closures)
        for rule in set(built.records["rule"]) & set(RECORD_RULES)
    }
    return losses.robustness(sites, built.policy_areas, policy, categories, choices, undone)


@st.cache_data(show_spinner=False, max_entries=32)
def drivers(
    policy: str,
    categories: tuple[str, ...],
    closures: Closures = (),
    choices: losses.Choices = losses.DEFAULT_CHOICES,
):
    """What drives each higher or lower finding of the page's closure table."""
    built = layers()
    sites = apply_closures(built.sites, closures)
    table = rates_and_shares(policy, categories, closures, choices)[0]
    return finding_drivers.drivers(
        sites, built.policy_areas, policy, table, choices, built.borough_names
    )


@st.cache_data(show_spinner=False, max_entries=16)
def distance_bands(
    categories: tuple[str, ...], closures: Closures = (), start: int = losses.DEFAULT_START
):
    return losses.distance_bands(apply_closures(layers().sites, closures), categories, start)


@st.cache_data(show_spinner=False)
def voluntary_correlations(government: bool = False):
    return profiles.voluntary_correlations(ward_table(government=government))


@st.cache_data(show_spinner=False)
def findings():
    built = layers()
    return profiles.findings(borough_stats(), ward_table(), built.voluntary_points, built.sites)


@st.cache_resource(show_spinner=False)
def site_map_data():
    """The explorer's browser map layers, packed once per process and shared by sessions."""
    return site_map.prepare(layers(), map_layers())


@st.cache_resource(show_spinner=False)
def site_names() -> dict:
    """Each site's name by site_id (community reports name the listed site they are about)."""
    sites = layers().sites
    return dict(zip(sites["site_id"], sites["name"], strict=True))


@st.cache_resource(show_spinner=False)
def sites_table():
    """Every site as the explorer's table (and CSV), in the layer's order, built once."""
    return data.sites_table(layers().sites, layers().borough_names)


TABLE_COLUMNS = ["name", "category", "status", "history", "closed_year", "borough", "source"]


@st.cache_resource(show_spinner=False)
def sites_table_display():
    """The table's shown columns, repeated text as categories: a third of the bytes."""
    table = sites_table()[TABLE_COLUMNS].copy()
    for column in ["category", "status", "borough", "source"]:
        table[column] = table[column].astype("category")
    return table


@st.cache_data(show_spinner=False)
def site_sources(
    groups: tuple[str, ...] = (), categories: tuple[str, ...] = (), status: str | None = None
) -> list[str]:
    """Catalogue keys of the sources behind the sites of these groups and categories (all
    when none), of one status if given: what a map drawn or shaded from them rests on."""
    sites = site_attributes()
    keep = pd.Series(True, index=sites.index)
    if groups:
        keep &= sites["category_group"].isin(groups)
    if categories:
        keep &= sites["categories"].str.split("; ").map(lambda c: bool(set(c) & set(categories)))
    if status is not None:
        keep &= sites["status"] == status
    return sources.site_source_keys(sites[keep])


@st.cache_resource(show_spinner=False)
def site_attributes():
    """The sites without their geometry, for filtering on every run (a GeoDataFrame's row
    selection costs several times more); same index as layers().sites."""
    return pd.DataFrame(layers().sites.drop(columns="geometry"))


@st.cache_resource(show_spinner=False)
def open_sites_per_10k(group: str | None):
    """Open sites per 10,000 residents by borough (GSS code), of one group or of all."""
    sites = site_attributes()
    if group is not None:
        sites = sites[sites["category_group"] == group]
    return data.sites_per_10k(sites, layers().boroughs).set_index("gss_code")["per_10k"]


# Your own data (lib/ui/own_data.py): what reading and summarising an upload needs of London,
# once per process. The uploads themselves are never cached: each stays in its session.


@st.cache_resource(show_spinner=False)
def london_outline() -> uploads.London:
    return uploads.London.from_boroughs(layers().boroughs)


@st.cache_resource(show_spinner=False)
def london_shares():
    return uploads.london_shares(layers())


@st.cache_resource(show_spinner=False)
def postcodes() -> uploads.Postcodes:
    """The build's postcode table, read once per process: what an uploaded CSV and a report
    are placed by."""
    return uploads.Postcodes(data.load_postcodes(), "Code-Point Open")


# Walking access (lib/analysis/access.py): every category's distances then and now, once per
# process and window start; the tables from them by small keys.


@st.cache_resource(show_spinner="Measuring distances to facilities…")
def access(start: int = walking.DEFAULT_START) -> walking.Access:
    return walking.compute_access(layers(), postcodes().table, start)


# The access and needs tables below are shared, never copied (st.cache_resource): pages read
# them and make new frames from them, never change them in place; a rerun costs no unpickling.
@st.cache_resource(show_spinner=False, max_entries=64)
def walking_access(
    category: str,
    threshold_m: float = walking.WALK_M,
    by: str = "borough",
    start: int = walking.DEFAULT_START,
):
    return walking.walking_access(access(start), category, threshold_m, by)


@st.cache_resource(show_spinner=False, max_entries=32)
def lost_facilities(
    category: str, threshold_m: float = walking.WALK_M, start: int = walking.DEFAULT_START
):
    return walking.lost_facilities(access(start), category, threshold_m)


def _arrow(frame: pd.DataFrame) -> pa.Table:
    """A display table as Arrow, made once and compacted (`tables.compact`): st.dataframe
    converts a pandas frame on every run (most of a table's cost on a warm rerun), an Arrow
    table it sends as it is."""
    return pa.Table.from_pandas(tables.compact(frame), preserve_index=False)


@st.cache_resource(show_spinner=False, max_entries=64)
def access_display(
    category: str, threshold_m: float, by: str, start: int, borough: str | None = None
):
    """A walking_access table for reading (lib/render/needs_tables.py); `borough`: only its
    wards."""
    table = walking_access(category, threshold_m, by, start)
    if borough:
        table = table[table["gss_code"] == borough]
    return _arrow(needs_tables.access_display(table, by.capitalize()))


@st.cache_resource(show_spinner=False, max_entries=64)
def lost_display(category: str, threshold_m: float, start: int, borough: str | None = None):
    """The lost facilities for reading; `borough`: only its own."""
    lost = lost_facilities(category, threshold_m, start)
    if borough:
        lost = lost[lost["gss_code"] == borough]
    return _arrow(needs_tables.lost_display(lost, layers().borough_names))


# The needs index (lib/analysis/needs.py): its indicators and domain scores once per window
# start and set of approved area needs (read fresh by the page, passed here as a small key:
# (ward_code, category) pairs); the index under a set of weights by those keys.
AreaNeeds = tuple[tuple[str, str], ...]


@st.cache_resource(show_spinner="Scoring London's wards…", max_entries=16)
def needs_domains(since: int, area_needs: AreaNeeds = ()):
    """(indicators, domain scores, indicator catalogue) for the wards."""
    built = layers()
    shares = walking.ward_shares(access())  # "now" shares: the same whatever the start
    reports = pd.DataFrame(list(area_needs), columns=["ward_code", "category"]).assign(
        kind="area_need"
    )
    indicators = needs.ward_indicators(
        built.wards, built.lsoas, built.sites, built.voluntary_wards, shares, reports, since
    )
    catalogue = needs.indicator_catalogue(shares, built.sites, since)
    return indicators, needs.domain_scores(indicators), catalogue


@st.cache_resource(show_spinner=False, max_entries=64)
def needs_display(
    since: int,
    area_needs: AreaNeeds,
    weights: tuple[tuple[str, float], ...],
    borough: str | None = None,
):
    """The ward table for reading (lib/render/needs_tables.wards_display); `borough`: only
    its wards, still ranked among London's."""
    _, table, _ = needs_result(since, area_needs, weights)
    display = needs_tables.wards_display(table, layers().borough_names)
    if borough:
        display = display[(table["gss_code"] == borough).to_numpy()]
    return _arrow(display)


@st.cache_resource(show_spinner=False, max_entries=64)
def needs_result(since: int, area_needs: AreaNeeds, weights: tuple[tuple[str, float], ...]):
    """(defined_need's rows, the ward table, the comparison with IMD) under `weights`."""
    indicators, domains, _ = needs_domains(since, area_needs)
    result = needs.defined_need(domains, dict(weights))
    return result, needs.needs_table(indicators, result), needs.compare_with_imd(result, indicators)


@st.cache_resource(show_spinner=False, max_entries=32)
def lost_points(category: str, threshold_m: float, start: int):
    """The lost facilities as the access map's points (read-only), once per choice."""
    lost = lost_facilities(category, threshold_m, start)
    then = walking_access(category, threshold_m, "london", start).attrs["then"]
    return needs_maps.lost_points(lost, category, str(then))


@st.cache_resource(show_spinner=False, max_entries=32)
def needs_map(
    which: str,
    since: int,
    area_needs: AreaNeeds,
    weights: tuple[tuple[str, float], ...],
    category: str,
    threshold_m: float,
    borough: str | None,
    basemap: str,
    view: views.MapView | None,
    present: bool = False,
) -> tuple[mapspec.MapSpec, dict]:
    """The needs page's map (`which`: "needs" or "access lost") as a MapSpec and its browser
    spec, once per choice: about a third of the page's warm rerun when made on every run."""
    built = layers()
    where = mapspec.View(card_maps.map_bounds(built, [borough] if borough else []), view)
    _, _, catalogue = needs_domains(since, area_needs)
    if which == "needs":
        result, _, _ = needs_result(since, area_needs, weights)
        spec = needs_maps.needs_map(
            result, needs_maps.sources_of(catalogue), borough, where, basemap
        )
    else:
        history = walking_access(category, threshold_m, "london", since).attrs["then"]
        spec = needs_maps.access_map(
            walking_access(category, threshold_m, "ward", since),
            lost_facilities(category, threshold_m, since),
            needs_maps.sources_of(catalogue, [needs.access_key(category)]),
            borough,
            where,
            basemap,
            lost_points(category, threshold_m, since) if history is not None else None,
        )
    browser = site_map.browser_spec(site_map_data(), spec, present=present, save_view=not present)
    return spec, browser


@st.cache_resource(show_spinner=False)
def _store(url: str):
    from lib.store import open_store

    return open_store(url)


def store():
    """The contributions store's engine for DATABASE_URL (else the SQLite file), migrated on
    first use, one per URL per process."""
    from lib.store import database_url

    return _store(database_url())


def public_reports(filters=None):
    """The approved contributions (`lib.store.public_contributions`). Every run asks the store
    whether they changed (one aggregate query) and reads them again only then, so a report a
    moderator hides disappears at once and reports approved through other app processes
    appear, without each click rebuilding them."""
    from lib.store import database_url, public_version

    url = database_url()
    return _public_reports(url, filters, public_version(_store(url)))


@st.cache_data(show_spinner=False, max_entries=64)
def _public_reports(url: str, filters, version: tuple):
    from lib.store import public_contributions

    return public_contributions(_store(url), filters)
