"""The global folium patch still takes effect: fails when folium stops honouring it."""

import folium

from lib.render import maps  # noqa: F401  (importing the map builders applies the patch)


def test_geojson_layer_data_has_no_spaces_after_separators():
    m = folium.Map()
    folium.GeoJson(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"name": "Hackney Central Library", "n": 1},
                    "geometry": {"type": "Point", "coordinates": [-0.0553, 51.5450]},
                }
            ],
        }
    ).add_to(m)
    html = m.get_root().render()
    assert '"properties":{"n":1,"name":"Hackney Central Library"}' in html
    assert '"properties": {' not in html
