"""The map spec (lib/render/mapspec.py): legend rows and credits derived from its layers, and
the one classifier (lib/render/symbols.py). Tiny frames made here, then the real build."""

import pandas as pd
import pytest

from lib.data import layers as data
from lib.render import symbols
from lib.render.legend import LegendSection
from lib.render.mapspec import (
    Boundaries,
    Choropleth,
    Labels,
    MapSpec,
    Overlay,
    PolicyAreas,
    SitesBySide,
    SitesByStatus,
    VoluntaryPoints,
    policy_counts,
)
from lib.render.own_data import OwnDataLayer
from lib.vocab.categories import GROUP_COLOURS, RECORDING_CATEGORIES


def sites_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "status": ["open", "open", "closed", "closed", "open", "community_run"],
            "lost": [False, False, True, False, False, False],
            "category_group": [
                "Health",
                "Pubs",
                "Health",
                "Community & libraries",
                "Health",
                "Community & libraries",
            ],
            "sources": [
                "pharmacies_2025",
                "cim_2022",
                "epraccur_2019",
                "libraries_2016",
                "dental_2016",
                "libraries_2023",
            ],
        },
        index=[10, 11, 12, 13, 14, 15],
    )


def test_sites_by_status_legend_counts_open_groups_losses_and_other_closures():
    (open_, lost, not_lost) = SitesByStatus(sites_frame()).legend()
    assert open_ == LegendSection(
        "Sites (open)",
        "dot",
        (
            (GROUP_COLOURS["Community & libraries"], "Community & libraries (1)"),
            (GROUP_COLOURS["Health"], "Health (2)"),
            (GROUP_COLOURS["Pubs"], "Pubs (1)"),
        ),
    )
    assert lost.rows == (("#ffffff", "Closed, a loss (1), filled with the group's colour"),)
    assert lost.kind == "ring"
    assert not_lost == LegendSection(
        "",
        "hollow",
        (
            (
                symbols.NOT_LOST_COLOUR,
                "Closed, not a loss (1): replaced, or a contract-end record",
            ),
        ),
    )


def test_credits_name_every_source_the_sites_shown_rest_on():
    spec = MapSpec(
        (Choropleth("boroughs", pd.Series({"A": 1.0}), "x"), SitesByStatus(sites_frame()))
    )
    keys = spec.source_keys()
    # The boroughs' shapes and population, then each site's sources (postcodes place the
    # NHS sites and the 2023 libraries).
    assert keys[:2] == ["boroughs", "borough_population"]
    assert {"pharmacies", "dental", "gp_practices", "postcodes", "libraries_2023", "cim"} <= set(
        keys
    )
    text = " ".join(spec.attributions())
    assert "NHS England" in text and "Royal Mail" in text
    # No pharmacy or dental practice shown: neither credited.
    health_free = MapSpec((SitesByStatus(sites_frame().iloc[[1, 3]]),))
    assert "NHS England" not in " ".join(health_free.attributions())
    assert "Royal Mail" not in " ".join(health_free.attributions())


def test_basemap_is_credited_only_when_chosen():
    plain = MapSpec((Boundaries(),))
    tiles = MapSpec((Boundaries(),), basemap="light")
    assert not any("CARTO" in line for line in plain.attributions())
    assert tiles.attributions()[-1] == "Basemap © OpenStreetMap contributors © CARTO"
    assert "CARTO" in tiles.credits() and "CARTO" not in plain.credits()
    with pytest.raises(ValueError):
        MapSpec((), basemap="satellite")


def test_legend_order_is_the_houses_whatever_the_drawing_order():
    point = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [0, 51.5]}}
    own = OwnDataLayer({"type": "FeatureCollection", "features": [point] * 3}, "My <file>", 3)
    spec = MapSpec(
        (
            Choropleth("boroughs", pd.Series({"A": 1.0, "B": 2.0}), "Density"),
            Labels(),
            PolicyAreas(("town_centre", "caz")),
            SitesByStatus(sites_frame()),
            Overlay("community", own),
            Overlay("own", own, sources=("postcodes",)),
            Boundaries(),  # the choropleth fills the boroughs: no "Borough boundaries" row
        )
    )
    titles = [s.title for s in spec.legend()]
    assert titles == [
        "Your own data",
        "Community-reported",
        "Density",
        "Sites (open)",
        "Closed sites",
        "",
        "London Plan",
    ]
    plan = spec.legend()[-1]
    assert plan.kind == "line" and [label for _, label in plan.rows] == [
        "Town centres",
        "Central Activities Zone",
    ]
    assert spec.legend()[0].rows == ((symbols.OWN_DATA_COLOUR, "My <file> (3)"),)
    assert "postcodes" in spec.source_keys()
    assert "town_centres" in spec.source_keys() and "caz" in spec.source_keys()


def test_sites_by_side_legend_and_note_from_what_the_analysis_decided():
    sites = sites_frame().iloc[[0, 2, 3]].assign(inside=[True, False, False])
    layer = SitesBySide(sites, "town_centre:Major", ("Library", "GP practice"), 2010)
    spec = MapSpec(
        (
            Boundaries(),
            PolicyAreas(("town_centre:Major",), style="subject", counts=(35,)),
            layer,
        )
    )
    legend = spec.legend()
    assert [s.title for s in legend] == [
        "Lost libraries and GP practices since 2010",
        "",
        "London Plan",
        "",
    ]
    assert legend[0].rows == ((symbols.INSIDE_COLOUR, "Inside Major town centres (1)"),)
    assert legend[1].rows == ((symbols.OUTSIDE_COLOUR, "Elsewhere (2)"),)
    assert legend[2].kind == "swatch"
    assert legend[2].rows == (
        (symbols.tint("#6a3d9a", symbols.SUBJECT_TINT), "Major town centres (35 areas)"),
    )
    assert legend[3].rows == ((symbols.BOUNDARY_COLOUR, "Borough boundaries"),)
    assert list(layer.inside) == [10] and list(layer.outside) == [12, 13]
    assert spec.legend_note().startswith("Losses from 2010 to each source's end: libraries")
    assert spec.legend_note().endswith(".")
    with pytest.raises(KeyError):
        PolicyAreas(("town_centre:Huge",))


def test_voluntary_points_legend_and_sources():
    points = pd.DataFrame(
        {
            "kind": ["food_bank", "food_bank", "food_bank", "mutual_aid"],
            "network": ["Trussell Trust", "IFAN", "IFAN", None],
            "status": ["open", "open", "closed", "open"],
        }
    )
    banks, closed, groups = VoluntaryPoints(points).legend()
    assert banks.rows == (
        (symbols.NETWORK_COLOURS["Trussell Trust"], "Food bank, Trussell Trust (1)"),
        (symbols.NETWORK_COLOURS["IFAN"], "Food bank, IFAN (1)"),
    )
    assert closed.rows == (("#ffffff", "Food bank, closed (1)"),)
    assert groups.rows[0][1] == "Mutual aid group 2020 (1; CC BY-NC-SA, non-commercial)"
    assert VoluntaryPoints(points).source_keys() == ("food_banks", "mutual_aid")
    assert VoluntaryPoints(points.iloc[:3]).source_keys() == ("food_banks",)


def test_classify_quantile_counts_and_diverging():
    values = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, None])
    classes = symbols.classify(values)
    assert len(classes.fills) == 7 and classes.fills[-1] == symbols.NO_DATA_COLOUR
    assert classes.rows[-1] == (symbols.NO_DATA_COLOUR, "No data")
    assert classes.rows[0] == (symbols.RAMP[0], "1.0 – 2.0")  # the lowest class is the lightest
    assert classes.rows[-2] == (symbols.RAMP[-1], "5.0 – 6.0")
    assert classes.fills[0] == symbols.RAMP[0] and classes.fills[5] == symbols.RAMP[-1]
    # Few whole numbers: each its own class.
    counts = symbols.classify(pd.Series([0, 1, 1, 2]), "counts", "{:,.0f}")
    assert [label for _, label in counts.rows] == ["0", "1", "2"]
    # A % change: equal classes either side of 0, orange below.
    change = symbols.classify(pd.Series([-30.0, 0.0, 12.0, None]), "diverging", "{}%")
    assert [label for _, label in change.rows] == [
        "−30 to −20%",
        "No change",
        "+10 to +20%",
        "No data",
    ]
    assert change.fills == (
        symbols.PUOR[1],
        symbols.NO_CHANGE_COLOUR,
        symbols.PUOR[5],
        symbols.NO_DATA_COLOUR,
    )
    with pytest.raises(ValueError):
        symbols.classify(values, "jenks")


def test_tint_mixes_over_paper():
    assert symbols.tint("#000000", 0.5) == "#808080"
    assert symbols.tint("#6a3d9a", 1.0) == "#6a3d9a"


# ---------------------------------------------------------------- the real build


@pytest.fixture(scope="module")
def layers(built_gpkg) -> data.Layers:
    return data.load_layers(built_gpkg)


def test_explorer_spec_on_the_build_credits_the_nhs_and_royal_mail(layers):
    """The explorer's default view shows every pharmacy and dental practice: its attribution
    names NHS England ODS and Royal Mail (Code-Point Open places them)."""
    sites = layers.sites
    assert int(sites["category"].eq("Pharmacy").sum()) == 2005
    assert int(sites["category"].eq("Dental practice").sum()) == 1518
    spec = MapSpec(
        (
            Choropleth(
                "boroughs",
                pd.Series(1.0, index=layers.boroughs["gss_code"]),
                "Open sites per 10,000 residents",
            ),
            Labels(),
            PolicyAreas(("town_centre",)),
            SitesByStatus(sites),
        )
    )
    text = " ".join(spec.attributions())
    assert "NHS England" in text and "Royal Mail" in text
    assert "NHS England ODS (OGL)" in spec.credits()
    _, open_, lost, not_lost, plan = spec.legend()
    assert open_.rows[1] == (GROUP_COLOURS["Health"], "Health (4,161)")
    assert lost.rows[0][1].startswith("Closed, a loss (717)")
    assert not_lost.rows[0][1].startswith("Closed, not a loss (132)")
    assert plan.rows == (("#6a3d9a", "Town centres"),)
    # Hackney alone: still pharmacies and dental practices, so still credited.
    hackney = MapSpec((SitesByStatus(sites[sites["gss_code"].eq("E09000012")]),))
    assert "Royal Mail" in " ".join(hackney.attributions())


def test_policy_counts_on_the_build(layers):
    counts = policy_counts(layers.policy_areas, ["regeneration_area", "town_centre:Major"])
    assert counts == (32, 36)


def test_losses_spec_counts_equal_the_analysis(layers):
    """The analysis decides which losses count inside, once; the spec draws what it was
    given: its legend's counts are the table's closures inside and elsewhere."""
    from lib.analysis import losses

    choices = losses.Choices(start=2010)
    table = losses.comparisons(
        layers.sites, layers.policy_areas, "regeneration_area", RECORDING_CATEGORIES, choices
    )
    sides = table.attrs["sides"]
    total = table.iloc[-1]
    layer = SitesBySide(
        layers.sites.loc[sides.index].assign(inside=sides),
        "regeneration_area",
        RECORDING_CATEGORIES,
        2010,
    )
    assert (len(layer.inside), len(layer.outside)) == (total["closed_in"], total["closed_out"])
    assert (len(layer.inside), len(layer.inside) + len(layer.outside)) == (97, 514)
    first, second = layer.legend()
    assert first.rows[0][1] == f"Inside Areas for Regeneration ({total['closed_in']:,})"
    assert second.rows[0][1] == f"Elsewhere ({total['closed_out']:,})"
    # The same sides as computed on their own.
    alone = losses.closure_sides(
        layers.sites, "regeneration_area", RECORDING_CATEGORIES, choices, layers.policy_areas
    )
    assert alone.equals(sides)
    spec = MapSpec((Boundaries(), PolicyAreas(("regeneration_area",), "subject", (32,)), layer))
    text = " ".join(spec.attributions())
    assert "NHS England" in text and "Greater London Authority" in text
