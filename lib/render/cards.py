"""Share cards of the pages other than the map explorer, and what each of their maps says in
words (issue 5: every map view has a card, a title, one headline figure and a one-sentence
summary, the same in the card, in presentation mode and under the map).

No streamlit here. Each page has:

- `<page>_title`, `<page>_headline` (a lib.share.Headline) and `<page>_summary` (one sentence
  saying what the map shows, for readers who cannot see it), used by the page too;
- `<page>_figure(layers, ..., link, size)`: the card as a matplotlib Figure, built with
  lib/render/card_layout.py's generic `card` and `draw_*` pieces (same colours as the page's folium map);
- `<page>_card(...)`: its bytes (1200x675 PNG for size="social", A4 landscape PDF for
  size="print"), what the page's share panel downloads.

Pages: Losses vs policy (`losses_*`), Losses over time (`pubs_*`), Borough profile
(`borough_*`) and Voluntary sector (`voluntary_*`). Ward maps share `ward_layers`,
`draw_wards` and `draw_voluntary`. A page may pass the tables it has already computed (and
cached) so that a card need not compute them again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.collections import PathCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.path import Path

from lib.analysis import geometry, losses, profiles, pub_trends
from lib.data import layers as data
from lib.links.views import MapView
from lib.render import card_layout, card_maps, loss_maps, symbols, tables, ward_maps
from lib.render.card_layout import SIZES, CardText, Headline, card, render
from lib.render.card_maps import (
    borough_extent,
    card_layers,
    choropleth_fills,
    draw_base,
    draw_labels,
    draw_policies,
    draw_scale_bar,
    draw_sites,
    london_extent,
    view_extent,
)
from lib.render.legend import LegendSection
from lib.vocab import sources
from lib.vocab.categories import (
    CATEGORY_GROUPS,
    GROUP_COLOURS,
    PUBS_END,
    PUBS_START,
    RECORDING,
    RECORDING_CATEGORIES,
    STATUSES,
    categories_text,
)
from lib.vocab.policies import POLICIES, base_policy, parse_policy, policy_label, policy_title
from lib.vocab.sources import (
    LAYER_SOURCES,
    attribution_lines,
    policy_source_keys,
    site_source_keys,
    vintage_line,
)


def _marker_sizes(ax, small: float, large: float) -> float:
    """A marker size between `small` (all London) and `large` (~15 km across), as
    card_maps.draw_sites grows its markers when the map is zoomed in."""
    span_km = (ax.get_xlim()[1] - ax.get_xlim()[0]) / 1000
    zoomed = min(max((60 - span_km) / 45, 0), 1)
    return small + (large - small) * zoomed


def _with_sources(keys: Sequence[str]) -> tuple[tuple[str, ...], str]:
    """(attribution lines, vintage line) of the catalogue keys of the layers shown."""
    keys = list(dict.fromkeys(keys))
    return sources.attribution_lines(keys), sources.vintage_line(keys)


# ------------------------------------------------------------------------- Losses vs policy

AREA_TINT = 0.25  # the policy's fill, as on the page's map (fillOpacity 0.22)


def recorded_note(categories: Sequence[str], start: int = losses.DEFAULT_START) -> str:
    """'Losses from 2010 to each source's end: libraries 2010-2023, GP practices 2013-2019.'"""
    return (
        f"Losses from {start} to each source's end, per site-year at risk; sources: "
        + ", ".join(RECORDING[c].card_window for c in RECORDING_CATEGORIES if c in categories)
        + "."
    )


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


def policy_paths(cl: card_maps.CardLayers, policy: str):
    """The card paths of one policy; a town-centre class ('town_centre:Major') alone."""
    base, cls = parse_policy(policy)
    if not cls:
        return cl.policy_paths.get(base.key, ())
    areas = cl.policy_areas
    chosen = areas[(areas["policy"] == base.key) & (areas["classification"] == cls)]
    return tuple(card_maps.polygon_paths(chosen.geometry.values))


def losses_figure(
    layers: data.Layers,
    policy: str,
    categories: Sequence[str],
    link: str,
    size: str = "social",
    table: pd.DataFrame | None = None,
    choices: losses.Choices = losses.DEFAULT_CHOICES,
    fragile: bool | None = None,
) -> Figure:
    """Losses vs policy: the closed sites inside the policy's areas (filled vermillion dots
    over the areas' tint) and elsewhere (hollow blue rings), across London, with the closure
    rates inside and elsewhere as the headline. `table`: the page's closure_table (with
    ``choices``), if at hand; ``fragile``: the robustness panel's judgement, if known."""
    categories = tuple(c for c in RECORDING_CATEGORIES if c in categories) or RECORDING_CATEGORIES
    cl = card_maps.card_layers(layers)
    if table is None:
        table = losses.closure_table(layers.sites, policy, categories, choices, layers.policy_areas)
    total = table.iloc[-1]
    inside, outside = loss_maps.closed_sides(
        layers.sites, policy, categories, choices.start, layers.policy_areas, choices.vintage
    )
    label, colour = loss_maps.policy_style(policy)
    paths = policy_paths(cl, policy)
    n_areas = len(geometry.policy_layer(layers.policy_areas, policy))
    shown = layers.sites.loc[inside.union(outside)]

    def draw(ax):
        card_maps.draw_base(ax, cl)
        if paths:
            card_maps.draw_area(ax, paths, colour, width=0.7, tint=AREA_TINT, dashed=False)
        xy = cl.site_xy
        ring = _marker_sizes(ax, 3.6, 6.5)
        if len(outside):
            ax.scatter(
                xy.loc[outside, "x"],
                xy.loc[outside, "y"],
                s=ring**2,
                facecolors=[to_rgba("#ffffff", 0.35)],
                edgecolors=loss_maps.OUTSIDE_COLOUR,
                linewidths=1.3,
                zorder=4,
            )
        if len(inside):
            ax.scatter(
                xy.loc[inside, "x"],
                xy.loc[inside, "y"],
                s=(ring + 0.6) ** 2,
                c=loss_maps.INSIDE_COLOUR,
                edgecolors="#1a1a1a",
                linewidths=0.7,
                zorder=5,
            )
        card_maps.draw_labels(ax, cl, avoid=card_maps.draw_scale_bar(ax))

    legend = (
        LegendSection(
            f"Lost {categories_text(categories)} since {choices.start}",
            "ring",
            ((loss_maps.INSIDE_COLOUR, f"Inside {label} ({len(inside):,})"),),
        ),
        LegendSection(
            "", "hollow", ((loss_maps.OUTSIDE_COLOUR, f"{loss_maps.ELSEWHERE} ({len(outside):,})"),)
        ),
        LegendSection(
            "London Plan",
            "swatch",
            (
                (
                    card_maps.tint_hex(colour, AREA_TINT),
                    f"{label} ({n_areas:,} area{'' if n_areas == 1 else 's'})",
                ),
            ),
        ),
    )
    keys = ["boroughs", *sources.site_source_keys(shown), *base_policy(policy).sources]
    attribution, vintage = _with_sources(keys)
    text = CardText(
        title=losses_title(policy),
        subtitle=(
            f"Lost {categories_text(categories)} inside {policy_label(policy)} and "
            f"elsewhere since {choices.start}. Rate = losses per 100 site-years at risk on each "
            f"side of the boundary: {losses_counts(total)}"
        ),
        headline=losses_headline(total, policy),
        legend=legend,
        attribution=attribution,
        vintage=vintage,
        link=link,
        note=" ".join(
            filter(
                None,
                [
                    {
                        True: "Fragile: under another reasonable choice the estimate moves "
                        "away from this one.",
                        False: "Robust: under other reasonable choices the estimate holds.",
                        None: "",
                    }[fragile],
                    recorded_note(categories, choices.start),
                ],
            )
        ),
    )
    return card_layout.card(text, draw, size, extent=card_maps.london_extent(cl))


def losses_card(
    layers: data.Layers,
    policy: str,
    categories: Sequence[str],
    link: str,
    size: str = "social",
    table: pd.DataFrame | None = None,
    choices: losses.Choices = losses.DEFAULT_CHOICES,
    fragile: bool | None = None,
) -> bytes:
    return card_layout.render(
        losses_figure(layers, policy, categories, link, size, table, choices, fragile), size
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
) -> Figure:
    """Losses over time: the boroughs shaded by % change in pubs and bars 2001-2018 on the
    page's diverging ramp (ColorBrewer PuOr, orange = fewer), the chosen borough outlined;
    London's count then and now (or the borough's) as the headline."""
    if change is None:
        change = pub_trends.pubs_change(
            layers.pubs_by_borough, layers.boroughs, PUBS_START, PUBS_END
        )
    cl = card_maps.card_layers(layers)
    pct = cl.boroughs["gss_code"].map(change.set_index("gss_code")["pct_change"])
    classes = symbols.classify(pct, "diverging", "{}%")
    fills, rows = list(classes.fills), classes.rows
    focus = [gss_code] if gss_code else []

    def draw(ax):
        card_maps.draw_base(ax, cl, fills, focus=focus)
        card_maps.draw_labels(ax, cl, first=focus, avoid=card_maps.draw_scale_bar(ax))

    names = layers.borough_names
    legend = [
        LegendSection(f"Pubs and bars, % change {PUBS_START}-{PUBS_END}", "swatch", tuple(rows))
    ]
    if gss_code:
        legend.append(LegendSection("", "outline", (("#111111", names[gss_code]),)))
    attribution, vintage = _with_sources(["boroughs", "pubs"])
    subtitle = (
        f"Each borough shaded by the % change in its pubs and bars between {PUBS_START} "
        f"and {PUBS_END} (ONS)" + (f"; {names[gss_code]} outlined." if gss_code else ".")
    )
    text = CardText(
        title=pubs_title(),
        subtitle=subtitle,
        headline=pubs_headline(change, gss_code),
        legend=tuple(legend),
        attribution=attribution,
        vintage=vintage,
        link=link,
        note=PUBS_NOTE,
    )
    return card_layout.card(text, draw, size, extent=card_maps.london_extent(cl))


def pubs_card(
    layers: data.Layers,
    gss_code: str | None,
    link: str,
    size: str = "social",
    change: pd.DataFrame | None = None,
) -> bytes:
    return card_layout.render(pubs_figure(layers, gss_code, link, size, change), size)


# ------------------------------------------------------------------------------- ward maps

WARD_OPACITY = 0.7  # the page maps use 0.6 (borough) and 0.75 (London) over a basemap


@dataclass(frozen=True)
class WardLayers:
    """The 2017 wards as a card draws them (EPSG:27700, simplified), prepared once."""

    wards: pd.DataFrame  # ward_code, name, gss_code: one row per path
    paths: tuple[Path, ...]
    points: pd.DataFrame  # x, y of a point inside each ward, indexed by ward_code


def ward_layers(layers: data.Layers) -> WardLayers:
    """WardLayers for `layers`, made once per Layers object (lib.share.prepared_for)."""
    return card_maps.prepared_for(layers, "ward_layers", _prepare_wards)


def _prepare_wards(layers: data.Layers) -> WardLayers:
    wards = layers.wards
    geoms = wards.geometry.map(ward_maps.without_slivers).simplify(8)
    paths = []
    for geom in geoms.values:  # exactly one path per ward, to match fills
        found = card_maps.polygon_paths([geom])
        paths.append(found[0] if found else Path(np.zeros((1, 2))))
    inner = wards.geometry.representative_point()
    points = pd.DataFrame(
        {"x": inner.x.to_numpy(), "y": inner.y.to_numpy()}, index=wards["ward_code"].to_numpy()
    )
    return WardLayers(
        pd.DataFrame(wards[["ward_code", "name", "gss_code"]]).reset_index(drop=True),
        tuple(paths),
        points,
    )


def draw_wards(
    ax, wl: WardLayers, table: pd.DataFrame, measure: str, opacity: float = WARD_OPACITY
) -> tuple[tuple[str, str], ...]:
    """The wards of `table` (profiles.ward_table rows) shaded by `measure` as on the page's
    map (ward_maps.ward_fills); returns the legend rows."""
    chosen = wl.wards["ward_code"].isin(table["ward_code"]).to_numpy()
    codes = wl.wards.loc[chosen, "ward_code"]
    values = codes.map(table.set_index("ward_code")[measure]).astype(float)
    fills, rows = ward_maps.ward_fills(values.reset_index(drop=True), measure)
    paths = [p for p, keep in zip(wl.paths, chosen, strict=True) if keep]
    ax.add_collection(
        PathCollection(
            paths,
            facecolors=[to_rgba(f, opacity) for f in fills],
            edgecolors="#444444",
            linewidths=0.35,
            zorder=2.2,
        ),
        autolim=False,
    )
    return tuple(rows)


def _voluntary_masks(points: pd.DataFrame) -> dict[str, np.ndarray]:
    """Which voluntary points are mutual aid groups, open food banks of each network, and
    closed food banks."""
    banks = (points["kind"] == "food_bank").to_numpy()
    closed = (points["status"] == "closed").to_numpy()
    network = points["network"].fillna("").to_numpy()
    masks = {"mutual_aid": (points["kind"] == "mutual_aid").to_numpy()}
    for name in ward_maps.NETWORK_COLOURS:
        masks[name] = banks & ~closed & (network == name)
    masks["closed"] = banks & closed
    return masks


def draw_voluntary(ax, points: pd.DataFrame, size: float = 1.0) -> None:
    """Mutual aid groups (small white dots ringed in black) under food banks by network
    (ringed in dark grey; closed ones pale and ringed in black), as on the pages' maps.
    `points` are voluntary_points rows."""
    x, y = points.geometry.x.to_numpy(), points.geometry.y.to_numpy()
    masks = _voluntary_masks(points)
    groups = masks["mutual_aid"]
    if groups.any():
        ax.scatter(
            x[groups],
            y[groups],
            s=(2.3 * size) ** 2,
            c="#ffffff",
            edgecolors="#000000",
            linewidths=0.5,
            zorder=5.5,
        )
    for name, colour in ward_maps.NETWORK_COLOURS.items():
        if masks[name].any():
            ax.scatter(
                x[masks[name]],
                y[masks[name]],
                s=(5 * size) ** 2,
                c=colour,
                edgecolors="#222222",
                linewidths=0.8,
                zorder=6,
            )
    shut = masks["closed"]
    if shut.any():
        network = points["network"].fillna("").to_numpy()[shut]
        ax.scatter(
            x[shut],
            y[shut],
            s=(5.4 * size) ** 2,
            c=[to_rgba(ward_maps.NETWORK_COLOURS.get(n, "#ffffff"), 0.25) for n in network],
            edgecolors="#000000",
            linewidths=1.6,
            zorder=6,
        )


def voluntary_legend(points: pd.DataFrame) -> tuple[LegendSection, ...]:
    """draw_voluntary's legend: food banks by network with counts, closed ones, and mutual aid
    groups credited as CC BY-NC-SA (non-commercial)."""
    masks = _voluntary_masks(points)
    rows = tuple(
        (colour, f"Food bank, {name} ({int(masks[name].sum())})")
        for name, colour in ward_maps.NETWORK_COLOURS.items()
        if masks[name].any()
    )
    shut, groups = int(masks["closed"].sum()), int(masks["mutual_aid"].sum())
    title = f"Food banks ({profiles.VINTAGES['food_bank']})"
    return (
        LegendSection(title, "edged", rows),
        LegendSection(
            "" if rows else title,
            "ring",
            (("#ffffff", f"Food bank, closed ({shut})"),) if shut else (),
        ),
        LegendSection(
            "Mutual aid groups (mutualaid.wiki)",
            "mini",
            (("#ffffff", f"Mutual aid group 2020 ({groups}; CC BY-NC-SA, non-commercial)"),)
            if groups
            else (),
        ),
    )


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
) -> Figure:
    """Borough profile: the borough's wards shaded by `measure` (as the page's map), its sites
    (closed ones as black rings), the chosen London Plan layers and, with `voluntary`, food
    banks and mutual aid groups; the borough's figure against London's as the headline.
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
    cl, wl = card_maps.card_layers(L), ward_layers(L)
    spec = profiles.WARD_MEASURES[measure]
    name = L.borough_names[gss_code]
    sites = L.sites[L.sites["gss_code"] == gss_code]
    points = L.voluntary_points[L.voluntary_points["gss_code"] == gss_code]
    policies = [p for p in policies if p in POLICIES]
    context = ["#ffffff" if code == gss_code else "#e4e4e4" for code in cl.boroughs["gss_code"]]

    def draw(ax):
        card_maps.draw_base(ax, cl, context, focus=[gss_code])
        draw_wards(ax, wl, wards, measure)
        card_maps.draw_policies(ax, cl, policies)
        card_maps.draw_sites(ax, cl, sites)
        if voluntary:
            draw_voluntary(ax, points, size=1.1)
        card_maps.draw_labels(ax, cl, first=[gss_code], avoid=card_maps.draw_scale_bar(ax))

    # The legend, as the drawing makes it (the card lays the legend out first).
    _, class_rows = ward_maps.ward_fills(wards[measure].astype(float), measure)
    is_open = sites["status"].eq("open")
    group_rows = tuple(
        (GROUP_COLOURS[g], f"{g} ({n:,})")
        for g in CATEGORY_GROUPS
        if (n := int((is_open & sites["category_group"].eq(g)).sum()))
    )
    closed = int((~is_open).sum())
    policy_rows = tuple(
        (POLICIES[p].colour, POLICIES[p].legend) for p in policies if cl.policy_paths.get(p)
    )
    legend = (
        LegendSection(spec.label, "swatch", tuple(class_rows)),
        LegendSection("Sites (open)", "dot", group_rows),
        LegendSection(
            "Closed sites", "ring", (("#ffffff", f"Closed ({closed:,})"),) if closed else ()
        ),
        *(voluntary_legend(points) if voluntary else ()),
        LegendSection("London Plan", "line", policy_rows),
    )
    keys = [
        "boroughs",
        *LAYER_SOURCES["wards"],
        *spec.sources,
        *sources.site_source_keys(sites),
        *sources.policy_source_keys(policies),
        *(("food_banks", "mutual_aid") if voluntary and len(points) else ()),
    ]
    attribution, vintage = _with_sources(keys)
    notes = []
    if spec.per_head and wards["unstable"].any():
        notes.append(
            f"{int(wards['unstable'].sum())} ward(s) have under "
            f"{profiles.UNSTABLE_WARD_POPULATION:,} residents: their per-resident "
            "figures are unstable."
        )
    if voluntary and points["kind"].eq("mutual_aid").any():
        notes.append(MUTUAL_AID_NOTE)
    subtitle = (
        f"{name}'s {len(wards)} wards (2017) shaded by {_lower_first(spec.label)}, with "
        "its sites (closed ones as black rings)"
        + (", food banks and mutual aid groups" if voluntary else "")
        + "."
        + (
            " London Plan: " + ", ".join(POLICIES[p].legend for p in policies) + "."
            if policies
            else ""
        )
    )
    text = CardText(
        title=borough_title(name, measure),
        subtitle=subtitle,
        headline=borough_headline(stats, gss_code, measure),
        legend=legend,
        attribution=attribution,
        vintage=vintage,
        link=link,
        note=" ".join(notes),
    )
    return card_layout.card(text, draw, size, extent=card_maps.borough_extent(cl, [gss_code]))


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
) -> bytes:
    return card_layout.render(
        borough_figure(layers, gss_code, measure, policies, voluntary, link, size, stats, wards),
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


def _borough_outlines(ax, cl: card_maps.CardLayers) -> None:
    """Borough boundaries over a ward choropleth."""
    ax.add_collection(
        PathCollection(
            cl.borough_paths, facecolors="none", edgecolors="#222222", linewidths=0.7, zorder=2.4
        ),
        autolim=False,
    )


def voluntary_figure(
    layers: data.Layers,
    measure: str,
    ward: str | None,
    link: str,
    size: str = "social",
    wards: pd.DataFrame | None = None,
    government: bool = False,
) -> Figure:
    """Voluntary sector: London's wards shaded by charities per 1,000 residents or grants per
    head (as the page's map), with food banks and mutual aid groups, the chosen ward outlined
    and named in red. `wards`: profiles.ward_table for all London (with government's grants
    when `government`), if at hand."""
    L = layers
    if wards is None:
        wards = profiles.ward_table(
            L.wards, L.lsoas, L.sites, L.voluntary_wards, L.borough_names, government=government
        )
    cl, wl = card_maps.card_layers(L), ward_layers(L)
    spec = profiles.WARD_MEASURES[measure]
    points = L.voluntary_points
    labels = ward_maps.ward_labels(wards)
    ward = ward if ward in labels else None
    caveat = f"{measure}_government" if government and measure == "grants_per_head" else measure

    def draw(ax):
        card_maps.draw_base(ax, cl)
        draw_wards(ax, wl, wards, measure, opacity=0.75)
        _borough_outlines(ax, cl)
        draw_voluntary(ax, points, size=0.8)
        avoid = card_maps.draw_scale_bar(ax)
        if ward is not None:
            chosen = [
                p for p, code in zip(wl.paths, wl.wards["ward_code"], strict=True) if code == ward
            ]
            ax.add_collection(
                PathCollection(
                    chosen,
                    facecolors="none",
                    edgecolors=ward_maps.HIGHLIGHT_COLOUR,
                    linewidths=2.2,
                    zorder=7,
                ),
                autolim=False,
            )
            x, y = wl.points.loc[ward, ["x", "y"]]
            label = ax.annotate(
                wards.set_index("ward_code").at[ward, "ward"],
                (x, y),
                xytext=(7, 7),
                textcoords="offset points",
                fontsize=8,
                fontweight="bold",
                color="#b30000",
                zorder=8,
                gid="map-label",
                annotation_clip=False,
                path_effects=[patheffects.withStroke(linewidth=2.4, foreground="white")],
            )
            avoid.append(label.get_window_extent(ax.figure.canvas.get_renderer()))
        card_maps.draw_labels(ax, cl, avoid=avoid)

    _, class_rows = ward_maps.ward_fills(wards[measure].astype(float), measure)
    legend = (
        LegendSection(spec.label, "swatch", tuple(class_rows)),
        *voluntary_legend(points),
        LegendSection(
            "Chosen ward", "outline", ((ward_maps.HIGHLIGHT_COLOUR, labels[ward]),) if ward else ()
        ),
    )
    keys = ["boroughs", *LAYER_SOURCES["wards"], *spec.sources, "food_banks", "mutual_aid"]
    attribution, vintage = _with_sources(keys)
    subtitle = (
        f"London's {len(wards):,} wards (2017) shaded by {_lower_first(spec.label)}, "
        "with food banks and the mutual aid groups of spring 2020"
        + (f"; {labels[ward]} outlined in red." if ward else ".")
    )
    text = CardText(
        title=voluntary_title(measure),
        subtitle=subtitle,
        headline=voluntary_headline(wards, measure, ward, labels),
        legend=legend,
        attribution=attribution,
        vintage=vintage,
        link=link,
        note=f"{VOLUNTARY_CAVEATS[caveat]} {MUTUAL_AID_NOTE}",
    )
    return card_layout.card(text, draw, size, extent=card_maps.london_extent(cl))


def voluntary_card(
    layers: data.Layers,
    measure: str,
    ward: str | None,
    link: str,
    size: str = "social",
    wards: pd.DataFrame | None = None,
    government: bool = False,
) -> bytes:
    return card_layout.render(
        voluntary_figure(layers, measure, ward, link, size, wards, government), size
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


def explorer_figure(
    layers: data.Layers,
    site_filter: data.SiteFilter,
    density_group: str,
    policies: Sequence[str],
    link: str,
    size: str = "social",
    view: MapView | None = None,
) -> Figure:
    """The map explorer's card: boroughs shaded by open sites per 10,000 residents, the
    chosen London Plan layers, the filtered sites (closed ones as black rings), framed on the
    saved view, else on the chosen boroughs, else on London."""
    cl = card_layers(layers)
    names = layers.borough_names
    shown = data.filter_sites(layers.sites, site_filter)
    closed = int(shown["status"].eq("closed").sum())
    density = density_per_10k(layers, density_group)
    fills, class_rows = choropleth_fills(cl.boroughs["gss_code"].map(density))
    policies = [p for p in policies if p in POLICIES]

    title = explorer_title(site_filter, names)
    plan = ", ".join(POLICIES[p].legend for p in policies) or "none shown"
    subtitle = (
        f"Boroughs shaded by open sites per 10,000 residents "
        f"({density_group.lower()}). London Plan layers: {plan}."
    )
    headline = explorer_headline(shown)

    source_keys = [
        "boroughs",
        "borough_population",
        *site_source_keys(shown),
        *policy_source_keys(policies),
    ]
    extent_of = (
        view_extent(view)
        if view is not None
        else borough_extent(cl, site_filter.boroughs)
        if site_filter.boroughs
        else london_extent(cl)
    )

    def draw(ax):
        draw_base(ax, cl, fills, focus=site_filter.boroughs)
        draw_policies(ax, cl, policies)
        draw_sites(ax, cl, shown)
        draw_labels(ax, cl, first=site_filter.boroughs, avoid=draw_scale_bar(ax))

    # Legend rows as draw_sites and draw_policies make them (the legend is laid out first).
    is_open = shown["status"].eq("open")
    group_rows = tuple(
        (GROUP_COLOURS[g], f"{g} ({n:,})")
        for g in CATEGORY_GROUPS
        if (n := int((is_open & shown["category_group"].eq(g)).sum()))
    )
    policy_rows = tuple(
        (POLICIES[p].colour, POLICIES[p].legend)
        for p in policies
        if (cl.policy_areas["policy"] == p).any()
    )
    legend = (
        LegendSection(f"Open sites per 10,000 residents ({density_group})", "swatch", class_rows),
        LegendSection("Sites (open)", "dot", group_rows),
        LegendSection(
            "Closed sites",
            "ring",
            (("#ffffff", f"Closed ({closed:,}), filled with the group's colour"),)
            if closed
            else (),
        ),
        LegendSection("London Plan", "line", policy_rows),
    )
    text = CardText(
        title=title,
        subtitle=subtitle,
        headline=headline,
        legend=legend,
        attribution=attribution_lines(source_keys),
        vintage=vintage_line(source_keys),
        link=link,
        note=CLOSURE_CAVEAT,
    )
    return card(text, draw, size, extent=extent_of)


def explorer_card(
    layers: data.Layers,
    site_filter: data.SiteFilter,
    density_group: str,
    policies: Sequence[str],
    link: str,
    size: str = "social",
    view: MapView | None = None,
) -> bytes:
    """PNG (size="social") or PDF (size="print") bytes of the explorer's share card."""
    return render(
        explorer_figure(layers, site_filter, density_group, policies, link, size, view), size
    )


def card_file_name(stem: str, size: str) -> str:
    return f"{stem}-{'a4' if size == 'print' else '1200x675'}.{SIZES[size].fmt}"
