"""The explorer's map as data for a browser-side Leaflet map (lib/render/site_map.js).

No streamlit here. The map is not rendered on the server: what is heavy and never changes in a
process (every site, the borough shapes, each London Plan layer) is packed once into compact
binary "layers" that a browser receives once per session, and each view sends only a small
spec: which sites are shown (a bit mask), the borough fills, the legend and what is switched
on. The browser keeps one Leaflet map and redraws it in place.

A layer is ``JUL1`` + a little-endian uint32 header length + a JSON header + 4-byte aligned
typed-array sections the header lists (name, type, offset, length). Coordinates are
quantised to uint16 across the layer's bounding box (about 1 m in London, as the folium
maps' 5-decimal grid). Sites are columns: x, y, group, status, category, source, history
(a template and its years) and names. Strings from data travel as plain text and the browser sets them with
textContent, never as HTML; the only HTML sent (legend, attribution) is escaped here.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from lib.analysis import profiles
from lib.data import crs
from lib.data.layers import Layers, history_texts, source_labels
from lib.render import maps, mapspec, symbols
from lib.render.controls import SAVE_VIEW_CSS, TILES_FAILED_CSS
from lib.render.legend import legend_html
from lib.render.own_data import OwnDataLayer
from lib.render.vendor import STATIC_URL, _local_url
from lib.vocab import contributions
from lib.vocab.categories import (
    CATEGORY_GROUPS,
    DRAW_ORDER,
    GROUP_COLOURS,
    WINDOW_START_OPTIONS,
)
from lib.vocab.policies import POLICIES, base_policy, parse_policy

MAGIC = b"JUL1"
TYPES = {"u8": np.uint8, "u16": np.uint16, "i32": np.int32, "u32": np.uint32}
# Leaflet from the app's own copy (make assets); the CDN only when it is not installed.
LEAFLET_CDN = "https://unpkg.com/leaflet@1.9.4/dist/"


@dataclass(frozen=True)
class Layer:
    """A packed layer and its id: its name and a hash of its content."""

    name: str
    data: bytes
    hash: str


def pack(name: str, header: dict, sections: dict[str, np.ndarray | bytes]) -> Layer:
    """JUL1 layout: magic, uint32 header length, JSON header, aligned sections."""
    blobs, listing, offset = [], [], 0
    for key, value in sections.items():
        if isinstance(value, bytes):
            raw, kind = value, "utf8"
        else:
            kind = next(k for k, t in TYPES.items() if value.dtype == t)
            raw = np.ascontiguousarray(value).astype(value.dtype.newbyteorder("<")).tobytes()
        listing.append([key, kind, offset, len(raw)])
        padded = raw + b"\0" * (-len(raw) % 4)
        blobs.append(padded)
        offset += len(padded)
    header = {**header, "sections": listing}
    digest = hashlib.blake2b(json.dumps(header, sort_keys=True).encode(), digest_size=8)
    for blob in blobs:
        digest.update(blob)
    header["id"] = f"{name}:{digest.hexdigest()}"  # the browser keeps layers by id
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * (-(len(head) + 8) % 4)  # sections start 4-byte aligned
    body = MAGIC + struct.pack("<I", len(head)) + head + b"".join(blobs)
    return Layer(name, body, header["id"])


def unpack(body: bytes) -> tuple[dict, dict]:
    """A packed layer read back (as the browser reads it): header, and each section as a
    NumPy array or a list of strings. For tests and benchmarks."""
    if body[:4] != MAGIC:
        raise ValueError("not a JUL1 layer")
    (length,) = struct.unpack("<I", body[4:8])
    header = json.loads(body[8 : 8 + length])
    start = 8 + length
    sections = {}
    for name, kind, offset, size in header["sections"]:
        raw = body[start + offset : start + offset + size]
        sections[name] = (
            raw.decode().split("\n")
            if kind == "utf8"
            else np.frombuffer(raw, dtype=np.dtype(TYPES[kind]).newbyteorder("<"))
        )
    return header, sections


def quantise(lon: np.ndarray, lat: np.ndarray, bbox) -> tuple[np.ndarray, np.ndarray]:
    west, south, east, north = bbox
    x = np.rint((lon - west) / (east - west) * 65535)
    y = np.rint((lat - south) / (north - south) * 65535)
    return np.clip(x, 0, 65535).astype(np.uint16), np.clip(y, 0, 65535).astype(np.uint16)


def _bbox(*frames) -> list[float]:
    bounds = np.array([f.total_bounds for f in frames if len(f)])
    return [
        float(bounds[:, 0].min()),
        float(bounds[:, 1].min()),
        float(bounds[:, 2].max()),
        float(bounds[:, 3].max()),
    ]


def _text(values) -> bytes:
    """Strings joined by newlines (a newline inside a value becomes a space)."""
    return "\n".join(str(v).replace("\n", " ").replace("\r", " ") for v in values).encode()


def _codes(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    codes, uniques = pd.factorize(values, sort=True)
    return codes, [str(u) for u in uniques]


# A site's history is sent as a template and its years: "Closed 2014 (opened 1990)" is the
# template "Closed \a (opened \a)" shared by hundreds of sites, and two years, each counted
# from the layer's first year (one byte each where the years span under 256).
YEAR = re.compile(r"(?<!\d)(1[6-9]\d\d|20\d\d)(?!\d)")
HOLE = "\a"


def _histories(sites: pd.DataFrame) -> tuple[np.ndarray, list[str], np.ndarray, int]:
    """Each site's history as (template code, templates, the years in order less the first
    year, the first year)."""
    texts = [t.replace(HOLE, " ") for t in history_texts(sites)]
    codes, templates = _codes(pd.Series([YEAR.sub(HOLE, t) for t in texts]))
    years = np.array([int(y) for t in texts for y in YEAR.findall(t)], dtype=np.int64)
    first = int(years.min()) if len(years) else 0
    years -= first
    return (
        codes,
        templates,
        years.astype(np.uint8 if years.max(initial=0) < 256 else np.uint16),
        first,
    )


def history_texts_of(header: dict, columns: dict) -> list[str]:
    """The histories of an unpacked sites layer, as the browser puts them back together."""
    years = iter((columns["years"].astype(int) + header["first_year"]).tolist())
    return [
        re.sub(HOLE, lambda _: str(next(years)), header["states"][code])
        for code in columns["state"]
    ]


def _quantised_points(geometry: gpd.GeoSeries) -> tuple[np.ndarray, np.ndarray, list[float]]:
    """Points on the uint16 grid of the box around them (in WGS84), and that box."""
    lonlat = crs.to_crs(geometry, 4326)
    lon, lat = lonlat.x.to_numpy(), lonlat.y.to_numpy()
    bbox = [
        float(lon.min()) - 1e-4,
        float(lat.min()) - 1e-4,
        float(lon.max()) + 1e-4,
        float(lat.max()) + 1e-4,
    ]
    x, y = quantise(lon, lat, bbox)
    return x, y, bbox


def site_layer(sites: gpd.GeoDataFrame, name: str = "sites") -> Layer:
    """Every site as columns, in the order of `sites` (the mask's order)."""
    x, y, bbox = _quantised_points(sites.geometry)
    group = sites["category_group"].map({g: i for i, g in enumerate(CATEGORY_GROUPS)})
    cat, cats = _codes(sites["categories"])
    src, srcs = _codes(sites["sources"])
    state, states, years, first_year = _histories(sites)
    closed = sites["status"].eq("closed")
    header = {
        "kind": "sites",
        "n": len(sites),
        "bbox": bbox,
        "groups": CATEGORY_GROUPS,
        "cats": cats,
        "srcs": [source_labels(s, short=True) for s in srcs],
        "states": states,
        "first_year": first_year,
    }
    return pack(
        name,
        header,
        {
            "x": x,
            "y": y,
            "group": group.fillna(255).to_numpy().astype(np.uint8),
            # 0 open, 1 closed and lost, 2 closed but not a loss (replaced, merged, contract end).
            "closed": np.where(closed, np.where(sites["lost"].astype(bool), 1, 2), 0).astype(
                np.uint8
            ),
            "cat": cat.astype(np.uint16 if len(cats) > 255 else np.uint8),
            "src": src.astype(np.uint8),
            "state": state.astype(np.uint16 if len(states) > 255 else np.uint8),
            "years": years,
            "name": _text(sites["name"]),
        },
    )


def area_layer(
    name: str, frame: gpd.GeoDataFrame, columns: list[str], labels: pd.DataFrame | None = None
) -> Layer:
    """Polygons (WGS84 frame) with text columns; rings as quantised uint16 vertices."""
    bbox = _bbox(frame)
    parts, rings, coords = [], [], []
    for geom in frame.geometry:
        polygons = list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom]
        for polygon in polygons:
            for ring in [polygon.exterior, *polygon.interiors]:
                xy = shapely.get_coordinates(ring)
                rings.append(len(xy))
                coords.append(xy)
            parts.append(len(polygon.interiors) + 1)  # rings in this polygon
        parts.append(-1)  # end of feature
    xy = np.concatenate(coords)
    x, y = quantise(xy[:, 0], xy[:, 1], bbox)
    sections: dict[str, np.ndarray | bytes] = {
        "x": x,
        "y": y,
        "rings": np.array(rings, dtype=np.uint32),
        "parts": np.array(parts, dtype=np.int32),
    }
    for column in columns:
        sections[column] = _text(frame[column].fillna(""))
    header = {"kind": "areas", "n": len(frame), "bbox": bbox, "columns": columns}
    if labels is not None:
        header["labels"] = [
            [round(float(r.lat), 5), round(float(r.lon), 5)] for r in labels.itertuples()
        ]
    return pack(name, header, sections)


def without_slivers(geoms: gpd.GeoSeries, min_area: float = 1000.0) -> gpd.GeoSeries:
    """Polygons without their holes under `min_area` m²: the 2017 wards carry some 23,000
    gaps of a few square millimetres (where their pieces were joined), which a browser
    draws as short dashes across every ward."""

    def fill(polygon: shapely.Polygon) -> shapely.Polygon:
        holes = [r for r in polygon.interiors if shapely.Polygon(r).area >= min_area]
        return shapely.Polygon(polygon.exterior, holes)

    def clean(geom):
        if geom.geom_type == "MultiPolygon":
            return shapely.MultiPolygon([fill(p) for p in geom.geoms])
        return fill(geom) if geom.geom_type == "Polygon" else geom

    return geoms.map(clean)


@dataclass(frozen=True)
class MapData:
    """Everything a process packs once for the browser maps: sites, boroughs, wards and each
    London Plan layer."""

    sites: Layer
    boroughs: Layer
    policies: dict[str, Layer]
    borough_codes: tuple[str, ...]  # borough order in the boroughs layer
    positions: pd.Index  # site index -> position in the sites layer
    wards: Layer | None = None
    ward_codes: tuple[str, ...] = ()  # ward order in the wards layer
    # Food banks and mutual aid groups (voluntary_layer), and their positions in it.
    voluntary: Layer | None = None
    voluntary_positions: pd.Index | None = None
    # The losses a loss map can count (closed, a loss, in a window that a page offers: 691
    # of 15,131), so a first visit to one receives them, not every site.
    closed: Layer | None = None
    closed_positions: pd.Index | None = None
    # Layers packed on first use (a borough's own sites, points and wards), by what they hold.
    memo: dict = field(default_factory=dict, compare=False, repr=False)
    site_frame: gpd.GeoDataFrame | None = field(default=None, compare=False, repr=False)
    point_frame: gpd.GeoDataFrame | None = field(default=None, compare=False, repr=False)
    ward_frame: gpd.GeoDataFrame | None = field(default=None, compare=False, repr=False)

    def sites_for(self, layer) -> tuple[Layer, pd.Index]:
        """The packed sites a sites layer draws from, and their positions: the closed sites
        for losses by side; one borough's sites for that borough's map (packed on first use);
        else every site. Each only when it holds every site shown."""
        chosen: tuple[Layer, pd.Index] | None = None
        if isinstance(layer, mapspec.SitesBySide) and self.closed is not None:
            chosen = (self.closed, self.closed_positions)
        elif (
            isinstance(layer, mapspec.SitesByStatus)
            and layer.borough
            and self.site_frame is not None
        ):
            chosen = self._borough_layer(
                "sites", layer.borough, self.site_frame, lambda r, n: (site_layer(r, n), r.index)
            )
        if chosen is not None and chosen[1].get_indexer(layer.sites.index).min(initial=0) >= 0:
            return chosen
        return self.sites, self.positions

    def voluntary_for(self, layer: mapspec.VoluntaryPoints) -> tuple[Layer, pd.Index] | None:
        """The packed food banks and mutual aid groups a layer draws from, and their
        positions: one borough's for that borough's map (packed on first use), else
        London's."""
        if self.voluntary is None or self.voluntary_positions is None:
            return None
        if layer.borough and self.point_frame is not None:
            if layer.points["gss_code"].eq(layer.borough).all():
                return self._borough_layer(
                    "voluntary", layer.borough, self.point_frame, voluntary_layer
                )
        return self.voluntary, self.voluntary_positions

    def _borough_layer(self, kind: str, borough: str, frame, make) -> tuple[Layer, pd.Index]:
        """`frame`'s rows in `borough` packed by `make` (rows, name) -> (layer, positions) as
        "kind:borough", once a process."""
        key = (kind, borough)
        if key not in self.memo:
            rows = frame[frame["gss_code"] == borough]
            self.memo[key] = make(rows, f"{kind}:{borough}")
        return self.memo[key]

    def areas_for(self, spec: mapspec.MapSpec, kind: str) -> tuple[Layer, tuple[str, ...]]:
        """The packed areas of `kind` that `spec` draws, and their codes in layer order: one
        borough's wards (packed on first use) where its wards choropleth fills them alone
        and no ward elsewhere is outlined (the borough profile: 21 of 634 for Hackney);
        else every area of the kind."""
        if kind != "wards":
            return self.boroughs, self.borough_codes
        if self.wards is None or self.ward_frame is None:
            raise ValueError("no wards packed: the build has no wards layer")
        filled = [c for c in spec.of(mapspec.Choropleth) if c.areas == kind]
        if filled:
            outlined = [c for b in spec.of(mapspec.Boundaries) if b.areas == kind for c in b.focus]
            drawn = self.ward_frame["ward_code"].isin([*filled[0].values.index, *outlined])
            boroughs = self.ward_frame.loc[drawn, "gss_code"].unique()
            if len(boroughs) == 1:
                return self._borough_layer("wards", boroughs[0], self.ward_frame, _ward_layer)
        return self.wards, self.ward_codes

    def layers_for(self, spec: mapspec.MapSpec) -> list[Layer]:
        """The packed layers a spec draws (each sent to a browser once per session)."""
        needed: list[Layer] = []
        for layer in spec.layers:
            if isinstance(layer, (mapspec.SitesByStatus, mapspec.SitesBySide)):
                needed.append(self.sites_for(layer)[0])
            elif isinstance(layer, (mapspec.Choropleth, mapspec.Boundaries, mapspec.Labels)):
                needed.append(self.areas_for(spec, layer.areas)[0])
            elif isinstance(layer, mapspec.PolicyAreas):
                needed += [self.policies[k] for k in _policy_keys(layer) if k in self.policies]
            elif isinstance(layer, mapspec.VoluntaryPoints) and not layer.points.empty:
                packed = self.voluntary_for(layer)
                needed += [packed[0]] if packed is not None else []
        return list({layer.hash: layer for layer in needed}.values())


def _ward_layer(wards: pd.DataFrame, name: str) -> tuple[Layer, tuple[str, ...]]:
    """Wards (prepare's browser frame: simplified, WGS84, label points) packed, and their codes."""
    labels = wards[["lat", "lon"]]
    layer = area_layer(name, wards.drop(columns=["lat", "lon"]), ["name", "borough"], labels)
    return layer, tuple(wards["ward_code"])


def _policy_keys(layer: mapspec.PolicyAreas) -> list[str]:
    return list(dict.fromkeys(base_policy(p).key for p in layer.policies))


def prepare(layers: Layers, map_layers: maps.MapLayers) -> MapData:
    boroughs = map_layers.boroughs.reset_index(drop=True)
    plain = map_layers.labels.copy()
    plain["name"] = layers.boroughs["name"].to_numpy()  # the browser sets text, not HTML
    borough_layer = area_layer(
        "boroughs", boroughs.assign(name=plain["name"]), ["name"], labels=plain
    )
    policies = {}
    for policy in POLICIES:
        frame = map_layers.policy_areas[map_layers.policy_areas["policy"] == policy]
        if len(frame):
            policies[policy] = area_layer(
                f"policy:{policy}", frame.reset_index(drop=True), ["name", "classification"]
            )
    wards: Layer | None = None
    ward_codes: tuple[str, ...] = ()
    ward_frame = None
    if layers.wards is not None and len(layers.wards):
        ward_frame = layers.wards[["ward_code", "name", "gss_code", "geometry"]].copy()
        ward_frame["geometry"] = without_slivers(ward_frame.geometry).simplify(10)
        ward_frame["borough"] = ward_frame["gss_code"].map(layers.borough_names).fillna("")
        points = crs.to_crs(layers.wards.geometry.representative_point(), 4326)
        ward_frame["lat"], ward_frame["lon"] = points.y.to_numpy(), points.x.to_numpy()
        ward_frame = maps.to_browser(ward_frame).reset_index(drop=True)
        wards, ward_codes = _ward_layer(ward_frame, "wards")
    closed = map_losses(layers.sites)
    points = layers.voluntary_points
    if points is not None and len(points):
        names = dict(zip(layers.wards["ward_code"], layers.wards["name"], strict=True))
        points = points.assign(ward=points["ward_code"].map(names).fillna(""))
        voluntary, voluntary_positions = voluntary_layer(points)
    else:
        points, voluntary, voluntary_positions = None, None, None
    return MapData(
        site_layer(layers.sites),
        borough_layer,
        policies,
        tuple(boroughs["gss_code"]),
        layers.sites.index,
        wards,
        ward_codes,
        voluntary=voluntary,
        voluntary_positions=voluntary_positions,
        closed=site_layer(closed, "closures"),
        closed_positions=closed.index,
        site_frame=layers.sites,
        point_frame=points,
        ward_frame=ward_frame,
    )


def map_losses(sites: pd.DataFrame) -> pd.DataFrame:
    """The sites a loss map can draw: closed, a loss, in a window a page offers."""
    return sites[
        sites["status"].eq("closed")
        & sites["lost"].astype(bool)
        & sites["closed_year"].ge(WINDOW_START_OPTIONS[0])
    ]


VOLUNTARY_TIP = ["", "What", "Network", "Status", "Ward", "Recorded", "Licence"]


def _voluntary_styles(points: pd.DataFrame) -> tuple[list[dict], np.ndarray]:
    """Food banks by network, closed ones ringed, mutual aid groups (as the cards draw them):
    the styles, and each point's (-1: a network without a colour, not drawn). Mutual aid
    first and closed food banks last, so that drawn in style order they lie as on the card."""
    kind, status = points["kind"], points["status"]
    network = points["network"].fillna("")
    styles = [_style(symbols.MUTUAL_AID_POINT)]
    style = np.full(len(points), -1)
    style[kind.eq("mutual_aid").to_numpy()] = 0
    for name, colour in symbols.NETWORK_COLOURS.items():
        for shape, closed in ((symbols.FOOD_BANK, False), (symbols.CLOSED_FOOD_BANK, True)):
            chosen = kind.eq("food_bank") & network.eq(name) & status.eq("closed").eq(closed)
            style[chosen.to_numpy()] = len(styles)
            styles.append({**_style(shape), "fill": colour})
    return styles, style


def voluntary_layer(points: pd.DataFrame, name: str = "voluntary") -> tuple[Layer, pd.Index]:
    """Food banks and mutual aid groups (`voluntary_points` with each one's `ward` name)
    packed in drawing order: position, style, and their tooltips' text (the name as text,
    repeated values as codes into the header's lists); and their positions (the index of
    `points`) for a view's mask. The browser receives a layer once a session."""
    styles, style = _voluntary_styles(points)
    order = np.argsort(style, kind="stable")
    order = order[style[order] >= 0]
    points, style = points.iloc[order], style[order]
    x, y, bbox = _quantised_points(points.geometry)
    tips = {
        "what": points["kind"].map(profiles.KIND_LABELS).fillna(""),
        "network": points["network"].fillna("").astype(str),
        "status": points["status"].astype(str),
        "ward": points["ward"],
        "vintage": points["kind"].map(profiles.VINTAGES).fillna(""),
        "licence": points["licence"].fillna("").astype(str),
    }
    sections: dict[str, np.ndarray | bytes] = {
        "x": x,
        "y": y,
        "style": style.astype(np.uint8),
        "name": _text(points["name"]),
    }
    values = {}
    for column, texts in tips.items():
        codes, values[column] = _codes(texts)
        sections[column] = codes.astype(np.uint16 if len(values[column]) > 255 else np.uint8)
    header = {
        "kind": "points",
        "n": len(points),
        "bbox": bbox,
        "styles": styles,
        "tips": ["name", *tips],  # the tooltip's rows, labelled by VOLUNTARY_TIP
        "labels": VOLUNTARY_TIP,
        "values": values,
    }
    return pack(name, header, sections), points.index


def mask(positions: pd.Index, shown_index: pd.Index, every_as_none: bool = True) -> str | None:
    """The shown sites as a base64 bit mask over a sites layer's `positions` (None: every
    site)."""
    if every_as_none and len(shown_index) == len(positions):
        return None
    bits = np.zeros(len(positions), dtype=bool)
    bits[positions.get_indexer(shown_index)] = True
    return base64.b64encode(np.packbits(bits, bitorder="little").tobytes()).decode()


def leaflet_urls() -> dict[str, str]:
    local_js, local_css = _local_url("leaflet"), _local_url("leaflet_css")
    return {
        "js": local_js or LEAFLET_CDN + "leaflet.js",
        "css": local_css or LEAFLET_CDN + "leaflet.css",
        "static": STATIC_URL,
    }


def _style(style: symbols.PointStyle) -> dict:
    return {
        "r": style.radius,
        "stroke": style.stroke,
        "weight": style.weight,
        "fill": style.fill,
        "alpha": style.fill_opacity,
    }


def _focus(codes: tuple[str, ...], outlines: list, dashed: bool) -> list[int]:
    """The positions of the focus areas of `outlines` (Boundaries), solid or dashed."""
    focus = {c for b in outlines if b.focus_dash == dashed for c in b.focus}
    return [k for k, c in enumerate(codes) if c in focus]


def _notes(notes: pd.Series, codes: tuple[str, ...]) -> list[str]:
    """The tooltip notes (indexed by area code) in the order of `codes`, "" where none."""
    found = notes.reindex(list(codes)).astype(object)
    return [str(n) for n in found.where(found.notna(), "")]


def _area_spec(data: MapData, spec: mapspec.MapSpec, layer, land: bool, outlines: list) -> dict:
    """A choropleth or boundaries over the boroughs or wards: fills by the layer's order (None:
    that area not drawn), the tooltip's values, and the heavy outlines of `outlines`'s focus
    areas (the Boundaries of the same areas: one polygon each, styled once)."""
    packed, codes = data.areas_for(spec, layer.areas)
    marks = {
        "focus": _focus(codes, outlines, False),
        "focus_dashed": _focus(codes, outlines, True),
        "focus_colour": symbols.FOCUS_COLOUR,
    }
    if isinstance(layer, mapspec.Choropleth):
        fills, shown = layer.fills(), layer.shown()
        notes = layer.notes if layer.notes is not None else pd.Series(dtype=str)
        return {
            "layer": packed.hash,
            "fills": [fills.get(c) for c in codes],
            "values": [shown.get(c, "") for c in codes],
            "notes": _notes(notes, codes),
            "label": layer.label,
            "opacity": symbols.CHOROPLETH_OPACITY,
            "colour": symbols.BOUNDARY_COLOUR,
            "weight": 0.8,
            **marks,
        }
    return {
        "layer": packed.hash,
        "fills": None,
        "land": symbols.LAND_COLOUR if land else None,
        "colour": symbols.BOUNDARY_COLOUR,
        "weight": 1.2,
        **marks,
    }


def _areas(spec: mapspec.MapSpec, land: bool, data: MapData) -> list[dict]:
    """One entry per packed area layer drawn: a choropleth (else the first outlines) carrying
    the focus of every Boundaries over the same areas."""
    out: list[dict] = []
    done: set[str] = set()
    filled = {c.areas for c in spec.of(mapspec.Choropleth)}
    for layer in spec.layers:
        if not isinstance(layer, (mapspec.Choropleth, mapspec.Boundaries)) or layer.areas in done:
            continue
        if isinstance(layer, mapspec.Boundaries) and layer.areas in filled:
            continue  # the choropleth of these areas carries their outlines
        outlines = [b for b in spec.of(mapspec.Boundaries) if b.areas == layer.areas]
        # Land colour only under the first area layer: a later one would cover a fill.
        out.append(_area_spec(data, spec, layer, land and not out, outlines))
        done.add(layer.areas)
    return out


def _policy_specs(data: MapData, layer: mapspec.PolicyAreas) -> list[dict]:
    out = []
    for key in layer.policies:
        base, cls = parse_policy(key)
        if base.key not in data.policies:
            continue
        out.append(
            {
                "key": key,
                "layer": data.policies[base.key].hash,
                "classification": cls,
                "label": mapspec.PolicyAreas.label(key),
                "colour": base.colour,
                "tint": layer.tint(),
                "dash": "4 3" if layer.style == "overlay" else None,
                "weight": 1.6 if layer.style == "overlay" else 1.8,
            }
        )
    return out


def _sites_spec(positions: pd.Index, layer) -> dict:
    if isinstance(layer, mapspec.SitesByStatus):
        return {
            "style": "status",
            "mask": mask(positions, layer.sites.index),
            "shown": len(layer.sites),
            "colours": [GROUP_COLOURS[g] for g in CATEGORY_GROUPS],
            "draw_order": [CATEGORY_GROUPS.index(g) for g in DRAW_ORDER],
            "open": _style(symbols.OPEN_SITE),
            "lost": _style(symbols.LOST_SITE),
            "not_lost": _style(symbols.NOT_LOST_SITE),
        }
    return {
        "style": "side",
        "inside": mask(positions, layer.inside, every_as_none=False),
        "outside": mask(positions, layer.outside, every_as_none=False),
        "shown": len(layer.sites),
        "where": [layer.where_text(True), layer.where_text(False)],
        "in": _style(symbols.INSIDE_SITE),
        "out": _style(symbols.OUTSIDE_SITE),
    }


def browser_spec(
    data: MapData,
    spec: mapspec.MapSpec,
    present: bool = False,
    save_view: bool = False,
) -> dict:
    """What the browser map (site_map.js) draws of a MapSpec: small, JSON, sent on every run.
    Text from data travels as plain text (set with textContent); the legend and the
    attribution arrive as escaped HTML."""
    tiles = symbols.basemap(spec.basemap)
    labels, policies, sites, overlays = [], [], None, []
    sites_layer = data.sites
    voluntary = reports = None
    areas = _areas(spec, tiles.url is None, data)
    for layer in spec.layers:
        if isinstance(layer, mapspec.Labels):
            labels.append(data.areas_for(spec, layer.areas)[0].hash)
        elif isinstance(layer, mapspec.PolicyAreas):
            policies += _policy_specs(data, layer)
        elif isinstance(layer, (mapspec.SitesByStatus, mapspec.SitesBySide)):
            sites_layer, positions = data.sites_for(layer)
            sites = _sites_spec(positions, layer)
        elif isinstance(layer, mapspec.Overlay):
            overlays.append(_overlay_spec(layer))
        elif isinstance(layer, mapspec.VoluntaryPoints):
            voluntary = _voluntary_spec(data, layer)
        elif isinstance(layer, mapspec.Reports):
            reports = _reports_spec(layer)
    view = spec.view.saved
    return {
        "layers": [layer.hash for layer in data.layers_for(spec)],
        "sites_layer": sites_layer.hash,
        "areas": areas,
        "labels": labels,
        "policies": policies,
        "sites": sites,
        "overlays": [o for o in overlays if o is not None],
        "voluntary": voluntary,
        "reports": reports,
        "legend": legend_html(spec.legend(), spec.legend_note()),
        "attribution": spec.credits(basemap=False),
        "basemap": {
            "url": tiles.url,
            "attr": tiles.attribution,
            "name": tiles.name,
            "failed": symbols.TILES_FAILED,
        }
        if tiles.url
        else None,
        "background": symbols.WATER_COLOUR,
        "view": {"lat": view.lat, "lon": view.lon, "zoom": view.zoom} if view else None,
        "bounds": [list(corner) for corner in spec.view.bounds],
        "legend_pad": maps.LEGEND_WIDTH_PX,
        "fold_below_px": maps.NARROW_MAP_PX,
        "present": present,
        "save_view": save_view,
        "leaflet": leaflet_urls(),
    }


def _voluntary_spec(data: MapData, layer: mapspec.VoluntaryPoints) -> dict | None:
    """The food banks and mutual aid groups shown: the packed layer's id and a mask over it
    (None: all of them)."""
    packed = data.voluntary_for(layer)
    if packed is None or layer.points.empty:
        return None
    points, positions = packed
    shown = layer.points.index.intersection(positions)  # those with a style
    return {
        "layer": points.hash,
        "mask": mask(positions, shown),
        "shown": len(shown),
        "control": "Food banks and mutual aid groups",
    }


def _reports_spec(layer: mapspec.Reports) -> dict:
    """A room's reports: [lat, lon, kind] each, coloured by kind, and their tooltips' text
    HTML-escaped here (contributors' words; the browser unescapes them and sets text). The
    browser redraws these points alone when they change; the map stays as it is."""
    kinds = list(contributions.MAPPED_KINDS)
    points = layer.points[layer.points["kind"].isin(kinds)]
    return {
        "points": [
            [round(float(lat), 5), round(float(lon), 5), kinds.index(kind)]
            for lat, lon, kind in zip(points["lat"], points["lon"], points["kind"], strict=True)
        ],
        "tips": [
            [html.escape(str(name)), html.escape(contributions.KIND_SHORT[kind])]
            for name, kind in zip(points["name"], points["kind"], strict=True)
        ],
        "colours": [contributions.KIND_COLOURS[k] for k in kinds],
        "style": _style(symbols.REPORT_POINT),
        "control": layer.title,
    }


def _overlay_spec(layer: mapspec.Overlay) -> dict | None:
    if layer.kind == "own":
        return overlay_spec(
            layer.layer, "own", symbols.OWN_DATA_COLOUR, symbols.OWN_DATA_OUTLINE, "Your own data: "
        )
    if layer.kind == "lost":  # a lost facility: a closed site's black ring
        return overlay_spec(layer.layer, "lost", symbols.WHITE, symbols.CLOSED_COLOUR, "")
    return overlay_spec(
        layer.layer, "community", symbols.WHITE, symbols.COMMUNITY_COLOUR, "", dash="3 2"
    )


def overlay_spec(
    layer: OwnDataLayer | None,
    kind: str,
    colour: str,
    outline: str,
    control_prefix: str,
    dash: str | None = None,
) -> dict | None:
    """A layer drawn over the sites (the user's upload, or the community-reported points): at
    most own_data.MAX_MAP_FEATURES features, WGS84, text already HTML-escaped (the browser
    unescapes it and sets it as text). Its id changes only when its features do."""
    if layer is None:
        return None
    features = layer.features
    collection = {"type": "FeatureCollection", "features": features["features"]}
    digest = hashlib.blake2b(json.dumps(collection).encode(), digest_size=8).hexdigest()
    return {
        "id": f"{kind}:{digest}",
        "data": collection,
        "labels": features["labels"],
        "control": control_prefix + layer.legend_label(),
        "colour": colour,
        "outline": outline,
        "weight": 2.5 if dash else 1.5,
        "dash": dash,
    }


HERE = Path(__file__).resolve().parent


def component_js() -> str:
    """The browser side, for the layer elements: lib/render/site_map.js (an ES module)."""
    return (HERE / "site_map.js").read_text()


# The layer and map elements' scripts: shims that wait for site_map.js, which one element
# of its own brings (identical on every run, so a browser gets it once per session).
_SHIM = """export default function (component) {
  window.__julSiteMapReady = window.__julSiteMapReady
    || new Promise((resolve) => { window.__julSiteMapResolve = resolve; });
  let cleanup = null, gone = false;
  window.__julSiteMapReady.then((api) => { if (!gone) cleanup = api.%s(component); });
  return () => { gone = true; if (cleanup) cleanup(); };
}
"""
LAYER_JS = _SHIM % "register"
MAP_JS = _SHIM % "render"


def _rules(style: str) -> str:
    return style.replace("<style>", "").replace("</style>", "").strip()


def component_css() -> str:
    """The map's CSS, in the page (the map is not in an iframe): the legend and the save
    button as the folium maps draw them, then the browser map's own rules."""
    return "\n".join(
        [
            _rules(maps.LEGEND_CSS),
            _rules(SAVE_VIEW_CSS),
            _rules(TILES_FAILED_CSS),
            (HERE / "site_map.css").read_text(),
        ]
    )
