"""Share cards: each map page's card drawn from the same MapSpec (lib/render/mapspec.py) the
page draws on screen, and what each map says in words (issue 5: every map view has a card, a
title, one headline figure and a one-sentence summary, the same in the card, in presentation
mode and under the map). No streamlit here.

- `card_from_spec(layers, spec, ...)`: any MapSpec as a card: its map drawn by
  card_maps.draw_spec in the screen's symbols, its legend `spec.legend()`, its sources
  `spec.attributions()` and `spec.vintage()`; no legend row or source list is written here;
- per page, `<page>_title`, `<page>_headline` (a lib.share.Headline) and `<page>_summary` (one
  sentence saying what the map shows, for readers who cannot see it), used by the page too;
- `<page>_figure(layers, ..., link, size, spec=None)`: the card as a matplotlib Figure, of the
  page's `spec` when given, else of the one lib/render/page_specs.py builds for the same
  choices (what the page builds); `<page>_card(...)`: its bytes (1200x675 PNG for
  size="social", A4 landscape PDF for size="print"), what the page's share panel downloads.

Pages: Map explorer (`explorer_*`), Losses vs policy (`losses_*`), Losses over time
(`pubs_*`), Borough profile (`borough_*`) and Voluntary sector (`voluntary_*`). A page may pass
the tables it has already computed (and cached) so that a card need not compute them again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import pandas as pd
from matplotlib.figure import Figure

from lib.analysis import losses, profiles, pub_trends
from lib.data import layers as data
from lib.links.views import MapView
from lib.render import card_layout, card_maps, page_specs, symbols, tables, ward_maps
from lib.render.card_layout import SIZES, CardText, Headline
from lib.render.mapspec import MapSpec, SitesByStatus, View
from lib.vocab.categories import (
    PUBS_END,
    PUBS_START,
    RECORDING_CATEGORIES,
    STATUSES,
    categories_text,
)
from lib.vocab.policies import POLICIES, policy_label, policy_title


def card_from_spec(
    layers: data.Layers,
    spec: MapSpec,
    title: str,
    subtitle: str,
    headline: Headline,
    link: str,
    size: str = "social",
    note: str = "",
) -> Figure:
    """A MapSpec as a share card: its layers drawn as the screen draws them, its legend and
    its sources derived from them, the spec's legend note after `note`."""
    spec = replace(spec, basemap="none")  # a card draws no tiles, so it credits none
    text = CardText(
        title=title,
        subtitle=subtitle,
        headline=headline,
        legend=spec.legend(),
        attribution=spec.attributions(),
        vintage=spec.vintage(),
        link=link,
        note=" ".join(filter(None, [note, spec.legend_note()])),
    )
    return card_layout.card(
        text,
        lambda ax: card_maps.draw_spec(ax, layers, spec),
        size,
        extent=card_maps.spec_extent(layers, spec),
    )


# ------------------------------------------------------------------------- Losses vs policy


def losses_title(policy: str) -> str:
    """'Closures inside Areas for Regeneration vs elsewhere' (short: it heads presentation
    mode at 1280x720 too)."""
    return f"Closures inside {policy_title(policy)} vs elsewhere"


def _short_verdict(total: pd.Series | dict, policy: str) -> str:
    """The total row's verdict, short (the policy not named again: the title names it)."""
    return dict(total)["verdict"].replace(f" inside {policy_label(policy)}", " inside")


def losses_headline(total: pd.Series | dict, policy: str) -> Headline:
    """The page's headline as one figure: '1.75 vs 1.24' (losses per 100 site-years inside
    and elsewhere, `total` being the closure_table's last row) and its verdict, short enough
    for presentation mode's header."""
    row = dict(total)
    if not row["years_in"] or not row["years_out"]:
        return Headline(tables.DASH, losses.verdict_sentence(total, policy_label(policy)))
    verdict, _, exploratory = _short_verdict(total, policy).partition("; exploratory")
    if exploratory:
        verdict += " (exploratory)"
    return Headline(
        f"{row['rate_in']:.2f} vs {row['rate_out']:.2f}",
        f"losses per 100 site-years inside vs elsewhere: {verdict}",
    )


def losses_counts(total: pd.Series | dict) -> str:
    """'65 losses in 3,724 site-years inside, 600 in 48,211 elsewhere.'"""
    row = dict(total)
    return (
        f"{row['closed_in']:,} losses in {row['years_in']:,.0f} site-years inside, "
        f"{row['closed_out']:,} in {row['years_out']:,.0f} elsewhere."
    )


def losses_summary(
    policy: str, categories: Sequence[str], n_in: int, n_out: int, n_areas: int
) -> str:
    """One sentence on what the losses map shows."""
    label = policy_label(policy)
    areas = f"{n_areas:,} area{'' if n_areas == 1 else 's'}"
    return (
        f"The map shows {n_in + n_out:,} closed {categories_text(categories)}: "
        f"{n_in:,} inside {label} ({areas}, shaded; filled vermillion dots) and "
        f"{n_out:,} elsewhere (hollow blue rings)."
    )


def losses_figure(
    layers: data.Layers,
    policy: str,
    categories: Sequence[str],
    link: str,
    size: str = "social",
    table: pd.DataFrame | None = None,
    choices: losses.Choices = losses.DEFAULT_CHOICES,
    fragile: bool | None = None,
    spec: MapSpec | None = None,
) -> Figure:
    """Losses vs policy: the page's map (`spec`, else page_specs.losses_spec of the losses
    `table` counts) with the closure rates inside and elsewhere as the headline. `table`: the
    page's closure_table or comparisons (with ``choices``), if at hand; ``fragile``: the
    robustness panel's judgement, if known."""
    categories = tuple(c for c in RECORDING_CATEGORIES if c in categories) or RECORDING_CATEGORIES
    if table is None:
        table = losses.closure_table(layers.sites, policy, categories, choices, layers.policy_areas)
    if spec is None:
        sides = table.attrs.get("sides")
        if sides is None:
            sides = losses.closure_sides(
                layers.sites, policy, categories, choices, layers.policy_areas
            )
        spec = page_specs.losses_spec(
            layers.sites,
            sides,
            policy,
            categories,
            choices.start,
            choices.vintage,
            layers.policy_areas,
        )
    total = table.iloc[-1]
    robustness = {
        True: "Fragile: under another reasonable choice the estimate moves away from this one.",
        False: "Robust: under other reasonable choices the estimate holds.",
        None: "",
    }[fragile]
    return card_from_spec(
        layers,
        spec,
        losses_title(policy),
        f"Lost {categories_text(categories)} inside {policy_label(policy)} and elsewhere "
        f"since {choices.start}. Rate = losses per 100 site-years at risk on each side of the "
        f"boundary: {losses_counts(total)}",
        losses_headline(total, policy),
        link,
        size,
        note=robustness,
    )


def losses_card(
    layers: data.Layers,
    policy: str,
    categories: Sequence[str],
    link: str,
    size: str = "social",
    table: pd.DataFrame | None = None,
    choices: losses.Choices = losses.DEFAULT_CHOICES,
    fragile: bool | None = None,
    spec: MapSpec | None = None,
) -> bytes:
    return card_layout.render(
        losses_figure(layers, policy, categories, link, size, table, choices, fragile, spec), size
    )


# ------------------------------------------------------------------------- Losses over time

ARROW = "\u2192"
PUBS_NOTE = (
    "Orange: fewer pubs and bars; purple: more. ONS counts of pub and bar businesses, rounded to 5."
)


_signed = symbols.signed


def pubs_title(start: int = PUBS_START, end: int = PUBS_END) -> str:
    return f"Pubs and bars, {start}-{end}: change by borough"


def pubs_headline(change: pd.DataFrame, gss_code: str | None = None) -> Headline:
    """London's pubs and bars then and now ('4,840 → 3,535'), or the chosen borough's, with
    the change (and London's % change beside a borough's)."""
    london = change.attrs["london"]
    if gss_code is None:
        return Headline(
            f"{london['pubs_start']:,} {ARROW} {london['pubs_end']:,}",
            f"pubs and bars in London, {PUBS_START} {ARROW} {PUBS_END}: "
            f"{_signed(london['change'])} ({_signed(london['pct_change'], 1)}%)",
        )
    row = change.set_index("gss_code").loc[gss_code]
    return Headline(
        f"{int(row['pubs_start']):,} {ARROW} {int(row['pubs_end']):,}",
        f"pubs and bars in {row['name']}, {PUBS_START} {ARROW} {PUBS_END}: "
        f"{_signed(row['change'])} ({_signed(row['pct_change'], 1)}%; London "
        f"{_signed(london['pct_change'], 1)}%)",
    )


def pubs_summary(change: pd.DataFrame, gss_code: str | None = None) -> str:
    """One sentence on what the pubs map shows."""
    known = change.dropna(subset=["pct_change"])
    fewer = int((known["change"] < 0).sum())
    low, high = known.loc[known["pct_change"].idxmin()], known.loc[known["pct_change"].idxmax()]
    text = (
        f"The map shades London's {len(change)} boroughs by their % change in pubs and bars "
        f"from {PUBS_START} to {PUBS_END} (orange: fewer, purple: more): {fewer} of "
        f"{len(change)} had fewer; the largest fall was in {low['name']} "
        f"({_signed(low['pct_change'], 1)}%), the largest rise in {high['name']} "
        f"({_signed(high['pct_change'], 1)}%)."
    )
    if gss_code is not None:
        row = change.set_index("gss_code").loc[gss_code]
        text += f" {row['name']} (outlined): {_signed(row['pct_change'], 1)}%."
    return text


def pubs_figure(
    layers: data.Layers,
    gss_code: str | None,
    link: str,
    size: str = "social",
    change: pd.DataFrame | None = None,
    spec: MapSpec | None = None,
) -> Figure:
    """Losses over time: the page's map (`spec`, else page_specs.pubs_spec: boroughs by % change
    in pubs and bars on the diverging ramp, the chosen borough outlined); London's count then
    and now (or the borough's) as the headline."""
    if change is None:
        change = pub_trends.pubs_change(
            layers.pubs_by_borough, layers.boroughs, PUBS_START, PUBS_END
        )
    if spec is None:
        spec = page_specs.pubs_spec(change, gss_code)
    name = layers.borough_names.get(gss_code or "", "")
    subtitle = (
        f"Each borough shaded by the % change in its pubs and bars between {PUBS_START} "
        f"and {PUBS_END} (ONS)" + (f"; {name} outlined." if name else ".")
    )
    return card_from_spec(
        layers,
        spec,
        pubs_title(),
        subtitle,
        pubs_headline(change, gss_code),
        link,
        size,
        note=PUBS_NOTE,
    )


def pubs_card(
    layers: data.Layers,
    gss_code: str | None,
    link: str,
    size: str = "social",
    change: pd.DataFrame | None = None,
    spec: MapSpec | None = None,
) -> bytes:
    return card_layout.render(pubs_figure(layers, gss_code, link, size, change, spec), size)


# ------------------------------------------------------------------------------- ward maps

MUTUAL_AID_NOTE = (
    "Mutual aid groups: mutualaid.wiki, CC BY-NC-SA 4.0: non-commercial use only, share alike."
)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _value(measure: str, value) -> str:
    return "no data" if pd.isna(value) else profiles.WARD_MEASURES[measure].fmt.format(value)


def ward_summary(wards: pd.DataFrame, measure: str, place: str) -> str:
    """One sentence on what a ward map shows: how many wards, shaded by what, the highest
    and the lowest (leaving out wards too small for a stable per-resident figure)."""
    spec = profiles.WARD_MEASURES[measure]
    many = wards["borough"].nunique() > 1
    where = "London's" if many else f"{place}'s"
    shown = wards.dropna(subset=[measure])
    no_data = f" ({len(wards) - len(shown):,} with no data)" if len(shown) < len(wards) else ""
    text = f"The map shades {where} {len(wards):,} wards{no_data} by {_lower_first(spec.label)}"
    left_out = ""
    if spec.per_head and shown["unstable"].any() and not shown["unstable"].all():
        left_out = (
            f" (leaving out {int(shown['unstable'].sum())} ward"
            f"{'' if shown['unstable'].sum() == 1 else 's'} of under "
            f"{profiles.UNSTABLE_WARD_POPULATION:,} residents)"
        )
        shown = shown[~shown["unstable"]]
    if shown.empty:
        return text + "."

    def extreme(value: float) -> str:
        rows = shown[shown[measure] == value]
        if len(rows) > 1:
            return f"{_value(measure, value)} in {len(rows):,} wards"
        row = rows.iloc[0]
        name = f"{row['ward']} ({row['borough']})" if many else row["ward"]
        return f"{name} ({_value(measure, value)})"

    return (
        f"{text}: highest {extreme(shown[measure].max())}, lowest "
        f"{extreme(shown[measure].min())}{left_out}."
    )


# ------------------------------------------------------------------------- Borough profile

#: The borough figure each ward measure leads with (profiles.MEASURES keys).
BOROUGH_MEASURE = {
    "sites_per_10k": "sites_all",
    "closures": "closures_all",
    "charities_per_1k": "charities_per_1k",
    "grants_per_head": "grants_per_head",
    "imd_score": "imd_score",
}


def borough_title(name: str, measure: str) -> str:
    """'Hackney: charities per 1,000 residents by ward'."""
    return f"{name}: {_lower_first(profiles.WARD_MEASURES[measure].short)} by ward"


def borough_headline(stats: pd.DataFrame, gss_code: str, measure: str) -> Headline:
    """The borough's figure for the measure the ward map shows, against London's."""
    row = (
        profiles.borough_figures(stats, gss_code).set_index("measure").loc[BOROUGH_MEASURE[measure]]
    )
    m = profiles.MEASURES[row.name]
    rank = (
        "not ranked: too few residents for a stable figure"
        if row["unstable"]
        else f"{profiles.rank_short(row)} boroughs"
    )
    return Headline(
        row["shown"],
        f"{_lower_first(m.label)} in {row['name']}; London {row['london_shown']}; {rank}",
    )


def borough_figure(
    layers: data.Layers,
    gss_code: str,
    measure: str,
    policies: Sequence[str],
    voluntary: bool,
    link: str,
    size: str = "social",
    stats: pd.DataFrame | None = None,
    wards: pd.DataFrame | None = None,
    spec: MapSpec | None = None,
) -> Figure:
    """Borough profile: the page's map (`spec`, else page_specs.borough_spec: the borough's
    wards shaded by `measure`, its sites, the chosen London Plan layers and, with `voluntary`,
    food banks and mutual aid groups); the borough's figure against London's as the headline.
    `stats` (profiles.borough_stats) and `wards` (profiles.ward_table of the borough): the
    page's, if at hand."""
    L = layers
    if stats is None:
        stats = profiles.borough_stats(
            L.boroughs,
            L.lsoas,
            L.sites,
            L.wards,
            L.voluntary_wards,
            L.grants_by_year,
            L.pubs_by_borough,
        )
    if wards is None:
        wards = profiles.ward_table(
            L.wards, L.lsoas, L.sites, L.voluntary_wards, L.borough_names, gss_code
        )
    name = L.borough_names[gss_code]
    if spec is None:
        points = L.voluntary_points
        spec = page_specs.borough_spec(
            wards,
            gss_code,
            name,
            measure,
            policies,
            L.sites[L.sites["gss_code"] == gss_code],
            points[points["gss_code"] == gss_code] if voluntary else None,
            card_maps.map_bounds(L, [gss_code]),
        )
    label = profiles.WARD_MEASURES[measure].label
    notes = []
    if profiles.WARD_MEASURES[measure].per_head and wards["unstable"].any():
        notes.append(
            f"{int(wards['unstable'].sum())} ward(s) have under "
            f"{profiles.UNSTABLE_WARD_POPULATION:,} residents: their per-resident "
            "figures are unstable."
        )
    if (
        voluntary
        and L.voluntary_points.loc[L.voluntary_points["gss_code"] == gss_code, "kind"]
        .eq("mutual_aid")
        .any()
    ):
        notes.append(MUTUAL_AID_NOTE)
    plan = [POLICIES[p].legend for p in policies if p in POLICIES]
    subtitle = (
        f"{name}'s {len(wards)} wards (2017) shaded by {_lower_first(label)}, with its sites"
        + (", food banks and mutual aid groups" if voluntary else "")
        + "."
        + (" London Plan: " + ", ".join(plan) + "." if plan else "")
    )
    return card_from_spec(
        layers,
        spec,
        borough_title(name, measure),
        subtitle,
        borough_headline(stats, gss_code, measure),
        link,
        size,
        note=" ".join(notes),
    )


def borough_card(
    layers: data.Layers,
    gss_code: str,
    measure: str,
    policies: Sequence[str],
    voluntary: bool,
    link: str,
    size: str = "social",
    stats: pd.DataFrame | None = None,
    wards: pd.DataFrame | None = None,
    spec: MapSpec | None = None,
) -> bytes:
    return card_layout.render(
        borough_figure(
            layers, gss_code, measure, policies, voluntary, link, size, stats, wards, spec
        ),
        size,
    )


# ------------------------------------------------------------------------- Voluntary sector

VOLUNTARY_CAVEATS = {
    "charities_per_1k": "Charities are counted at their registered address, not where they work.",
    "grants_per_head": (
        "Grants of independent charitable funders publishing to 360Giving by November 2018, "
        "placed at the recipient's address."
    ),
    "grants_per_head_government": (
        "Grants of every funder publishing to 360Giving by November 2018, public money "
        "(government and the lottery distributors) included, placed at the recipient's address."
    ),
}


def voluntary_title(measure: str) -> str:
    """ "London's wards: charities per 1,000 residents"."""
    return f"London's wards: {_lower_first(profiles.WARD_MEASURES[measure].short)}"


def london_ward_value(wards: pd.DataFrame, measure: str) -> float:
    """London's figure for a voluntary-sector ward measure: the total over the residents of
    the wards with data (the charity extract lacks some wards)."""
    if measure == "charities_per_1k":
        known = wards[wards["charities"].notna()]
        return 1_000 * float(known["charities"].sum()) / float(known["population"].sum())
    if measure == "grants_per_head":
        return float(wards["grants_gbp"].sum()) / float(wards["population"].sum())
    raise KeyError(f"Not a voluntary-sector ward measure: {measure!r}")


def voluntary_headline(
    wards: pd.DataFrame, measure: str, ward: str | None = None, labels: dict[str, str] | None = None
) -> Headline:
    """London's figure for the measure; with a chosen ward, the ward's against London's."""
    spec = profiles.WARD_MEASURES[measure]
    london = _value(measure, london_ward_value(wards, measure))
    if measure == "grants_per_head":  # grants with no recipient ward are not on the map
        london += " (grants placed in a ward)"
    if ward is None:
        return Headline(
            london, f"{_lower_first(spec.label)}, London's {len(wards):,} wards together"
        )
    row = wards.set_index("ward_code").loc[ward]
    name = (labels or {}).get(ward, row["ward"])
    unstable = (
        f"; under {profiles.UNSTABLE_WARD_POPULATION:,} residents: unstable"
        if row["unstable"]
        else ""
    )
    return Headline(
        _value(measure, row[measure]),
        f"{_lower_first(spec.label)} in {name}; London {london}{unstable}",
    )


def voluntary_figure(
    layers: data.Layers,
    measure: str,
    ward: str | None,
    link: str,
    size: str = "social",
    wards: pd.DataFrame | None = None,
    government: bool = False,
    spec: MapSpec | None = None,
) -> Figure:
    """Voluntary sector: the page's map (`spec`, else page_specs.voluntary_spec: London's wards
    shaded by charities per 1,000 residents or grants per head, food banks and mutual aid
    groups, the chosen ward outlined and named). `wards`: profiles.ward_table for all London
    (with government's grants when `government`), if at hand."""
    L = layers
    if wards is None:
        wards = profiles.ward_table(
            L.wards, L.lsoas, L.sites, L.voluntary_wards, L.borough_names, government=government
        )
    labels = ward_maps.ward_labels(wards)
    ward = ward if ward in labels else None
    if spec is None:
        spec = page_specs.voluntary_spec(
            wards, measure, L.voluntary_points, ward, labels[ward] if ward else ""
        )
    caveat = f"{measure}_government" if government and measure == "grants_per_head" else measure
    subtitle = (
        f"London's {len(wards):,} wards (2017) shaded by "
        f"{_lower_first(profiles.WARD_MEASURES[measure].label)}, with food banks and the mutual "
        "aid groups of spring 2020" + (f"; {labels[ward]} outlined." if ward else ".")
    )
    return card_from_spec(
        layers,
        spec,
        voluntary_title(measure),
        subtitle,
        voluntary_headline(wards, measure, ward, labels),
        link,
        size,
        note=f"{VOLUNTARY_CAVEATS[caveat]} {MUTUAL_AID_NOTE}",
    )


def voluntary_card(
    layers: data.Layers,
    measure: str,
    ward: str | None,
    link: str,
    size: str = "social",
    wards: pd.DataFrame | None = None,
    government: bool = False,
    spec: MapSpec | None = None,
) -> bytes:
    return card_layout.render(
        voluntary_figure(layers, measure, ward, link, size, wards, government, spec), size
    )


CLOSURE_CAVEAT = (
    "Closures are recorded for libraries (2010-16), GP practices (2013-19) and "
    "museums only; other categories list open venues."
)


def explorer_title(site_filter: data.SiteFilter, names: Mapping[str, str]) -> str:
    """What the explorer shows, as a sentence-case title: "Closed Health sites in Hackney"."""
    if site_filter.categories:
        subject = ", ".join(site_filter.categories)
        subject = (
            subject
            if len(site_filter.categories) > 1 or subject.endswith("s")
            else f"{subject} sites"
        )
    elif site_filter.groups:
        subject = f"{', '.join(site_filter.groups)} sites"
    else:
        subject = "community facilities"
    statuses = set(site_filter.statuses) or set(STATUSES)
    if statuses == {"closed"}:
        subject = f"closed {subject}"
    elif statuses == {"open"}:
        subject = f"open {subject}"
    elif statuses == {"community_run"}:
        subject = f"community-run {subject}"
    if site_filter.boroughs:
        place = " in " + ", ".join(names.get(c, c) for c in site_filter.boroughs)
    else:
        place = " across London"
    years = ""
    if site_filter.closed_from is not None or site_filter.closed_to is not None:
        years = f", closures {site_filter.closed_from or '…'}–{site_filter.closed_to or '…'}"
    suffix = ", open and closed" if statuses == set(STATUSES) else ""
    title = f"{subject}{place}{suffix}{years}"
    return title[0].upper() + title[1:]


def explorer_headline(shown: pd.DataFrame) -> Headline:
    """The one figure a view of sites leads with: how many were lost, else how many shown.
    A closure that was not a loss (replaced, a contract-end record) is said apart."""
    closed = shown["status"].eq("closed")
    lost = int((closed & shown["lost"].astype(bool)).sum())
    other = int(closed.sum()) - lost
    also = f"; {other:,} more closed but not lost" if other else ""
    if lost:
        noun = "facility" if len(shown) == 1 else "facilities"
        return Headline(f"{lost:,}", f"closed and lost, of {len(shown):,} {noun} shown{also}")
    return Headline(f"{len(shown):,}", f"facilities shown, none of them lost{also}")


def density_per_10k(layers: data.Layers, density_group: str) -> pd.Series:
    """Open sites per 10,000 residents by borough code, as the explorer shades them."""
    sites = layers.sites
    if density_group != "All facilities":
        sites = sites[sites["category_group"] == density_group]
    return data.sites_per_10k(sites, layers.boroughs).set_index("gss_code")["per_10k"]


def explorer_spec(
    layers: data.Layers,
    site_filter: data.SiteFilter,
    density_group: str,
    policies: Sequence[str],
    view: MapView | None = None,
) -> MapSpec:
    """The explorer's MapSpec for these choices, as the page builds it (page_specs.explorer_spec)
    without the community reports or an upload."""
    return page_specs.explorer_spec(
        density_per_10k(layers, density_group),
        density_group,
        policies,
        data.filter_sites(layers.sites, site_filter),
        View(card_maps.map_bounds(layers, site_filter.boroughs), view),
    )


def explorer_figure(
    layers: data.Layers,
    site_filter: data.SiteFilter,
    density_group: str,
    policies: Sequence[str],
    link: str,
    size: str = "social",
    view: MapView | None = None,
    spec: MapSpec | None = None,
) -> Figure:
    """The map explorer's card: the page's map (`spec`, else `explorer_spec`: boroughs shaded
    by open sites per 10,000 residents, the chosen London Plan layers, the filtered sites by
    status), framed on the saved view, else on the chosen boroughs, else on London."""
    if spec is None:
        spec = explorer_spec(layers, site_filter, density_group, policies, view)
    shown = spec.first(SitesByStatus).sites
    plan = ", ".join(POLICIES[p].legend for p in policies if p in POLICIES) or "none shown"
    return card_from_spec(
        layers,
        spec,
        explorer_title(site_filter, layers.borough_names),
        f"Boroughs shaded by open sites per 10,000 residents ({density_group.lower()}). "
        f"London Plan layers: {plan}.",
        explorer_headline(shown),
        link,
        size,
        note=CLOSURE_CAVEAT,
    )


def explorer_card(
    layers: data.Layers,
    site_filter: data.SiteFilter,
    density_group: str,
    policies: Sequence[str],
    link: str,
    size: str = "social",
    view: MapView | None = None,
    spec: MapSpec | None = None,
) -> bytes:
    """PNG (size="social") or PDF (size="print") bytes of the explorer's share card."""
    return card_layout.render(
        explorer_figure(layers, site_filter, density_group, policies, link, size, view, spec),
        size,
    )


def card_file_name(stem: str, size: str) -> str:
    return f"{stem}-{'a4' if size == 'print' else '1200x675'}.{SIZES[size].fmt}"
