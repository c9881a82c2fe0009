"""The loss pages' maps, charts and display tables (lib/render/loss_maps.py) on tiny fixtures."""

import base64
import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from lib.analysis import losses, pub_trends
from lib.data import layers as data
from lib.render import (
    charts,
    html_map,
    loss_maps,
    maps,
    mapspec,
    page_specs,
    site_map,
    symbols,
    tables,
)
from lib.vocab.categories import RECORDING_CATEGORIES, categories_text
from lib.vocab.policies import POLICIES

BOROUGHS = gpd.GeoDataFrame(
    {
        "gss_code": ["E09000001", "E09000002"],
        "name": ["City <of> London", "Barking & Dagenham"],
        "population": [10_000, 200_000],
    },
    geometry=[box(530000, 180000, 532000, 182000), box(544000, 183000, 548000, 187000)],
    crs=27700,
)
POLICY_AREAS = gpd.GeoDataFrame(
    {
        "policy": ["regeneration_area", "town_centre", "town_centre"],
        "name": ["Regen <one>", "Bark<ing>", "Big centre"],
        "classification": ["LSOAs", "Major", "Metropolitan"],
        "borough": ["Barking"] * 3,
    },
    geometry=[
        box(544000, 183000, 546000, 185000),
        box(544500, 183500, 545500, 184500),
        box(530000, 180000, 530500, 180500),
    ],
    crs=27700,
)


def make_sites() -> gpd.GeoDataFrame:
    rows = [
        # name, category, group, status, closed_year, sources, in_regen, town centre class
        (
            "Library <A>",
            "Library",
            "Community & libraries",
            "closed",
            2012,
            "libraries_2016",
            True,
            None,
        ),
        (
            "Library B",
            "Library",
            "Community & libraries",
            "open",
            None,
            "libraries_2016",
            True,
            None,
        ),
        ("Surgery & Co", "GP practice", "Health", "closed", 2016, "epraccur_2019", False, "Major"),
        ("Surgery D", "GP practice", "Health", "open", None, "epraccur_2019", False, None),
        (
            "Old Museum",
            "Museum or public gallery",
            "Culture & heritage",
            "closed",
            2005,
            "mapping_museums",
            False,
            None,
        ),
        # Known only from the culture map: no source records whether it closed.
        (
            "Map-only library",
            "Library",
            "Community & libraries",
            "closed",
            2015,
            "cim_2022",
            True,
            None,
        ),
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "name",
            "category",
            "category_group",
            "status",
            "closed_year",
            "sources",
            "in_regen_area",
            "town_centre_class",
        ],
    )
    frame["categories"] = frame["category"]
    frame["closed_year"] = frame["closed_year"].astype("Int64")
    frame["opened_year"] = pd.array([None] * len(frame), dtype="Int64")
    frame["lost"] = frame["status"].eq("closed")
    frame["closure_note"] = ""
    frame["on_record_since"] = pd.NA
    frame["status_as_of"] = "2023"
    frame["community_run_year"] = pd.array([None] * len(frame), dtype="Int64")
    frame["changes"] = 0
    frame["site_id"] = [f"t-{i}" for i in range(len(frame))]
    frame["gss_code"] = [
        "E09000002",
        "E09000002",
        "E09000002",
        "E09000001",
        "E09000001",
        "E09000002",
    ]
    frame["in_town_centre"] = frame["town_centre_class"].notna()
    for flag in ["in_caz", "in_opportunity_area", "in_sil", "in_creative_enterprise_zone"]:
        frame[flag] = False
    frame["dist_town_centre_m"] = [100.0, 500.0, 0.0, 900.0, 2000.0, 100.0]
    points = [
        Point(545000, 184000),
        Point(545200, 184200),
        Point(545100, 184100),
        Point(531000, 181000),
        Point(531500, 181500),
        Point(545300, 184300),
    ]
    return gpd.GeoDataFrame(frame, geometry=points, crs=27700)


@pytest.fixture(scope="module")
def sites() -> gpd.GeoDataFrame:
    return make_sites()


@pytest.fixture(scope="module")
def tiny_layers(sites) -> data.Layers:
    return data.Layers(
        boroughs=BOROUGHS,
        wards=None,
        lsoas=None,
        policy_areas=POLICY_AREAS,
        sites=sites,
        voluntary_points=None,
        voluntary_wards=None,
        grants_by_year=None,
        pubs_by_borough=None,
        build_report=None,
    )


@pytest.fixture(scope="module")
def map_layers(tiny_layers) -> maps.MapLayers:
    return maps.prepare(tiny_layers)


def as_in_script(text: str) -> str:
    """How folium's tojson writes a string inside the page's script."""
    encoded = json.dumps(text)[1:-1]
    return encoded.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def losses_spec(
    sites,
    tiny_layers,
    policy="regeneration_area",
    categories=RECORDING_CATEGORIES,
    basemap="none",
    start=2010,
) -> mapspec.MapSpec:
    """The page's losses map, as it declares it, from the analysis' sides."""
    choices = losses.Choices(start=start)
    sides = losses.comparisons(sites, POLICY_AREAS, policy, categories, choices).attrs["sides"]
    categories = tuple(c for c in RECORDING_CATEGORIES if c in categories)
    return mapspec.MapSpec(
        (
            mapspec.Boundaries(),
            mapspec.PolicyAreas(
                (policy,), "subject", mapspec.policy_counts(POLICY_AREAS, [policy])
            ),
            mapspec.Labels(),
            mapspec.SitesBySide(
                sites.loc[sides.index].assign(inside=sides), policy, categories, start
            ),
        ),
        basemap=basemap,
    )


def losses_browser(sites, tiny_layers, map_layers, **kwargs) -> dict:
    data_ = site_map.prepare(tiny_layers, map_layers)
    return site_map.browser_spec(data_, losses_spec(sites, tiny_layers, **kwargs))


# ---------------------------------------------------------------- losses map


def test_closed_sides_match_the_closure_table(sites):
    inside, outside = loss_maps.closed_sides(sites, "regeneration_area")
    assert list(sites.loc[inside, "name"]) == ["Library <A>"]
    # The closure table's own sides: the same.
    table_sides = losses.comparisons(sites, POLICY_AREAS, "regeneration_area").attrs["sides"]
    assert list(table_sides.index[table_sides]) == list(inside)
    assert sorted(sites.loc[outside, "name"]) == ["Surgery & Co"]  # the museum closed in 2005
    table = losses.closure_table(sites, "regeneration_area").set_index("category")
    assert table.loc[losses.ALL_RECORDED, "closed_in"] == len(inside)
    assert table.loc[losses.ALL_RECORDED, "closed_out"] == len(outside)
    # From 2000 the 2005 closure counts.
    _, outside = loss_maps.closed_sides(sites, "regeneration_area", start=2000)
    assert sorted(sites.loc[outside, "name"]) == ["Old Museum", "Surgery & Co"]
    # Categories narrow it; a town-centre class selects by class.
    inside, outside = loss_maps.closed_sides(sites, "town_centre:Major", ("GP practice",))
    assert list(sites.loc[inside, "name"]) == ["Surgery & Co"] and len(outside) == 0


def sides_of(spec: dict, sites) -> tuple[list[str], list[str]]:
    """The names inside and elsewhere, from the masks over the losses layer they index."""
    closed = site_map.map_losses(sites)

    def names(mask):
        bits = np.unpackbits(np.frombuffer(base64.b64decode(mask), np.uint8), bitorder="little")
        return sorted(closed["name"].iloc[np.flatnonzero(bits[: len(closed)])])

    return names(spec["sites"]["inside"]), names(spec["sites"]["outside"])


def test_the_losses_map_sends_the_losses_alone(sites, tiny_layers, map_layers):
    """A first visit to the losses page receives the losses, not every site (nor the
    closures that were not losses: Library A was replaced)."""
    data_ = site_map.prepare(tiny_layers, map_layers)
    spec = site_map.browser_spec(data_, losses_spec(sites, tiny_layers, start=2000))
    closures = site_map.unpack(data_.closed.data)[0]
    assert closures["n"] == len(site_map.map_losses(sites)) == 4 < len(sites)
    assert spec["sites_layer"] == data_.closed.hash
    assert data_.closed.hash in spec["layers"] and data_.sites.hash not in spec["layers"]


def test_losses_map_draws_inside_filled_and_elsewhere_hollow(sites, tiny_layers, map_layers):
    spec = losses_browser(sites, tiny_layers, map_layers, start=2000)
    assert sides_of(spec, sites) == (["Library <A>"], ["Old Museum", "Surgery & Co"])
    drawn = spec["sites"]
    assert drawn["style"] == "side" and drawn["shown"] == 3
    assert drawn["in"]["fill"] == loss_maps.INSIDE_COLOUR and drawn["in"]["alpha"] == 0.95
    assert drawn["out"]["stroke"] == loss_maps.OUTSIDE_COLOUR and drawn["out"]["fill"] == "#ffffff"
    assert drawn["where"] == ["Inside Areas for Regeneration", "Elsewhere"]


def test_losses_map_legend_explains_the_markers_and_the_policy(sites, tiny_layers, map_layers):
    legend = losses_browser(sites, tiny_layers, map_layers)["legend"]
    assert (
        "Lost libraries, GP practices, museums, pharmacies and dental practices since 2010"
        in legend
    )
    assert "Inside Areas for Regeneration (1)" in legend
    assert "Elsewhere (1)" in legend
    assert "Losses from 2010 to each source" in legend and "libraries 2010-2023" in legend
    assert "Areas for Regeneration (1 area)" in legend and "Borough boundaries" in legend
    # Inside: filled and ringed dark; elsewhere: a hollow ring (shape carries it, not colour).
    assert f'class="edged" style="background:{loss_maps.INSIDE_COLOUR}"' in legend
    assert f'class="hollow" style="border-color:{loss_maps.OUTSIDE_COLOUR}"' in legend


def test_losses_map_leaves_out_sites_no_source_records_and_other_categories(
    sites, tiny_layers, map_layers
):
    spec = losses_browser(sites, tiny_layers, map_layers, categories=("Library",))
    assert sides_of(spec, sites) == (["Library <A>"], [])
    assert "Lost libraries" in spec["legend"] and "Elsewhere (0)" in spec["legend"]


def test_losses_map_shows_only_the_chosen_town_centre_class(sites, tiny_layers, map_layers):
    spec = losses_browser(sites, tiny_layers, map_layers, policy="town_centre:Metropolitan")
    (policy,) = spec["policies"]
    assert policy["classification"] == "Metropolitan"  # the browser draws that class alone
    assert policy["label"] == "Metropolitan town centres"
    assert policy["colour"] == POLICIES["town_centre"].colour and policy["dash"] is None
    assert "Metropolitan town centres (1 area)" in spec["legend"]


def test_losses_map_credits_its_layers(sites, tiny_layers, map_layers):
    spec = losses_browser(sites, tiny_layers, map_layers)
    assert "ONS/OS © Crown copyright (OGL)" in spec["attribution"]
    assert "DCMS/Libraries Hacked" in spec["attribution"]  # the library lost
    assert "Leaflet" not in spec["attribution"] and spec["basemap"] is None


def test_land_is_filled_only_without_a_basemap(sites, tiny_layers, map_layers):
    (outline,) = losses_browser(sites, tiny_layers, map_layers)["areas"]
    assert outline["fills"] is None and outline["land"] == maps.LAND_COLOUR
    with_tiles = losses_browser(sites, tiny_layers, map_layers, basemap="light")
    assert with_tiles["areas"][0]["land"] is None and "cartocdn" in with_tiles["basemap"]["url"]


def test_diverging_classes_centre_on_zero():
    classes = symbols.classify(pd.Series([-57.1, -45.0, -5.0, 0.0, 19.4, None]), "diverging", "{}%")
    colours, rows = list(classes.fills), classes.rows
    # Step 15: -57.1 in -60..-45, -45 in -45..-30 (lower edge), -5 in -15..0.
    assert colours == [
        symbols.PUOR[0],
        symbols.PUOR[1],
        symbols.PUOR[3],
        symbols.NO_CHANGE_COLOUR,
        symbols.PUOR[5],
        symbols.NO_DATA_COLOUR,
    ]
    assert [label for _, label in rows] == [
        "\u221260 to \u221245%",
        "\u221245 to \u221230%",
        "\u221215 to 0%",
        "No change",
        "+15 to +30%",
        "No data",
    ]


def test_diverging_classes_pick_a_step_that_fits():
    classes = symbols.classify(pd.Series([-3.0, 1.0]), "diverging", "{}%")
    colours, rows = list(classes.fills), classes.rows
    assert [label for _, label in rows] == ["\u22123 to \u22122%", "0 to +1%"]  # step 1
    assert colours == [symbols.PUOR[1], symbols.PUOR[4]]


def pubs_change() -> pd.DataFrame:
    pubs = pd.DataFrame(
        {
            "gss_code": ["E09000001", "E09000001", "E09000002", "E09000002"],
            "year": [2001, 2018, 2001, 2018],
            "pubs": [200, 160, 45, 20],
        }
    )
    return pub_trends.pubs_change(pubs, BOROUGHS)


def pubs_browser(tiny_layers, map_layers, gss_code=None) -> dict:
    """The over-time page's map as the browser receives it (page_specs.pubs_spec)."""
    data_ = site_map.prepare(tiny_layers, map_layers)
    return site_map.browser_spec(data_, page_specs.pubs_spec(pubs_change(), gss_code))


def test_pubs_map_shades_outlines_the_borough_and_escapes(tiny_layers, map_layers):
    spec = pubs_browser(tiny_layers, map_layers, "E09000002")
    (fill,) = spec["areas"]  # the choropleth, carrying the chosen borough's heavy outline
    codes = list(map_layers.boroughs["gss_code"])
    assert dict(zip(codes, fill["fills"], strict=True)) == {
        "E09000001": symbols.PUOR[2],  # -20%
        "E09000002": symbols.PUOR[0],  # -55.6%
    }
    assert fill["values"][codes.index("E09000002")] == "-55.6%"
    assert fill["focus"] == [codes.index("E09000002")] and "land" not in fill
    legend = spec["legend"]
    assert "Pubs and bars, % change 2001-2018" in legend and "\u221260 to \u221245%" in legend
    assert "Barking &amp; Dagenham" in legend and "Barking & Dagenham" not in legend
    assert "ONS (OGL)" in spec["attribution"]


def test_pubs_map_without_a_borough_outlines_none(tiny_layers, map_layers):
    (fill,) = pubs_browser(tiny_layers, map_layers)["areas"]
    assert fill["focus"] == []


# ---------------------------------------------------------------- display tables and charts


def test_rates_display_formats_rates_ratios_and_counts(sites):
    table = losses.closure_table(sites, "regeneration_area")
    shown = tables.rates_display(table).set_index("Category")
    assert list(shown.index) == [*RECORDING_CATEGORIES, losses.ALL_RECORDED]
    library = shown.loc["Library"]
    # Library <A> closed mid-2012 (2.5 site-years), Library B open 2010-2023 (14).
    assert library["Inside: losses / site-years"] == "1 / 16"
    assert library["Per 100 site-years inside (95% CI)"].startswith("6.06 (")
    assert shown.loc["GP practice", "Per 100 site-years inside (95% CI)"] == "\u2013"
    total = shown.loc[losses.ALL_RECORDED]
    # GP practices from July 2013: Surgery & Co to mid-2016 (3 years), Surgery D 6.
    assert total["Elsewhere: losses / site-years"] == "1 / 9"
    assert total["Per 100 site-years elsewhere (95% CI)"].startswith("11.11 (")
    assert total["p (Holm)"] == total["p (mid-p exact)"]  # the row alone is the family


def test_formatting_helpers():
    assert tables.pct(0.16113) == "16.1%" and tables.pct(float("nan")) == "\u2013"
    assert tables.rate_with_interval(0.161, 0.128, 0.2008) == "16.1% (12.8\u201320.1)"
    assert tables.ratio_with_interval(1.2151, 0.9424, 1.5667) == "1.22 (0.94\u20131.57)"
    assert tables.p_value(0.0004) == "<0.001" and tables.p_value(0.1426) == "0.143"
    assert categories_text(("GP practice", "Library")) == "libraries and GP practices"
    assert categories_text(RECORDING_CATEGORIES) == (
        "libraries, GP practices, museums, pharmacies and dental practices"
    )
    assert tables.ratio_interval(0.35, float("inf")) == "0.35\u2013\u221e"


def test_rates_chart_has_both_sides_with_intervals_in_colour_blind_pair(sites):
    table = losses.closure_table(sites, "regeneration_area")
    spec = charts.rates_chart(table, "regeneration_area")
    values = spec["data"]["values"]
    assert len(values) == 2 * len(table)
    first = values[0]
    assert first["side"] == "Inside Areas for Regeneration" and first["label"] == "6.06"
    assert {"lo", "hi", "closed", "years"} <= set(first)
    assert spec["encoding"]["color"]["scale"]["range"] == [
        loss_maps.INSIDE_COLOUR,
        loss_maps.OUTSIDE_COLOUR,
    ]
    json.dumps(spec, allow_nan=False)  # NaN (no sites on a side) is sent as null


def test_closures_by_year_table_chart_and_undated_sentence(sites):
    table = losses.closures_by_year(sites)
    wide = tables.closures_by_year_wide(table)
    assert list(wide.columns) == [
        "Year",
        "Libraries",
        "GP practices",
        "Museums",
        "Pharmacies",
        "Dental",
        "Total",
    ]
    assert wide["Total"].sum() == table["closures"].sum() == 3
    spec = charts.closures_by_year_chart(table)
    # One row per category, its recording window shaded behind its bars, on one year axis.
    rows = spec["vconcat"]
    assert [r["title"]["text"] for r in rows] == [
        "Libraries: closures recorded 2010-2023 (shaded)",
        "GP practices: closures recorded 2013-2019 (shaded)",
        "Museums: closures recorded 1945-2021 (shaded)",
        "Pharmacies: closures recorded 2004-2025 (shaded)",
        "Dental: closures recorded 2006-2016 (shaded)",
    ]
    window, bars = rows[0]["layer"]
    assert bars["encoding"]["x"]["scale"]["domain"] == [1944.5, 2025.5]
    shaded = [r for r in spec["data"]["values"] if r["kind"] == "window"]
    assert {(r["category"], r["start"], r["end"]) for r in shaded} == {
        ("Library", 2009.5, 2023.5),
        ("GP practice", 2012.5, 2019.5),
        ("Museum or public gallery", 1944.5, 2021.5),
        ("Pharmacy", 2003.5, 2025.5),
        ("Dental practice", 2005.5, 2016.5),
    }
    assert window["mark"]["type"] == "rect" and "y" not in window["encoding"]
    assert tables.undated_sentence({"Library": 1}) == (
        "1 closed library has no recorded closure year, so it is not in the chart."
    )
    assert tables.undated_sentence({"Library": 2, "GP practice": 1}, "Brent") == (
        "2 closed libraries and 1 closed GP practice in Brent have no recorded closure year, "
        "so they are not in the chart."
    )
    assert tables.undated_sentence({}) == ""


def test_pubs_display_puts_london_first():
    shown = tables.pubs_display(pubs_change())
    assert list(shown["Borough"]) == [
        "London (sum of boroughs)",
        "Barking & Dagenham",
        "City <of> London",
    ]
    london = shown.iloc[0]
    assert (london["Pubs 2001"], london["Pubs 2018"], london["Change"]) == (245, 180, -65)
    assert london["% change"] == pytest.approx(-26.5)


def test_an_undated_closure_is_counted_in_the_singular(sites):
    undated = sites.copy()
    undated.loc[undated["name"] == "Library <A>", "closed_year"] = pd.NA
    table = losses.closures_by_year(undated)
    assert table.attrs["undated"] == {"Library": 1}
    assert (
        "1 closed library has no closure year and is not shown by year." in (table.attrs["caveats"])
    )


def test_pubs_download_outlines_the_borough_over_the_fill(map_layers):
    """The HTML download draws the screen's spec: the choropleth, then only the chosen
    borough's outline over it (no land colour covering the fill)."""
    spec = page_specs.pubs_spec(pubs_change(), "E09000002")
    page = html_map.standalone_html(spec, map_layers, "Pubs").decode()
    assert symbols.PUOR[0] in page and symbols.PUOR[2] in page  # both boroughs' fills
    assert f'"fill": true, "fillColor": "{symbols.LAND_COLOUR}"' not in page
    assert f'"color": "{symbols.FOCUS_COLOUR}"' in page and '"weight": 3' in page
