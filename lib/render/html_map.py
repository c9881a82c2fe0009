"""A map spec as one self-contained HTML file: "Download interactive map (HTML)".

No streamlit here. folium draws the same MapSpec the page shows in the browser element
(lib/render/mapspec.py), with the same symbols (lib/render/symbols.py), legend and credits.
The file asks nothing of any outside host: Leaflet's script, stylesheet and images are
inlined from the app's own copy (static/vendor, `make assets`), and basemap tiles are
requested only when the user chose a basemap. It opens offline, from a disk or a campaign
group's website.
"""

from __future__ import annotations

import base64
import html
import json
import re

import branca.element
import folium
import geopandas as gpd
import pandas as pd

from lib.data import crs
from lib.render import maps, mapspec, symbols
from lib.render.vendor import LOCAL_COPIES, STATIC_DIR, _descendants
from lib.vocab.categories import DRAW_ORDER, GROUP_COLOURS
from lib.vocab.contributions import KIND_COLOURS, KIND_SHORT
from lib.vocab.policies import parse_policy


class MissingLeaflet(RuntimeError):
    """The app's own copy of Leaflet is not installed (`make assets`)."""


def _leaflet() -> tuple[str, str]:
    """Leaflet's script and stylesheet, the stylesheet's images as data URLs."""
    js_path = STATIC_DIR / LOCAL_COPIES["leaflet"]
    css_path = STATIC_DIR / LOCAL_COPIES["leaflet_css"]
    if not js_path.is_file() or not css_path.is_file():
        raise MissingLeaflet("Leaflet is not installed under static/vendor: run `make assets`")
    images = css_path.parent / "images"

    def inline(match: re.Match) -> str:
        image = images / match.group(1)
        if not image.is_file():
            return "none"
        return f"url(data:image/png;base64,{base64.b64encode(image.read_bytes()).decode()})"

    css = re.sub(r"url\(images/([\w.-]+)\)", inline, css_path.read_text())
    # "</script>" inside the script would end it early.
    return js_path.read_text().replace("</script", "<\\/script"), css


def _escaped(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    frame = frame.copy()
    for column in columns:
        frame[column] = frame[column].fillna("").astype(str).map(html.escape)
    return frame


def _areas(layer, map_layers: maps.MapLayers, wards: gpd.GeoDataFrame | None):
    """The layer's areas in WGS84 with a `code` column and escaped `name`."""
    if layer.areas == "wards":
        if wards is None:
            raise ValueError("a ward layer needs the wards' geometry")
        frame = wards.rename(columns={"ward_code": "code"})
    else:
        frame = map_layers.boroughs.rename(columns={"gss_code": "code"})
    return frame


def _choropleth(m, layer: mapspec.Choropleth, frame: gpd.GeoDataFrame, credit: str) -> None:
    fills, shown = layer.fills(), layer.shown()
    notes = layer.notes if layer.notes is not None else pd.Series(dtype=str)
    frame = frame[frame["code"].isin(fills)][["code", "name", "geometry"]].copy()
    frame["fill"] = frame["code"].map(fills)
    frame["shown"] = frame["code"].map(shown)
    frame["note"] = frame["code"].map(lambda c: html.escape(str(notes.get(c, "") or "")))
    if layer.areas == "boroughs":  # ward names arrive escaped (ward_maps.ward_geometry)
        frame["name"] = frame["name"].map(html.escape)
    folium.GeoJson(
        json.loads(frame[["name", "shown", "note", "fill", "geometry"]].to_json(drop_id=True)),
        name=html.escape(layer.label),
        style_function=lambda f: {
            "fillColor": f["properties"]["fill"],
            "fillOpacity": symbols.CHOROPLETH_OPACITY,
            "color": symbols.BOUNDARY_COLOUR,
            "weight": 0.8,
        },
        highlight_function=lambda f: {"weight": 2.5},
        tooltip=folium.GeoJsonTooltip(
            ["name", "shown", "note"], aliases=["", html.escape(layer.label), ""]
        ),
        attribution=credit,
    ).add_to(m)


def _policies(m, layer: mapspec.PolicyAreas, map_layers: maps.MapLayers, credit: str) -> None:
    areas = map_layers.policy_areas
    for key in layer.policies:
        base, cls = parse_policy(key)
        rows = areas["policy"].eq(base.key)
        if cls:
            rows &= areas["classification"].eq(cls)
        frame = _escaped(areas[rows][["name", "classification", "geometry"]], ["name"])
        frame["classification"] = frame["classification"].fillna("").map(html.escape)
        if frame.empty:
            continue
        label = mapspec.PolicyAreas.label(key)
        style = {
            "color": base.colour,
            "weight": 1.6 if layer.style == "overlay" else 1.8,
            "fillColor": base.colour,
            "fillOpacity": layer.tint(),
            "dashArray": "4 3" if layer.style == "overlay" else None,
        }
        folium.GeoJson(
            json.loads(frame.to_json(drop_id=True)),
            name=html.escape(label),
            style_function=lambda f, s=style: s,
            tooltip=folium.GeoJsonTooltip(["name", "classification"], aliases=[label, ""]),
            attribution=credit,
        ).add_to(m)


def _points(m, points: pd.DataFrame, style: symbols.PointStyle, name: str, credit: str) -> None:
    """Sites (MapLayers.sites rows, escaped, with a `fill` column) drawn with one style."""
    if points.empty:
        return
    fields = ["name", "cat", "state", *(["side"] if "side" in points else []), "src"]
    collection = maps.site_features(points, (*fields, "fill"))
    folium.GeoJson(
        collection,
        name=html.escape(name),
        marker=folium.CircleMarker(radius=style.radius, weight=style.weight, fill=True),
        style_function=lambda f: {
            "radius": style.radius,
            "color": style.stroke,
            "weight": style.weight,
            "fillColor": f["properties"]["fill"],
            "fillOpacity": style.fill_opacity,
        },
        tooltip=folium.GeoJsonTooltip(
            fields,
            aliases=["", "Category", "Status", *(["Where"] if "side" in points else []), "Source"],
        ),
        attribution=credit,
    ).add_to(m)


def _sites_by_status(m, layer: mapspec.SitesByStatus, map_layers, credit: str) -> None:
    points = map_layers.sites.loc[layer.sites.index]
    points = points.assign(
        fill=points["group"].map(GROUP_COLOURS).fillna(symbols.UNKNOWN_GROUP_COLOUR)
    )
    lost = layer.sites["status"].eq("closed") & layer.sites["lost"].astype(bool)
    closed = layer.sites["status"].eq("closed")
    for group in DRAW_ORDER:
        chosen = (~closed & layer.sites["category_group"].eq(group)).to_numpy()
        _points(m, points[chosen], symbols.OPEN_SITE, f"{group} ({int(chosen.sum()):,})", credit)
    not_lost = (closed & ~lost).to_numpy()
    _points(m, points[not_lost], symbols.NOT_LOST_SITE, "Closed, not a loss", credit)
    _points(m, points[lost.to_numpy()], symbols.LOST_SITE, "Closed, a loss", credit)


def _sites_by_side(m, layer: mapspec.SitesBySide, map_layers, credit: str) -> None:
    for inside, style in ((False, symbols.OUTSIDE_SITE), (True, symbols.INSIDE_SITE)):
        index = layer.inside if inside else layer.outside
        where = layer.where_text(inside)
        points = map_layers.sites.loc[index].assign(fill=style.fill, side=html.escape(where))
        _points(m, points, style, f"{where} ({len(index):,})", credit)


def _voluntary(m, layer: mapspec.VoluntaryPoints, credit: str) -> None:
    """Food banks by network (closed ones ringed), mutual aid groups under them."""
    points = crs.to_crs(layer.points, 4326) if hasattr(layer.points, "to_crs") else layer.points
    kind, status = points["kind"], points["status"]
    network = points["network"].fillna("")
    groups = [(symbols.MUTUAL_AID_POINT, symbols.MUTUAL_AID_COLOUR, kind.eq("mutual_aid"))]
    for name, colour in symbols.NETWORK_COLOURS.items():
        bank = kind.eq("food_bank") & network.eq(name)
        groups += [
            (symbols.FOOD_BANK, colour, bank & ~status.eq("closed")),
            (symbols.CLOSED_FOOD_BANK, colour, bank & status.eq("closed")),
        ]
    for style, colour, chosen in groups:
        rows = points[chosen.to_numpy()]
        if rows.empty:
            continue
        frame = _escaped(
            pd.DataFrame(
                {
                    "name": rows["name"],
                    "network": rows["network"],
                    "status": rows["status"],
                    "geometry": rows.geometry,
                }
            ),
            ["name", "network", "status"],
        )
        folium.GeoJson(
            json.loads(gpd.GeoDataFrame(frame, crs=4326).to_json(drop_id=True)),
            name=html.escape(f"{'Mutual aid groups' if style.kind == 'mini' else 'Food banks'}"),
            marker=folium.CircleMarker(radius=style.radius, fill=True),
            style_function=lambda f, st=style, c=colour: {
                "radius": st.radius,
                "color": st.stroke,
                "weight": st.weight,
                "fillColor": c,
                "fillOpacity": st.fill_opacity,
            },
            tooltip=folium.GeoJsonTooltip(["name", "network", "status"], aliases=["", "", ""]),
            attribution=credit,
        ).add_to(m)


def _overlay(m, layer: mapspec.Overlay) -> None:
    style = symbols.OWN_POINT if layer.kind == "own" else symbols.COMMUNITY_POINT
    features = layer.layer.features
    labels = features.get("labels") or []
    keys = ["row", *[f"c{k}" for k in range(len(labels) - 1)]]
    collection = {"type": "FeatureCollection", "features": features["features"]}
    folium.GeoJson(
        collection,
        name=html.escape(layer.layer.legend_label()),
        marker=folium.CircleMarker(radius=style.radius, fill=True),
        style_function=lambda f: {
            "color": style.stroke,
            "weight": style.weight,
            "fillColor": style.fill,
            "fillOpacity": style.fill_opacity if "Point" in f["geometry"]["type"] else 0.35,
            "dashArray": "3 2" if layer.kind == "community" else None,
        },
        tooltip=folium.GeoJsonTooltip(keys, aliases=labels) if labels else None,
    ).add_to(m)


def _reports(m, layer: mapspec.Reports) -> None:
    """A room's reports by kind; contributors' words escaped (tooltips are innerHTML)."""
    points = layer.points.assign(
        fill=layer.points["kind"].map(KIND_COLOURS),
        what=layer.points["kind"].map(KIND_SHORT),
    )
    if points.empty:
        return
    style = symbols.REPORT_POINT
    folium.GeoJson(
        maps.site_features(_escaped(points, ["name", "what"]), ("name", "what", "fill")),
        name=html.escape(layer.title),
        marker=folium.CircleMarker(radius=style.radius, fill=True),
        style_function=lambda f: {
            "color": style.stroke,
            "weight": style.weight,
            "fillColor": f["properties"]["fill"],
            "fillOpacity": style.fill_opacity,
        },
        tooltip=folium.GeoJsonTooltip(["name", "what"], aliases=["", "Report"]),
    ).add_to(m)


def standalone_map(
    spec: mapspec.MapSpec,
    map_layers: maps.MapLayers,
    wards: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """The spec as a folium map (no assets yet: `standalone_html` inlines them)."""
    m = maps.new_map(spec.basemap, bounds=spec.view.bounds, view=spec.view.saved)
    credit = spec.credits(basemap=False)  # Leaflet merges identical strings: said once
    tiles = symbols.basemap(spec.basemap).url is not None
    filled = {c.areas for c in spec.of(mapspec.Choropleth)}
    areas_drawn = False
    for layer in spec.layers:
        if isinstance(layer, mapspec.Choropleth):
            _choropleth(m, layer, _areas(layer, map_layers, wards), credit)
            areas_drawn = True
        elif isinstance(layer, mapspec.Boundaries):
            frame = _areas(layer, map_layers, wards)
            # A choropleth draws its areas' outlines: only the focus over it; land colour
            # only under the first area layer, never over a fill (as the browser map).
            if layer.areas not in filled:
                land = not tiles and not areas_drawn
                maps.add_outlines(m, frame, "Boundaries", credit, land=land)
            areas_drawn = True
            if layer.focus:
                focus = frame[frame["code"].isin(layer.focus)]
                maps.add_outlines(m, focus, "Chosen", colour=symbols.FOCUS_COLOUR, weight=3)
        elif isinstance(layer, mapspec.Labels) and layer.areas == "boroughs":
            maps.add_area_labels(m, map_layers.labels)
        elif isinstance(layer, mapspec.PolicyAreas):
            _policies(m, layer, map_layers, credit)
        elif isinstance(layer, mapspec.SitesByStatus):
            _sites_by_status(m, layer, map_layers, credit)
        elif isinstance(layer, mapspec.SitesBySide):
            _sites_by_side(m, layer, map_layers, credit)
        elif isinstance(layer, mapspec.Overlay):
            _overlay(m, layer)
        elif isinstance(layer, mapspec.VoluntaryPoints):
            _voluntary(m, layer, credit)
        elif isinstance(layer, mapspec.Reports):
            _reports(m, layer)
    maps.add_legend(m, spec.legend(), spec.legend_note())
    folium.LayerControl(collapsed=True).add_to(m)
    return m


def standalone_html(
    spec: mapspec.MapSpec,
    map_layers: maps.MapLayers,
    title: str,
    wards: gpd.GeoDataFrame | None = None,
) -> bytes:
    """One HTML file drawing the spec, Leaflet inlined: nothing fetched from elsewhere but
    the basemap's tiles, when one was chosen."""
    m = standalone_map(spec, map_layers, wards)
    for element in _descendants(m):
        if isinstance(element, folium.elements.JSCSSMixin):
            element.default_js, element.default_css = [], []
    script, css = _leaflet()
    root = m.get_root()
    root.header.add_child(  # type: ignore[attr-defined]
        branca.element.Element(
            f"<title>{html.escape(title)}</title>\n<style>{css}</style>\n<script>{script}</script>"
        ),
        name="leaflet_inline",
        index=0,
    )
    page = root.render()
    credits = " · ".join(spec.attributions())
    # The full attribution statements under the map (the licences ask for them).
    footer = (
        "<style>html,body{height:100%;margin:0}.folium-map{height:calc(100% - 4.2em)!important}"
        f".jul-credits{{font:10px/1.3 sans-serif;color:{symbols.MUTED};padding:3px 6px;height:3.6em;"
        "overflow:auto}</style>"
        f'<div class="jul-credits">{html.escape(credits)}</div>'
    )
    return page.replace("</body>", footer + "\n</body>", 1).encode()
