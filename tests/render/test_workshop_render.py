"""The workshop wall's map pieces and the join QR code, made locally."""

from __future__ import annotations

import io

import geopandas as gpd
import pandas as pd
from PIL import Image
from shapely.geometry import box

from lib.render import vendor
from lib.render.maps import MapLayers
from lib.render.workshop import placed, qr_png, wall_map, wall_points


def tiny_layers() -> MapLayers:
    boroughs = gpd.GeoDataFrame(
        {"gss_code": ["E09000012"], "name": ["Hackney"]},
        geometry=[box(-0.1, 51.53, -0.02, 51.58)],
        crs=4326,
    )
    labels = pd.DataFrame({"name": ["Hackney"], "lon": [-0.06], "lat": [51.55]})
    return MapLayers(boroughs, boroughs.iloc[0:0], pd.DataFrame(), labels)


ROWS = pd.DataFrame(
    {
        "kind": ["closed", "area_need", "missing"],
        "name": ['<img src=x onerror="alert(1)">', "A youth club", "Mare Street hall"],
        "x": [534762.0, None, 534900.0],
        "y": [184723.0, None, 184800.0],
    }
)


def test_the_qr_code_is_a_png_made_here():
    data = qr_png("http://192.168.1.20:8501/join?session=K7M2QX")
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.size[0] == image.size[1] >= 200


def test_area_needs_are_counted_not_mapped():
    assert list(placed(ROWS)["name"]) == ['<img src=x onerror="alert(1)">', "Mare Street hall"]


def test_the_points_are_escaped_and_coloured_by_kind():
    group = wall_points(ROWS)
    layer = next(iter(group._children.values()))
    features = layer.data["features"]
    assert len(features) == 2
    assert features[0]["properties"]["name"] == "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"
    assert features[0]["properties"]["colour"] == "#EE6677"
    lon, lat = features[0]["geometry"]["coordinates"]
    assert -0.07 < lon < -0.04 and 51.53 < lat < 51.56  # E8 1DY, Hackney


def test_no_report_no_layer():
    assert not wall_points(ROWS.iloc[0:0])._children


def test_the_wall_map_has_no_basemap_and_local_leaflet(monkeypatch, tmp_path):
    for relative in vendor.LOCAL_COPIES.values():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("/* stand-in */")
    monkeypatch.setattr(vendor, "STATIC_DIR", tmp_path)
    html = wall_map(tiny_layers()).get_root().render()
    assert "tile.openstreetmap" not in html and "basemaps.cartocdn" not in html
    assert "/app/static/vendor/leaflet/leaflet.js" in html
    assert "cdn.jsdelivr.net/npm/leaflet" not in html
    assert "Reports from the room" in html and "Not public until a moderator" in html
