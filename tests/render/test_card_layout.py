"""Share cards, links and map views (lib/render/card_layout.py), and the share panel's URL round trip.

Unit tests use tiny data built here; the cards and the round trip run on the real build
(`built_gpkg`, marked integration).
"""

import io
import itertools
import re
from urllib.parse import parse_qs, urlsplit

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from PIL import Image

from lib.data import layers as data
from lib.links import views
from lib.render import card_layout, card_maps, cards, legend, maps
from lib.vocab import sources
from lib.vocab.policies import POLICIES

HACKNEY = "E09000012"


# ------------------------------------------------------------------------------ links


def test_build_link_repeats_multiselect_values_and_drops_empty_ones():
    link = views.build_link(
        "http://localhost:8501",
        {"group": ["Health", "Pubs"], "status": "Closed", "category": [], "x": ""},
    )
    assert link == "http://localhost:8501/?group=Health&group=Pubs&status=Closed"
    assert views.build_link("http://h/losses", {}) == "http://h/losses"
    # Values are quoted, so a value cannot add parameters of its own.
    assert parse_qs(urlsplit(views.build_link("http://h/", {"b": "A&c=d"})).query) == {
        "b": ["A&c=d"]
    }


def test_parse_view_reads_typed_values_and_clamps_to_london():
    view, note = views.parse_view({"lat": "51.5", "lon": "-0.1", "z": "12.5"})
    assert view == views.MapView(51.5, -0.1, 12.5) and note is None
    view, note = views.parse_view({"lat": "48.85", "lon": "2.35", "z": "30"})
    assert view == views.MapView(views.LAT_RANGE[0], views.LON_RANGE[1], views.ZOOM_RANGE[1])
    assert "moved inside" in note
    assert views.parse_view({}) == (None, None)


@pytest.mark.parametrize(
    "params, says",
    [
        ({"lat": "51.5", "lon": "-0.1"}, "lacks z"),
        ({"lat": "nan", "lon": "-0.1", "z": "12"}, "(lat) is not a number"),
        ({"lat": "51.5", "lon": "1e999", "z": "12"}, "(lon) is not a number"),
        ({"lat": "51.5", "lon": "-0.1", "z": "__import__('os')"}, "(z) is not a number"),
        ({"lat": "0x33", "lon": "-0.1", "z": "12"}, "(lat) is not a number"),
    ],
)
def test_parse_view_ignores_unusable_values_with_a_note(params, says):
    view, note = views.parse_view(params)
    assert view is None and says in note


def test_view_from_map_accepts_only_a_centre_and_zoom():
    assert views.view_from_map(
        {"center": {"lat": 51.52, "lng": -0.08}, "zoom": 14, "t": 1}
    ) == views.MapView(51.52, -0.08, 14)
    for bad in [
        None,
        {},
        {"center": "x", "zoom": 3},
        {"center": {"lat": 51.5}, "zoom": 12},
        {"center": {"lat": float("nan"), "lng": 0}, "zoom": 12},
    ]:
        assert views.view_from_map(bad) is None
    assert views.MapView(51.5, -0.1, 12.25).params() == {
        "lat": "51.50000",
        "lon": "-0.10000",
        "z": "12.25",
    }


def test_parse_present():
    assert views.parse_present({"present": "1"}) and views.parse_present({"present": "true"})
    assert not views.parse_present({"present": "0"}) and not views.parse_present({})


def test_a_saved_view_opens_the_map_there_instead_of_fitting_london():
    view = views.MapView(51.54, -0.06, 14)
    page = maps.new_map("none", view=view).get_root().render()
    assert "fitBounds" not in page and "51.54" in page
    assert "fitBounds" in maps.new_map("none").get_root().render()


def test_attribution_lines_say_each_statement_once():
    lines = sources.attribution_lines(["boroughs", "gp_practices", "postcodes"])
    assert sum("National Statistics" in line for line in lines) == 1
    assert sum("Ordnance Survey" in line or "OS data" in line for line in lines) == 1
    assert any("Royal Mail" in line for line in lines)


def test_vintage_line_names_each_source_once():
    line = sources.vintage_line(["boroughs", "cim", "libraries", "postcodes", "cim"])
    assert line.startswith("Data vintage: ") and line.count("culture map") == 1
    assert "libraries: 2016 (closures 2010-2016)" in line and "postcodes" not in line.lower()


# ------------------------------------------------------------------------- the generic card


def boxes(fig, gids=None):
    """Display boxes of the figure's texts (those with one of `gids`, else all)."""
    renderer = fig.canvas.get_renderer()
    return [
        (t.get_gid(), t.get_text(), t.get_window_extent(renderer))
        for t in fig.texts
        if t.get_text().strip() and (gids is None or t.get_gid() in gids)
    ]


def assert_no_overlap_and_inside(fig):
    renderer = fig.canvas.get_renderer()
    frame = fig.bbox
    found = boxes(fig)
    for gid, text, box in found:
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 + 0.5, f"{gid} {text!r} leaves the frame"
        assert frame.y0 <= box.y0 and box.y1 <= frame.y1 + 0.5, f"{gid} {text!r} leaves the frame"
    for (g1, t1, b1), (g2, t2, b2) in itertools.combinations(found, 2):
        assert not b1.overlaps(b2), f"{g1} {t1!r} overlaps {g2} {t2!r}"
    map_box = next(ax for ax in fig.axes if ax.get_gid() == "map").get_window_extent(renderer)
    for gid, text, box in found:
        assert not map_box.overlaps(box), f"{gid} {text!r} overlaps the map"


def ax_map(fig):
    return next(a for a in fig.axes if a.get_gid() == "map")


def map_labels_apart(fig):
    """Names on the map never overlap each other."""
    renderer = fig.canvas.get_renderer()
    found = [t.get_window_extent(renderer) for t in ax_map(fig).texts if t.get_gid() == "map-label"]
    return not any(a.overlaps(b) for a, b in itertools.combinations(found, 2))


def chart_card(size, rows=4, long=False):
    word = "Category with a long name " if long else "Row "
    sections = (
        legend.LegendSection(
            "Rates", "swatch", tuple((maps.RAMP[i % 6], f"{word}{i}") for i in range(rows))
        ),
        legend.LegendSection("Sites", "dot", (("#0072B2", "Libraries (12)"),)),
        legend.LegendSection("Closed", "ring", (("#ffffff", "Closed (3)"),)),
        legend.LegendSection("London Plan", "line", (("#1f78b4", "Areas for Regeneration"),)),
    )
    text = card_layout.CardText(
        title="A chart card " * (3 if long else 1),
        subtitle="What it shows " * (12 if long else 1),
        headline=card_layout.Headline("42", "closures since 2010"),
        legend=sections,
        attribution=("Contains public sector information " * 8,),
        vintage="Data vintage: 2016.",
        link="http://localhost:8501/losses?against=Areas+for+Regeneration",
        note="A caveat.",
    )

    def draw(ax):
        ax.bar(["inside", "outside"], [0.16, 0.14], color=["#D55E00", "#0072B2"])

    return card_layout.card(text, draw, size)


@pytest.mark.parametrize("size", ["social", "print"])
@pytest.mark.parametrize("long", [False, True])
def test_a_card_lays_out_every_text_apart_inside_the_frame(size, long):
    fig = chart_card(size, rows=30 if long else 4, long=long)
    fig.axes[0].set_gid("map")
    fig.canvas.draw()
    assert_no_overlap_and_inside(fig)
    gids = {gid for gid, _, _ in boxes(fig)}
    assert {
        "title",
        "subtitle",
        "headline",
        "headline-label",
        "legend-title",
        "legend",
        "attribution",
        "vintage",
        "link",
        "note",
    } <= gids


def test_a_legend_too_long_for_the_panel_is_cut_short_and_says_so():
    fig = chart_card("social", rows=80, long=True)
    legend = [t for _, t, _ in boxes(fig, {"legend"})]
    assert any(t.startswith("… and ") for t in legend)


def test_card_sizes():
    png = card_layout.render(chart_card("social"), "social")
    assert Image.open(io.BytesIO(png)).size == (1200, 675)
    pdf = card_layout.render(chart_card("print"), "print")
    assert pdf.startswith(b"%PDF") and pdf_page_size(pdf) == (842, 595)
    assert cards.card_file_name("x", "social") == "x-1200x675.png"
    assert cards.card_file_name("x", "print") == "x-a4.pdf"


def pdf_page_size(pdf: bytes) -> tuple[int, int]:
    boxes_found = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert len(boxes_found) == 1, "one page"
    return tuple(round(float(v)) for v in boxes_found[0])


def test_card_layers_are_prepared_once_per_layers_object():
    # Two boroughs 300 m apart along 8 km, like the two banks of a river.
    boroughs = gpd.GeoDataFrame(
        {"gss_code": ["A", "B"], "name": ["North", "South"]},
        geometry=[shapely.box(0, 5300, 8000, 10000), shapely.box(0, 0, 8000, 5000)],
        crs=27700,
    )
    sites = gpd.GeoDataFrame({"status": ["open"]}, geometry=[shapely.Point(10, 10)], crs=27700)
    empty = gpd.GeoDataFrame({"policy": []}, geometry=[], crs=27700)
    layers = data.Layers(boroughs, boroughs, boroughs, empty, sites, sites, *[pd.DataFrame()] * 4)
    first = card_maps.card_layers(layers)
    assert card_maps.card_layers(layers) is first
    assert len(first.borough_paths) == 2
    # The gap between the two boroughs, inside London's closed outline, is water.
    assert len(first.water_paths) == 1 and np.isclose(first.bounds[3], 10000)
    assert 300 * 6000 < shapely.Polygon(first.water_paths[0].vertices).area < 300 * 8000


# ---------------------------------------------------------------- cards on the real data

CASES = {
    "london": (data.SiteFilter(), "All facilities", ("town_centre",), None),
    "hackney-closed-gp": (
        data.SiteFilter(groups=("Health",), statuses=("closed",), boroughs=(HACKNEY,)),
        "Health",
        ("town_centre", "regeneration_area"),
        None,
    ),
    "every-policy": (
        data.SiteFilter(groups=("Community & libraries",)),
        "Community & libraries",
        tuple(POLICIES),
        None,
    ),
    "saved-view": (data.SiteFilter(), "All facilities", ("caz",), views.MapView(51.515, -0.09, 13)),
}
LINK = "http://localhost:8501/?group=Health&status=Closed&borough=Hackney"


@pytest.fixture(scope="module")
def real_layers(built_gpkg):
    return data.load_layers(built_gpkg)


@pytest.mark.integration
@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("size", ["social", "print"])
def test_explorer_cards_on_the_real_data(real_layers, case, size):
    site_filter, density, policies, view = CASES[case]
    fig = cards.explorer_figure(real_layers, site_filter, density, policies, LINK, size, view)
    fig.canvas.draw()
    assert_no_overlap_and_inside(fig)
    assert map_labels_apart(fig)
    texts = {gid: [t for g, t, _ in boxes(fig) if g == gid] for gid, _, _ in boxes(fig)}
    assert texts["link"] == [f"Link to this view: {LINK}"]
    attribution = " ".join(texts["attribution"])
    assert "Contains National Statistics data" in attribution
    legend = " ".join(" ".join(texts["legend"] + texts["legend-title"]).split())  # unwrapped
    assert "open sites per 10,000 residents" in legend
    assert texts["vintage"][0].startswith("Data vintage:")
    shown = data.filter_sites(real_layers.sites, site_filter)
    lost = int((shown["status"].eq("closed") & shown["lost"]).sum())
    assert texts["headline"] == [f"{lost:,}" if lost else f"{len(shown):,}"]
    if case == "hackney-closed-gp":
        assert texts["title"] == ["Closed Health sites in Hackney"]
        # Closed GP practices (1), pharmacies (4) and dental practices (9) in Hackney; two
        # dental records are contract ends on 31 March, not losses.
        assert texts["headline"] == ["12"] and "Closed, a loss (12)" in legend
        assert "Closed, not a loss (2)" in legend
        assert "2 more closed but not lost" in " ".join(" ".join(texts["headline-label"]).split())
        assert "NHS Digital" in attribution and "Royal Mail" in attribution
        assert "OpenStreetMap" not in attribution  # no place of worship is shown
        assert "Areas for Regeneration" in legend
        map_labels = [t.get_text() for t in ax_map(fig).texts if t.get_gid() == "map-label"]
        assert "Hackney" in map_labels
        # Framed on Hackney: the map shows about Hackney's width, not London's.
        x0, x1 = ax_map(fig).get_xlim()
        assert x1 - x0 < 20_000
    if case == "london":
        assert texts["title"] == ["Community facilities across London, open and closed"]
        assert "Pubs (3,779)" in legend and "Closed, a loss (717)" in legend
        assert "Closed, not a loss (132)" in legend
        assert "OpenStreetMap contributors" in attribution
    if case == "every-policy":
        for label in (p.legend for p in POLICIES.values()):
            assert label in legend
    body = card_layout.render(fig, size)
    if size == "social":
        image = Image.open(io.BytesIO(body)).convert("RGB")
        assert image.size == (1200, 675)
        colours = len(np.unique(np.asarray(image).reshape(-1, 3), axis=0))
        assert colours > 200, f"only {colours} colours: a blank card?"
        # The map's box is not one flat colour.
        map_pixels = np.asarray(image)[120:520, 40:680]
        assert map_pixels.reshape(-1, 3).std(axis=0).mean() > 20
    else:
        assert body.startswith(b"%PDF") and pdf_page_size(body) == (842, 595)


# ------------------------------------------------------------------ URL round trip (AppTest)


def metrics(at):
    return {m.label: m.value for m in at.metric}


def share_link(at) -> str:
    return next(c.value for c in at.code if c.value.startswith("http"))


@pytest.mark.integration
def test_a_shared_link_reopens_the_same_view(app, new_app):
    for key, value in {
        "group": ["Health", "Community & libraries"],
        "status": "Closed",
        "borough": "Hackney",
        "closed": ["2014", "2019"],
        "policy": ["Town centres", "Areas for Regeneration"],
        "basemap": "No basemap",
        "lat": "51.545",
        "lon": "-0.055",
        "z": "13.5",
    }.items():
        app.query_params[key] = value
    first = app.run()
    assert not first.exception and not first.error
    link = share_link(first)
    query = parse_qs(urlsplit(link).query)
    assert query["group"] == ["Health", "Community & libraries"]
    assert query["lat"] == ["51.545"] and query["z"] == ["13.5"]

    second = new_app()
    for key, values in query.items():
        second.query_params[key] = values if len(values) > 1 else values[0]
    second.run()
    assert not second.exception
    assert metrics(second) == metrics(first)
    assert second.multiselect(key="group").value == first.multiselect(key="group").value
    assert second.slider(key="closed").value == first.slider(key="closed").value
    pd.testing.assert_frame_equal(second.dataframe[0].value, first.dataframe[0].value)
    assert share_link(second) == link
    # The share buttons are there; the card is drawn only when one is clicked.
    labels = [b.label for b in second.get("download_button")]
    assert {
        "Download image (PNG)",
        "Download PDF (A4)",
        "Download the whole dataset (GeoPackage, for QGIS)",
    } <= set(labels)


@pytest.mark.integration
def test_a_bad_map_position_in_the_link_is_ignored_with_a_note(app):
    app.query_params["lat"] = "not-a-number"
    app.query_params["lon"] = "-0.1"
    app.query_params["z"] = "12"
    at = app.run()
    assert not at.exception
    assert any("not a number" in c.value for c in at.caption)
    assert "lat=" in share_link(at)  # the link keeps what the browser has


@pytest.mark.integration
def test_presentation_mode_from_the_link(app):
    app.query_params["present"] = "1"
    app.query_params["basemap"] = "No basemap"
    at = app.run()
    assert not at.exception
    assert at.toggle(key="present_toggle").value is True
    # 849 closed: 131 were not losses (17 libraries replaced, 8 museums merged, 106 dental
    # contract ends on 31 March).
    assert metrics(at) == {
        "closed and lost, of 15,131 facilities shown; 132 more closed but not lost": "717"
    }
    assert [t.value for t in at.title][0] == "Community facilities across London, open and closed"
    assert not at.dataframe  # no table: the map fills the screen
    at.button(key="present_exit").click().run()
    assert at.toggle(key="present_toggle").value is False
    assert "present" not in at.query_params
    assert "Sites shown" in metrics(at)
