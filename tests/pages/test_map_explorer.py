"""AppTest runs of the map explorer and data pages on the real build."""

import json
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")
pytestmark = pytest.mark.integration


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_explorer_shows_every_site_by_default(app):
    at = app.run()
    assert not at.exception and not at.error
    assert metrics(at) == {
        "Sites shown": "15,131",
        "Of which lost": "717",  # 849 closed, 132 of them not losses
        "Boroughs": "33 of 33",
    }


def test_explorer_credits_every_source_it_shows(app):
    """The explorer shows pharmacies and dental practices: its attribution, derived from its
    map spec, names NHS England ODS and Royal Mail (Code-Point Open places them)."""
    at = app.run()
    credits = " ".join(c.value for c in at.caption)
    assert "NHS England" in credits and "Royal Mail" in credits
    (element,) = [
        e for e in at.get("bidi_component") if e.proto.component_name == "joined_up_london.site_map"
    ]
    spec = json.loads(element.proto.json)
    assert "NHS England ODS (OGL)" in spec["attribution"]
    assert "Town centres" in spec["legend"] and "Closed, a loss (717)" in spec["legend"]


def test_explorer_credits_only_what_it_shows(app):
    """Brent's community centres and libraries, the boroughs shaded by them too: no pharmacy or
    dental practice, so no NHS credit."""
    app.query_params["group"] = "Community & libraries"
    app.query_params["density"] = "Community & libraries"
    app.query_params["borough"] = "Brent"
    at = app.run()
    assert metrics(at)["Sites shown"] == "33"
    credits = " ".join(c.value for c in at.caption)
    assert "NHS England" not in credits and "(DCMS / Arts Council England)" in credits


def test_explorer_view_comes_from_the_url(app):
    app.query_params["group"] = "Community & libraries"
    app.query_params["status"] = "Closed"
    app.query_params["borough"] = "Brent"
    at = app.run()
    assert not at.exception
    assert at.multiselect(key="group").value == ["Community & libraries"]
    assert at.radio(key="status").value == "Closed"
    # Brent's closed libraries (Kensal Rise is community-run since 2019, not closed).
    assert metrics(at)["Sites shown"] == "3"
    table = at.dataframe[0].value
    assert set(table["borough"]) == {"Brent"} and set(table["status"]) == {"closed"}
    assert set(table["name"]) == {"Neasden", "Tokyngton", "Town Hall"}


@pytest.mark.parametrize(
    ("status", "shown"),
    [("Open", "14,266"), ("Closed", "849"), ("Community-run", "16"), ("community-run", "16")],
)
def test_the_status_filter_adds_up_to_all(app, status, shown):
    """Open + Closed + Community-run = All (15,131): no site falls between the choices."""
    app.query_params["status"] = status
    at = app.run()
    assert not at.exception and not at.warning
    assert metrics(at)["Sites shown"] == shown


def test_explorer_closure_years_filter_closed_sites(app):
    app.query_params["status"] = "Closed"
    app.query_params["closed"] = ["2014", "2016"]
    at = app.run()
    table = at.dataframe[0].value
    assert table["closed_year"].between(2014, 2016).all()
    assert metrics(at)["Sites shown"] == f"{len(table):,}"


def test_explorer_with_no_match_says_so(app):
    app.query_params["category"] = "Skate park"
    app.query_params["status"] = "Closed"
    at = app.run()
    assert not at.exception
    assert metrics(at)["Sites shown"] == "0"
    assert any("No site matches" in i.value for i in at.info)


def test_missing_data_says_how_to_build_it(tmp_path, monkeypatch):
    monkeypatch.setenv("JOINED_UP_GPKG", str(tmp_path / "absent.gpkg"))
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "make data" in at.error[0].value
    assert any("GEODATA_SOURCE" in md.value for md in at.markdown)
    st.cache_resource.clear()


def test_data_sources_lists_inputs_and_the_build_report(app):
    at = app.run()
    at.switch_page("pages/sources.py").run()
    assert not at.exception
    catalogue, report = at.dataframe[0].value, at.dataframe[1].value
    assert "Cultural Infrastructure Map (14 categories)" in set(catalogue["Input"])
    assert any("only 27 of the London Plan's 47" in md.value for md in at.expander[0].markdown)
    assert "COVID-19 mutual aid groups" in set(catalogue["Input"])
    gp = report[report["source"] == "gp_practices"].iloc[0]
    assert gp["rows_out"] == 1454 and "48 dormant" in gp["note"]


def _attribution(at: AppTest) -> str:
    return next(c.value for c in at.caption if "Contains" in c.value and " · " in c.value)


def test_the_explorers_attribution_names_every_source_of_the_sites_it_shows(app):
    """The licences of the 2,005 pharmacies and 1,518 dental practices it shows (NHS England
    ODS) and of the postcodes that place them (Royal Mail) ask to be named where shown."""
    from lib.data import layers as data
    from lib.vocab import sources

    at = app.run()
    sites = data.load_layers().sites
    caption = _attribution(at)
    keys = sources.site_source_keys(sites)
    assert {"pharmacies", "dental", "postcodes", "gp_practices", "cim", "worship"} <= set(keys)
    # (a statement the boroughs' credits already make is given once: attribution_lines)
    for line in sources.attribution_lines(["boroughs", *keys]):
        assert line in caption, line
    assert "(NHS England, Organisation Data Service)" in caption
    assert "Contains Royal Mail data" in caption


@pytest.mark.parametrize(
    ("density", "nhs"), [("All facilities", True), ("Community & libraries", False)]
)
def test_a_filtered_explorer_names_the_sources_of_what_it_still_shows(app, density, nhs):
    # Brent's closed libraries: the library lists for the sites; for the shading, the
    # sources of the open sites it counts (every group's, or only the chosen group's).
    app.query_params["group"] = "Community & libraries"
    app.query_params["status"] = "Closed"
    app.query_params["borough"] = "Brent"
    app.query_params["density"] = density
    at = app.run()
    assert at.selectbox(key="density").value == density
    caption = _attribution(at)
    assert "(DCMS" in caption
    assert ("(NHS England, Organisation Data Service)" in caption) is nhs
