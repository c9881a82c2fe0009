import folium
import folium.plugins
import pytest
from branca.element import MacroElement, Template

from lib.render import vendor
from lib.render.vendor import use_local_assets

LOCAL_LEAFLET_JS = "/app/static/vendor/leaflet/leaflet.js"
LOCAL_LEAFLET_CSS = "/app/static/vendor/leaflet/leaflet.css"
LOCAL_JQUERY = "/app/static/vendor/jquery/jquery.min.js"

POINTS = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"name": "Library", "category": "library"},
            "geometry": {"type": "Point", "coordinates": [-0.1, 51.5]},
        }
    ],
}


@pytest.fixture
def local_copies(tmp_path, monkeypatch):
    """A static/ folder holding what `make assets` installs."""
    for relative_path in vendor.LOCAL_COPIES.values():
        (tmp_path / relative_path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative_path).write_text("/* stand-in */")
    monkeypatch.setattr(vendor, "STATIC_DIR", tmp_path)


@pytest.fixture
def no_local_copies(tmp_path, monkeypatch):
    monkeypatch.setattr(vendor, "STATIC_DIR", tmp_path)


def site_map() -> folium.Map:
    """The kind of map the app draws: circle markers, tooltip, layer control, HTML legend."""
    m = folium.Map(location=[51.5, -0.1], zoom_start=10, tiles=None, prefer_canvas=True)
    folium.GeoJson(
        POINTS,
        name="Libraries",
        marker=folium.CircleMarker(radius=5, fill=True),
        tooltip=folium.GeoJsonTooltip(fields=["name"]),
    ).add_to(m)
    folium.LayerControl().add_to(m)
    legend = MacroElement()
    legend._template = Template(
        "{% macro html(this, kwargs) %}<div class='legend'>Libraries</div>{% endmacro %}"
    )
    m.get_root().add_child(legend)
    return m


def asset_urls(m: folium.Map) -> tuple[list[str], list[str]]:
    """The script and stylesheet URLs st_folium would load for `m`."""
    js, css = [], []
    for element in vendor._descendants(m):
        js += [url for _, url in getattr(element, "default_js", [])]
        css += [url for _, url in getattr(element, "default_css", [])]
    return js, css


def test_site_map_loads_only_local_leaflet(local_copies):
    js, css = asset_urls(use_local_assets(site_map()))

    assert js == [LOCAL_LEAFLET_JS]
    assert css == [LOCAL_LEAFLET_CSS]


def test_rendered_site_map_links_no_outside_host(local_copies):
    html = use_local_assets(site_map()).get_root().render()

    assert f'<script src="{LOCAL_LEAFLET_JS}">' in html
    assert f'href="{LOCAL_LEAFLET_CSS}"' in html
    assert 'src="http' not in html
    assert 'href="http' not in html


def test_leaflet_stays_on_cdn_without_local_copies(no_local_copies):
    js, css = asset_urls(use_local_assets(site_map()))

    assert js == [dict(folium.Map.default_js)["leaflet"]]
    assert css == [dict(folium.Map.default_css)["leaflet_css"]]


def test_popup_keeps_jquery_served_locally(local_copies):
    m = site_map()
    folium.CircleMarker([51.5, -0.1], popup=folium.Popup("Library")).add_to(m)

    js, _ = asset_urls(use_local_assets(m))

    assert js == [LOCAL_LEAFLET_JS, LOCAL_JQUERY]


def test_keep_in_front_keeps_jquery(local_copies):
    m = site_map()
    layer = folium.GeoJson(POINTS).add_to(m)
    m.keep_in_front(layer)

    js, _ = asset_urls(use_local_assets(m))

    assert LOCAL_JQUERY in js


def test_icon_keeps_awesome_markers(local_copies):
    m = site_map()
    folium.Marker([51.5, -0.1], icon=folium.Icon(icon="book")).add_to(m)

    js, css = asset_urls(use_local_assets(m))

    assert dict(folium.Map.default_js)["awesome_markers"] in js
    assert dict(folium.Map.default_css)["awesome_markers_css"] in css


def test_icon_on_geojson_template_marker_keeps_awesome_markers(local_copies):
    m = folium.Map(tiles=None)
    folium.GeoJson(POINTS, marker=folium.Marker(icon=folium.Icon(icon="book"))).add_to(m)

    js, _ = asset_urls(use_local_assets(m))

    assert dict(folium.Map.default_js)["awesome_markers"] in js


def test_plugin_assets_are_kept(local_copies):
    m = site_map()
    folium.plugins.Fullscreen().add_to(m)

    js, _ = asset_urls(use_local_assets(m))

    assert dict(folium.plugins.Fullscreen.default_js)["Control.Fullscreen.js"] in js


def test_other_maps_keep_folium_defaults(local_copies):
    use_local_assets(site_map())

    js, _ = asset_urls(folium.Map(tiles=None))

    assert js == [url for _, url in folium.Map.default_js]
    assert all(url.startswith("https://") for url in js)


def test_the_report_forms_map_reads_offline(local_copies):
    """'A point I click on the map' on Add to the map: Leaflet from the app, the boroughs and
    their names drawn, so with no basemap (or no internet) the map still reads."""
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import box

    from lib.render.maps import MapLayers, picker_map

    layers = MapLayers(
        boroughs=gpd.GeoDataFrame(
            {"gss_code": ["E09000012"], "name": ["Hackney"]},
            geometry=[box(-0.1, 51.5, 0.0, 51.6)],
            crs=4326,
        ),
        policy_areas=gpd.GeoDataFrame(geometry=[], crs=4326),
        sites=pd.DataFrame(),
        labels=pd.DataFrame({"lat": [51.55], "lon": [-0.05], "name": ["Hackney"]}),
    )
    m = picker_map(layers, "none", clicked=[51.55, -0.05])
    js, css = asset_urls(m)
    assert (js, css) == ([LOCAL_LEAFLET_JS], [LOCAL_LEAFLET_CSS])
    page = m.get_root().render()
    assert 'src="http' not in page and 'href="http' not in page and "tile" not in page.lower()
    assert "Hackney" in page and "#AA3377" in page
    assert "basemaps.cartocdn.com" in picker_map(layers, "light").get_root().render()
