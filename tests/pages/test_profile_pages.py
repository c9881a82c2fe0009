"""AppTest runs of the Borough profile and Voluntary sector pages on the real build.

How a view is opened "by its link" here: AppTest's first run is the default page (the map
explorer), and a page is reached with `switch_page`. On a page switch Streamlit 1.67 drops the
query parameters that are bound to a widget of the page being left (so a stale value cannot
seed a widget of the same key on the new page): the explorer binds `borough` too, so a
`borough` parameter set on the way from the explorer straight to the profile is dropped. The
tests therefore step through the Data & sources page (no bound widgets), which is what a
fresh browser tab opening /borough?borough=... amounts to: nothing bound before.
"""

import io
import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.integration


@pytest.fixture
def app(app_on_neutral_page) -> AppTest:
    return app_on_neutral_page


def open_page(at: AppTest, page: str, **params) -> AppTest:
    """Open `page` with `params` in its link, as a fresh tab would."""
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric_values(at: AppTest) -> dict[str, str]:
    return {m.label.lstrip("⚠ "): m.value for m in at.metric}


def browser_map(at: AppTest) -> dict:
    """What the page sent its browser map (lib/render/site_map.py browser_spec)."""
    (element,) = [
        e for e in at.get("bidi_component") if e.proto.component_name == "joined_up_london.site_map"
    ]
    return json.loads(element.proto.json)


def test_borough_from_the_link(app):
    at = open_page(app, "pages/borough.py", borough="Hackney")
    assert at.selectbox(key="borough").value == "E09000012"
    assert at.title[0].value == "Borough profile: Hackney"
    values = metric_values(at)
    assert (
        values["Charities"] == "4.85"
    )  # 701 charities, 144,683 residents of its 11 wards in the extract
    assert values["Deprivation (IMD score)"] == "32.5"
    assert values["Pubs lost 2001-2018"] == "-19%"  # Hackney gained 30 pubs and bars
    assert not at.warning  # nothing unstable in Hackney
    figures = at.dataframe[0].value
    # Losses since 2010 per category: pharmacies and dental practices record them too.
    assert len(figures) == 18
    assert (figures["rank"] == "1st of 32").any()  # music & nightlife per resident
    closed = at.dataframe[1].value
    # Libraries, museums, GP practices, pharmacies and dental practices that closed; Tollgate
    # Lodge Practice's code closed when it merged into a practice still open (not a loss).
    assert len(closed) == 16
    assert {"CLR James Library", "The Surgery (Kingsland Road)", "Jays Pharmacy"} <= set(
        closed["name"]
    )
    assert "Tollgate Lodge Practice" not in set(closed["name"])
    helpers = at.dataframe[2].value
    assert set(helpers["kind"]) == {"Food bank", "Mutual aid group"}
    assert len(at.dataframe[3].value) == 21  # Hackney's 2017 wards
    captions = " ".join(c.value for c in at.caption)
    assert "Contains National Statistics data" in captions
    assert "non-commercial" in captions
    # A figure counted from nothing (deprivation) has no dangling separator under it.
    assert not [c.value for c in at.caption if "·  \n" in c.value or c.value.startswith("·")]
    # The map: the browser map of the page's spec (no folium map): the boroughs, Hackney
    # outlined, its 21 wards filled above them; its 664 sites, 2 food banks and 33 groups.
    assert not at.get("component_instance")
    drawn = browser_map(at)
    boroughs, wards = drawn["areas"]
    assert boroughs["fills"] is None and len(boroughs["focus"]) == 1
    assert len(wards["fills"]) == 21 and all(wards["fills"])  # Hackney's own wards alone
    assert drawn["sites"]["shown"] == 664
    # The food banks and groups: Hackney's own packed layer, all 35.
    assert drawn["voluntary"]["shown"] == 35 and drawn["voluntary"]["mask"] is None
    assert drawn["voluntary"]["layer"].startswith("voluntary:E09000012:")
    assert drawn["voluntary"]["layer"] in drawn["layers"]
    assert "Closed, a loss (13)" in drawn["legend"]


def test_city_of_london_per_head_figures_are_flagged(app):
    at = open_page(
        app,
        "pages/borough.py",
        borough="City of London",
        measure="Charities per 1,000 residents",
    )
    assert at.selectbox(key="measure").value == "charities_per_1k"
    assert "10,938 residents" in at.warning[0].value
    assert any(m.label.startswith("⚠ All open facilities") for m in at.metric)
    assert not any(m.label.startswith("⚠ Pubs lost") for m in at.metric)
    figures = at.dataframe[0].value.set_index("figure")
    assert figures.loc["Sites: All open facilities (per 10k)", "rank"] == "not ranked ⚠"
    assert figures.loc["Pubs lost 2001-2018 (% of 2001 pubs)", "rank"] == "26th of 33"
    captions = " ".join(c.value for c in at.caption)
    assert "under 5,000 residents" in captions and "would be 1st of 33" in captions


def test_borough_profile_default_and_map_choices(app):
    at = open_page(
        app,
        "pages/borough.py",
        measure="Closures since 2010",
        policy=["Town centres", "Opportunity Areas (27 of 47)"],
        helpers="false",
    )
    assert at.title[0].value == "Borough profile: Barking and Dagenham"
    first = "Barking and Dagenham is shown because it is first in the list"
    assert any(first in c.value for c in at.caption)  # not a choice the user made
    assert at.multiselect(key="policy").value == ["town_centre", "opportunity_area"]
    assert at.toggle(key="helpers").value is False
    drawn = browser_map(at)
    assert drawn["voluntary"] is None  # food banks and groups switched off
    assert [p["key"] for p in drawn["policies"]] == ["town_centre", "opportunity_area"]
    at.selectbox(key="borough").set_value("E09000025").run()  # Newham
    assert not at.exception
    assert at.title[0].value == "Borough profile: Newham"
    assert not any(first in c.value for c in at.caption)
    # (That the link then says borough=Newham is checked in the browser test: AppTest's query
    # string still carries the explorer's binding of the same key.)


def test_voluntary_page_with_a_ward_from_the_link(app):
    at = open_page(
        app, "pages/voluntary.py", ward="Hoxton West (Hackney)", measure="Grants per head"
    )
    assert at.title[0].value == "Voluntary sector"
    assert at.selectbox(key="ward").value == "E05009378"
    assert at.selectbox(key="measure").value == "grants_per_head"
    values = metric_values(at)
    assert values["Registered charities (2019)"] == "16,577"
    assert values["Grants 2013-2018"] == "£423\u00a0m"  # the independent charitable funders
    assert values["Food banks"] == "85" and values["Mutual aid groups (2020)"] == "657"
    assert "Hoxton West (Hackney)" in at.info[0].value
    # The map: London's wards filled (Hoxton West outlined heavy), the boroughs outlined.
    drawn = browser_map(at)
    fill, boroughs = drawn["areas"]
    assert sum(f is not None for f in fill["fills"]) == 634
    assert len(fill["focus"]) == 1 and boroughs["land"] is None
    assert "Hoxton West (Hackney)" in drawn["legend"]
    # Open and closed food banks, groups: all of the packed layer (sent once a session).
    assert drawn["voluntary"]["shown"] == 85 + 2 + 657 and drawn["voluntary"]["mask"] is None
    # The view alone, as sent: 20 kB with no point data in it (165 kB with them).
    assert len(json.dumps(drawn, separators=(",", ":"))) < 20_000
    text = " ".join(md.value for md in at.markdown)
    assert "Spearman ρ = 0.21" in text  # grants per head vs ward IMD
    assert "independent charitable funders (trusts, foundations and companies) £423\u00a0m" in text
    assert "only 7 of those wards are in London's most deprived fifth" in text
    assert "registered" in text and "360Giving" in text
    assert "Fewest charities and grants among the most deprived boroughs" in text
    wards = at.dataframe[0].value
    assert len(wards) == 634 and wards["charities"].sum() == 16_577
    # Only the shown columns are sent (the CSV keeps every one); repeated text once each.
    assert "ward_code" not in wards and wards["borough"].dtype == "category"
    assert len(at.get("vega_lite_chart")) == 1  # the scatter against IMD
    # The list of food banks and groups is sent when its expander is opened, not before.
    assert len(at.dataframe) == 2  # the ward table, and what the joins could not match
    assert "Food banks and mutual aid groups (list)" in [e.label for e in at.expander]


def test_voluntary_page_without_a_ward(app):
    at = open_page(app, "pages/voluntary.py")
    assert at.selectbox(key="ward").value is None
    assert at.selectbox(key="measure").value == "charities_per_1k"
    assert not at.info
    text = " ".join(md.value for md in at.markdown)
    assert "Spearman ρ = -0.13" in text  # the 546 wards in the charity extract


def test_voluntary_page_adds_government_grants_only_when_asked(app, downloads):
    """Department for Transport and the lottery distributors' money is public money: left out
    unless the link asks."""
    at = open_page(app, "pages/voluntary.py", measure="Grants per head", government="true")
    assert at.checkbox(key="government").value
    assert metric_values(at)["Grants 2013-2018"] == "£3.21\u00a0bn"
    # The ward table's download has every column, the grants in pounds too.
    csv = downloads["joined-up-london-voluntary-wards.csv"]()
    wards = pd.read_csv(io.BytesIO(csv)).set_index("ward")
    assert round(wards.loc["Cathedrals", "grants_gbp"]) == 1_519_870_348
    # So does the list of food banks and groups, from its (closed) expander.
    helpers = pd.read_csv(io.BytesIO(downloads["joined-up-london-food-banks-mutual-aid.csv"]()))
    assert len(helpers) == 744 and (helpers["kind"] == "Food bank").sum() == 87
