"""Tours for workshop facilitators: a short, editable sequence of views to step through.

A tour is a TOML file in tours/ (see tours/default.toml): a title, an optional intro, and a
list of steps, each with a title, the url_path of a page, that page's query parameters, and
a one-line talking point. `load_tour` parses and validates a file and says exactly what is
wrong (file, step number and title, field) so a facilitator can fix their own tour.

Parameters are checked against each view's declaration (lib/links/declare.py: the
parameters its widgets bind to the URL, present=1 on the pages with a presentation mode) with typed values: a
tour file can only open a view the app could show anyway, never run anything. Pages that are
not installed (their file is missing) are reported as such, so a tour written for a fuller
app fails clearly rather than oddly.
No streamlit here.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from lib.links import match
from lib.links.declare import VIEWS, View, page_choices

REPO_ROOT = Path(__file__).resolve().parents[2]
TOURS_DIR = REPO_ROOT / "tours"
DEFAULT_TOUR = "default"
TOUR_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,60}$")
# Parameters the tour itself adds to a view's link (never part of a shared link).
TOUR_PARAMS = ("tour", "step")
MAX_STEPS = 40
MAX_TEXT = 400


Choices = Mapping[str, Mapping[str, match.Choice]]  # url_path -> parameter -> options


class TourError(ValueError):
    """A tour file that cannot be used; the message names the file, step and field."""


# The pages a tour can open, with their parameters' typed checks: lib/links/declare.py.
PAGES: dict[str, View] = {path: view for path, view in VIEWS.items() if view.tour}
# The explorer is the default page: "" (the app's root) means it too.
PAGE_ALIASES = {"": "map_explorer", "/": "map_explorer"}


def installed(view: View, root: Path = REPO_ROOT) -> bool:
    return (root / view.script).is_file()


def find_page(url_path: str, root: Path = REPO_ROOT) -> View | None:
    """The installed page at `url_path`, or None."""
    view = PAGES.get(PAGE_ALIASES.get(url_path, url_path.strip("/")))
    return view if view is not None and installed(view, root) else None


# ---------------------------------------------------------------------------- the tour


@dataclass(frozen=True)
class Step:
    title: str
    page: View
    params: dict[str, list[str]]  # as the link carries them: each value a list of strings
    talking_point: str

    def query(self) -> dict[str, str | list[str]]:
        """Query parameters for st.switch_page / st.page_link / share.build_link."""
        return {k: v if self.page.param[k].repeat else v[0] for k, v in self.params.items()}


@dataclass(frozen=True)
class Tour:
    name: str  # the file's stem
    title: str
    intro: str
    steps: tuple[Step, ...]


def _text(value, where: str, required: bool = True) -> str:
    if value is None:
        if required:
            raise TourError(f"{where} is missing")
        return ""
    if not isinstance(value, str):
        raise TourError(f"{where} must be text in quotes, not {type(value).__name__}")
    value = value.strip()
    if required and not value:
        raise TourError(f"{where} is empty")
    if len(value) > MAX_TEXT:
        raise TourError(f"{where} is longer than {MAX_TEXT} characters")
    return value


def _param_values(raw, where: str) -> list[str]:
    if isinstance(raw, bool):
        return ["true" if raw else "false"]
    if isinstance(raw, (int, float)):
        return [f"{raw:g}" if isinstance(raw, float) else str(raw)]
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, list) and all(
        isinstance(v, (str, int)) and not isinstance(v, bool) for v in raw
    ):
        return [str(v) for v in raw]
    raise TourError(f"{where} must be text, a number or a list of them")


def parse_tour(
    text: str, name: str = "tour", root: Path = REPO_ROOT, choices: Choices | None = None
) -> Tour:
    """Parse and validate a tour's TOML text; TourError names what is wrong and where.

    `choices` (lib/links/declare.page_choices of the built data) lets the check read
    boroughs, categories and wards too; without it, only the values that need no data."""
    where_file = f"tours/{name}.toml"
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TourError(f"{where_file} is not valid TOML: {exc}") from None
    unknown = set(raw) - {"title", "intro", "steps"}
    if unknown:
        raise TourError(
            f"{where_file}: unknown field(s) {', '.join(sorted(unknown))} "
            "(expected title, intro and [[steps]])"
        )
    title = _text(raw.get("title"), f"{where_file}: title")
    intro = _text(raw.get("intro"), f"{where_file}: intro", required=False)
    steps_raw = raw.get("steps")
    if not isinstance(steps_raw, list) or not steps_raw:
        raise TourError(
            f"{where_file} has no steps: add [[steps]] tables, each with title, "
            "page, params and talking_point"
        )
    if len(steps_raw) > MAX_STEPS:
        raise TourError(
            f"{where_file} has {len(steps_raw)} steps; a tour can have at most {MAX_STEPS}"
        )
    steps = [_parse_step(i, s, where_file, root, choices) for i, s in enumerate(steps_raw, start=1)]
    return Tour(name, title, intro, tuple(steps))


def _parse_step(
    number: int, raw, where_file: str, root: Path, choices: Choices | None = None
) -> Step:
    label = f"{where_file}, step {number}"
    if not isinstance(raw, dict):
        raise TourError(f"{label} must be a [[steps]] table")
    if isinstance(raw.get("title"), str) and raw["title"].strip():
        label += f" ({raw['title'].strip()!r})"
    unknown = set(raw) - {"title", "page", "params", "talking_point"}
    if unknown:
        raise TourError(
            f"{label}: unknown field(s) {', '.join(sorted(unknown))} "
            "(expected title, page, params, talking_point)"
        )
    title = _text(raw.get("title"), f"{label}: field 'title'")
    page_path = raw.get("page")
    if not isinstance(page_path, str):
        raise TourError(
            f"{label}: field 'page' must be a page's url_path in quotes, e.g. "
            f'"losses" (known: {", ".join(_installed(root))})'
        )
    page = find_page(page_path, root)
    if page is None:
        known = PAGES.get(PAGE_ALIASES.get(page_path, page_path.strip("/")))
        why = "is not installed in this app" if known else "is not a page of this app"
        raise TourError(
            f"{label}: field 'page' {page_path!r} {why} (pages: {', '.join(_installed(root))})"
        )
    params_raw = raw.get("params", {})
    if not isinstance(params_raw, dict):
        raise TourError(
            f"{label}: field 'params' must be a table, e.g. params = {{ borough = \"Hackney\" }}"
        )
    params: dict[str, list[str]] = {}
    for key, value in params_raw.items():
        field_name = f"{label}: field 'params.{key}'"
        spec = page.param.get(key)
        if spec is None:
            allowed = ", ".join(page.param) or "none"
            raise TourError(
                f"{field_name} is not a parameter of the {page.title} page (allowed: {allowed})"
            )
        values = _param_values(value, field_name)
        if not values or (len(values) > 1 and not spec.repeat) or len(values) > spec.most:
            takes = f"up to {spec.most} values" if spec.repeat else "one value"
            raise TourError(f"{field_name} takes {takes}")
        params[key] = values
    # Values read as the page's widgets read them, whatever their case and spacing; a value
    # that matches nothing (a borough, category or status) is named with the nearest one.
    page_choices_ = (choices or page_choices()).get(page.url_path, {})
    checked = match.check_params(params, page_choices_, read_nearest_number=False)
    for key, found in checked.unknown.items():
        note = match.note(found[0], page_choices_[key].noun)
        raise TourError(f"{label}: field 'params.{key}' = {note}")
    params = {k: checked.params[k] for k in params}
    for key, values in params.items():
        for v in values:
            problem = page.param[key].tour_check()(v)
            if problem:
                raise TourError(f"{label}: field 'params.{key}' = {v!r} {problem}")
    talking_point = _text(raw.get("talking_point"), f"{label}: field 'talking_point'")
    return Step(title, page, params, talking_point)


def _installed(root: Path) -> list[str]:
    return [repr(p.url_path) for p in PAGES.values() if installed(p, root)]


def tour_names(folder: Path = TOURS_DIR) -> list[str]:
    """Stems of the tour files in tours/, the default first."""
    names = sorted(p.stem for p in folder.glob("*.toml") if TOUR_NAME.fullmatch(p.stem))
    return sorted(names, key=lambda n: n != DEFAULT_TOUR)


def load_tour(
    name: str, folder: Path = TOURS_DIR, root: Path = REPO_ROOT, choices: Choices | None = None
) -> Tour:
    """The tour tours/<name>.toml; only names listed by tour_names are read (no paths)."""
    if not TOUR_NAME.fullmatch(name) or name not in tour_names(folder):
        raise TourError(
            f"There is no tour called {name!r} in tours/ "
            f"(tours: {', '.join(tour_names(folder)) or 'none'})"
        )
    return parse_tour((folder / f"{name}.toml").read_text(encoding="utf-8"), name, root, choices)


def parse_step(value: str | None, count: int) -> int:
    """The step number in the link (1-based), or 1 when missing or not a step of the tour."""
    if value is None or not value.isdigit() or len(value) > 3:
        return 1
    return min(max(int(value), 1), count)


def step_params(tour: Tour, number: int) -> dict[str, str | list[str]]:
    """A step's view parameters plus the tour's own (so the view can offer next/back)."""
    return {**tour.steps[number - 1].query(), "tour": tour.name, "step": str(number)}


def tour_from_link(
    params: Mapping[str, str | None], choices: Choices | None = None
) -> tuple[Tour, int] | None:
    """The tour and step a view was opened from (`tour`, `step` in its link), if valid."""
    name = params.get("tour")
    if not name:
        return None
    try:
        tour = load_tour(name, choices=choices)
    except (TourError, OSError):
        return None
    return tour, parse_step(params.get("step"), len(tour.steps))
