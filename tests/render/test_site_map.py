"""The explorer's browser map (lib/render/site_map.py and site_map.js): packed layers sent
once per session, and a small view spec per run. Tiny fixtures made in code."""

import base64
import json
import re
from collections import Counter

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from lib.data import layers as data
from lib.render import maps, mapspec, site_map, symbols
from tests.render.test_explorer_map import BOROUGHS, make_sites, tiny_layers


def site_map_data(sites: gpd.GeoDataFrame):
    layers = tiny_layers(sites)
    return site_map.prepare(layers, maps.prepare(layers))


def test_site_layer_packs_every_site_as_columns():
    sites = make_sites()
    header, columns = site_map.unpack(site_map_data(sites).sites.data)
    assert header["n"] == 5 and header["id"].startswith("sites:")
    # Names travel as plain text: the browser sets them with textContent, not as HTML.
    assert columns["name"] == list(sites["name"])
    assert [header["groups"][g] for g in columns["group"]] == list(sites["category_group"])
    assert list(columns["closed"]) == [2, 0, 0, 1, 0]  # Library A was replaced: not a loss
    assert [header["cats"][c] for c in columns["cat"]] == list(sites["categories"])
    assert header["srcs"][columns["src"][1]] == "Libraries 2016; Culture map 2022"
    # Each site's history, as its tooltip says it.
    assert site_map.history_texts_of(header, columns) == [
        "Closed 2012 (opened 1970), not a loss: Replaced by Library B",
        "Open in 2023",
        "Open in 2023",
        "Closed 2016 (opened 1990)",
        "Open in 2023; 2 changes of owner or merger",
    ]
    # Coordinates on a uint16 grid across the layer's box: within about a metre.
    west, south, east, north = header["bbox"]
    lon = west + columns["x"] / 65535 * (east - west)
    lat = south + columns["y"] / 65535 * (north - south)
    expected = sites.geometry.to_crs(4326)
    assert abs(lon - expected.x.to_numpy()).max() < 2e-5
    assert abs(lat - expected.y.to_numpy()).max() < 2e-5


def test_area_layers_keep_names_and_rings():
    packed = site_map_data(make_sites())
    header, columns = site_map.unpack(packed.boroughs.data)
    assert columns["name"] == ["City <of> London", "Barking"]  # text, escaped by the browser
    assert list(columns["rings"]) == [5, 5] and list(columns["parts"]) == [1, -1, 1, -1]
    assert len(header["labels"]) == 2
    policy_header, policy = site_map.unpack(packed.policies["town_centre"].data)
    assert policy["name"] == ["Bark<ing>"] and policy["classification"] == ["Major"]


def explorer_spec(packed, shown, density, label, policies, basemap, own=None, community=None):
    """The explorer's map as the page declares it, as the browser receives it."""
    spec = mapspec.MapSpec(
        (
            mapspec.Choropleth("boroughs", density.reindex(list(packed.borough_codes)), label),
            mapspec.Labels(),
            mapspec.PolicyAreas(policies),
            mapspec.SitesByStatus(shown),
            *([mapspec.Overlay("community", community)] if community else []),
            *([mapspec.Overlay("own", own)] if own else []),
        ),
        basemap=basemap,
    )
    return site_map.browser_spec(packed, spec)


def test_a_view_sends_a_mask_and_an_escaped_legend():
    sites = make_sites()
    packed = site_map_data(sites)
    density = data.sites_per_10k(sites, BOROUGHS).set_index("gss_code")["per_10k"]
    everything = explorer_spec(packed, sites, density, "All <sites>", ("town_centre",), "none")
    assert everything["sites"]["mask"] is None and everything["sites"]["shown"] == 5
    assert "Closed, a loss (1)" in everything["legend"] and "Health (1)" in everything["legend"]
    assert "Closed, not a loss (1): replaced, or a contract-end record" in everything["legend"]
    assert "Town centres" in everything["legend"]
    assert "All &lt;sites&gt;" in everything["legend"] and "<sites>" not in everything["legend"]
    (areas,) = everything["areas"]
    assert areas["label"] == "All <sites>"  # the browser sets it as text
    assert len(areas["fills"]) == 2 and everything["basemap"] is None
    assert [p["key"] for p in everything["policies"]] == ["town_centre"]
    assert everything["sites_layer"] == packed.sites.hash
    assert everything["layers"] == [
        packed.boroughs.hash,
        packed.policies["town_centre"].hash,
        packed.sites.hash,
    ]
    closed = data.filter_sites(sites, data.SiteFilter(statuses=("closed",)))
    view = explorer_spec(packed, closed, density, "All", (), "none")
    bits = np.unpackbits(
        np.frombuffer(base64.b64decode(view["sites"]["mask"]), np.uint8), bitorder="little"
    )[:5]
    assert list(bits) == [1, 0, 0, 1, 0]
    assert "Pubs" not in view["legend"] and view["policies"] == []
    assert len(json.dumps(view)) < 4000  # a view is small: no site data in it


def test_a_boroughs_map_receives_that_boroughs_sites_alone():
    sites = make_sites()
    packed = site_map_data(sites)
    barking = sites[sites["gss_code"] == "E09000002"]
    view = site_map.browser_spec(
        packed,
        mapspec.MapSpec((mapspec.SitesByStatus(barking, borough="E09000002"),), basemap="none"),
    )
    header, columns = site_map.unpack(packed.memo[("sites", "E09000002")][0].data)
    assert header["n"] == 3 and columns["name"] == list(barking["name"])
    assert view["sites_layer"] != packed.sites.hash and packed.sites.hash not in view["layers"]
    assert view["sites"]["mask"] is None and view["sites"]["shown"] == 3  # all of them
    # The explorer's sites (no borough named) keep the one layer every filter masks.
    explorer = site_map.browser_spec(
        packed, mapspec.MapSpec((mapspec.SitesByStatus(barking),), basemap="none")
    )
    assert explorer["sites_layer"] == packed.sites.hash


def test_browser_map_sets_data_as_text_and_loads_nothing_from_outside():
    script = site_map.component_js()
    # Only the legend (escaped by the server) is set as HTML; names go in with textContent.
    assert re.findall(r"\.innerHTML\s*=\s*([^;]+);", script) == ["spec.legend"]
    assert "textContent = names[k]" in script and "td.textContent = value" in script
    assert "http" not in script  # Leaflet's address comes from the server (local copy)
    urls = site_map.leaflet_urls()
    if (site_map.HERE.parents[1] / "static" / "vendor" / "leaflet" / "leaflet.js").is_file():
        assert urls["js"] == "/app/static/vendor/leaflet/leaflet.js"
    assert ".jul-legend" in site_map.component_css()


def test_own_data_travels_with_the_view_escaped():
    from lib.render import own_data
    from lib.uploads import ROW_COLUMN

    sites = make_sites()
    packed = site_map_data(sites)
    density = data.sites_per_10k(sites, BOROUGHS).set_index("gss_code")["per_10k"]
    upload = gpd.GeoDataFrame(
        {ROW_COLUMN: [2], "note": ["<b>Our hall</b>"]},
        geometry=gpd.points_from_xy([531200], [181200]),
        crs=27700,
    )
    layer = own_data.own_data_layer(upload, "halls")
    spec = explorer_spec(packed, sites, density, "All", (), "none", own=layer)
    [own] = spec["overlays"]
    assert own["id"].startswith("own:") and own["control"] == "Your own data: halls (1)"
    assert own["data"]["features"][0]["properties"]["c0"] == "&lt;b&gt;Our hall&lt;/b&gt;"
    assert "Your own data" in spec["legend"] and "halls (1)" in spec["legend"]
    assert explorer_spec(packed, sites, density, "All", (), "none")["overlays"] == []


def test_community_reports_travel_with_the_view_escaped():
    from lib.render import community

    sites = make_sites()
    packed = site_map_data(sites)
    density = data.sites_per_10k(sites, BOROUGHS).set_index("gss_code")["per_10k"]
    reports = gpd.GeoDataFrame(
        {
            "name": ["<img src=x onerror=alert(1)>"],
            "kind": ["closed"],
            "correction": [None],
            "category": ["Library"],
            "event_date": ["2024-05-01"],
            "outcome": ["confirmed"],
            "description": ["Closed in May"],
            "evidence_url": [None],
            "licence": ["CC BY 4.0"],
        },
        geometry=gpd.points_from_xy([531200], [181200]),
        crs=27700,
    )
    layer = community.site_map_layer(reports)
    spec = explorer_spec(packed, sites, density, "All", (), "none", community=layer)
    [overlay] = spec["overlays"]
    assert overlay["id"].startswith("community:") and overlay["dash"] == "3 2"
    properties = overlay["data"]["features"][0]["properties"]
    assert properties["row"] == "&lt;img src=x onerror=alert(1)&gt;"
    assert "Community-reported (1): reports by the public, moderated" in spec["legend"]
    assert community.site_map_layer(None) is None


# ---------------------------------------------------------------- the real build


@pytest.fixture(scope="module")
def built(built_gpkg):
    layers = data.load_layers(built_gpkg)
    return layers, site_map.prepare(layers, maps.prepare(layers))


@pytest.mark.integration
def test_the_builds_layers_give_back_every_history_and_hold_the_losses_a_page_can_draw(built):
    layers, packed = built
    header, columns = site_map.unpack(packed.sites.data)
    # 15,131 histories from 79 templates and their years, put back exactly.
    assert header["n"] == 15131 and len(header["states"]) == 79
    assert site_map.history_texts_of(header, columns) == data.history_texts(layers.sites)
    # The losses layer: the 717 losses less the 26 before 2000, the first window a page offers.
    losses_header, losses = site_map.unpack(packed.closed.data)
    assert losses_header["n"] == 691 and set(losses["closed"]) == {1}
    assert "Closed 2018 (opened 1985)" in site_map.history_texts_of(losses_header, losses)


@pytest.mark.integration
def test_food_banks_and_mutual_aid_groups_are_one_packed_layer(built):
    """London's 744 food banks and mutual aid groups, packed once per process in drawing order
    (the groups under the food banks, the closed ones on top): a view carries a mask."""
    layers, packed = built
    header, columns = site_map.unpack(packed.voluntary.data)
    assert header["n"] == 744 and header["id"].startswith("voluntary:")
    styles = header["styles"]
    count = Counter(columns["style"].tolist())
    by_fill = {
        (styles[s]["fill"], styles[s]["weight"] > 2): n for s, n in count.items()
    }  # (colour, ringed as closed)
    assert by_fill == {
        (symbols.MUTUAL_AID_COLOUR, False): 657,
        (symbols.NETWORK_COLOURS["Trussell Trust"], False): 40,
        (symbols.NETWORK_COLOURS["IFAN"], False): 25,
        (symbols.NETWORK_COLOURS["IFAN"], True): 1,
        (symbols.NETWORK_COLOURS["Independent"], False): 20,
        (symbols.NETWORK_COLOURS["Independent"], True): 1,
    }
    assert list(columns["style"]) == sorted(columns["style"])  # drawn in style order
    # A closed food bank's tooltip, as the browser builds it from the codes.
    k = columns["name"].index("King's Cross")
    tip = {
        label: header["values"][c][columns[c][k]] if c in header["values"] else columns[c][k]
        for label, c in zip(header["labels"], header["tips"], strict=True)
    }
    assert tip == {
        "": "King's Cross",
        "What": "Food bank",
        "Network": "Independent",
        "Status": "closed",
        "Ward": "Clerkenwell",
        "Recorded": "Give Food, about 2022-23",
        "Licence": "Give Food terms (attribution)",
    }
    assert len(packed.voluntary.data) < 40_000  # 146,163 bytes of JSON in every view before
    # London's map: all of it, no mask. Hackney's 35 without naming the borough: London's
    # layer masked; naming it (the borough profile): Hackney's own layer, packed on first use.
    points = layers.voluntary_points
    hackney = points[points["gss_code"] == "E09000012"]
    for layer, shown, own in (
        (mapspec.VoluntaryPoints(points), 744, False),
        (mapspec.VoluntaryPoints(hackney), 35, False),
        (mapspec.VoluntaryPoints(hackney, "E09000012"), 35, True),
    ):
        view = site_map.browser_spec(packed, mapspec.MapSpec((layer,), basemap="none"))
        assert view["voluntary"]["shown"] == shown
        assert view["layers"] == [view["voluntary"]["layer"]]
        assert (view["voluntary"]["layer"] != packed.voluntary.hash) == own
        bits = view["voluntary"]["mask"]
        if shown == 744 or own:
            assert bits is None
        else:
            decoded = np.unpackbits(np.frombuffer(base64.b64decode(bits), np.uint8))
            assert decoded.sum() == 35
        assert len(json.dumps(view["voluntary"])) < 250
    header, columns = site_map.unpack(packed.memo[("voluntary", "E09000012")][0].data)
    assert header["n"] == 35 and sorted(columns["name"]) == sorted(hackney["name"])


@pytest.mark.integration
def test_a_boroughs_ward_map_receives_that_boroughs_wards_alone(built):
    """The borough profile fills its own wards: Hackney's 21, packed on first use, not
    London's 634 (148,059 bytes); a map filling or outlining wards elsewhere too gets them all."""
    layers, packed = built
    wards = layers.wards.set_index("ward_code")
    hackney = wards.index[wards["gss_code"] == "E09000012"]
    islington = wards.index[wards["gss_code"] == "E09000019"]
    fill = mapspec.Choropleth("wards", pd.Series(1.0, index=hackney), "Open sites")
    for layers_, own in (
        ((mapspec.Boundaries("boroughs", ("E09000012",)), fill), True),
        ((fill, mapspec.Boundaries("wards", (islington[0],))), False),
        ((mapspec.Choropleth("wards", pd.Series(1.0, index=wards.index), "All"),), False),
    ):
        spec = mapspec.MapSpec(layers_, basemap="none")
        view = site_map.browser_spec(packed, spec)
        (area,) = [a for a in view["areas"] if a["fills"] is not None]
        header, columns = site_map.unpack(
            next(x for x in packed.layers_for(spec) if x.hash == area["layer"]).data
        )
        assert (area["layer"] != packed.wards.hash) == own
        assert len(area["fills"]) == header["n"] == (21 if own else 634)
        assert sum(f is not None for f in area["fills"]) == 21 or not own
    hackneys_wards = packed.memo[("wards", "E09000012")][0]
    header, columns = site_map.unpack(hackneys_wards.data)
    assert sorted(columns["name"]) == sorted(wards.loc[hackney, "name"])
    assert set(columns["borough"]) == {"Hackney"} and len(header["labels"]) == 21
    assert len(hackneys_wards.data) < 8_000 and len(packed.wards.data) > 140_000
