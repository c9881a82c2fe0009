"""Map pieces for share cards: boroughs, policy areas, sites, labels and a scale bar
drawn with matplotlib in British National Grid, in the page maps' colours.
"""

from __future__ import annotations

import math
import threading
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib import patheffects
from matplotlib.collections import PathCollection
from matplotlib.colors import to_rgba
from matplotlib.path import Path
from pyproj import Transformer

from lib.data import layers as data
from lib.links.views import MapView
from lib.render import maps, symbols
from lib.render.card_layout import PAPER
from lib.vocab import geography
from lib.vocab.categories import CATEGORY_GROUPS, DRAW_ORDER, GROUP_COLOURS
from lib.vocab.policies import POLICIES


def polygon_paths(geoms: Iterable) -> list[Path]:
    """One matplotlib Path per (multi)polygon, holes included (drawn with the even-odd rule
    of compound paths). Faster than GeoSeries.plot, which redraws the whole figure per call."""
    paths = []
    for geom in geoms:
        if geom is None or geom.is_empty:
            continue
        vertices, codes = [], []
        for polygon in getattr(geom, "geoms", [geom]):
            if polygon.geom_type != "Polygon":
                continue
            for ring in [polygon.exterior, *polygon.interiors]:
                xy = np.asarray(ring.coords)[:, :2]
                if len(xy) < 4:
                    continue
                vertices.append(xy)
                codes.append([Path.MOVETO] + [Path.LINETO] * (len(xy) - 2) + [Path.CLOSEPOLY])
        if vertices:
            paths.append(Path(np.concatenate(vertices), np.concatenate(codes).astype(np.uint8)))
    return paths


@dataclass(frozen=True)
class CardLayers:
    """The layers as a card draws them (EPSG:27700, simplified), prepared once per process."""

    boroughs: gpd.GeoDataFrame  # gss_code, name, geometry
    borough_paths: tuple[Path, ...]  # one per borough row
    water_paths: tuple[Path, ...]  # the Thames: the gap between boroughs inside London
    labels: pd.DataFrame  # gss_code, name, x, y, area
    policy_areas: gpd.GeoDataFrame  # policy, classification, geometry
    policy_paths: dict[str, tuple[Path, ...]]  # by policy key
    site_xy: pd.DataFrame  # x, y indexed like Layers.sites
    bounds: tuple[float, float, float, float]


_prepared: dict[tuple[int, str], tuple[weakref.ref, object]] = {}


_prepared_lock = threading.RLock()  # a make() may itself ask for card_layers


def prepared_for(layers: data.Layers, name: str, make: Callable[[data.Layers], object]):
    """`make(layers)`, made once per Layers object and `name` (cards run on several threads;
    lib/render/cards.py keeps its ward paths here too)."""
    with _prepared_lock:
        hit = _prepared.get((id(layers), name))
        if hit and hit[0]() is layers:
            return hit[1]
        prepared = make(layers)
        for key in [k for k, (ref, _) in _prepared.items() if ref() is None]:
            del _prepared[key]
        _prepared[(id(layers), name)] = (weakref.ref(layers), prepared)
        return prepared


def card_layers(layers: data.Layers) -> CardLayers:
    """CardLayers for `layers`, made once per Layers object."""
    return prepared_for(layers, "card_layers", _prepare)


def _prepare(layers: data.Layers) -> CardLayers:
    boroughs = layers.boroughs[["gss_code", "name", "geometry"]].copy()
    boroughs["geometry"] = boroughs.geometry.simplify(30)
    london = shapely.union_all(boroughs.geometry.values)
    # Closing London's outline (buffer out, then in) fills the river between the banks.
    closed = london.buffer(900, quad_segs=4).buffer(-900, quad_segs=4)
    water = closed.difference(london.buffer(1))
    water = [
        p for p in getattr(water, "geoms", [water]) if p.geom_type == "Polygon" and p.area > 2e5
    ]
    points = layers.boroughs.geometry.representative_point()
    labels = pd.DataFrame(
        {
            "gss_code": layers.boroughs["gss_code"],
            "name": layers.boroughs["name"],
            "x": points.x,
            "y": points.y,
            "area": layers.boroughs.geometry.area,
        }
    )
    # The town-centre class is kept so a card can draw one class (lib/render/cards.py).
    policy = layers.policy_areas[
        [c for c in ("policy", "classification", "geometry") if c in layers.policy_areas]
    ].copy()
    policy["geometry"] = policy.geometry.simplify(15)
    policy_paths = {
        key: tuple(polygon_paths(group.geometry.values)) for key, group in policy.groupby("policy")
    }
    sites = layers.sites
    xy = pd.DataFrame({"x": sites.geometry.x, "y": sites.geometry.y}, index=sites.index)
    borough_paths = []
    for geom in boroughs.geometry.values:  # exactly one path per borough, to match fills
        found = polygon_paths([geom])
        borough_paths.append(found[0] if found else Path(np.zeros((1, 2))))
    return CardLayers(
        boroughs,
        tuple(borough_paths),
        tuple(polygon_paths(water)),
        labels,
        policy,
        policy_paths,
        xy,
        tuple(layers.boroughs.total_bounds),
    )


def london_extent(cl: CardLayers, pad: float = 0.015) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = cl.bounds
    dx, dy = (x1 - x0) * pad, (y1 - y0) * pad
    return x0 - dx, y0 - dy, x1 + dx, y1 + dy


def borough_extent(cl: CardLayers, codes: Iterable[str], pad: float = 0.08):
    chosen = cl.boroughs[cl.boroughs["gss_code"].isin(list(codes))]
    if chosen.empty:
        return london_extent(cl)
    x0, y0, x1, y1 = chosen.total_bounds
    d = max(x1 - x0, y1 - y0) * pad
    return x0 - d, y0 - d, x1 + d, y1 + d


_to_bng = Transformer.from_crs(4326, 27700, always_xy=True)


# The browser map a saved view was taken from, roughly (the explorer's map frame in CSS px).
VIEW_FRAME_PX = (900, 680)


_to_wgs84 = Transformer.from_crs(27700, 4326, always_xy=True)


def map_bounds(layers: data.Layers, codes: Iterable[str]):
    """((south, west), (north, east)) of the chosen boroughs, for the web map to frame;
    all of London when none is chosen."""
    chosen = layers.boroughs[layers.boroughs["gss_code"].isin(list(codes))]
    if chosen.empty:
        return geography.LONDON_BOUNDS
    x0, y0, x1, y1 = chosen.total_bounds
    (west, east), (south, north) = _to_wgs84.transform([x0, x1], [y0, y1])
    return (round(south, 5), round(west, 5)), (round(north, 5), round(east, 5))


def view_extent(view: MapView) -> tuple[float, float, float, float]:
    """The area a ~900x680 px Leaflet map shows at `view` (ground metres per pixel from the
    Web Mercator zoom), in EPSG:27700."""
    x, y = _to_bng.transform(view.lon, view.lat)
    metres_per_px = 156543.03392 * math.cos(math.radians(view.lat)) / 2**view.zoom
    half_w, half_h = (p * metres_per_px / 2 for p in VIEW_FRAME_PX)
    return x - half_w, y - half_h, x + half_w, y + half_h


def draw_base(
    ax, cl: CardLayers, fills: Sequence[str] | None = None, focus: Iterable[str] = ()
) -> None:
    """London's water, then the boroughs (filled by `fills`, one colour per borough row, at
    the web map's opacity); the `focus` boroughs get a heavy outline."""
    ax.set_facecolor("#f4f4f2")
    ax.add_collection(
        PathCollection(
            cl.water_paths, facecolors=maps.NO_BASEMAP_BACKGROUND, edgecolors="none", zorder=1
        ),
        autolim=False,
    )
    colours = [to_rgba(c, 0.8) for c in fills] if fills is not None else "#ffffff"
    ax.add_collection(
        PathCollection(
            cl.borough_paths, facecolors=colours, edgecolors="#333333", linewidths=0.5, zorder=2
        ),
        autolim=False,
    )
    focus = set(focus)
    if focus:
        chosen = [
            p
            for p, code in zip(cl.borough_paths, cl.boroughs["gss_code"], strict=True)
            if code in focus
        ]
        ax.add_collection(
            PathCollection(
                chosen, facecolors="none", edgecolors="#111111", linewidths=2.4, zorder=3.5
            ),
            autolim=False,
        )


def draw_policies(
    ax, cl: CardLayers, policies: Iterable[str], width: float = 1.0
) -> list[tuple[str, str]]:
    """The chosen London Plan layers, dashed outlines over a light tint; legend rows."""
    rows = []
    for policy in policies:
        if policy not in POLICIES:
            continue
        label, colour = POLICIES[policy].legend, POLICIES[policy].colour
        paths = cl.policy_paths.get(policy)
        if not paths:
            continue
        draw_area(ax, paths, colour, width)
        rows.append((colour, label))
    return rows


def draw_area(
    ax,
    paths: Sequence[Path],
    colour: str,
    width: float = 1.0,
    tint: float = 0.13,
    dashed: bool = True,
) -> None:
    """Areas (a London Plan layer) as a dashed outline over a light tint of `colour` (with
    dashed=False, a solid outline: legend kind "swatch" with `tint_hex(colour, tint)`)."""
    ax.add_collection(
        PathCollection(paths, facecolors=to_rgba(colour, tint), edgecolors="none", zorder=3),
        autolim=False,
    )
    if dashed:
        # A white line under the dashes keeps the boundary legible on any fill.
        ax.add_collection(
            PathCollection(
                paths,
                facecolors="none",
                edgecolors="#ffffff",
                linewidths=width + 0.6,
                alpha=0.5,
                zorder=3,
            ),
            autolim=False,
        )
    ax.add_collection(
        PathCollection(
            paths,
            facecolors="none",
            edgecolors=colour,
            linewidths=width,
            linestyles=[(0, (3, 1.5))] if dashed else ["solid"],
            zorder=3,
        ),
        autolim=False,
    )


def tint_hex(colour: str, alpha: float, paper: str = PAPER) -> str:
    """`colour` at opacity `alpha` over `paper`, as an opaque hex colour (a legend swatch of a
    tinted area)."""
    fg, bg = np.array(to_rgba(colour)[:3]), np.array(to_rgba(paper)[:3])
    mixed = fg * alpha + bg * (1 - alpha)
    return "#" + "".join(f"{round(v * 255):02x}" for v in mixed)


def draw_sites(
    ax,
    cl: CardLayers,
    sites: gpd.GeoDataFrame,
    marker_pt: float | None = None,
    closed_pt: float | None = None,
) -> tuple[list[tuple[str, str]], int]:
    """Open sites as dots by group (densest first, so sparse groups stay visible), closed
    sites on top as black rings filled with their group's colour; markers grow as the map
    zooms in. Returns legend rows for the open groups and the number closed."""
    span_km = (ax.get_xlim()[1] - ax.get_xlim()[0]) / 1000
    zoomed = min(max((60 - span_km) / 45, 0), 1)  # 0 for all London, 1 for ~15 km across
    marker_pt = marker_pt or 1.9 + 1.6 * zoomed
    closed_pt = closed_pt or 4.2 + 3.0 * zoomed
    xy = cl.site_xy.loc[sites.index]
    is_open = sites["status"].eq("open").to_numpy()
    groups = sites["category_group"].to_numpy()
    rows = []
    for group in DRAW_ORDER:
        mask = is_open & (groups == group)
        if mask.any():
            ax.scatter(
                xy["x"].to_numpy()[mask],
                xy["y"].to_numpy()[mask],
                s=marker_pt**2,
                c=GROUP_COLOURS[group],
                linewidths=0,
                zorder=4,
                rasterized=True,
            )
    for group in CATEGORY_GROUPS:
        count = int((is_open & (groups == group)).sum())
        if count:
            rows.append((GROUP_COLOURS[group], f"{group} ({count:,})"))
    closed = ~is_open
    if closed.any():
        ax.scatter(
            xy["x"].to_numpy()[closed],
            xy["y"].to_numpy()[closed],
            s=closed_pt**2,
            c=[GROUP_COLOURS.get(g, "#999999") for g in groups[closed]],
            edgecolors=maps.CLOSED_COLOUR,
            linewidths=0.9,
            zorder=5,
        )
    return rows, int(closed.sum())


def draw_labels(
    ax, cl: CardLayers, first: Iterable[str] = (), size: float = 6.5, avoid: Iterable = ()
) -> None:
    """Borough names where they fit: the chosen boroughs first, then the largest; a name
    that would overlap one already placed (or leave the map) is left out."""
    renderer = ax.figure.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    first = list(first)
    order = cl.labels.assign(rank=~cl.labels["gss_code"].isin(first)).sort_values(
        ["rank", "area"], ascending=[True, False]
    )
    placed = list(avoid)
    halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]
    for row in order.itertuples():
        if not (x0 <= row.x <= x1 and y0 <= row.y <= y1):
            continue
        chosen = row.gss_code in first
        t = ax.text(
            row.x,
            row.y,
            row.name,
            fontsize=size + (1.5 if chosen else 0),
            fontweight="bold" if chosen else "normal",
            ha="center",
            va="center",
            color="#1a1a1a",
            zorder=6,
            gid="map-label",
            parse_math=False,
            path_effects=halo,
            clip_on=True,
        )
        box = t.get_window_extent(renderer).expanded(1.08, 1.15)
        inside = (
            box.x0 >= frame.x0 and box.x1 <= frame.x1 and box.y0 >= frame.y0 and box.y1 <= frame.y1
        )
        if not inside or any(box.overlaps(p) for p in placed):
            t.remove()
        else:
            placed.append(box)


def draw_scale_bar(ax, size: float = 6.5) -> list:
    """A scale bar (bottom right) of a round number of kilometres, about a fifth of the map.
    Returns its display boxes, for labels to avoid."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    target = (x1 - x0) / 5
    length = max(v for v in (250, 500, 1000, 2000, 5000, 10000, 20000) if v <= max(target, 250))
    right, base = x1 - (x1 - x0) * 0.03, y0 + (y1 - y0) * 0.04
    halo = [patheffects.withStroke(linewidth=3.5, foreground="white")]
    (bar,) = ax.plot(
        [right - length, right],
        [base, base],
        color="#111111",
        linewidth=2.2,
        solid_capstyle="butt",
        zorder=7,
        path_effects=halo,
    )
    label = f"{length / 1000:g} km"
    text = ax.annotate(
        label,
        (right - length / 2, base),
        xytext=(0, 4),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=size,
        color="#111111",
        zorder=7,
        gid="map-label",
        annotation_clip=False,
        path_effects=[patheffects.withStroke(linewidth=2, foreground="white")],
    )
    renderer = ax.figure.canvas.get_renderer()
    return [bar.get_window_extent(renderer).expanded(1.1, 3), text.get_window_extent(renderer)]


def choropleth_fills(values: pd.Series) -> tuple[list[str], tuple[tuple[str, str], ...]]:
    """Fills by the web map's classes (symbols.classify), and the legend rows."""
    classes = symbols.classify(values)
    return list(classes.fills), classes.rows
