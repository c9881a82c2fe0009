"""Tours (lib/links/tours.py): parsing, validation messages, the default tour, and the Tour page."""

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib.links import declare, tours

REPO = Path(__file__).resolve().parents[2]

GOOD = """
title = "Test tour"
intro = "Two steps."

[[steps]]
title = "Overview"
page = "map_explorer"
params = { basemap = "No basemap", present = "1", group = ["Health", "Pubs"] }
talking_point = "Everything at once."

[[steps]]
title = "Regeneration"
page = "losses"
params = { against = "Areas for Regeneration" }
talking_point = "Inside and outside."
"""


@pytest.fixture
def root(tmp_path) -> Path:
    """An app folder where every known page is installed (empty files)."""
    for spec in tours.PAGES.values():
        path = tmp_path / spec.script
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")
    return tmp_path


def step(body: str) -> str:
    return f'title = "T"\n[[steps]]\n{body}\n'


def test_a_good_tour_parses(root):
    tour = tours.parse_tour(GOOD, "test", root)
    assert tour.title == "Test tour" and tour.intro == "Two steps." and len(tour.steps) == 2
    first, second = tour.steps
    assert first.page.script == "pages/map_explorer.py"
    assert first.query() == {"basemap": "No basemap", "present": "1", "group": ["Health", "Pubs"]}
    assert second.page.url_path == "losses" and second.talking_point == "Inside and outside."
    assert tours.step_params(tour, 2) == {
        "against": "Areas for Regeneration",
        "tour": "test",
        "step": "2",
    }


def test_the_explorer_is_also_the_root_page(root):
    tour = tours.parse_tour(step('title = "A"\npage = ""\ntalking_point = "x"'), "t", root)
    assert tour.steps[0].page.url_path == "map_explorer"


@pytest.mark.parametrize(
    "text, message",
    [
        ("title = ", "tours/bad.toml is not valid TOML"),
        ('intro = "x"', "tours/bad.toml: title is missing"),
        ('title = "T"', "tours/bad.toml has no steps"),
        ('title = "T"\nsteps = "three"', "tours/bad.toml has no steps"),
        ('title = "T"\ncolour = "red"\n[[steps]]\ntitle = "A"', "unknown field(s) colour"),
        (step('page = "losses"\ntalking_point = "x"'), "step 1: field 'title' is missing"),
        (step('title = "A"\ntalking_point = "x"'), "step 1 ('A'): field 'page' must be"),
        (
            step('title = "A"\npage = "nowhere"\ntalking_point = "x"'),
            "step 1 ('A'): field 'page' 'nowhere' is not a page of this app",
        ),
        (step('title = "A"\npage = "losses"'), "step 1 ('A'): field 'talking_point' is missing"),
        (
            step('title = "A"\npage = "losses"\ntalking_point = 3'),
            "field 'talking_point' must be text in quotes, not int",
        ),
        (
            step('title = "A"\npage = "losses"\ntalking_point = "x"\nparams = { colour = "red" }'),
            "step 1 ('A'): field 'params.colour' is not a parameter of the Losses vs policy page",
        ),
        (
            step(
                'title = "A"\npage = "losses"\ntalking_point = "x"\n'
                'params = { against = "Somewhere nice" }'
            ),
            "field 'params.against' = 'Somewhere nice' is not a London Plan policy.",
        ),
        (
            step(
                'title = "A"\npage = "map_explorer"\ntalking_point = "x"\n'
                'params = { status = ["Open", "Closed"] }'
            ),
            "field 'params.status' takes one value",
        ),
        (
            step('title = "A"\npage = "map_explorer"\ntalking_point = "x"\nparams = { z = "99" }'),
            "field 'params.z' = '99' must be between 0 and 22",
        ),
        (
            step(
                'title = "A"\npage = "map_explorer"\ntalking_point = "x"\n'
                'params = { borough = "<script>" }'
            ),
            "field 'params.borough' = '<script>' must be plain text",
        ),
        (
            step(
                'title = "A"\npage = "map_explorer"\ntalking_point = "x"\nparams = "group=Health"'
            ),
            "field 'params' must be a table",
        ),
        (
            step(
                'title = "A"\npage = "map_explorer"\ntalking_point = "x"\n'
                "params = { group = { a = 1 } }"
            ),
            "field 'params.group' must be text",
        ),
    ],
)
def test_a_malformed_tour_says_which_step_and_field(root, text, message):
    with pytest.raises(tours.TourError) as error:
        tours.parse_tour(text, "bad", root)
    assert message in str(error.value)


def test_a_step_second_in_the_file_is_named_as_step_two(root):
    text = GOOD.replace('against = "Areas for Regeneration"', 'against = "Nowhere"')
    with pytest.raises(
        tours.TourError,
        match=r"tours/test.toml, step 2 \('Regeneration'\): "
        r"field 'params.against'",
    ):
        tours.parse_tour(text, "test", root)


def test_a_page_missing_from_this_app_is_named(tmp_path):
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "map_explorer.py").write_text("")
    with pytest.raises(
        tours.TourError,
        match=r"'losses' is not installed in this app \(pages: "
        r"'map_explorer'\)",
    ):
        tours.parse_tour(GOOD, "test", tmp_path)


def test_only_tour_files_in_tours_are_read(tmp_path):
    (tmp_path / "default.toml").write_text(GOOD)
    (tmp_path / "workshop-2025.toml").write_text(GOOD)
    (tmp_path / ".hidden.toml").write_text(GOOD)
    assert tours.tour_names(tmp_path) == ["default", "workshop-2025"]
    for name in ["../default", "/etc/passwd", "missing", "default.toml", ""]:
        with pytest.raises(tours.TourError, match="There is no tour called"):
            tours.load_tour(name, tmp_path)


def test_parse_step():
    assert tours.parse_step("3", 4) == 3
    assert tours.parse_step("9", 4) == 4 and tours.parse_step("0", 4) == 1
    for bad in [None, "", "two", "-1", "1e3", "99999"]:
        assert tours.parse_step(bad, 4) == 1


def default_tour() -> tours.Tour:
    """The default tour, or a skip while a page it opens is not in this checkout yet."""
    missing = [s.script for s in tours.PAGES.values() if not tours.installed(s)]
    try:
        return tours.load_tour("default")
    except tours.TourError as exc:
        pytest.skip(f"the default tour opens pages not installed yet ({missing}): {exc}")


def test_the_default_tour_is_valid():
    tour = default_tour()
    assert [s.page.url_path for s in tour.steps] == [
        "map_explorer",
        "losses",
        "borough",
        "map_explorer",
        "needs",
    ]
    assert tour.steps[1].params["against"] == ["Areas for Regeneration"]
    assert tour.steps[4].params["map"] == ["Needs map"]
    assert tour.steps[2].params["borough"] == ["Hackney"]
    # Made for venues with no internet.
    assert all(s.params.get("basemap") == ["No basemap"] for s in tour.steps)


def test_every_declared_view_is_a_page_of_the_app():
    """app.py's navigation is made from the declaration: each view's script must exist."""
    assert [v.url_path for v in declare.VIEWS.values() if not tours.installed(v)] == []
    assert {v.url_path for v in declare.VIEWS.values() if v.tour} == set(tours.PAGES)
    assert [v.url_path for v in declare.VIEWS.values() if v.default] == ["map_explorer"]


# ----------------------------------------------------------------- the Tour page (AppTest)


@pytest.fixture
def app(new_app) -> AppTest:
    at = new_app()
    at.switch_page("pages/tour.py")
    return at


@pytest.mark.integration
def test_the_tour_page_steps_through_the_default_tour(app):
    default_tour()
    app.query_params["tour"] = "default"
    app.query_params["step"] = "2"
    at = app.run()
    assert not at.exception and not at.error
    assert at.progress[0].value == 40 or at.progress[0].value == 0.4  # step 2 of 5
    assert any("2. Losses vs Areas for Regeneration" in m.value for m in at.markdown)
    assert any("against=Areas+for+Regeneration" in c.value for c in at.code)
    at.button(key="tour_next").click().run()
    assert at.query_params["step"] == "3"
    assert any("3. One borough: Hackney" in m.value for m in at.markdown)
    at.button(key="tour_previous").click().run()
    at.button(key="tour_previous").click().run()
    assert at.query_params["step"] == "1"
    assert at.button(key="tour_previous").disabled
    # The tour bar is for the views; the Tour page has its own buttons.
    assert not any("jul-tour-bar" in h.value for h in at.get("html"))


@pytest.mark.integration
def test_a_step_number_outside_the_tour_shows_the_first_step(app):
    default_tour()
    app.query_params["step"] = "x; drop"
    at = app.run()
    assert not at.exception
    assert at.query_params["step"] == "1"
    assert any("1. London overview" in m.value for m in at.markdown)


@pytest.mark.integration
def test_a_step_opened_from_the_tour_shows_its_view_and_the_tour_bar(new_app):
    # What "Open this view" on step 4 opens (the browser test clicks it for real).
    at = new_app()
    tour = default_tour()
    for key, value in tours.step_params(tour, 4).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    # The map explorer in presentation mode, filtered to Hackney's closed GP practices: one
    # loss (The Surgery, Kingsland Road); two more codes merged into practices still open.
    assert at.toggle(key="present_toggle").value is True
    assert {m.label: m.value for m in at.metric} == {"closed and lost, of 1 facility shown": "1"}
    bar = " ".join(h.value for h in at.get("html"))
    assert "Tour · step 4 of 5" in bar and "Back to the tour" in bar
    assert 'href="./tour?tour=default&amp;step=4"' in bar
    assert (
        'href="./borough?borough=Hackney&amp;basemap=No+basemap&amp;present=1&amp;tour=default'
        '&amp;step=3"'
    ) in bar
    assert "Next: Where need is greatest" in bar  # the last step's


def test_the_readme_lists_each_pages_parameters():
    """The README's table of parameters is the allow-list the pages and tours read."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `(/[a-z-]*)` \| (.*) \|$", readme, flags=re.M))
    for spec in tours.PAGES.values():
        if not spec.params:
            continue
        address = "/" if spec.url_path == "map_explorer" else f"/{spec.url_path}"
        named = {w for w in re.findall(r"(?:^|, )`([a-z_]+)`", rows[address])}
        assert named == set(spec.param), (address, named ^ set(spec.param))
