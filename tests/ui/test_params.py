"""AppTest: each map page's bound widgets are made from its declaration (lib/links/declare.py
through lib/ui/params.py), so a link and a tour are read against exactly what the widget
offers: the same label, options as the link spells them, and default."""

import pytest
from streamlit.testing.v1 import AppTest

from lib.links import declare
from lib.ui import cache

pytestmark = pytest.mark.integration

PAGES = [
    declare.MAP_EXPLORER,
    declare.LOSSES,
    declare.OVER_TIME,
    declare.BOROUGH,
    declare.VOLUNTARY,
    declare.NEEDS,
]


@pytest.mark.parametrize("view", PAGES, ids=lambda v: v.url_path)
def test_a_pages_widgets_are_its_declared_parameters(app_on_neutral_page: AppTest, view):
    at = app_on_neutral_page
    at.switch_page(view.script).run()
    assert not at.exception, [e.value for e in at.exception]
    choices = declare.page_choices(cache.link_lookups())[view.url_path]
    made = 0
    for param in view.params:
        if not param.widget:
            continue
        element = getattr(at, param.widget)(key=param.name)
        assert element.label == param.label, param.name
        if param.name in choices and not param.is_flag:
            # Options shown as the link spells them (a category after the groups chosen).
            assert list(element.options) == choices[param.name].options_for({}), param.name
        if param.is_flag:
            assert element.value is bool(param.default_value()), param.name
        made += 1
    assert made == len([p for p in view.params if p.widget])


def test_the_explorer_shows_all_33_boroughs_by_name_and_policies_by_legend(app_on_neutral_page):
    at = app_on_neutral_page
    at.switch_page("pages/map_explorer.py").run()
    boroughs = at.multiselect(key="borough")
    assert len(boroughs.options) == 33 and boroughs.options[0] == "Barking and Dagenham"
    assert at.multiselect(key="policy").value == ["town_centre"]
    assert at.radio(key="basemap").options == ["Street map", "No basemap"]
    assert at.selectbox(key="density").options[0] == "All facilities"
