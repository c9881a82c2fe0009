"""A chosen place made plain on a map: its outline drawn over everything, and closed sites
that grow as the map zooms in, so that at a borough's zoom they read from the back of a room.
No streamlit here."""

from __future__ import annotations

import json
from collections.abc import Iterable

import branca.element
import folium
import geopandas as gpd

from lib.render.maps import CLOSED_COLOUR

OUTLINE_COLOUR = "#111111"


class LegibleClosedSites(branca.element.MacroElement):
    """Closed sites (black rings) and open sites (dots with a white edge) grow with the zoom:
    at London's zoom (10-11) they keep the map builder's size; at a borough's (12-13) and
    closer, rings of 8-10 px with a 3 px edge, dots of 5 px. Other markers keep theirs."""

    _template = branca.element.Template("""
        {% macro script(this, kwargs) %}
        (function(map) {
            function size() {
                var z = map.getZoom();
                var ring = z >= 13 ? 10 : z >= 12 ? 8 : z >= 11.5 ? 6.5 : null;
                var dot = z >= 12 ? 5 : null;
                map.eachLayer(function(layer) {
                    if (!(layer instanceof L.CircleMarker)) return;
                    var o = layer.options;
                    if (o.julRadius === undefined) {
                        o.julRadius = o.radius; o.julWeight = o.weight;
                    }
                    // Closed sites: black rings (weight 2 or more; a mutual aid group's
                    // hairline is not one). Open sites: dots with a white edge.
                    var colour = (o.color || "").toLowerCase();
                    var closed = colour === {{ this.closed|tojson }} && o.julWeight >= 2;
                    var open = colour === "#ffffff";
                    if (!closed && !open) return;
                    var r = closed ? ring : dot;
                    layer.setRadius(r === null ? o.julRadius : Math.max(r, o.julRadius));
                    if (closed) layer.setStyle({weight: r === null ? o.julWeight : 3});
                });
            }
            map.on("zoomend", size);
            map.whenReady(function() { setTimeout(size, 300); });
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self):
        super().__init__()
        self._name = "LegibleClosedSites"
        self.closed = CLOSED_COLOUR.lower()


def outline_boroughs(
    m: folium.Map, boroughs: gpd.GeoDataFrame, gss_codes: Iterable[str]
) -> folium.Map:
    """Outline the chosen boroughs (`boroughs` in WGS84 with gss_code, as MapLayers has them)
    in a thick dark line with a white halo, above the other areas; closed sites legible at
    their zoom. No boroughs chosen: only the legible sites."""
    chosen = boroughs[boroughs["gss_code"].isin(list(gss_codes))]
    if not chosen.empty:
        data = json.loads(chosen[["geometry"]].to_json(drop_id=True))
        for colour, weight in (("#ffffff", 6), (OUTLINE_COLOUR, 3)):
            folium.GeoJson(
                data,
                name="Chosen borough",
                control=False,
                interactive=False,
                style_function=lambda f, c=colour, w=weight: {
                    "fill": False,
                    "color": c,
                    "weight": w,
                    "opacity": 0.95,
                },
            ).add_to(m)
    m.add_child(LegibleClosedSites())
    return m
