"""Link and tour values matched case- and space-insensitively; unknown ones named with the
nearest valid one (lib/links/match.py, lib/links/declare.py, the tour checker)."""

from pathlib import Path

import pytest

from lib.links import declare, match, tours

BOROUGHS = [
    "Barking and Dagenham",
    "Hackney",
    "Hammersmith and Fulham",
    "Kingston upon Thames",
    "Richmond upon Thames",
]


@pytest.mark.parametrize(
    "given, expected",
    [
        ("Hackney", "Hackney"),
        ("hackney", "Hackney"),
        ("  HACKNEY ", "Hackney"),
        ("barking-and-dagenham", "Barking and Dagenham"),
        ("Hammersmith & Fulham", "Hammersmith and Fulham"),
        ("kingstonuponthames", "Kingston upon Thames"),
    ],
)
def test_a_value_matches_whatever_its_case_and_spacing(given, expected):
    assert match.match(given, BOROUGHS) == match.Match(given, expected)


@pytest.mark.parametrize(
    "given, nearest",
    [
        ("Hackny", "Hackney"),
        ("Kingston", "Kingston upon Thames"),
        ("Richmond", "Richmond upon Thames"),
        ("Barking", "Barking and Dagenham"),
        ("Hammersmith & Fulam", "Hammersmith and Fulham"),
        ("Richmnd", "Richmond upon Thames"),
    ],
)
def test_an_unknown_value_names_the_nearest_and_is_not_read_as_it(given, nearest):
    found = match.match(given, BOROUGHS)
    assert found.value is None and found.nearest == nearest
    assert (
        match.note(found, "a London borough")
        == f"'{given}' is not a London borough; did you mean {nearest}?"
    )


def test_options_that_collide_when_normalised_match_exactly_only():
    found = match.match("a b", ["A B", "ab"])
    assert found.value is None
    assert match.match("ab", ["A B", "ab"]).value == "ab"


def test_aliases_are_other_spellings():
    assert (
        match.match("none", ["Street map", "No basemap"], {"none": "No basemap"}).value
        == "No basemap"
    )


def test_check_params_canonicalises_drops_and_notes():
    specs = {
        "status": match.Choice("a status", ["All", "Open", "Closed"]),
        "borough": match.Choice("a London borough", BOROUGHS, repeat=True),
    }
    checked = match.check_params(
        {"status": ["closed"], "borough": ["hackney", "Hackny", "Hackney"], "lat": ["51.5"]}, specs
    )
    assert checked.params == {"status": ["Closed"], "borough": ["Hackney"], "lat": ["51.5"]}
    assert checked.notes == ("'Hackny' is not a London borough; did you mean Hackney?",)
    assert checked.changed and list(checked.unknown) == ["borough"]
    same = match.check_params({"status": ["Closed"]}, specs)
    assert not same.changed and not same.notes


def test_a_single_value_parameter_reads_the_last_value_as_streamlit_does():
    specs = {"status": match.Choice("a status", ["All", "Open", "Closed"])}
    assert match.check_params({"status": ["open", "closed"]}, specs).params == {
        "status": ["Closed"]
    }


def test_options_can_depend_on_earlier_parameters():
    by_group = {"Health": ["GP practice"], "Pubs": ["Pub"]}
    specs = {
        "group": match.Choice("a group", list(by_group), repeat=True),
        "category": match.Choice(
            "a category of the groups chosen",
            lambda p: [c for g in p.get("group", by_group) for c in by_group[g]],
            repeat=True,
        ),
    }
    checked = match.check_params({"group": ["health"], "category": ["pub", "gp practice"]}, specs)
    assert checked.params == {"group": ["Health"], "category": ["GP practice"]}
    assert checked.notes == ("'pub' is not a category of the groups chosen.",)  # nothing like it


def test_without_the_data_only_the_options_that_need_none_are_read():
    pages = declare.page_choices()
    assert set(pages["map_explorer"]) == {
        "group",
        "status",
        "density",
        "policy",
        "community",
        "basemap",
    }
    assert "borough" not in pages["borough"]  # needs the built layers


# ------------------------------------------------------------------ the tour checker


@pytest.fixture
def root(tmp_path) -> Path:
    for spec in tours.PAGES.values():
        path = tmp_path / spec.script
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")
    return tmp_path


def one_step(page: str, params: str) -> str:
    return (
        f'title = "T"\n[[steps]]\ntitle = "A"\npage = "{page}"\ntalking_point = "x"\n'
        f"params = {{ {params} }}\n"
    )


def fake_choices():
    pages = declare.page_choices()
    pages["borough"]["borough"] = match.Choice("a London borough", BOROUGHS)
    pages["map_explorer"]["borough"] = match.Choice("a London borough", BOROUGHS, repeat=True)
    return pages


def test_a_tour_reads_values_whatever_their_case(root):
    tour = tours.parse_tour(
        one_step(
            "map_explorer",
            'status = "closed", group = "health", basemap = "none", borough = "hackney"',
        ),
        "t",
        root,
        fake_choices(),
    )
    assert tour.steps[0].params == {
        "status": ["Closed"],
        "group": ["Health"],
        "basemap": ["No basemap"],
        "borough": ["Hackney"],
    }


@pytest.mark.parametrize(
    "page, params, message",
    [
        (
            "borough",
            'borough = "Hackny"',
            "step 1 ('A'): field 'params.borough' = 'Hackny' is not a London borough; did you mean "
            "Hackney?",
        ),
        (
            "map_explorer",
            'borough = ["Hackney", "Kingstone"]',
            "field 'params.borough' = 'Kingstone' is not a London borough; did you mean Kingston "
            "upon Thames?",
        ),
        ("map_explorer", 'status = "shut"', "field 'params.status' = 'shut' is not a status"),
        (
            "map_explorer",
            'group = "Helth"',
            "field 'params.group' = 'Helth' is not a category group; did you mean Health?",
        ),
    ],
)
def test_a_tour_rejects_an_unknown_place_or_status_naming_step_and_field(
    root, page, params, message
):
    with pytest.raises(tours.TourError) as error:
        tours.parse_tour(one_step(page, params), "bad", root, fake_choices())
    assert message in str(error.value)


def test_only_an_option_like_the_value_is_offered():
    assert match.nearest("Musem", ["Library", "Museum or public gallery"]) == (
        "Museum or public gallery"  # like its start
    )
    assert match.nearest("colour", ["tour", "area"]) is None
    assert match.nearest("Somewhere nice", BOROUGHS) is None
    found = match.match("Nowhere", BOROUGHS)
    assert found.nearest is None
    assert match.note(found, "a London borough") == "'Nowhere' is not a London borough."


def test_a_number_among_numbers_is_read_as_the_nearest_and_said():
    years = [str(y) for y in (2000, 2005, 2010, 2015, 2019, 2020)]
    assert match.nearest("1999", years) == "2000"  # not 2019, which only looks like it
    assert match.nearest("2017", years) == "2015"
    specs = {"since": match.Choice("a first year from 2000 to 2020", years)}
    checked = match.check_params({"since": ["1999"]}, specs)
    assert checked.params == {"since": ["2000"]}
    assert checked.notes == (
        "'1999' is not a first year from 2000 to 2020: showing 2000, the nearest.",
    )
    assert not checked.unknown


def test_an_unknown_name_is_noted_and_another_pages_name_is_read_as_this_pages():
    specs = {"area": match.Choice("a London borough", BOROUGHS)}
    known = {"area", "basemap", "present"}
    checked = match.check_params(
        {"borough": ["hackney"], "basemapp": ["none"], "embed": ["true"]},
        specs,
        known | set(match.INTERNAL_PARAMS),
        {"borough": "area"},
    )
    assert checked.params == {"area": ["Hackney"], "embed": ["true"]}
    assert checked.notes == ("'basemapp' is not a setting of this page; did you mean basemap?",)
    assert checked.changed
