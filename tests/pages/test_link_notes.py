"""AppTest: a link's values read whatever their case and spacing, and a value that matches
nothing gets a visible note naming it and the nearest valid one, never another place.

Pages are opened by way of the Data & sources page, as a fresh tab opening the link would
(see tests/test_pages_profiles.py for why)."""

import pytest
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.integration


@pytest.fixture
def app(app_on_neutral_page) -> AppTest:
    return app_on_neutral_page


def open_page(at: AppTest, page: str, **params) -> AppTest:
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def warnings(at: AppTest) -> list[str]:
    return [w.value.replace("\\", "") for w in at.warning]


def said_under_the_title_bar(at: AppTest) -> bool:
    """Every warning is in the notes block right after the title bar (at most its style sheet
    between them), not above the title (there they pushed the map below a 1280x720 screen)."""
    keys = [getattr(b, "key", "") for b in at.main.children.values()]
    if "jul_title_bar" not in keys or "jul_link_notes" not in keys:
        return False
    bar, notes = keys.index("jul_title_bar"), keys.index("jul_link_notes")
    block = list(at.main.children.values())[notes]
    return 0 < notes - bar <= 2 and [w.value for w in block.warning] == [
        w.value for w in at.warning
    ]


def test_a_borough_in_lower_case_opens_that_borough(app):
    at = open_page(app, "pages/borough.py", borough="hackney")
    assert at.selectbox(key="borough").value == "E09000012"
    assert at.title[0].value == "Borough profile: Hackney"
    assert at.query_params["borough"] == "Hackney"  # the link spells it as the widget does
    assert not at.warning


def test_a_misspelt_borough_is_named_with_the_nearest_and_no_other_borough_is_shown(app):
    at = open_page(app, "pages/borough.py", borough="Hackny")
    assert warnings(at) == ["'Hackny' is not a London borough; did you mean Hackney?"]
    assert at.selectbox(key="borough").value is None
    assert not [t for t in at.title if t.value.startswith("Borough profile")]  # no profile
    assert not at.metric
    assert any("[Open Hackney instead](./borough?borough=Hackney)" in m.value for m in at.markdown)


def test_an_unknown_ward_is_noted_under_the_title_bar_and_no_ward_is_chosen(app):
    at = open_page(app, "pages/voluntary.py", ward="Nowhere")
    assert warnings(at) == ["'Nowhere' is not a London ward (as 'Ward (Borough)')."]
    assert at.selectbox(key="ward").value is None and not at.info  # no ward's figures
    assert said_under_the_title_bar(at)


@pytest.mark.parametrize(
    ("page", "params", "notes"),
    [
        ("pages/map_explorer.py", {"status": "Gone", "borough": "Atlantis"}, 2),
        ("pages/losses.py", {"against": "nowhere", "categories": "Zoo"}, 2),
        ("pages/over-time.py", {"area": "Hackney", "colour": "red"}, 1),
        ("pages/borough.py", {"borough": "Hackney", "measure": "nonsense"}, 1),
        ("pages/voluntary.py", {"ward": "Nowhere", "borough": "Atlantis"}, 2),
        # The link check's note and the page's own on the weights.
        ("pages/needs.py", {"weights": "bad", "category": "Zoo"}, 2),
    ],
)
def test_every_map_page_says_its_link_notes_under_its_title_bar(app, page, params, notes):
    at = open_page(app, page, **params)
    assert len(at.warning) == notes
    assert said_under_the_title_bar(at)


def test_the_explorer_reads_status_and_boroughs_and_notes_the_unknown_one(app):
    at = open_page(
        app,
        "pages/map_explorer.py",
        status="closed",
        group="health",
        borough=["hammersmith & fulham", "Hackny"],
    )
    assert at.radio(key="status").value == "Closed"
    assert at.multiselect(key="group").value == ["Health"]
    assert at.multiselect(key="borough").value == ["E09000013"]
    assert warnings(at) == ["'Hackny' is not a London borough; did you mean Hackney?"]


def test_an_unknown_status_is_noted_not_dropped_in_silence(app):
    at = open_page(app, "pages/map_explorer.py", status="clsoed")
    assert at.radio(key="status").value == "All"
    assert warnings(at) == [
        "'clsoed' is not a status (All, Open, Closed or Community-run); did you mean Closed?"
    ]


def test_an_unknown_parameter_name_is_noted_with_the_nearest(app):
    at = open_page(app, "pages/map_explorer.py", statuss="Closed", borough="Hackney")
    assert warnings(at) == ["'statuss' is not a setting of this page; did you mean status?"]
    assert at.radio(key="status").value == "All"  # not read as another setting
    assert at.multiselect(key="borough").value == ["E09000012"]
    assert "statuss" not in at.query_params


def test_over_time_reads_borough_as_its_area(app):
    """One setting, one name: the profile's `borough` opens the same borough here."""
    at = open_page(app, "pages/over-time.py", borough="Hackney")
    assert at.selectbox(key="area").value == "E09000012" and not at.warning
    assert at.query_params["area"] == "Hackney" and "borough" not in at.query_params


def test_losses_reads_policy_as_the_policy_compared(app):
    at = open_page(app, "pages/losses.py", policy="Town centres")
    assert at.selectbox(key="against").value == "town_centre" and not at.warning


def test_over_time_does_not_show_london_for_an_unknown_borough(app):
    at = open_page(app, "pages/over-time.py", area="Hackny")
    assert warnings(at) == ["'Hackny' is not a London borough; did you mean Hackney?"]
    assert at.selectbox(key="area").value is None
    assert not at.metric


def test_over_time_reads_a_borough_in_capitals(app):
    at = open_page(app, "pages/over-time.py", area="HACKNEY")
    assert at.selectbox(key="area").value == "E09000012" and not at.warning


def test_losses_reads_a_policy_key_and_notes_an_unknown_category(app):
    at = open_page(app, "pages/losses.py", against="town centres", categories=["library", "Musem"])
    assert at.selectbox(key="against").value == "town_centre"
    assert at.multiselect(key="categories").value == ["Library"]
    assert warnings(at) == [
        "'Musem' is not a category whose closures are recorded (Library, GP practice, Museum "
        "or public gallery, Pharmacy, Dental practice); did you mean Museum or public gallery?"
    ]


def test_voluntary_reads_a_ward_in_any_case(app):
    at = open_page(
        app,
        "pages/voluntary.py",
        ward="hackney central (hackney)",
        measure="grants_per_head",
    )
    assert at.selectbox(key="measure").value == "grants_per_head"
    assert at.selectbox(key="ward").value is not None and not at.warning


def test_an_unknown_tour_is_named_and_a_tour_in_capitals_opens(app):
    at = open_page(app, "pages/tour.py", tour="defualt")
    assert warnings(at) == ["'defualt' is not a tour in tours/; did you mean default?"]
    at = open_page(app, "pages/tour.py", tour="DEFAULT")
    assert at.selectbox(key="tour_file").value == "default" and not at.warning


def test_the_losses_window_and_switches_from_the_link(app):
    """A window start the page does not offer is read as the nearest it does, and the note
    says so; a switch spelt 'yes' reads as ticked."""
    at = open_page(app, "pages/losses.py", since="1999", by_borough="yes")
    assert warnings(at) == [
        "'1999' is not a first year from 2000 to 2020: showing 2000, the nearest."
    ]
    assert at.selectbox(key="since").value == 2000
    assert at.query_params["since"] == "2000"
    assert at.checkbox(key="by_borough").value
    assert at.query_params["by_borough"] == "true"


def test_an_unknown_switch_value_is_named(app):
    at = open_page(app, "pages/voluntary.py", government="maybe")
    assert warnings(at)[0].startswith("'maybe' is not true or false")
    assert not at.checkbox(key="government").value


def test_a_join_link_reads_code_as_the_session_and_notes_another_name(app):
    at = open_page(app, "pages/join.py", code="zzzzzz")
    # Read as the session: no workshop has that code, and the page says so (not a silent box).
    assert "session" in at.query_params and "code" not in at.query_params
    assert any("ZZZZZZ" in e.value for e in at.error)
    again = open_page(app, "pages/join.py", sesion="ZZZZZZ")
    notes = warnings(again)
    assert notes == ["'sesion' is not a setting of this page; did you mean session?"]


def test_a_wall_link_reads_its_session_and_notes_nothing(app):
    at = open_page(app, "pages/wall.py", session="K7M2QX")
    assert warnings(at) == []
