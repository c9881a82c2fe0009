"""Share cards of the pages other than the map explorer, and what each of their maps says in
words (issue 5: every map view has a card, a title, one headline figure and a one-sentence
summary, the same in the card, in presentation mode and under the map).

No streamlit here. Each page has:

- `<page>_title`, `<page>_headline` (a lib.share.Headline) and `<page>_summary` (one sentence
  saying what the map shows, for readers who cannot see it), used by the page too;
- `<page>_figure(layers, ..., link, size)`: the card as a matplotlib Figure, built with
  lib/share.py's generic `card` and `draw_*` pieces (same colours as the page's folium map);
- `<page>_card(...)`: its bytes (1200x675 PNG for size="social", A4 landscape PDF for
  size="print"), what the page's share panel downloads.

Pages: Losses vs policy (`losses_*`), Losses over time (`pubs_*`), Borough profile
(`borough_*`) and Voluntary sector (`voluntary_*`). Ward maps share `ward_layers`,
`draw_wards` and `draw_voluntary`. A page may pass the tables it has already computed (and
cached) so that a card need not compute them again.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from lib import analysis as A
from lib import data, share
from lib import losses_maps as LM
from lib.share import CardText, Headline, LegendSection
from lib.sources import LAYER_SOURCES


def _marker_sizes(ax, small: float, large: float) -> float:
    """A marker size between `small` (all London) and `large` (~15 km across), as
    share.draw_sites grows its markers when the map is zoomed in."""
    span_km = (ax.get_xlim()[1] - ax.get_xlim()[0]) / 1000
    zoomed = min(max((60 - span_km) / 45, 0), 1)
    return small + (large - small) * zoomed


def _with_sources(keys: Sequence[str]) -> tuple[tuple[str, ...], str]:
    """(attribution lines, vintage line) of the catalogue keys of the layers shown."""
    keys = list(dict.fromkeys(keys))
    return share.attribution_lines(keys), share.vintage_line(keys)


# ------------------------------------------------------------------------- Losses vs policy

RECORDED = {"Library": "libraries 2010-2016", "GP practice": "GP practices 2013-2019",
            "Museum or public gallery": "museums since 1945"}
AREA_TINT = 0.25  # the policy's fill, as on the page's map (fillOpacity 0.22)


def recorded_note(categories: Sequence[str]) -> str:
    """'Only closures a source recorded: libraries 2010-2016, GP practices 2013-2019.'"""
    return ("Only closures a source recorded: "
            + ", ".join(RECORDED[c] for c in A.RECORDING_CATEGORIES if c in categories) + ".")


def losses_title(policy: str) -> str:
    """'Closures inside Areas for Regeneration vs elsewhere' (short: it heads presentation
    mode at 1280x720 too)."""
    return f"Closures inside {A.policy_title(policy)} vs elsewhere"


def losses_headline(total: pd.Series | dict, policy: str,
                    categories: Sequence[str] = A.RECORDING_CATEGORIES) -> Headline:
    """The page's headline sentence as one figure: '16.1% vs 13.9%' (the closure rates
    inside and elsewhere, `total` being the closure_table's last row) and its verdict."""
    label = A.POLICIES[policy][0]
    row = dict(total)
    if not row["sites_in"] or not row["sites_out"]:
        return Headline(LM.DASH, A.headline(total, label))
    return Headline(f"{LM.pct(row['rate_in'])} vs {LM.pct(row['rate_out'])}",
                    f"closure rate of {LM.categories_text(categories)}, inside vs elsewhere: "
                    f"{row['verdict']}")


def losses_counts(total: pd.Series | dict) -> str:
    """'63 of 391 recorded sites closed inside, 244 of 1,751 elsewhere.'"""
    row = dict(total)
    return (f"{row['closed_in']:,} of {row['sites_in']:,} recorded sites closed inside, "
            f"{row['closed_out']:,} of {row['sites_out']:,} elsewhere.")


def losses_summary(policy: str, categories: Sequence[str], n_in: int, n_out: int,
                   n_areas: int) -> str:
    """One sentence on what the losses map shows."""
    label = A.POLICIES[policy][0]
    areas = f"{n_areas:,} area{'' if n_areas == 1 else 's'}"
    return (f"The map shows {n_in + n_out:,} closed {LM.categories_text(categories)}: "
            f"{n_in:,} inside {label} ({areas}, shaded; filled vermillion dots) and "
            f"{n_out:,} elsewhere (hollow blue rings).")


def policy_paths(cl: share.CardLayers, policy: str):
    """The card paths of one policy; a town-centre class ('town_centre:Major') alone."""
    base, _, cls = policy.partition(":")
    if not cls:
        return cl.policy_paths.get(base, ())
    areas = cl.policy_areas
    chosen = areas[(areas["policy"] == base) & (areas["classification"] == cls)]
    return tuple(share.polygon_paths(chosen.geometry.values))


def losses_figure(layers: data.Layers, policy: str, categories: Sequence[str], link: str,
                  size: str = "social", table: pd.DataFrame | None = None) -> Figure:
    """Losses vs policy: the closed sites inside the policy's areas (filled vermillion dots
    over the areas' tint) and elsewhere (hollow blue rings), across London, with the closure
    rates inside and elsewhere as the headline. `table`: the page's closure_table, if at hand."""
    categories = tuple(c for c in A.RECORDING_CATEGORIES if c in categories) \
        or A.RECORDING_CATEGORIES
    cl = share.card_layers(layers)
    if table is None:
        table = A.closure_table(layers.sites, policy, categories)
    total = table.iloc[-1]
    inside, outside = LM.closed_sides(layers.sites, policy, categories)
    label, colour = LM.policy_style(policy)
    paths = policy_paths(cl, policy)
    n_areas = len(A.policy_layer(layers.policy_areas, policy))
    shown = layers.sites.loc[inside.union(outside)]

    def draw(ax):
        share.draw_base(ax, cl)
        if paths:
            share.draw_area(ax, paths, colour, width=0.7, tint=AREA_TINT, dashed=False)
        xy = cl.site_xy
        ring = _marker_sizes(ax, 3.6, 6.5)
        if len(outside):
            ax.scatter(xy.loc[outside, "x"], xy.loc[outside, "y"], s=ring ** 2,
                       facecolors=[to_rgba("#ffffff", 0.35)], edgecolors=LM.OUTSIDE_COLOUR,
                       linewidths=1.3, zorder=4)
        if len(inside):
            ax.scatter(xy.loc[inside, "x"], xy.loc[inside, "y"], s=(ring + 0.6) ** 2,
                       c=LM.INSIDE_COLOUR, edgecolors="#1a1a1a", linewidths=0.7, zorder=5)
        share.draw_labels(ax, cl, avoid=share.draw_scale_bar(ax))

    legend = (
        LegendSection(f"Closed {LM.categories_text(categories)}", "ring",
                      ((LM.INSIDE_COLOUR, f"Inside {label} ({len(inside):,})"),)),
        LegendSection("", "hollow", ((LM.OUTSIDE_COLOUR, f"{LM.ELSEWHERE} ({len(outside):,})"),)),
        LegendSection("London Plan", "swatch",
                      ((share.tint_hex(colour, AREA_TINT),
                        f"{label} ({n_areas:,} area{'' if n_areas == 1 else 's'})"),)),
    )
    keys = ["boroughs", *share.site_source_keys(shown), *LAYER_SOURCES[policy.partition(":")[0]]]
    attribution, vintage = _with_sources(keys)
    text = CardText(
        title=losses_title(policy),
        subtitle=(f"Closed {LM.categories_text(categories)} inside {A.POLICIES[policy][0]} and "
                  f"elsewhere. Closure rate = closed / all recorded sites on each side of the "
                  f"boundary: {losses_counts(total)}"),
        headline=losses_headline(total, policy, categories), legend=legend,
        attribution=attribution,
        vintage=vintage, link=link, note=recorded_note(categories))
    return share.card(text, draw, size, extent=share.london_extent(cl))


def losses_card(layers: data.Layers, policy: str, categories: Sequence[str], link: str,
                size: str = "social", table: pd.DataFrame | None = None) -> bytes:
    return share.render(losses_figure(layers, policy, categories, link, size, table), size)


# ------------------------------------------------------------------------- Losses over time

PUBS_START, PUBS_END = 2001, 2018
ARROW = "\u2192"
PUBS_NOTE = ("Orange: fewer pubs and bars; purple: more. ONS counts of pub and bar businesses, "
             "rounded to 5.")


def _signed(value: float, digits: int = 0) -> str:
    """'+30', '−1,305', '−27.0' (a true minus sign), '0'."""
    return LM._signed(value, digits)


def pubs_title(start: int = PUBS_START, end: int = PUBS_END) -> str:
    return f"Pubs and bars, {start}-{end}: change by borough"


def pubs_headline(change: pd.DataFrame, gss_code: str | None = None) -> Headline:
    """London's pubs and bars then and now ('4,840 → 3,535'), or the chosen borough's, with
    the change (and London's % change beside a borough's)."""
    london = change.attrs["london"]
    if gss_code is None:
        return Headline(f"{london['pubs_start']:,} {ARROW} {london['pubs_end']:,}",
                        f"pubs and bars in London, {PUBS_START} {ARROW} {PUBS_END}: "
                        f"{_signed(london['change'])} ({_signed(london['pct_change'], 1)}%)")
    row = change.set_index("gss_code").loc[gss_code]
    return Headline(f"{int(row['pubs_start']):,} {ARROW} {int(row['pubs_end']):,}",
                    f"pubs and bars in {row['name']}, {PUBS_START} {ARROW} {PUBS_END}: "
                    f"{_signed(row['change'])} ({_signed(row['pct_change'], 1)}%; London "
                    f"{_signed(london['pct_change'], 1)}%)")


def pubs_summary(change: pd.DataFrame, gss_code: str | None = None) -> str:
    """One sentence on what the pubs map shows."""
    known = change.dropna(subset=["pct_change"])
    fewer = int((known["change"] < 0).sum())
    low, high = known.loc[known["pct_change"].idxmin()], known.loc[known["pct_change"].idxmax()]
    text = (f"The map shades London's {len(change)} boroughs by their % change in pubs and bars "
            f"from {PUBS_START} to {PUBS_END} (orange: fewer, purple: more): {fewer} of "
            f"{len(change)} had fewer; the largest fall was in {low['name']} "
            f"({_signed(low['pct_change'], 1)}%), the largest rise in {high['name']} "
            f"({_signed(high['pct_change'], 1)}%).")
    if gss_code is not None:
        row = change.set_index("gss_code").loc[gss_code]
        text += f" {row['name']} (outlined): {_signed(row['pct_change'], 1)}%."
    return text


def pubs_figure(layers: data.Layers, gss_code: str | None, link: str, size: str = "social",
                change: pd.DataFrame | None = None) -> Figure:
    """Losses over time: the boroughs shaded by % change in pubs and bars 2001-2018 on the
    page's diverging ramp (ColorBrewer PuOr, orange = fewer), the chosen borough outlined;
    London's count then and now (or the borough's) as the headline."""
    if change is None:
        change = A.pubs_change(layers.pubs_by_borough, layers.boroughs, PUBS_START, PUBS_END)
    cl = share.card_layers(layers)
    pct = cl.boroughs["gss_code"].map(change.set_index("gss_code")["pct_change"])
    fills, rows = LM.diverging_classes(pct)
    focus = [gss_code] if gss_code else []

    def draw(ax):
        share.draw_base(ax, cl, fills, focus=focus)
        share.draw_labels(ax, cl, first=focus, avoid=share.draw_scale_bar(ax))

    names = layers.borough_names
    legend = [LegendSection(f"Pubs and bars, % change {PUBS_START}-{PUBS_END}", "swatch",
                            tuple(rows))]
    if gss_code:
        legend.append(LegendSection("", "outline", (("#111111", names[gss_code]),)))
    attribution, vintage = _with_sources(["boroughs", "pubs"])
    subtitle = (f"Each borough shaded by the % change in its pubs and bars between {PUBS_START} "
                f"and {PUBS_END} (ONS)"
                + (f"; {names[gss_code]} outlined." if gss_code else "."))
    text = CardText(title=pubs_title(), subtitle=subtitle,
                    headline=pubs_headline(change, gss_code), legend=tuple(legend),
                    attribution=attribution, vintage=vintage, link=link, note=PUBS_NOTE)
    return share.card(text, draw, size, extent=share.london_extent(cl))


def pubs_card(layers: data.Layers, gss_code: str | None, link: str, size: str = "social",
              change: pd.DataFrame | None = None) -> bytes:
    return share.render(pubs_figure(layers, gss_code, link, size, change), size)
