"""The user's own data on a folium map: escaped, capped, drawn on the canvas with a legend row."""

from __future__ import annotations

import folium
import geopandas as gpd
import shapely

from lib.render import own_data
from lib.uploads import BNG


def frame(n: int, name: str = "Café") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"source_row": range(2, n + 2), "name": [name] * n, "note": ["x" * 200] * n},
        geometry=[shapely.Point(530000 + i, 180430) for i in range(n)],
        crs=BNG,
    )


def test_text_from_the_file_is_escaped_and_shortened():
    layer = own_data.own_data_layer(frame(2, "<script>alert(1)</script>"), "<b>mine</b>")
    props = layer.features["features"][0]["properties"]
    assert props == {"row": 2, "c0": "&lt;script&gt;alert(1)&lt;/script&gt;", "c1": "x" * 79 + "…"}
    m = folium.Map()
    rows = own_data.add_own_data(m, layer)
    assert rows == [(own_data.OWN_DATA_COLOUR, "<b>mine</b> (2)")]  # the legend escapes it
    folium.LayerControl().add_to(m)
    page = m.get_root().render()
    assert "<script>alert(1)</script>" not in page
    assert "\\u0026lt;b\\u0026gt;mine" in page  # the layer control's name, escaped


def test_at_most_max_map_features_travel_to_the_browser(monkeypatch):
    monkeypatch.setattr(own_data, "MAX_MAP_FEATURES", 3)
    layer = own_data.own_data_layer(frame(5), "big")
    assert layer.shown == 3 and layer.total == 5
    assert layer.legend_label() == "big (first 3 of 5)"


def test_points_are_circle_markers_and_shapes_are_outlined():
    shapes = gpd.GeoDataFrame(
        {"source_row": [1, 2]},
        geometry=[shapely.Point(530000, 180430), shapely.box(530000, 180000, 530100, 180100)],
        crs=BNG,
    )
    m = folium.Map()
    own_data.add_own_data(m, own_data.own_data_layer(shapes, "mixed"))
    page = m.get_root().render()
    assert "L.CircleMarker" in page and own_data.OWN_DATA_COLOUR in page
