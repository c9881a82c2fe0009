"""The needs page's maps as MapSpecs on the real build: their legends, tooltips and sources, the
browser's view of them, the card drawn from the same spec, and the classifier and ward shapes
they needed."""

import numpy as np
import pandas as pd
import pytest

from lib.analysis import access, needs
from lib.data.layers import load_layers, load_postcodes
from lib.render import cards, maps, mapspec, needs_maps, site_map, symbols
from lib.render.card_layout import Headline

pytestmark = pytest.mark.integration
LEWISHAM = "E09000023"


@pytest.fixture(scope="module")
def layers(built_gpkg):
    return load_layers(built_gpkg)


@pytest.fixture(scope="module")
def measured(layers, built_gpkg):
    return access.compute_access(layers, load_postcodes(built_gpkg))


@pytest.fixture(scope="module")
def result(layers, measured):
    shares = access.ward_shares(measured)
    indicators = needs.ward_indicators(
        layers.wards, layers.lsoas, layers.sites, layers.voluntary_wards, shares
    )
    catalogue = needs.indicator_catalogue(shares, layers.sites)
    return needs.defined_need(needs.domain_scores(indicators)), catalogue


@pytest.fixture(scope="module")
def map_data(layers):
    return site_map.prepare(layers, maps.prepare(layers))


def test_needs_map_marks_the_areas_of_defined_need(result, map_data):
    defined, catalogue = result
    spec = needs_maps.needs_map(defined, needs_maps.sources_of(catalogue), LEWISHAM)
    rows = [label for section in spec.legend() for _, label in section.rows]
    assert "Area of defined need, stable (80)" in rows
    assert "Area of defined need, depends on the weights (47)" in rows
    # Its credits name what the indicators rest on: IMD, charities, grants, postcodes.
    assert {"imd", "charities", "grants", "postcodes"} <= set(spec.source_keys())
    drawn = site_map.browser_spec(map_data, spec)
    (wards,) = [a for a in drawn["areas"] if a["fills"] is not None]
    # One ward layer, its fill and both outlines: 80 solid, 47 dashed, none twice.
    assert len(wards["focus"]) == 80 and len(wards["focus_dashed"]) == 47
    assert not set(wards["focus"]) & set(wards["focus_dashed"])
    first = map_data.ward_codes.index(defined.sort_values("rank").iloc[0]["ward_code"])
    assert wards["notes"][first].startswith("rank 1 of 634; area of defined need, stable")


def test_access_map_lost_libraries_and_their_tooltips(layers, measured, result):
    _, catalogue = result
    wards = access.walking_access(measured, "Library", by="ward")
    lost = access.lost_facilities(measured, "Library")
    spec = needs_maps.access_map(
        wards, lost, needs_maps.sources_of(catalogue, ["access_library"]), LEWISHAM
    )
    rows = [label for section in spec.legend() for _, label in section.rows]
    assert "Libraries lost since 2010 (20)" in rows
    # Most wards lost nobody: 0 is a class of its own, not one "0+" class for every ward.
    assert rows[0] == "0" and len(spec.first(mapspec.Choropleth).classes.rows) == 6
    (overlay,) = spec.of(mapspec.Overlay)
    points = [f["properties"] for f in overlay.layer.features["features"]]
    (east_street,) = [p for p in points if p["c0"] == "East Street Library"]
    # (Camberwell Library at its old building in 2010: 161 more had East Street nearest)
    assert (east_street["c1"], east_street["c2"], east_street["c3"]) == ("2023", "28,433", "111 m")


def test_community_centres_shade_the_share_beyond_now(measured):
    wards = access.walking_access(measured, "Community centre", by="ward")
    spec = needs_maps.access_map(wards, access.lost_facilities(measured, "Community centre"), ())
    assert not spec.of(mapspec.Overlay)
    assert spec.legend()[0].title.startswith("% of residents beyond 800 m of a community centre")


def test_the_card_draws_the_screens_legend(layers, result):
    """The evidence pack's map is the screen's: the card takes the spec's legend."""
    defined, catalogue = result
    spec = needs_maps.needs_map(defined, needs_maps.sources_of(catalogue), LEWISHAM)
    figure = cards.card_from_spec(layers, spec, "Needs map", "", Headline("9", "areas"), "x")
    texts = {t.get_text() for t in figure.findobj(lambda a: hasattr(a, "get_text"))}
    screen = {label for section in spec.legend() for _, label in section.rows}
    assert screen <= texts


def test_counts_mostly_zero_keep_zero_apart():
    values = pd.Series([0] * 80 + list(range(1, 21)), dtype=float)
    rows = symbols.classify(values, "counts", "{:,.0f}").rows
    assert rows[0][1] == "0" and len(rows) > 2
    # Few values, or few zeros: as before.
    assert [r[1] for r in symbols.classify(pd.Series([0, 1, 1, 2]), "counts", "{:,.0f}").rows] == [
        "0",
        "1",
        "2",
    ]


def test_wards_are_packed_without_their_sliver_holes(layers):
    cleaned = site_map.without_slivers(layers.wards.geometry)
    holes = sum(len(p.interiors) for g in cleaned for p in getattr(g, "geoms", [g]))
    before = sum(len(p.interiors) for g in layers.wards.geometry for p in g.geoms)
    assert before > 20_000 and holes == 0
    assert np.allclose(cleaned.area, layers.wards.area, atol=1.0)  # no ward changes size
