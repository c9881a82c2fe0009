"""Site filters, borough density and the explorer's folium map, on tiny fixtures made here."""

import io
import json
import re

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from lib.data import layers as data
from lib.render import html_map, maps, mapspec, symbols, tables
from lib.vocab.categories import GROUP_COLOURS

BOROUGHS = gpd.GeoDataFrame(
    {
        "gss_code": ["E09000001", "E09000002"],
        "name": ["City <of> London", "Barking"],
        "population": [10_000, 200_000],
    },
    geometry=[box(530000, 180000, 532000, 182000), box(544000, 183000, 548000, 187000)],
    crs=27700,
)


def make_sites() -> gpd.GeoDataFrame:
    rows = [
        # name, category, group, categories, status, closed_year, gss
        ("Library A", "Library", "Community & libraries", "Library", "closed", 2012, "E09000001"),
        ("Library B", "Library", "Community & libraries", "Library", "open", None, "E09000001"),
        ("Crown & <Anchor>", "Pub", "Pubs", "Pub; Music venue", "open", None, "E09000002"),
        ("Surgery C", "GP practice", "Health", "GP practice", "closed", 2016, "E09000002"),
        ("Surgery D", "GP practice", "Health", "GP practice", "open", None, "E09000002"),
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "name",
            "category",
            "category_group",
            "categories",
            "status",
            "closed_year",
            "gss_code",
        ],
    )
    frame["closed_year"] = frame["closed_year"].astype("Int64")
    frame["opened_year"] = pd.array([1970, None, None, 1990, None], dtype="Int64")
    # Library A was closed and replaced (not a loss); Surgery C was lost; Surgery D changed hands.
    frame["lost"] = [False, False, False, True, False]
    frame["closure_note"] = ["Replaced by Library B", "", "", "", ""]
    frame["on_record_since"] = pd.NA
    frame["status_as_of"] = "2023"
    frame["community_run_year"] = pd.array([None] * 5, dtype="Int64")
    frame["changes"] = [0, 0, 0, 0, 2]
    frame["sources"] = [
        "libraries_2016",
        "libraries_2016; cim_2022",
        "cim_2022",
        "epraccur_2019",
        "epraccur_2019",
    ]
    frame["site_id"] = [f"t-{i}" for i in range(len(frame))]
    frame["licence"] = "Open Government Licence v3.0"
    frame["ward_code"], frame["lsoa_code"] = "E05000001", "E01000001"
    for flag in [
        "in_town_centre",
        "in_caz",
        "in_opportunity_area",
        "in_sil",
        "in_creative_enterprise_zone",
        "in_regen_area",
    ]:
        frame[flag] = False
    frame.loc[3, "in_sil"] = True
    frame["dist_town_centre_m"] = 100.0
    points = [
        Point(531000, 181000),
        Point(531500, 181500),
        Point(545000, 184000),
        Point(546000, 185000),
        Point(547000, 186000),
    ]
    return gpd.GeoDataFrame(frame, geometry=points, crs=27700)


def names(frame) -> list[str]:
    return sorted(frame["name"])


def test_empty_filter_keeps_everything():
    assert len(data.filter_sites(make_sites(), data.SiteFilter())) == 5


def test_category_matches_any_of_a_merged_sites_categories():
    sites = make_sites()
    assert names(data.filter_sites(sites, data.SiteFilter(categories=("Music venue",)))) == [
        "Crown & <Anchor>"
    ]


def test_filters_combine():
    sites = make_sites()
    chosen = data.SiteFilter(
        groups=("Health", "Community & libraries"), statuses=("closed",), boroughs=("E09000002",)
    )
    assert names(data.filter_sites(sites, chosen)) == ["Surgery C"]


def test_closure_year_range_restricts_closed_sites_only():
    sites = make_sites()
    shown = data.filter_sites(sites, data.SiteFilter(closed_from=2013, closed_to=2020))
    assert "Library A" not in names(shown)  # closed 2012
    assert {"Surgery C", "Library B", "Surgery D", "Crown & <Anchor>"} == set(shown["name"])


def test_sites_per_10k_counts_open_sites_and_keeps_empty_boroughs():
    sites = make_sites()
    table = data.sites_per_10k(sites[sites["category_group"] == "Health"], BOROUGHS)
    by_code = table.set_index("gss_code")
    assert by_code.loc["E09000001", "sites"] == 0
    assert by_code.loc["E09000002", "sites"] == 1  # the closed surgery is not counted
    assert by_code.loc["E09000002", "per_10k"] == pytest.approx(0.05)


def test_sites_table_and_geojson_carry_the_filtered_rows():
    sites = make_sites()
    table = data.sites_table(sites, {"E09000001": "City", "E09000002": "Barking"})
    assert list(table["borough"]) == ["City", "City", "Barking", "Barking", "Barking"]
    assert (
        table.loc[1, "source"] == "DCMS libraries list 2016; GLA Cultural Infrastructure Map 2022"
    )
    collection = json.loads(data.sites_geojson(sites, {}))
    assert len(collection["features"]) == 5
    lon, lat = collection["features"][0]["geometry"]["coordinates"]
    assert -0.2 < lon < 0.0 and 51.4 < lat < 51.6  # WGS84, not BNG
    assert collection["features"][0]["properties"]["closed_year"] == 2012


def test_downloads_name_their_filter_and_carry_lost_and_every_policy_flag():
    sites = make_sites()
    names = {"E09000001": "City of London", "E09000002": "Barking and Dagenham"}
    chosen = data.SiteFilter(groups=("Health",), statuses=("closed",), boroughs=("E09000002",))
    assert (
        chosen.file_name(names, "csv")
        == "joined-up-london-sites-health-closed-barking-and-dagenham.csv"
    )
    assert data.SiteFilter().file_name(names, "geojson") == "joined-up-london-sites-all.geojson"
    assert (
        data.SiteFilter(statuses=("community_run",), closed_from=2010).file_name(names, "csv")
        == "joined-up-london-sites-community-run-closed-2010.csv"
    )
    shown = data.filter_sites(sites, chosen)
    selection = chosen.describe(names) + " (http://localhost:8501/?group=Health)"
    table = pd.read_csv(
        io.BytesIO(tables.csv_bytes(data.sites_download(data.sites_table(shown, names), selection)))
    )
    assert list(table["name"]) == ["Surgery C"]
    row = table.iloc[0]
    assert (row["lost"], row["in_sil"], row["in_creative_enterprise_zone"]) == (True, True, False)
    assert row["filter"] == (
        "Health · closed · in Barking and Dagenham (http://localhost:8501/?group=Health)"
    )
    collection = json.loads(data.sites_geojson(shown, names, selection, "the-name"))
    assert (collection["name"], collection["description"]) == ("the-name", selection)
    assert collection["features"][0]["properties"]["in_sil"] is True


def tiny_layers(sites: gpd.GeoDataFrame) -> data.Layers:
    """The boroughs, one town centre (a name to escape) and the sites given."""
    policy_areas = gpd.GeoDataFrame(
        {
            "policy": ["town_centre"],
            "name": ["Bark<ing>"],
            "classification": ["Major"],
            "borough": ["Barking"],
        },
        geometry=[box(544500, 183500, 545500, 184500)],
        crs=27700,
    )
    return data.Layers(
        boroughs=BOROUGHS,
        wards=None,
        lsoas=None,
        policy_areas=policy_areas,
        sites=sites,
        voluntary_points=None,
        voluntary_wards=None,
        grants_by_year=None,
        pubs_by_borough=None,
        build_report=None,
    )


def explorer_html(sites: gpd.GeoDataFrame, policies=("town_centre",), basemap="none") -> str:
    map_layers = maps.prepare(tiny_layers(sites))
    density = data.sites_per_10k(sites, BOROUGHS).set_index("gss_code")["per_10k"]
    spec = mapspec.MapSpec(
        (
            mapspec.Choropleth("boroughs", density, "All: open sites per 10,000"),
            mapspec.Labels(),
            mapspec.PolicyAreas(policies),
            mapspec.SitesByStatus(sites),
        ),
        basemap=basemap,
    )
    return html_map.standalone_html(spec, map_layers, "The <explorer>").decode()


# The explorer's map as a download (lib/render/html_map.py): the page's spec drawn by folium.


def test_explorer_map_has_one_canvas_layer_per_group_and_a_legend():
    rendered = explorer_html(make_sites())
    assert "preferCanvas" in rendered and '"preferCanvas": true' in rendered
    # Open: Community, Health, Pubs; then closures not lost, then losses on top.
    assert rendered.count("_pointToLayer(feature, latlng)") == 5
    assert "L.circleMarker" in rendered or "new L.CircleMarker" in rendered
    assert "L.marker(" not in rendered.split("jul-label")[0]  # no Marker per site
    assert "jul-legend" in rendered and "Closed, a loss (1)" in rendered
    assert "Health (1)" in rendered and "Town centres" in rendered
    assert "<title>The &lt;explorer&gt;</title>" in rendered


def as_in_script(text: str) -> str:
    """How folium's tojson writes a string inside the page's script."""
    encoded = json.dumps(text)[1:-1]
    return encoded.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def test_explorer_map_escapes_names_from_data():
    rendered = explorer_html(make_sites())
    # The browser sets tooltips and labels as innerHTML: names arrive HTML-escaped.
    for name in ["Crown &amp; &lt;Anchor&gt;", "City &lt;of&gt; London", "Bark&lt;ing&gt;"]:
        assert as_in_script(name) in rendered
    for raw in ["Crown & <Anchor>", "City <of> London", "Bark<ing>"]:
        assert raw not in rendered and as_in_script(raw) not in rendered


def test_explorer_map_credits_the_layers_and_loads_nothing():
    rendered = explorer_html(make_sites())
    assert as_in_script("ONS/OS © Crown copyright (OGL)") in rendered
    assert as_in_script("GLA (OGL), OS © Crown copyright") in rendered
    # The full statements under the map.
    assert "Contains National Statistics data" in rendered.split('class="jul-credits"')[1]
    # Leaflet inlined: no script, stylesheet or image fetched from anywhere.
    assert re.findall(r"<script[^>]+src=|<link[^>]+href=|url\(images/", rendered) == []
    inline = re.search(r"<script>(.*?)</script>", rendered, re.S)
    assert inline and len(inline.group(1)) > 100_000  # Leaflet itself
    assert ".leaflet-container" in rendered and "data:image/png;base64," in rendered


def test_explorer_map_with_no_basemap_has_no_tile_layer():
    rendered = explorer_html(make_sites())
    assert "L.tileLayer" not in rendered and "cartocdn" not in rendered
    assert maps.NO_BASEMAP_BACKGROUND in rendered
    # Tiles only when the user chose a basemap, credited under the map.
    with_tiles = explorer_html(make_sites(), basemap="light")
    assert "L.tileLayer" in with_tiles and "basemaps.cartocdn.com" in with_tiles
    assert "Basemap © OpenStreetMap contributors © CARTO" in with_tiles


def test_closed_sites_are_styled_apart():
    rendered = explorer_html(make_sites())
    assert f'"color": "{symbols.CLOSED_COLOUR}"' in rendered
    assert f'"color": "{symbols.NOT_LOST_COLOUR}"' in rendered  # replaced: a grey ring
    assert '"radius": 5' in rendered  # closed: larger rings
    assert f'"fillColor": "{GROUP_COLOURS["Health"]}"' in rendered


def test_tooltips_carry_status_and_years():
    rendered = explorer_html(make_sites())
    assert as_in_script("Closed 2012 (opened 1970)") in rendered  # Library A
    assert '"state":"Open in 2023"' in rendered  # the date the source knew it open
    assert '"Status"' in rendered and '"Source"' in rendered
