"""The workshop wall's map as a MapSpec on the real build (its reports by kind, escaped, its
legend derived, a refresh that changes only the reports) and the join QR code, made locally."""

from __future__ import annotations

import io
import json
import re

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from PIL import Image
from shapely.geometry import Point

from lib.data.layers import load_layers, load_postcodes
from lib.render import card_maps, html_map, maps, mapspec, page_specs, site_map, symbols
from lib.render.legend import LegendSection
from lib.render.workshop import placed, qr_png, report_points
from lib.vocab import contributions as vocab
from lib.vocab import sources

pytestmark = pytest.mark.integration
HACKNEY = "E09000012"
LAMBETH = "E09000022"
EVIL = '<img src=x onerror="alert(1)">'
# Store rows as lib.store.workshop.session_contributions returns them: E8 1DY, an area need
# (a ward's, no point) and SE1 7PB, placed as the build's postcodes layer places them.
ROWS = pd.DataFrame(
    {
        "kind": ["closed", "area_need", "missing"],
        "name": [EVIL, "A youth club", "Mare Street hall"],
        "x": [534762.0, None, 530625.0],
        "y": [184723.0, None, 179850.0],
    }
)


@pytest.fixture(scope="module")
def layers(built_gpkg):
    return load_layers(built_gpkg)


@pytest.fixture(scope="module")
def map_data(layers):
    return site_map.prepare(layers, maps.prepare(layers))


def test_the_qr_code_is_a_png_made_here():
    data = qr_png("http://192.168.1.20:8501/join?session=K7M2QX")
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.size[0] == image.size[1] >= 200


def test_area_needs_are_counted_not_mapped():
    assert list(placed(ROWS)["name"]) == [EVIL, "Mare Street hall"]


def test_each_report_is_in_its_postcodes_borough(layers, built_gpkg):
    postcodes = load_postcodes(built_gpkg).loc[["E81DY", "SE17PB"]]
    assert list(postcodes["gss_code"]) == [HACKNEY, LAMBETH]
    assert list(postcodes["easting"]) == [534762, 530625]
    points = report_points(ROWS)
    assert list(points["kind"]) == ["closed", "missing"]
    boroughs = layers.boroughs.set_index("gss_code").geometry.to_crs(4326)
    for (lon, lat), code in zip(points[["lon", "lat"]].to_numpy(), [HACKNEY, LAMBETH], strict=True):
        assert boroughs[code].contains(Point(lon, lat)), code


def test_the_wall_legend_is_derived_from_its_layers():
    spec = page_specs.wall_spec(ROWS)
    reports, boundaries = spec.legend()
    assert reports == LegendSection(
        "Reports from the room",
        "edged",
        (
            ("#EE6677", "Closed"),
            ("#CCBB44", "Under threat"),
            ("#228833", "Missing from the data"),
            ("#4477AA", "Correction"),
        ),
    )
    assert boundaries.rows == ((symbols.BOUNDARY_COLOUR, "Borough boundaries"),)
    assert spec.legend_note() == (
        "Not public until a moderator approves them. Area needs are counted, not mapped."
    )
    # No report yet: the room sees every colour before the first arrives.
    assert page_specs.wall_spec(ROWS.iloc[0:0]).legend() == spec.legend()
    # The room's words are credited to no one yet: the sources are the boroughs' alone.
    assert spec.source_keys() == list(sources.LAYER_SOURCES["boroughs"])


def test_the_browser_gets_the_reports_by_kind_and_escaped(map_data):
    drawn = site_map.browser_spec(map_data, page_specs.wall_spec(ROWS), present=True)
    reports = drawn["reports"]
    kinds = [vocab.MAPPED_KINDS[k] for _, _, k in reports["points"]]
    assert kinds == ["closed", "missing"]
    assert [reports["colours"][k] for _, _, k in reports["points"]] == ["#EE6677", "#228833"]
    assert reports["tips"][0] == ["&lt;img src=x onerror=&quot;alert(1)&quot;&gt;", "Closed"]
    assert EVIL not in json.dumps(drawn) and "<img" not in json.dumps(drawn)
    lat, lon, _ = reports["points"][0]
    assert 51.53 < lat < 51.56 and -0.07 < lon < -0.04  # E8 1DY
    # No basemap: the boroughs on a pale land fill, named.
    (areas,) = drawn["areas"]
    assert areas["layer"] == map_data.boroughs.hash and areas["land"] == symbols.LAND_COLOUR
    assert drawn["labels"] == [map_data.boroughs.hash] and drawn["basemap"] is None
    assert "Reports from the room" in drawn["legend"] and "counted, not mapped" in drawn["legend"]
    street = site_map.browser_spec(map_data, page_specs.wall_spec(ROWS, "light"))
    assert street["areas"][0]["land"] is None and street["basemap"]["url"]


def test_a_refresh_sends_only_the_reports_anew(map_data):
    """A report arriving changes the reports and nothing else: the packed boroughs (sent
    once, then a reference) and the rest of the spec stay identical, so the browser keeps
    its map, frame and legend and redraws the points."""
    before = page_specs.wall_spec(ROWS.iloc[:1])
    after = page_specs.wall_spec(ROWS)
    assert map_data.layers_for(before) == map_data.layers_for(after) == [map_data.boroughs]
    first = site_map.browser_spec(map_data, before, present=True)
    second = site_map.browser_spec(map_data, after, present=True)
    assert len(first["reports"]["points"]) == 1 and len(second["reports"]["points"]) == 2
    assert {k: v for k, v in first.items() if k != "reports"} == {
        k: v for k, v in second.items() if k != "reports"
    }
    assert first["view"] is None and first["bounds"] == second["bounds"]


def test_the_download_and_a_card_draw_the_reports_too(layers, map_data):
    """Every renderer of the spec draws the Reports layer (none drops it silently)."""
    spec = page_specs.wall_spec(ROWS)
    page = html_map.standalone_map(spec, maps.prepare(layers)).get_root().render()
    # JSON's \uXXXX escapes undone: what the page's JavaScript sees.
    page = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), page)
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page and EVIL not in page
    assert "#EE6677" in page and "#228833" in page
    fig, ax = plt.subplots()
    try:
        ax.set_xlim(500000, 565000)
        ax.set_ylim(155000, 205000)
        card_maps.draw_spec(ax, layers, spec)
        fills = {
            to_hex(c).upper()
            for collection in ax.collections
            for c in collection.get_facecolors()
            if collection.get_offsets().shape[0] == 2
        }
    finally:
        plt.close(fig)
    assert {"#EE6677", "#228833"} <= fills
    assert isinstance(spec.first(mapspec.Reports), mapspec.Reports)
