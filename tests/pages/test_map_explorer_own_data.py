"""AppTest runs of 'Your own data': the uploader on the map explorer, and the questions,
messages, summary and downloads it leads to (the uploader itself cannot be driven by AppTest,
so the reading half is run through lib.ui.own_data.answer, as the uploader calls it)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from lib.ui.own_data import plain
from tests.uploads.files import csv_bytes, zip_bomb_bytes

pytestmark = pytest.mark.integration


def own_data_page(name: str, data: bytes) -> None:
    import streamlit as st

    from lib.ui import own_data

    with st.sidebar:
        own = own_data.answer(name, data, "test-file")
    own_data.report(own)


@pytest.fixture
def own_app(built_gpkg, monkeypatch):
    monkeypatch.setenv("JOINED_UP_GPKG", str(built_gpkg))

    def make(name: str, data: bytes) -> AppTest:
        return AppTest.from_function(own_data_page, args=(name, data), default_timeout=120)

    return make


def test_the_map_explorer_offers_an_uploader(app):
    at = app.run()
    assert not at.exception
    assert "Your own data" in [h.value for h in at.sidebar.header]
    assert len(at.sidebar.get("file_uploader")) == 1


def test_a_csv_is_summarised_with_downloads(own_app):
    data = csv_bytes(
        "name,latitude,longitude\nTrafalgar Square,51.50809,-0.12804\n"
        "Brixton,51.4624,-0.1147\nParis,48.85661,2.35222\n"
    )
    at = own_app("places.csv", data).run()
    assert not at.exception
    assert [e.value for e in at.error] == [plain("Row 4: outside London (dropped).")]
    assert "2 of your features are on the map" in at.sidebar.caption[0].value
    policies, boroughs = at.dataframe[0].value, at.dataframe[1].value
    caz = policies.set_index("London Plan area").loc["Central Activities Zone"]
    assert (caz["Your features"], caz["% of yours"], caz["% of London's land"]) == (1, 50.0, 1.9)
    assert list(boroughs["Borough"][:2]) == ["Lambeth", "Westminster"]
    assert len(at.get("download_button")) == 2


def test_a_file_without_a_crs_is_asked_about_before_it_is_drawn(own_app):
    at = own_app("grid.csv", csv_bytes("name,x,y\nA,530000,180430\n")).run()
    assert not at.exception
    question = at.sidebar.radio[0]
    assert question.value is None  # nothing is guessed
    assert not at.dataframe
    assert [e.value for e in at.error] == [
        plain("The columns x and y do not say which coordinate system they use: choose one.")
    ]
    at = question.set_value("EPSG:27700").run()
    assert not at.error and len(at.dataframe) == 2


def test_a_zip_bomb_gets_its_message_and_nothing_else(own_app):
    at = own_app("bomb.zip", zip_bomb_bytes(20)).run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        plain(
            "bomb.zip looks like a zip bomb: places.dbf would expand 1,029 times (at most 200 is "
            "accepted)."
        )
    ]
    assert not at.dataframe and not at.get("download_button")


def test_markdown_in_a_file_name_is_shown_as_text():
    assert plain("[x](javascript:alert(1)) *b*") == ("\\[x\\]\\(javascript:alert\\(1\\)\\) \\*b\\*")
