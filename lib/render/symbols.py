"""The one home of map symbols: colours, ramps, marker styles, basemaps, and the classifier;
and of the ink and paper around them (legends, labels, cards, charts, the evidence pack).

No plotting library here: the browser map (site_map.js, through lib/render/site_map.py), the
folium download (lib/render/html_map.py) and the matplotlib cards (lib/render/card_maps.py)
all read these, so a symbol looks the same on a screen, a download and a card. The facility
groups' and the London Plan layers' colours are facts of the vocabulary
(lib/vocab/categories.py ``GROUP_COLOURS``, lib/vocab/policies.py ``Policy.colour``).

``classify(values, scheme, value_format)`` is the only classifier: every choropleth (borough
or ward, web or card) gets its fills and legend rows from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

import numpy as np
import pandas as pd

# ---------------------------------------------------------------- colours

#: A sequential, colour-blind-safe ramp (ColorBrewer YlGnBu) for choropleths.
RAMP = ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494")
#: ColorBrewer PuOr, 8 classes, from most loss (dark orange) to most gain (dark purple).
PUOR = ("#b35806", "#e08214", "#fdb863", "#fee0b6", "#d8daeb", "#b2abd2", "#8073ac", "#542788")
NO_DATA_COLOUR = "#f0f0f0"  # an area without a value
NO_CHANGE_COLOUR = "#f7f7f7"  # a diverging value of exactly 0
BOUNDARY_COLOUR = "#333333"  # area outlines
LAND_COLOUR = "#fbfaf7"  # the app's background: land reads apart from the pale-blue water
WATER_COLOUR = "#d6e6f2"  # pale water blue: with no basemap the Thames is the gap between boroughs
CLOSED_COLOUR = "#000000"  # the ring of a closed site that was a loss
NOT_LOST_COLOUR = "#7a7a7a"  # the ring of a closure that was not a loss (replaced, contract end)
INSIDE_COLOUR = "#D55E00"  # Okabe-Ito vermillion: losses inside the policy's areas (filled)
OUTSIDE_COLOUR = "#0072B2"  # Okabe-Ito blue: losses elsewhere (hollow rings)
COMMUNITY_COLOUR = "#AA3377"  # Paul Tol's purple: outside the official layers' Okabe-Ito colours
OWN_DATA_COLOUR = "#F0E442"  # Okabe-Ito yellow: no facility group or policy layer uses it
OWN_DATA_OUTLINE = "#333333"
#: Food-bank networks: Paul Tol's wine and olive, and yellow, readable on the ward ramp.
NETWORK_COLOURS = {"Trussell Trust": "#882255", "IFAN": "#999933", "Independent": "#F0E442"}
MUTUAL_AID_COLOUR = "#ffffff"  # small white dots ringed in black
EDGE_COLOUR = "#1a1a1a"  # the dark edge of a filled point ("edged")
WHITE = "#ffffff"
UNKNOWN_GROUP_COLOUR = "#999999"  # a site whose group has no colour (never in the build)

# Ink and paper: the type and lines around the maps and in the charts, on screen, on the
# cards and in the evidence pack.
INK = "#111111"  # text, area names, scale bars, a chart's marks and intervals
FOCUS_COLOUR = INK  # the chosen borough's heavy outline
MUTED = "#3a4646"  # small print: subtitles, credits, vintages, the legend's note
LINK_COLOUR = "#0b5757"  # a card's link
PAPER = WHITE  # a card's and the evidence pack's page
RULE = "#c8d0d0"  # hairlines between a card's parts and in the evidence pack's tables
TABLE_HEAD = "#e8eeee"  # the evidence pack's table headers
FRAME_COLOUR = "#9aa5a5"  # the frame of a card's map
CARD_BACKGROUND = "#f4f4f2"  # a card's map around London (its water drawn on it)
SWATCH_EDGE = "#555555"  # the outline of a legend's colour swatch

# Charts (lib/render/charts.py): the chosen place, everything else, reference lines.
CHOSEN_COLOUR = "#d7191c"  # the chosen ward or borough in a chart (ColorBrewer red)
OTHERS_COLOUR = "#9a9a9a"  # the rest, in grey: other boroughs, measures other than closures
OTHERS_LINE = "#c8c8c8"  # other boroughs as lines, light so the chosen one reads on top
WARD_DOT = RAMP[4]  # a ward in the voluntary scatter: the choropleth's blue
REFERENCE_LINE = "#777777"  # a dashed line to compare against (all bands together)
WINDOW_SHADE = "#eeeeee"  # the years a source records closures, behind its bars

# Opacity of a policy's areas: an overlay (a light tint under a dashed outline) and the
# subject of a comparison (the losses page: a stronger tint, a solid outline).
OVERLAY_TINT = 0.12
SUBJECT_TINT = 0.22
CHOROPLETH_OPACITY = 0.75


# ---------------------------------------------------------------- point styles


@dataclass(frozen=True)
class PointStyle:
    """A point symbol: radius (CSS px on screen), outline colour and width, fill colour
    (None: the point's own colour, a facility group's) and fill opacity. The legend kind
    (lib/render/legend.py) that draws its key."""

    radius: float
    stroke: str | None
    weight: float
    fill: str | None
    fill_opacity: float
    kind: str


OPEN_SITE = PointStyle(3.5, WHITE, 0.6, None, 0.9, "dot")
LOST_SITE = PointStyle(5, CLOSED_COLOUR, 2, None, 0.75, "ring")
NOT_LOST_SITE = PointStyle(5, NOT_LOST_COLOUR, 2, None, 0.3, "hollow")
INSIDE_SITE = PointStyle(6, EDGE_COLOUR, 1.2, INSIDE_COLOUR, 0.95, "edged")
OUTSIDE_SITE = PointStyle(5, OUTSIDE_COLOUR, 2.4, WHITE, 0.35, "hollow")
COMMUNITY_POINT = PointStyle(6, COMMUNITY_COLOUR, 2.5, WHITE, 1, "hollow")
OWN_POINT = PointStyle(6, OWN_DATA_OUTLINE, 1.5, OWN_DATA_COLOUR, 1, "edged")
# Food banks by network colour (closed ones pale, ringed in black) and mutual aid groups.
FOOD_BANK = PointStyle(6, EDGE_COLOUR, 1.2, None, 0.95, "edged")
CLOSED_FOOD_BANK = PointStyle(7, CLOSED_COLOUR, 2.5, None, 0.2, "ring")
MUTUAL_AID_POINT = PointStyle(2.5, CLOSED_COLOUR, 0.8, MUTUAL_AID_COLOUR, 1, "mini")
# A workshop room's reports, large enough for a projector, filled with their kind's colour
# (lib/vocab/contributions.py KIND_COLOURS).
REPORT_POINT = PointStyle(9, BOUNDARY_COLOUR, 2, None, 1, "edged")


# ---------------------------------------------------------------- basemaps


@dataclass(frozen=True)
class Basemap:
    key: str
    name: str
    url: str | None  # None: no tiles (works offline)
    attribution: str | None


BASEMAPS = {
    b.key: b
    for b in [
        Basemap(
            "light",
            "Street map (CARTO light)",
            "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
            "© OpenStreetMap contributors © CARTO",
        ),
        Basemap("none", "No basemap (works offline)", None, None),
    ]
}
# Shown in the map when the street map's tiles fail to load (no internet at a venue).
# Said on every map with a street map: the pages (Basemap in the sidebar), the workshop wall (its
# "Street map" toggle) and the HTML download (its layer control), so it names no one control.
TILES_FAILED = (
    "The street map could not load (no internet?), so the background is grey. Everything "
    "else is drawn; turn the street map off (Basemap: No basemap) for a clean map."
)


def basemap(key: str) -> Basemap:
    """The basemap of a key; an unknown key is no basemap."""
    return BASEMAPS.get(key, BASEMAPS["none"])


def tint(colour: str, alpha: float, paper: str = WHITE) -> str:
    """`colour` at opacity `alpha` over `paper`, as an opaque hex colour (a legend swatch of a
    tinted area)."""
    fg = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    bg = [int(paper[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(
        f"{round(f * alpha + b * (1 - alpha)):02x}" for f, b in zip(fg, bg, strict=True)
    )


# ---------------------------------------------------------------- the classifier

Scheme = Literal["quantile", "counts", "diverging"]


@dataclass(frozen=True)
class Classes:
    """Each value's fill colour, and the legend rows (colour, label) of the classes the values
    reach, no-data last."""

    fills: tuple[str, ...]
    rows: tuple[tuple[str, str], ...]


def quantile_edges(values: pd.Series, classes: int = 5) -> list[float]:
    """Quantile class edges of the finite values (at most `classes` classes, fewer when
    values repeat)."""
    finite = values.dropna()
    edges = sorted(set(np.quantile(finite, np.linspace(0, 1, classes + 1)).round(2)))
    if len(edges) < 2:
        edges = [float(finite.min()), float(finite.max()) + 1e-9]
    return edges


def _bins(values: pd.Series, edges: list[float]) -> np.ndarray:
    return np.clip(
        np.searchsorted(edges, values.fillna(edges[0]), side="right") - 1, 0, len(edges) - 2
    )


def spread_ramp(classes: int) -> list[str]:
    """`classes` colours of RAMP from its lightest to its darkest (one: the middle), so the
    lowest class is always light and points stay visible on it."""
    if classes <= 1:
        return [RAMP[len(RAMP) // 2]]
    return [RAMP[int(round(i))] for i in np.linspace(0, len(RAMP) - 1, classes)]


def _sequential(values: pd.Series, bins, labels: list[str]) -> Classes:
    ramp = spread_ramp(len(labels))
    fills = tuple(
        ramp[b] if pd.notna(v) else NO_DATA_COLOUR for b, v in zip(bins, values, strict=True)
    )
    rows = [(ramp[i], label) for i, label in enumerate(labels)]
    if values.isna().any():
        rows.append((NO_DATA_COLOUR, "No data"))
    return Classes(fills, tuple(rows))


def _quantile(values: pd.Series, fmt: str) -> Classes:
    edges = quantile_edges(values)
    if any(fmt.format(a) == fmt.format(b) for a, b in pairwise(edges)):
        fmt = fmt.replace(".0f}", ".2f}")  # "£0 – £0" would hide a class of pennies a head
    labels = [f"{fmt.format(a)} – {fmt.format(b)}" for a, b in pairwise(edges)]
    return _sequential(values, _bins(values, edges), labels)


def _counts(values: pd.Series, fmt: str) -> Classes:
    """Counts use their own values when there are few (0, 1, 2...), else integer ranges, so a
    legend never says "0 – 1"."""
    finite = values.dropna()
    distinct = sorted(int(v) for v in finite.unique())
    if len(distinct) <= len(RAMP):
        lookup = {v: i for i, v in enumerate(distinct)}
        bins = np.array([lookup.get(int(v), 0) if pd.notna(v) else 0 for v in values])
        return _sequential(values, bins, [fmt.format(v) for v in distinct])
    low = int(finite.min())
    above = finite[finite > low]
    if (finite == low).mean() > 1 / len(RAMP) and len(above.unique()) >= len(RAMP):
        # Mostly the lowest value (most wards lost nobody): it is a class of its own and the
        # rest are classed among themselves, else every class edge would be that value.
        edges = quantile_edges(above, len(RAMP) - 2)
        cuts = sorted({math.ceil(e) for e in edges[:-1]} | {low, low + 1})
    else:
        edges = quantile_edges(values)
        cuts = sorted({math.ceil(e) for e in edges[1:-1]} | {low})
    labels = [f"{a}-{b - 1}" if b - 1 > a else f"{a}" for a, b in pairwise(cuts)]
    labels.append(f"{cuts[-1]}+")
    bins = np.clip(
        np.searchsorted(cuts, values.fillna(cuts[0]), side="right") - 1, 0, len(cuts) - 1
    )
    return _sequential(values, bins, labels)


STEPS = (1, 2, 2.5, 5, 10, 15, 20, 25, 50, 100)
MINUS = "\u2212"


def signed(value: float, digits: int = 0) -> str:
    """'+30', '−1,305' (a true minus sign), '0'."""
    text = f"{abs(value):,.{digits}f}"
    if text.strip("0.,") == "":
        return text  # zero: no sign
    return f"{MINUS if value < 0 else '+'}{text}"


def _diverging(values: pd.Series, fmt: str, per_side: int = 4) -> Classes:
    """Classes of equal width either side of 0 on PuOr (orange below 0). The step is the
    smallest of STEPS that fits the largest absolute value in `per_side` classes. Exactly 0 is
    "No change", NaN "No data". Negative classes include their lower edge, positive ones
    their upper edge (-15 is in "-15 to 0", +15 in "0 to +15"). `fmt`'s suffix ("{}%") ends
    each label."""
    finite = values.dropna()
    largest = float(finite.abs().max()) if len(finite) else 0.0
    step = next((s for s in STEPS if largest <= s * per_side), largest / per_side or 1.0)
    digits = 0 if float(step).is_integer() else 1
    ramp = PUOR[4 - per_side : 4 + per_side] if per_side <= 4 else PUOR
    suffix = fmt.rsplit("}", 1)[-1]

    def klass(v: float) -> int | None:
        if pd.isna(v) or v == 0:
            return None
        if v < 0:
            return max(per_side - math.ceil(-v / step - 1e-9), 0) if v > -step * per_side else 0
        return min(per_side + math.ceil(v / step - 1e-9) - 1, 2 * per_side - 1)

    fills, seen = [], set()
    for v in values:
        k = klass(v)
        if k is None:
            fills.append(NO_DATA_COLOUR if pd.isna(v) else NO_CHANGE_COLOUR)
        else:
            seen.add(k)
            fills.append(ramp[k])
    rows = [
        (
            ramp[k],
            f"{signed((k - per_side) * step, digits)} to "
            f"{signed((k + 1 - per_side) * step, digits)}{suffix}",
        )
        for k in sorted(seen)
    ]
    if (finite == 0).any():
        rows.insert(sum(1 for k in seen if k < per_side), (NO_CHANGE_COLOUR, "No change"))
    if values.isna().any():
        rows.append((NO_DATA_COLOUR, "No data"))
    return Classes(tuple(fills), tuple(rows))


def classify(values: pd.Series, scheme: Scheme = "quantile", value_format="{:.1f}") -> Classes:
    """The fills and legend rows of `values` (NaN: no data):

    - "quantile": up to five quantile classes on RAMP, labelled "a – b" in `value_format`;
    - "counts": whole numbers, each its own class when there are few, else integer ranges;
    - "diverging": equal classes either side of 0 on PuOr (a % change: `value_format` "{}%").
    """
    values = pd.Series(values, dtype=float).reset_index(drop=True)
    if values.dropna().empty:
        return Classes(tuple(NO_DATA_COLOUR for _ in values), ((NO_DATA_COLOUR, "No data"),))
    if scheme == "quantile":
        return _quantile(values, value_format)
    if scheme == "counts":
        return _counts(values, value_format)
    if scheme == "diverging":
        return _diverging(values, value_format)
    raise ValueError(f"Unknown scheme {scheme!r}; expected quantile, counts or diverging")
