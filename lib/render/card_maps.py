"""A MapSpec (lib/render/mapspec.py) drawn on a share card with matplotlib, in British
National Grid: `draw_spec` draws every layer type in the screen's symbols
(lib/render/symbols.py); `spec_extent` frames the spec's view. The boroughs', wards' and
policy areas' paths are prepared once per Layers object.
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
import shapely.geometry
from matplotlib import patheffects
from matplotlib.collections import PathCollection
from matplotlib.colors import to_rgba, to_rgba_array
from matplotlib.path import Path

from lib.data import crs
from lib.data import layers as data
from lib.links.views import MapView
from lib.render import mapspec, symbols, ward_maps
from lib.vocab import geography
from lib.vocab.categories import DRAW_ORDER, GROUP_COLOURS
from lib.vocab.contributions import KIND_COLOURS
from lib.vocab.policies import parse_policy


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


# The browser map a saved view was taken from, roughly (the explorer's map frame in CSS px).
VIEW_FRAME_PX = (900, 680)


def map_bounds(layers: data.Layers, codes: Iterable[str]):
    """((south, west), (north, east)) of the chosen boroughs, for the web map to frame;
    all of London when none is chosen."""
    chosen = layers.boroughs[layers.boroughs["gss_code"].isin(list(codes))]
    if chosen.empty:
        return geography.LONDON_BOUNDS
    x0, y0, x1, y1 = chosen.total_bounds
    (west, east), (south, north) = crs.transform(27700, 4326, [x0, x1], [y0, y1])
    return (round(south, 5), round(west, 5)), (round(north, 5), round(east, 5))


def view_extent(view: MapView) -> tuple[float, float, float, float]:
    """The area a ~900x680 px Leaflet map shows at `view` (ground metres per pixel from the
    Web Mercator zoom), in EPSG:27700."""
    (x,), (y,) = crs.transform(4326, 27700, [view.lon], [view.lat])
    metres_per_px = 156543.03392 * math.cos(math.radians(view.lat)) / 2**view.zoom
    half_w, half_h = (p * metres_per_px / 2 for p in VIEW_FRAME_PX)
    return x - half_w, y - half_h, x + half_w, y + half_h


def draw_area(
    ax,
    paths: Sequence[Path],
    colour: str,
    width: float = 1.0,
    tint: float = 0.13,
    dashed: bool = True,
) -> None:
    """Areas (a London Plan layer) as a dashed outline over a light tint of `colour` (with
    dashed=False, a solid outline: legend kind "swatch" with `symbols.tint(colour, tint)`)."""
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
                edgecolors=symbols.WHITE,
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
            color=symbols.INK,
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
        color=symbols.INK,
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
        color=symbols.INK,
        zorder=7,
        gid="map-label",
        annotation_clip=False,
        path_effects=[patheffects.withStroke(linewidth=2, foreground="white")],
    )
    renderer = ax.figure.canvas.get_renderer()
    return [bar.get_window_extent(renderer).expanded(1.1, 3), text.get_window_extent(renderer)]


# ------------------------------------------------------------------ wards


@dataclass(frozen=True)
class WardLayers:
    """The 2017 wards as a card draws them (EPSG:27700, simplified), prepared once."""

    wards: pd.DataFrame  # ward_code, name, gss_code: one row per path
    paths: tuple[Path, ...]
    points: pd.DataFrame  # x, y of a point inside each ward, indexed by ward_code


def ward_layers(layers: data.Layers) -> WardLayers:
    """WardLayers for `layers`, made once per Layers object."""
    return prepared_for(layers, "ward_layers", _prepare_wards)


def _prepare_wards(layers: data.Layers) -> WardLayers:
    wards = layers.wards
    geoms = wards.geometry.map(ward_maps.without_slivers).simplify(8)
    paths = []
    for geom in geoms.values:  # exactly one path per ward, to match fills
        found = polygon_paths([geom])
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


# ------------------------------------------------------------------ a MapSpec on a card


def spec_extent(layers: data.Layers, spec: mapspec.MapSpec) -> tuple[float, float, float, float]:
    """What a card of `spec` frames: the saved view, else the view's bounds (all London: the
    boroughs themselves, a little padded)."""
    cl = card_layers(layers)
    if isinstance(spec.view.saved, MapView):
        return view_extent(spec.view.saved)
    (south, west), (north, east) = spec.view.bounds
    if spec.view.bounds == geography.LONDON_BOUNDS:
        return london_extent(cl)
    (x0, x1), (y0, y1) = crs.transform(4326, 27700, [west, east], [south, north])
    d = max(x1 - x0, y1 - y0) * 0.08
    return x0 - d, y0 - d, x1 + d, y1 + d


def _area_paths(layers: data.Layers, areas: str) -> tuple[Sequence[Path], pd.Series]:
    """The card paths of the boroughs or the wards, and their codes (one per path)."""
    if areas == "boroughs":
        cl = card_layers(layers)
        return cl.borough_paths, cl.boroughs["gss_code"].reset_index(drop=True)
    wl = ward_layers(layers)
    return wl.paths, wl.wards["ward_code"]


def policy_paths(cl: CardLayers, policy: str) -> Sequence[Path]:
    """The card paths of one policy; a town-centre class ('town_centre:Major') alone."""
    base, cls = parse_policy(policy)
    if not cls:
        return cl.policy_paths.get(base.key, ())
    areas = cl.policy_areas
    chosen = areas[(areas["policy"] == base.key) & (areas["classification"] == cls)]
    return tuple(polygon_paths(chosen.geometry.values))


def points_per_px(ax) -> float:
    """Points of the card per CSS pixel of the screen's symbols: markers grow as the map
    zooms in, as they look on the screen's map at that view (all London to ~15 km across)."""
    span_km = (ax.get_xlim()[1] - ax.get_xlim()[0]) / 1000
    zoomed = min(max((60 - span_km) / 45, 0), 1)
    return 0.4 + 0.3 * zoomed


def _points(ax, x, y, style: symbols.PointStyle, colour, zorder: float, **kw) -> None:
    """Points drawn in a screen symbol (`colour`: the fill and outline where the style has
    none, one colour or one per point)."""
    if len(x) == 0:
        return
    k = points_per_px(ax)
    ax.scatter(
        x,
        y,
        s=(2 * style.radius * k) ** 2,
        facecolors=to_rgba_array(style.fill or colour, style.fill_opacity),
        edgecolors=style.stroke or colour,
        linewidths=style.weight * k,
        zorder=zorder,
        **kw,
    )


def _draw_choropleth(ax, layers, layer: mapspec.Choropleth, zorder: float) -> None:
    paths, codes = _area_paths(layers, layer.areas)
    fills = layer.fills()
    drawn = [i for i, code in enumerate(codes) if code in fills]
    ax.add_collection(
        PathCollection(
            [paths[i] for i in drawn],
            facecolors=[to_rgba(fills[codes[i]], symbols.CHOROPLETH_OPACITY) for i in drawn],
            edgecolors=symbols.BOUNDARY_COLOUR,
            linewidths=0.5 if layer.areas == "boroughs" else 0.3,
            zorder=zorder,
        ),
        autolim=False,
    )


def _draw_boundaries(ax, layers, layer: mapspec.Boundaries, zorder: float, land: bool) -> None:
    """Outlines (over land when nothing is drawn under them yet); the focus heavy, on top of
    every area, and named when no Labels layer names those areas."""
    paths, codes = _area_paths(layers, layer.areas)
    ax.add_collection(
        PathCollection(
            paths,
            facecolors=symbols.LAND_COLOUR if land else "none",
            edgecolors=symbols.BOUNDARY_COLOUR,
            linewidths=0.6 if layer.areas == "boroughs" else 0.3,
            zorder=zorder,
        ),
        autolim=False,
    )
    focus = set(layer.focus)
    if focus:
        ax.add_collection(
            PathCollection(
                [p for p, code in zip(paths, codes, strict=True) if code in focus],
                facecolors="none",
                edgecolors=symbols.FOCUS_COLOUR,
                linewidths=2.4,
                linestyles="--" if layer.focus_dash else "-",
                zorder=3.5,
            ),
            autolim=False,
        )


def _name_focus(ax, layers, layer: mapspec.Boundaries) -> list:
    """A focused ward's name beside it (boroughs are named by a Labels layer); its boxes."""
    if layer.areas != "wards" or len(layer.focus) != 1 or not layer.focus_label:
        return []  # one chosen ward is named; many marked wards are the legend's to explain
    x, y = ward_layers(layers).points.loc[layer.focus[0], ["x", "y"]]
    label = ax.annotate(
        layer.focus_label,
        (x, y),
        xytext=(7, 7),
        textcoords="offset points",
        fontsize=8,
        fontweight="bold",
        color=symbols.FOCUS_COLOUR,
        zorder=8,
        gid="map-label",
        annotation_clip=False,
        path_effects=[patheffects.withStroke(linewidth=2.4, foreground="white")],
    )
    return [label.get_window_extent(ax.figure.canvas.get_renderer())]


def _draw_policies(ax, layers, layer: mapspec.PolicyAreas) -> None:
    cl = card_layers(layers)
    for policy in layer.policies:
        paths = policy_paths(cl, policy)
        if paths:
            draw_area(
                ax,
                paths,
                layer.colour(policy),
                width=1.0 if layer.style == "overlay" else 0.8,
                tint=layer.tint(),
                dashed=layer.style == "overlay",
            )


def _draw_sites_by_status(ax, layers, layer: mapspec.SitesByStatus) -> None:
    """Open sites by group (densest first, so sparse groups stay visible), then closures that
    were not losses (grey rings), then losses (black rings) on top."""
    sites = layer.sites
    xy = card_layers(layers).site_xy.loc[sites.index]
    x, y = xy["x"].to_numpy(), xy["y"].to_numpy()
    groups = sites["category_group"].to_numpy()
    colours = np.array([GROUP_COLOURS.get(g, symbols.NOT_LOST_COLOUR) for g in groups])
    closed = sites["status"].eq("closed").to_numpy()
    lost = closed & sites["lost"].astype(bool).to_numpy()
    for group in DRAW_ORDER:
        mask = ~closed & (groups == group)
        _points(ax, x[mask], y[mask], symbols.OPEN_SITE, GROUP_COLOURS[group], 4, rasterized=True)
    not_lost = closed & ~lost
    _points(ax, x[not_lost], y[not_lost], symbols.NOT_LOST_SITE, list(colours[not_lost]), 4.5)
    _points(ax, x[lost], y[lost], symbols.LOST_SITE, list(colours[lost]), 5)


def _draw_sites_by_side(ax, layers, layer: mapspec.SitesBySide) -> None:
    xy = card_layers(layers).site_xy
    out, inside = xy.loc[layer.outside], xy.loc[layer.inside]
    _points(ax, out["x"], out["y"], symbols.OUTSIDE_SITE, symbols.OUTSIDE_COLOUR, 4)
    _points(ax, inside["x"], inside["y"], symbols.INSIDE_SITE, symbols.INSIDE_COLOUR, 5)


def _draw_voluntary(ax, layer: mapspec.VoluntaryPoints) -> None:
    """Mutual aid groups under food banks by network; closed food banks pale, ringed black."""
    points = layer.points
    x, y = points.geometry.x.to_numpy(), points.geometry.y.to_numpy()
    banks = points["kind"].eq("food_bank").to_numpy()
    closed = points["status"].eq("closed").to_numpy()
    network = points["network"].fillna("").to_numpy()
    groups = points["kind"].eq("mutual_aid").to_numpy()
    _points(ax, x[groups], y[groups], symbols.MUTUAL_AID_POINT, symbols.WHITE, 5.5)
    for name, colour in symbols.NETWORK_COLOURS.items():
        mask = banks & ~closed & (network == name)
        _points(ax, x[mask], y[mask], symbols.FOOD_BANK, colour, 6)
    shut = banks & closed
    colours = [symbols.NETWORK_COLOURS.get(n, symbols.WHITE) for n in network[shut]]
    _points(ax, x[shut], y[shut], symbols.CLOSED_FOOD_BANK, colours, 6)


def _draw_overlay(ax, layer: mapspec.Overlay) -> None:
    """An upload or the community reports: points in their symbol, lines and shapes as
    outlines of its colour."""
    style, colour = {
        "own": (symbols.OWN_POINT, symbols.OWN_DATA_COLOUR),
        "lost": (symbols.LOST_SITE, symbols.WHITE),  # a lost facility, as a closed site
    }.get(layer.kind, (symbols.COMMUNITY_POINT, symbols.COMMUNITY_COLOUR))
    geoms = gpd.GeoSeries(
        [shapely.geometry.shape(f["geometry"]) for f in layer.layer.features["features"]],
        crs=4326,
    ).to_crs(27700)
    points = geoms[geoms.geom_type.isin(["Point", "MultiPoint"])].explode(index_parts=False)
    _points(ax, points.x.to_numpy(), points.y.to_numpy(), style, colour, 6.5)
    shapes = geoms[geoms.geom_type.str.contains("Polygon")]
    if len(shapes):
        ax.add_collection(
            PathCollection(
                polygon_paths(shapes.values),
                facecolors=to_rgba(colour, 0.2),
                edgecolors=colour,
                linewidths=1.2,
                zorder=3.8,
            ),
            autolim=False,
        )
    lines = geoms[geoms.geom_type.str.contains("LineString")]
    for line in lines.values:
        for part in getattr(line, "geoms", [line]):
            xy = np.asarray(part.coords)
            ax.plot(xy[:, 0], xy[:, 1], color=colour, linewidth=1.5, zorder=3.8)


def _draw_reports(ax, layer: mapspec.Reports) -> None:
    """A room's reports, each filled with its kind's colour."""
    points = layer.points
    if points.empty:
        return
    xy = gpd.GeoSeries(gpd.points_from_xy(points["lon"], points["lat"]), crs=4326).to_crs(27700)
    colours = [KIND_COLOURS[k] for k in points["kind"]]
    _points(ax, xy.x.to_numpy(), xy.y.to_numpy(), symbols.REPORT_POINT, colours, 6.5)


def draw_spec(ax, layers: data.Layers, spec: mapspec.MapSpec) -> None:
    """Every layer of `spec` in the screen's symbols (lib/render/symbols.py), bottom first,
    then the scale bar and the area names where they fit."""
    cl = card_layers(layers)
    ax.set_facecolor(symbols.CARD_BACKGROUND)
    ax.add_collection(
        PathCollection(cl.water_paths, facecolors=symbols.WATER_COLOUR, edgecolors="none"),
        autolim=False,
    )
    filled = False  # an area layer drawn: boundaries above it are outlines only
    for i, layer in enumerate(spec.layers):
        zorder = 2 + i * 0.05
        if isinstance(layer, mapspec.Choropleth):
            _draw_choropleth(ax, layers, layer, zorder)
            filled = True
        elif isinstance(layer, mapspec.Boundaries):
            _draw_boundaries(ax, layers, layer, zorder, land=not filled)
            filled = True
        elif isinstance(layer, mapspec.PolicyAreas):
            _draw_policies(ax, layers, layer)
        elif isinstance(layer, mapspec.SitesByStatus):
            _draw_sites_by_status(ax, layers, layer)
        elif isinstance(layer, mapspec.SitesBySide):
            _draw_sites_by_side(ax, layers, layer)
        elif isinstance(layer, mapspec.VoluntaryPoints):
            _draw_voluntary(ax, layer)
        elif isinstance(layer, mapspec.Overlay):
            _draw_overlay(ax, layer)
        elif isinstance(layer, mapspec.Reports):
            _draw_reports(ax, layer)
    avoid = draw_scale_bar(ax)
    for layer in spec.of(mapspec.Boundaries):
        avoid += _name_focus(ax, layers, layer)
    for layer in spec.of(mapspec.Labels):
        if layer.areas == "boroughs":  # ward names would crowd a card
            draw_labels(ax, cl, first=layer.first, avoid=avoid)
