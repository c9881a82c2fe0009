"""One map, declared once: a typed `MapSpec` that every renderer draws.

No streamlit and no plotting library here. A page (or a card) says *what* a map shows as a
`MapSpec`: layers, a view and a basemap. Everything a reader is told about the map is derived
from those layers, never written by the caller:

- `MapSpec.legend()`: the legend sections (lib/render/legend.py), in the house order;
- `MapSpec.source_keys()`: the catalogue keys (lib/vocab/sources.py) of what is drawn, so
  `attributions()` (the full statements under a map and on a card), `credits()` (the short
  line in Leaflet's attribution control) and `vintage()` name exactly the sources shown;
- symbols (colours, ramps, point styles, basemaps, the one classifier) come from
  lib/render/symbols.py.

Renderers of the same spec:
- the browser map (lib/render/site_map.py + site_map.js, embedded by lib/ui/embed.py's
  `show_map_spec`): layers packed once per process, `site_map.browser_spec(spec, data)` sent
  each run;
- the self-contained HTML download (lib/render/html_map.py, folium, Leaflet inlined);
- the share cards (lib/render/card_maps.py, matplotlib).

Layers (drawn in the order given, bottom first; the legend has its own fixed order):

- `Choropleth(areas, values, label, scheme, value_format, sources)`: boroughs or wards filled
  by `values` (a Series indexed by area code: gss_code or ward_code, exactly the areas drawn;
  NaN = no data), classed by `symbols.classify`;
- `PolicyAreas(policies, style, counts)`: London Plan layers (keys, or a town-centre class
  such as "town_centre:Major"); style "overlay" (dashed outline, light tint) or "subject"
  (the policy a page compares: solid outline, stronger tint, its area count in the legend);
- `SitesByStatus(sites)`: sites by status, as the explorer draws them: open ones by group
  colour, losses ringed in black, closures that were not losses (replaced, contract end)
  ringed in grey. `sites` are rows of the sites layer with status, lost, category_group and
  sources (`cache.site_attributes()` rows will do);
- `SitesBySide(sites, policy, categories, start, vintage)`: losses inside a policy's areas
  (filled vermillion) and elsewhere (hollow blue). `sites` has a boolean `inside` column that
  lib/analysis decided (`losses.loss_sides` of the closure table's own exposure; the page
  gets it from `cache.rates_and_shares`, a card from `losses.closure_sides`): the spec only
  draws it;
- `Overlay(kind, layer, sources)`: a user's upload ("own") or the approved community reports
  ("community"), an `OwnDataLayer`;
- `VoluntaryPoints(points, borough)`: food banks by network and mutual aid groups
  (`profiles.voluntary_points` rows: kind, network, status, gss_code), `borough` when they
  are one borough's;
- `Reports(points)`: a workshop room's reports (lon, lat, kind, name: plain text, escaped
  where drawn) coloured by kind, with the note that they are not public yet;
- `Boundaries(areas, focus, focus_label, focus_title)`: area outlines (a "Borough
  boundaries" legend row when no choropleth fills the same areas); `focus` codes get a heavy
  outline, named in the legend by `focus_label` (under `focus_title`) if given;
- `Labels(areas, first)`: area names, decluttered; `first` placed first, in bold.

Example (the explorer)::

    spec = MapSpec(
        layers=(
            Choropleth("boroughs", per_10k, "All facilities: open sites per 10,000 residents",
                       sources=("borough_population",)),
            Labels("boroughs"),
            PolicyAreas(("town_centre",)),
            SitesByStatus(shown),
            Overlay("community", community_layer),
        ),
        view=View(bounds=card_maps.map_bounds(layers, boroughs), saved=map_view),
        basemap="none",
    )
    spec.legend()        # (LegendSection("All facilities: ...", "swatch", ...), ...)
    spec.attributions()  # ("Contains OS data ...", ..., "NHS England ODS ...", ...)

A page embeds it with `embed.show_map_spec(cache.site_map_data(), spec, key=...)` (or
`present.present_map_spec` on a projector), credits it under the map with
`widgets.spec_attribution(spec)`, offers `html_map.standalone_html(spec, cache.map_layers(),
title)` through `share_panel(..., interactive=...)`, and its card draws the same layers with
the same `spec.legend()` and `spec.attributions()`. pages/map_explorer.py and
pages/losses.py are worked examples.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import pandas as pd

from lib.links.views import MapView
from lib.render import symbols
from lib.render.legend import LegendSection
from lib.render.own_data import OwnDataLayer
from lib.vocab import contributions, sources
from lib.vocab.categories import CATEGORY_GROUPS, GROUP_COLOURS, RECORDING, categories_text
from lib.vocab.geography import LONDON_BOUNDS
from lib.vocab.policies import base_policy, parse_policy, policy_label, policy_title

Areas = Literal["boroughs", "wards"]
AREA_NAMES = {"boroughs": "Borough", "wards": "Ward"}
ELSEWHERE = "Elsewhere"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


# ---------------------------------------------------------------- layers


@dataclass(frozen=True, eq=False)
class Choropleth:
    """Areas filled by `values` (indexed by area code, the areas drawn; NaN: no data)."""

    areas: Areas
    values: pd.Series
    label: str  # the legend's title and the tooltip's label
    scheme: symbols.Scheme = "quantile"
    value_format: str = "{:.1f}"
    sources: tuple[str, ...] = ()  # what the values rest on beyond the areas' shapes
    notes: pd.Series | None = None  # a short note per area code for its tooltip ("unstable")

    @cached_property
    def classes(self) -> symbols.Classes:
        return symbols.classify(self.values, self.scheme, self.value_format)

    def fills(self) -> dict[str, str]:
        """Fill colour by area code."""
        return dict(zip(self.values.index, self.classes.fills, strict=True))

    def shown(self) -> dict[str, str]:
        """The value as a tooltip shows it, by area code."""
        fmt = self.value_format
        return {c: fmt.format(v) if pd.notna(v) else "no data" for c, v in self.values.items()}

    def legend(self) -> tuple[LegendSection, ...]:
        return (LegendSection(self.label, "swatch", self.classes.rows),)

    def source_keys(self) -> tuple[str, ...]:
        return (*sources.LAYER_SOURCES[self.areas], *self.sources)


@dataclass(frozen=True)
class PolicyAreas:
    """London Plan layers: overlays (dashed, light tint) or the subject of a comparison."""

    policies: tuple[str, ...]
    style: Literal["overlay", "subject"] = "overlay"
    counts: tuple[int, ...] = ()  # areas of each policy, for the subject's legend row

    def __post_init__(self) -> None:
        for p in self.policies:
            parse_policy(p)  # KeyError for an unknown key
        if self.counts and len(self.counts) != len(self.policies):
            raise ValueError("counts: one per policy")

    @staticmethod
    def colour(policy: str) -> str:
        return base_policy(policy).colour

    @staticmethod
    def label(policy: str) -> str:
        """The legend label: "Town centres", "Major town centres"."""
        return base_policy(policy).legend if ":" not in policy else policy_title(policy)

    def tint(self) -> float:
        return symbols.SUBJECT_TINT if self.style == "subject" else symbols.OVERLAY_TINT

    def legend(self) -> tuple[LegendSection, ...]:
        if self.style == "overlay":
            rows = tuple((self.colour(p), self.label(p)) for p in self.policies)
            return (LegendSection("London Plan", "line", rows),)
        rows = tuple(
            (
                symbols.tint(self.colour(p), self.tint()),
                f"{self.label(p)} ({_plural(n, 'area')})" if n is not None else self.label(p),
            )
            for p, n in zip(self.policies, self.counts or (None,) * len(self.policies), strict=True)
        )
        return (LegendSection("London Plan", "swatch", rows),)

    def source_keys(self) -> tuple[str, ...]:
        return tuple(k for p in self.policies for k in base_policy(p).sources)


def _site_sources(sites: pd.DataFrame) -> tuple[str, ...]:
    return tuple(sources.site_source_keys(sites)) if len(sites) else ()


@dataclass(frozen=True, eq=False)
class SitesByStatus:
    """Sites by status: open by group colour, losses ringed black, other closures grey."""

    sites: pd.DataFrame  # status, lost, category_group, sources
    # One borough's sites (the borough profile): the browser receives that borough's alone.
    borough: str | None = None

    @cached_property
    def counts(self) -> dict:
        status = self.sites["status"]
        closed = status.eq("closed")
        lost = closed & self.sites["lost"].astype(bool)
        groups = self.sites.loc[~closed, "category_group"].value_counts()
        return {
            "groups": {g: int(groups.get(g, 0)) for g in CATEGORY_GROUPS},
            "lost": int(lost.sum()),
            "not_lost": int(closed.sum() - lost.sum()),
        }

    def legend(self) -> tuple[LegendSection, ...]:
        counts = self.counts
        lost, not_lost = counts["lost"], counts["not_lost"]
        groups = tuple((GROUP_COLOURS[g], f"{g} ({n:,})") for g, n in counts["groups"].items() if n)
        return (
            LegendSection("Sites (open)", symbols.OPEN_SITE.kind, groups),
            LegendSection(
                "Closed sites",
                symbols.LOST_SITE.kind,
                ((symbols.WHITE, f"Closed, a loss ({lost:,}), filled with the group's colour"),)
                if lost
                else (),
            ),
            LegendSection(
                "" if lost else "Closed sites",
                symbols.NOT_LOST_SITE.kind,
                (
                    (
                        symbols.NOT_LOST_COLOUR,
                        f"Closed, not a loss ({not_lost:,}): replaced, or a contract-end record",
                    ),
                )
                if not_lost
                else (),
            ),
        )

    @cached_property
    def _source_keys(self) -> tuple[str, ...]:
        return _site_sources(self.sites)

    def source_keys(self) -> tuple[str, ...]:
        return self._source_keys


@dataclass(frozen=True, eq=False)
class SitesBySide:
    """Losses inside a policy's areas (filled) and elsewhere (hollow), as lib/analysis
    classified them (`sites["inside"]`)."""

    sites: pd.DataFrame  # the losses counted, with a boolean `inside` column and `sources`
    policy: str
    categories: tuple[str, ...]
    start: int
    vintage: bool = False  # inside only after the area's designation

    @property
    def inside(self) -> pd.Index:
        return self.sites.index[self.sites["inside"].astype(bool)]

    @property
    def outside(self) -> pd.Index:
        return self.sites.index[~self.sites["inside"].astype(bool)]

    def where_text(self, inside: bool) -> str:
        """The tooltip's "Where" of a loss on each side."""
        return f"Inside {policy_label(self.policy)}" if inside else ELSEWHERE

    def legend(self) -> tuple[LegendSection, ...]:
        label = PolicyAreas.label(self.policy)
        return (
            LegendSection(
                f"Lost {categories_text(self.categories)} since {self.start}",
                symbols.INSIDE_SITE.kind,
                ((symbols.INSIDE_COLOUR, f"Inside {label} ({len(self.inside):,})"),),
            ),
            LegendSection(
                "",
                symbols.OUTSIDE_SITE.kind,
                ((symbols.OUTSIDE_COLOUR, f"{ELSEWHERE} ({len(self.outside):,})"),),
            ),
        )

    def note(self) -> str:
        return (
            f"Losses from {self.start} to each source's end: "
            + ", ".join(RECORDING[c].card_window for c in self.categories)
            + (
                "; inside only after the area's designation (earlier losses count as elsewhere)."
                if self.vintage
                else "."
            )
        )

    @cached_property
    def _source_keys(self) -> tuple[str, ...]:
        return _site_sources(self.sites)

    def source_keys(self) -> tuple[str, ...]:
        return self._source_keys


@dataclass(frozen=True, eq=False)
class Overlay:
    """A layer over the sites: a user's upload ("own"), the community reports, or facilities
    lost ("lost": points whose tooltips carry what their loss cost, lib/render/needs_maps.py)."""

    kind: Literal["own", "community", "lost"]
    layer: OwnDataLayer
    sources: tuple[str, ...] = ()  # own data: ("postcodes",) when postcodes placed its rows

    def legend(self) -> tuple[LegendSection, ...]:
        if self.kind == "lost":
            return (
                LegendSection(
                    "Facilities lost",
                    symbols.LOST_SITE.kind,
                    ((symbols.WHITE, self.layer.legend_label()),),
                ),
            )
        if self.kind == "own":
            return (
                LegendSection(
                    "Your own data",
                    symbols.OWN_POINT.kind,
                    ((symbols.OWN_DATA_COLOUR, self.layer.legend_label()),),
                ),
            )
        return (
            LegendSection(
                "Community-reported",
                symbols.COMMUNITY_POINT.kind,
                (
                    (
                        symbols.COMMUNITY_COLOUR,
                        f"{self.layer.legend_label()}: reports by the public, moderated",
                    ),
                ),
            ),
        )

    def source_keys(self) -> tuple[str, ...]:
        return self.sources


@dataclass(frozen=True, eq=False)
class VoluntaryPoints:
    """Food banks by network (closed ones ringed in black) and mutual aid groups."""

    points: pd.DataFrame  # kind ("food_bank" / "mutual_aid"), network, status, gss_code
    # One borough's points (the borough profile): the browser receives that borough's alone.
    borough: str | None = None

    @cached_property
    def counts(self) -> dict[str, int]:
        kind, status = self.points["kind"], self.points["status"]
        banks, closed = kind.eq("food_bank"), status.eq("closed")
        network = self.points["network"].fillna("")
        counts = {n: int((banks & ~closed & network.eq(n)).sum()) for n in symbols.NETWORK_COLOURS}
        counts["closed"] = int((banks & closed).sum())
        counts["mutual_aid"] = int(kind.eq("mutual_aid").sum())
        return counts

    def legend(self) -> tuple[LegendSection, ...]:
        counts = self.counts
        rows = tuple(
            (colour, f"Food bank, {name} ({counts[name]})")
            for name, colour in symbols.NETWORK_COLOURS.items()
            if counts[name]
        )
        title = "Food banks (Give Food, about 2022-23)"
        shut, groups = counts["closed"], counts["mutual_aid"]
        return (
            LegendSection(title, "edged", rows),
            LegendSection(
                "" if rows else title,
                "ring",
                ((symbols.WHITE, f"Food bank, closed ({shut})"),) if shut else (),
            ),
            LegendSection(
                "Mutual aid groups (mutualaid.wiki)",
                "mini",
                ((symbols.WHITE, f"Mutual aid group 2020 ({groups}; CC BY-NC-SA, non-commercial)"),)
                if groups
                else (),
            ),
        )

    def source_keys(self) -> tuple[str, ...]:
        counts = self.counts
        banks = sum(counts[n] for n in symbols.NETWORK_COLOURS) + counts["closed"]
        return (
            *sources.LAYER_SOURCES["food_bank"][: 1 if banks else 0],
            *sources.LAYER_SOURCES["mutual_aid"][: 1 if counts["mutual_aid"] else 0],
        )


@dataclass(frozen=True, eq=False)
class Reports:
    """A workshop room's reports as points coloured by kind (the wall, lib/ui/workshop.py).
    Every mapped kind is in the legend before any report arrives, so the room learns the
    colours first; an area need is a ward's: counted on the wall, never a point."""

    points: pd.DataFrame  # lon, lat, kind (one of contributions.MAPPED_KINDS), name
    title: str = "Reports from the room"

    NOTE = "Not public until a moderator approves them. Area needs are counted, not mapped."

    def legend(self) -> tuple[LegendSection, ...]:
        rows = tuple(
            (contributions.KIND_COLOURS[k], contributions.KIND_SHORT[k])
            for k in contributions.MAPPED_KINDS
        )
        return (LegendSection(self.title, symbols.REPORT_POINT.kind, rows),)

    def note(self) -> str:
        return self.NOTE

    def source_keys(self) -> tuple[str, ...]:
        return ()  # the room's own words: not public, credited to no one yet


@dataclass(frozen=True)
class Boundaries:
    """Area outlines; the `focus` codes get a heavy outline (dashed with `focus_dash`), with a
    legend row when `focus_label` names what they are ("Area of defined need, stable")."""

    areas: Areas = "boroughs"
    focus: tuple[str, ...] = ()
    focus_label: str = ""  # the focus's legend row ("Hackney"), kept when a fill hides the rest
    focus_title: str = ""  # its section's title ("Chosen ward")
    focus_dash: bool = False  # the focus outline dashed (and its legend row)

    def focus_legend(self) -> tuple[LegendSection, ...]:
        if not (self.focus and self.focus_label):
            return ()
        kind = "line" if self.focus_dash else "outline"
        return (LegendSection(self.focus_title, kind, ((symbols.FOCUS_COLOUR, self.focus_label),)),)

    def legend(self) -> tuple[LegendSection, ...]:
        return (
            LegendSection(
                "", "outline", ((symbols.BOUNDARY_COLOUR, f"{AREA_NAMES[self.areas]} boundaries"),)
            ),
            *self.focus_legend(),
        )

    def source_keys(self) -> tuple[str, ...]:
        return sources.LAYER_SOURCES[self.areas]


@dataclass(frozen=True)
class Labels:
    """Area names, decluttered; `first` placed first, in bold."""

    areas: Areas = "boroughs"
    first: tuple[str, ...] = ()

    def legend(self) -> tuple[LegendSection, ...]:
        return ()

    def source_keys(self) -> tuple[str, ...]:
        return sources.LAYER_SOURCES[self.areas]


Layer = (
    Choropleth
    | PolicyAreas
    | SitesByStatus
    | SitesBySide
    | Overlay
    | VoluntaryPoints
    | Reports
    | Boundaries
    | Labels
)


@dataclass(frozen=True)
class View:
    """Where the map looks: a view saved in the link (a lib.links.views.MapView: lat, lon,
    zoom), else `bounds` ((south, west), (north, east)) framed whatever the frame's size."""

    bounds: tuple[tuple[float, float], tuple[float, float]] = LONDON_BOUNDS
    saved: MapView | None = None


# ---------------------------------------------------------------- the spec


# The legend's order, whatever the drawing order: what is laid over the map first, then the
# fill, the points, the policy areas, the boundaries.
def _legend_rank(layer: Layer) -> int:
    if isinstance(layer, Reports):
        return 1
    if isinstance(layer, Overlay):
        return {"own": 0, "community": 1}.get(layer.kind, 2)
    order = (Choropleth, VoluntaryPoints, SitesByStatus, SitesBySide, PolicyAreas, Boundaries)
    return 2 + next((i for i, t in enumerate(order) if isinstance(layer, t)), len(order))


@dataclass(frozen=True, eq=False)
class MapSpec:
    """A map: its layers (bottom first), view and basemap ("none" or a symbols.BASEMAPS key)."""

    layers: tuple[Layer, ...]
    view: View = field(default_factory=View)
    basemap: str = "none"

    def __post_init__(self) -> None:
        if self.basemap not in symbols.BASEMAPS:
            raise ValueError(f"Unknown basemap {self.basemap!r}")

    def of(self, kind: type) -> list:
        """The layers of one type, in drawing order."""
        return [layer for layer in self.layers if isinstance(layer, kind)]

    def first(self, kind: type):
        found = self.of(kind)
        return found[0] if found else None

    def legend(self) -> tuple[LegendSection, ...]:
        """The legend sections (empty ones dropped), derived from the layers."""
        filled = {c.areas for c in self.of(Choropleth)}

        def sections(layer: Layer) -> tuple[LegendSection, ...]:
            if isinstance(layer, Boundaries) and layer.areas in filled:
                return layer.focus_legend()  # the fill's legend already says the areas
            return layer.legend()

        return tuple(
            section
            for layer in sorted(self.layers, key=_legend_rank)
            for section in sections(layer)
            if section.rows
        )

    def legend_note(self) -> str:
        return " ".join(s.note() for s in [*self.of(SitesBySide), *self.of(Reports)])

    def source_keys(self) -> list[str]:
        """Catalogue keys of everything drawn, once each, in drawing order."""
        return list(dict.fromkeys(k for layer in self.layers for k in layer.source_keys()))

    def attributions(self) -> tuple[str, ...]:
        """The full attribution statements, and the basemap's."""
        lines = sources.attribution_lines(self.source_keys())
        tiles = symbols.basemap(self.basemap).attribution
        return (*lines, f"Basemap {tiles}") if tiles else lines

    def credits(self, basemap: bool = True) -> str:
        """The short credits line for a map's attribution control, HTML-escaped (with the
        basemap's, unless `basemap` is False: a renderer that credits its tiles itself)."""
        parts = sources.credits(self.source_keys())
        tiles = symbols.basemap(self.basemap).attribution if basemap else None
        return html.escape(" | ".join([*parts, *([tiles] if tiles else [])]))

    def vintage(self) -> str:
        return sources.vintage_line(self.source_keys())


def policy_counts(policy_areas: pd.DataFrame, policies: Sequence[str]) -> tuple[int, ...]:
    """How many areas each policy (or town-centre class) has in the built policy_areas layer."""
    counts = []
    for p in policies:
        base, cls = parse_policy(p)
        rows = policy_areas["policy"].eq(base.key)
        if cls:
            rows &= policy_areas["classification"].eq(cls)
        counts.append(int(rows.sum()))
    return tuple(counts)


__all__ = [
    "Boundaries",
    "Choropleth",
    "Labels",
    "Layer",
    "MapSpec",
    "Overlay",
    "PolicyAreas",
    "Reports",
    "SitesBySide",
    "SitesByStatus",
    "View",
    "VoluntaryPoints",
    "policy_counts",
]
