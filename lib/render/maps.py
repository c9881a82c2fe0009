"""Folium map builders for the HTML download (lib/render/html_map.py) and the report form's
click map (`picker_map`). No streamlit here.

Payload matters (a campaign group's website, a venue's Wi-Fi): points go out as compact GeoJSON
(`site_features`: short escaped properties, 5-decimal coordinates) drawn on a canvas. Every
string that reaches the browser is HTML-escaped first (tooltips are set as innerHTML).
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass

import branca.element
import folium
import geopandas as gpd
import pandas as pd
import shapely

from lib.data import crs
from lib.data.layers import Layers, history_texts, source_labels
from lib.render import folium_setup, symbols
from lib.render.controls import TilesFailedNote
from lib.render.legend import KEY_CSS, LegendSection, legend_html
from lib.render.vendor import use_local_assets
from lib.vocab.geography import LONDON_BOUNDS
from lib.vocab.sources import LAYER_SOURCES, credits

folium_setup.compact_geojson()

LONDON_CENTRE = (51.4905, -0.1100)
LONDON_ZOOM = 10
LEGEND_WIDTH_PX = 230
CLOSED_COLOUR = symbols.CLOSED_COLOUR
NOT_LOST_COLOUR = symbols.NOT_LOST_COLOUR
RAMP = list(symbols.RAMP)
# (name, tile URL, attribution) by key, for the folium builders.
BASEMAPS = {k: (b.name, b.url, b.attribution) for k, b in symbols.BASEMAPS.items()}
TILES_FAILED = symbols.TILES_FAILED
COORD_GRID = 1e-5  # degrees, about 1 m
LAND_COLOUR = symbols.LAND_COLOUR
NO_BASEMAP_BACKGROUND = symbols.WATER_COLOUR


@dataclass(frozen=True)
class MapLayers:
    """Layers reprojected and slimmed for the browser once per process."""

    boroughs: gpd.GeoDataFrame
    policy_areas: gpd.GeoDataFrame
    sites: pd.DataFrame  # lon, lat and the escaped tooltip fields, indexed like Layers.sites
    labels: pd.DataFrame  # borough name label points


def prepare(layers: Layers) -> MapLayers:
    boroughs = layers.boroughs[["gss_code", "name", "geometry"]].copy()
    boroughs["geometry"] = boroughs.geometry.simplify(25)
    policy = layers.policy_areas.copy()
    policy["geometry"] = policy.geometry.simplify(12)
    sites = layers.sites
    lonlat = crs.to_crs(sites.geometry, 4326)
    points = pd.DataFrame(
        {
            "lon": lonlat.x.round(5),
            "lat": lonlat.y.round(5),
            "name": sites["name"].map(html.escape),
            "cat": sites["categories"].map(html.escape),
            "status": sites["status"],
            "state": [html.escape(text) for text in history_texts(sites)],
            "src": sites["sources"].map(lambda s: html.escape(source_labels(s, short=True))),
            "group": sites["category_group"],
        },
        index=sites.index,
    )
    label_points = crs.to_crs(layers.boroughs.geometry.representative_point(), 4326)
    labels = pd.DataFrame(
        {
            "name": layers.boroughs["name"].map(html.escape),
            "lon": label_points.x,
            "lat": label_points.y,
        }
    )
    return MapLayers(to_browser(boroughs), to_browser(policy), points, labels)


def to_browser(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """WGS84 with coordinates on a ~1 m grid: shorter GeoJSON, no visible change."""
    frame = crs.to_crs(frame, 4326)
    frame["geometry"] = shapely.set_precision(frame.geometry.values, COORD_GRID)
    return frame


def add_to_header(m: folium.Map, element: branca.element.Element, name: str | None = None) -> None:
    """Add CSS or script to the map document's <head> (once per name)."""
    m.get_root().header.add_child(element, name=name)  # type: ignore[attr-defined]


def new_map(
    basemap: str, bounds=LONDON_BOUNDS, view=None, tiles_failed: str = TILES_FAILED
) -> folium.Map:
    """A map framed on `bounds` ((south, west), (north, east)) whatever the frame's size, or
    opened at `view` (a lib.share.MapView: lat, lon, zoom) when a link saved one. If the
    street map's tiles fail to load, the map says so (`tiles_failed`)."""
    location, zoom = ((view.lat, view.lon), view.zoom) if view else (LONDON_CENTRE, LONDON_ZOOM)
    m = folium.Map(
        location=location,
        zoom_start=zoom,
        tiles=None,
        prefer_canvas=True,
        control_scale=True,
        zoom_snap=0.25,
    )
    if view is None:
        m.add_child(FitBounds(bounds))
    name, url, attr = BASEMAPS.get(basemap, BASEMAPS["none"])
    if url:
        folium.TileLayer(url, attr=attr, name=name, max_zoom=19, control=False).add_to(m)
        m.add_child(TilesFailedNote(tiles_failed))
    else:
        add_to_header(
            m,
            branca.element.Element(
                f"<style>.leaflet-container{{background:{NO_BASEMAP_BACKGROUND};}}</style>"
            ),
        )
    return m


def layer_attribution(*layer_keys: str) -> str:
    """Short credits for Leaflet's attribution control (full lines go under the map)."""
    keys = [k for layer in layer_keys for k in LAYER_SOURCES.get(layer, (layer,))]
    return html.escape(" | ".join(credits(keys)))


def add_outlines(
    m: folium.Map,
    areas: gpd.GeoDataFrame,
    name: str,
    attribution: str = "",
    colour: str = symbols.BOUNDARY_COLOUR,
    weight: float = 1.2,
    land: bool = False,
) -> None:
    """Area boundaries, not interactive; with `land`, also a pale land fill, so that with no
    basemap the areas stand out from the water-blue background."""
    data = json.loads(areas[["geometry"]].to_json(drop_id=True))
    style = {
        "color": colour,
        "weight": weight,
        "fill": land,
        "fillColor": LAND_COLOUR,
        "fillOpacity": 0.9 if land else 0,
    }
    folium.GeoJson(
        data,
        name=html.escape(name),
        control=False,
        interactive=False,
        style_function=lambda f: style,
        attribution=attribution,
    ).add_to(m)


class AreaLabels(folium.map.Layer):
    """Area names as text (so the map reads with no basemap), made in the browser from one
    list: 33 folium Markers cost more to render than the rest of the map's layers together.
    Names must arrive HTML-escaped."""

    _template = branca.element.Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.layerGroup();
        {{ this.labels|tojson }}.forEach(function(label) {
            L.marker([label.lat, label.lon], {interactive: false, icon: L.divIcon({
                className: "", html: '<div class="jul-label">' + label.name + "</div>",
                iconSize: [120, 16], iconAnchor: [60, 8]})}).addTo({{ this.get_name() }});
        });
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, labels: pd.DataFrame, name: str):
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "AreaLabels"
        self.labels = [
            {"lat": round(float(r.lat), 5), "lon": round(float(r.lon), 5), "name": r.name}
            for r in labels.itertuples()
        ]


def add_area_labels(m: folium.Map, labels: pd.DataFrame, name: str = "Borough names") -> None:
    """Borough names as text, decluttered so they never print over each other."""
    AreaLabels(labels, html.escape(name)).add_to(m)
    m.add_child(DeclutterLabels())
    add_to_header(
        m,
        branca.element.Element(
            f"<style>.jul-label{{font:600 11px/1.2 sans-serif;color:{symbols.INK};"
            f"text-align:center;text-shadow:0 0 3px {symbols.WHITE},0 0 3px {symbols.WHITE};"
            "pointer-events:none;white-space:nowrap}</style>"
        ),
    )


def site_features(points: pd.DataFrame, fields: Sequence[str]) -> dict:
    """A compact FeatureCollection of points (lon, lat) with the `fields` as properties."""
    columns = list(fields)
    features: list[dict] = [
        {
            "type": "Feature",
            "properties": dict(zip(columns, values, strict=True)),
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
        }
        for lon, lat, values in zip(
            points["lon"],
            points["lat"],
            points[columns].itertuples(index=False, name=None),
            strict=True,
        )
    ]
    return {"type": "FeatureCollection", "features": features}


class FitBounds(branca.element.MacroElement):
    """Frame `bounds` once the map's frame has its final size (st_folium sizes it late), leaving
    the legend's corner free so it does not cover outer boroughs."""

    _template = branca.element.Template("""
        {% macro script(this, kwargs) %}
        (function(map) {
            function fit() {
                map.invalidateSize();
                // London beside the legend, not under it (the legend's own width once drawn);
                // a narrow frame (a phone: the legend folded) gives it less room.
                // A folded legend (a phone) is a button in the corner: keep London above it.
                var legend = map.getContainer().querySelector(".jul-legend");
                var folded = legend && legend.classList.contains("jul-folded");
                var width = legend ? legend.offsetWidth + 12 : {{ this.pad }};
                var pad = folded ? 10 : width < map.getSize().x * 0.4 ? width
                    : Math.min({{ this.pad }}, map.getSize().x * 0.2);
                var bottom = folded ? legend.offsetHeight + 16 : 10;
                map.fitBounds({{ this.bounds|tojson }},
                              {paddingTopLeft: [pad, 0], paddingBottomRight: [10, bottom],
                               animate: false});
            }
            // The frame may get its final size late (a busy page): fit again, on a resize and
            // a few times over the first seconds, until someone moves the map.
            var moved = false;
            function refit() { if (!moved) fit(); }
            map.getContainer().addEventListener("pointerdown", function() { moved = true; });
            map.getContainer().addEventListener("wheel", function() { moved = true; });
            map.getContainer().addEventListener("keydown", function() { moved = true; });
            map.on("resize", refit);
            fit();
            [250, 1000, 2500].forEach(function(ms) { setTimeout(refit, ms); });
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, bounds):
        super().__init__()
        self._name = "FitBounds"
        self.bounds = [list(corner) for corner in bounds]
        self.pad = LEGEND_WIDTH_PX


class DeclutterLabels(branca.element.MacroElement):
    """Hide an area label that would overlap one already shown, after every zoom or resize,
    so names never print over each other (shorter names are placed first; zoom in for the
    rest)."""

    _template = branca.element.Template("""
        {% macro script(this, kwargs) %}
        (function(map) {
            function declutter() {
                var labels = Array.from(map.getContainer().querySelectorAll(".jul-label"));
                labels.sort(function(a, b) { return a.textContent.length - b.textContent.length; });
                var shown = [];
                labels.forEach(function(el) {
                    el.style.visibility = "visible";
                    var range = document.createRange();
                    range.selectNodeContents(el);
                    var r = range.getBoundingClientRect();
                    var box = {l: r.left - 3, r: r.right + 3, t: r.top - 1, b: r.bottom + 1};
                    var hit = shown.some(function(o) {
                        return box.l < o.r && box.r > o.l && box.t < o.b && box.b > o.t;
                    });
                    if (hit) { el.style.visibility = "hidden"; } else { shown.push(box); }
                });
            }
            map.on("zoomend moveend resize", declutter);
            map.whenReady(function() { setTimeout(declutter, 50); setTimeout(declutter, 600); });
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self):
        super().__init__()
        self._name = "DeclutterLabels"


class Legend(branca.element.MacroElement):
    """A legend drawn as a Leaflet control inside the map frame (so screenshots include it)."""

    _template = branca.element.Template("""
        {% macro script(this, kwargs) %}
        (function(map) {
            var legend = L.control({position: "bottomleft"});
            legend.onAdd = function() {
                var div = L.DomUtil.create("div", "jul-legend");
                div.innerHTML = '<button type="button" class="jul-legend-toggle">Legend</button>'
                    + '<div class="jul-legend-body">' + {{ this.markup|tojson }} + "</div>";
                // On a phone-sized map the legend would hide London: it starts folded.
                if (map.getSize().x < {{ this.fold_below_px }}) div.classList.add("jul-folded");
                div.querySelector("button").addEventListener("click", function() {
                    div.classList.toggle("jul-folded");
                });
                L.DomEvent.disableClickPropagation(div);
                return div;
            };
            legend.addTo(map);
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, markup: str):
        super().__init__()
        self._name = "Legend"
        self.markup = markup
        self.fold_below_px = NARROW_MAP_PX


NARROW_MAP_PX = 420  # below this map width the legend starts folded and the type shrinks
LEGEND_CSS = f"""<style>
.jul-legend {{background: rgba(255,255,255,.94); padding: 6px 9px; border-radius: 6px;
  font: 11px/1.3 sans-serif; color: {symbols.INK}; box-shadow: 0 1px 4px rgba(0,0,0,.35);
  max-width: {LEGEND_WIDTH_PX}px}}
.jul-legend h4 {{margin: 4px 0 2px; font-size: 11px}}
.jul-legend .row {{display: flex; gap: 6px; align-items: center; margin: 1px 0}}
{KEY_CSS}.leaflet-control-attribution {{font-size: 10px; max-width: 70%}}
.jul-legend-toggle {{display: none; font: 600 12px sans-serif; background: none; border: 0;
  padding: 2px 0; cursor: pointer; color: {symbols.INK}}}
.jul-legend.jul-folded .jul-legend-body {{display: none}}
@media (max-width: {NARROW_MAP_PX}px) {{
  .jul-legend-toggle {{display: block}}
  .jul-legend {{font-size: 10px; max-width: 170px}}
  .jul-legend h4 {{font-size: 10px}}
  .leaflet-control-attribution {{font-size: 8px; max-width: calc(100% - 90px)}}
}}
</style>"""


def add_legend(m: folium.Map, sections: Sequence[LegendSection], note: str = "") -> None:
    """The legend inside the map's frame (bottom left), foldable on a phone."""
    add_to_header(m, branca.element.Element(LEGEND_CSS), name="jul_legend_css")
    m.add_child(Legend(legend_html(sections, note)))


def picker_map(
    map_layers: MapLayers, basemap: str, clicked: Sequence[float] | None = None
) -> folium.Map:
    """The report form's map to click a place on: the boroughs and their names, so it reads
    with no basemap or no internet, the point chosen so far, and Leaflet from the app's own
    static files (a CDN's left it blank offline)."""
    # The form has no basemap choice: the note says only why the map is grey.
    m = new_map(basemap, tiles_failed=TILES_FAILED.split(". ")[0] + ".")
    add_outlines(
        m,
        map_layers.boroughs,
        "Boroughs",
        attribution=layer_attribution("boroughs"),
        land=basemap == "none",
    )
    add_area_labels(m, map_layers.labels)
    if clicked:
        folium.CircleMarker(
            list(clicked), radius=7, color=symbols.COMMUNITY_COLOUR, weight=3
        ).add_to(m)
    return use_local_assets(m)
