"""Each view declared once: its address, script and title, and the parameters its link
carries (the widget, its label, its options as values and as the link spells them, its
default and help). From this one declaration the pages make their bound widgets
(lib/ui/params.py), the link check and the tour checker read a link's values
(lib/ui/link_check.py, lib/links/tours.py), and app.py makes its navigation.
No streamlit here.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from lib.analysis import access, losses, needs, profiles
from lib.links.match import Choice
from lib.vocab import contributions
from lib.vocab.categories import (
    CATEGORY_GROUPS,
    RECORDING_CATEGORIES,
    STATUS_LABELS,
    WINDOW_START_OPTIONS,
    categories_text,
    count_word,
)
from lib.vocab.needs import WeightsError
from lib.vocab.policies import ANALYSED, MAIN_ANALYSED, POLICIES, policy_title

# ------------------------------------------------------------------ typed checks (tours)

Check = Callable[[str], str | None]  # a value -> None when fine, else what is wrong


def one_of(options: Iterable[str]) -> Check:
    allowed = list(options)

    def check(value: str) -> str | None:
        return None if value in allowed else f"must be one of: {', '.join(allowed)}"

    return check


SAFE_TEXT = re.compile(r"^[\w &'(),.:/-]{1,80}$")


def plain_text(value: str) -> str | None:
    """A name or label (a borough, a category, a ward code): letters, digits, spaces and
    ordinary punctuation only, up to 80 characters."""
    return (
        None
        if SAFE_TEXT.fullmatch(value)
        else "must be plain text (letters, digits, spaces, & ' ( ) , . : / -), up to 80 characters"
    )


def number_in(low: float, high: float, integer: bool = False) -> Check:
    def check(value: str) -> str | None:
        try:
            number = int(value) if integer else float(value)
        except ValueError:
            return f"must be {'a whole number' if integer else 'a number'}"
        if not math.isfinite(number) or not low <= number <= high:
            return f"must be between {low:g} and {high:g}"
        return None

    return check


def flag(value: str) -> str | None:
    return None if value in {"1", "true", "false", "0"} else "must be 1, 0, true or false"


FLAG_ALIASES = {
    "1": "true",
    "0": "false",
    "yes": "true",
    "no": "false",
    "on": "true",
    "off": "false",
}
FLAG_CHOICE = Choice("true or false", ["true", "false"], aliases=FLAG_ALIASES)

# ------------------------------------------------------------------ a parameter


@dataclass(frozen=True)
class Lookups:
    """The built data's names some options need (lib/ui/cache.link_lookups makes it)."""

    boroughs: Mapping[str, str]  # gss_code -> name, in the order of the names
    wards: Mapping[str, str]  # ward_code -> 'Ward (Borough)', in that order
    categories: Mapping[str, Sequence[str]]  # category group -> its categories, sorted


Labels = Mapping[Any, str]  # a widget's value -> its label, which is what the link carries
# Options from the built data, given the values (as the link spells them) of the parameters
# before this one: a category of the groups chosen.
OptionsOf = Callable[[Lookups, Mapping[str, list[str]]], Labels]


def _same(values: Iterable[Any]) -> dict[Any, str]:
    return {v: str(v) for v in values}


@dataclass(frozen=True)
class Param:
    """One parameter of a view's link, and the widget bound to it (`widget`: multiselect,
    selectbox, radio, checkbox, toggle or slider; "" for one the page reads without a widget
    of its own). `options`: the widget's values and their labels, or a function of the built
    data; `noun` says what one value is in a note ("a London borough"); `default` a value or a
    function of nothing (read when the widget is made); `check` a tour's check of a value with
    no fixed options; `max_values` how many a tour may give (else one, or every option)."""

    name: str
    widget: str = ""
    label: str = ""
    options: Labels | OptionsOf | None = None
    noun: str = ""
    aliases: Mapping[str, str] = field(default_factory=dict)
    default: Any = None
    help: str | None = None
    placeholder: str | None = None
    horizontal: bool = False
    check: Check | None = None
    max_values: int | None = None
    repeat: bool = False  # several values (a multiselect, a slider's range)

    @property
    def is_flag(self) -> bool:
        return self.widget in {"checkbox", "toggle"}

    def labels(
        self, lookups: Lookups | None = None, earlier: Mapping[str, list[str]] | None = None
    ) -> Labels | None:
        """The widget's values and their labels; None while they need data not given."""
        if self.options is None or isinstance(self.options, Mapping):
            return self.options
        return None if lookups is None else self.options(lookups, earlier or {})

    def choice(self, lookups: Lookups | None = None) -> Choice | None:
        """What the link check and the tour checker read a value against."""
        if self.is_flag:
            return FLAG_CHOICE
        if isinstance(self.options, Mapping):
            return Choice(self.noun, list(self.options.values()), self.aliases, self.repeat)
        if self.options is None or lookups is None:
            return None
        options, data = self.options, lookups
        return Choice(
            self.noun,
            lambda earlier: list(options(data, earlier).values()),
            self.aliases,
            self.repeat,
        )

    def tour_check(self) -> Check:
        """A value in a tour file, after it has been read against the options."""
        if self.check is not None:
            return self.check
        if self.is_flag:
            return flag
        if isinstance(self.options, Mapping):
            return one_of(self.options.values())
        return plain_text

    @property
    def most(self) -> int:
        if self.max_values is not None:
            return self.max_values
        if self.repeat and isinstance(self.options, Mapping):
            return len(self.options)
        return 1

    def default_value(self) -> Any:
        return self.default() if callable(self.default) else self.default


@dataclass(frozen=True)
class View:
    """A page: its url_path, script, title and link parameters in the order its widgets are
    made (a category after the groups it depends on). `renamed`: another page's name for the
    same setting, read as this page's (a link edited from one page to another keeps
    working); `tour`: a tour's step may open it; `default`: the app's root."""

    url_path: str
    script: str
    title: str
    params: tuple[Param, ...] = ()
    renamed: Mapping[str, str] = field(default_factory=dict)
    tour: bool = True
    default: bool = False

    @property
    def param(self) -> dict[str, Param]:
        return {p.name: p for p in self.params}

    def choices(self, lookups: Lookups | None = None) -> dict[str, Choice]:
        """The parameters with options, by name: all of them with `lookups`, else only those
        that need no data (what a tour can be checked against before the data is built)."""
        out = {p.name: p.choice(lookups) for p in self.params}
        return {k: c for k, c in out.items() if c is not None}


# ------------------------------------------------------------------ shared parameters


def default_basemap() -> str:
    """Venues without internet set JOINED_UP_BASEMAP=none to start with no basemap."""
    configured = os.environ.get("JOINED_UP_BASEMAP", "light")
    return configured if configured in BASEMAP_CHOICES else "light"


BASEMAP_CHOICES = {"light": "Street map", "none": "No basemap"}
BASEMAP = Param(
    "basemap",
    "radio",
    "Basemap",
    BASEMAP_CHOICES,
    f"a basemap ({' or '.join(BASEMAP_CHOICES.values())})",
    aliases={
        "light": "Street map",
        "street": "Street map",
        "none": "No basemap",
        "no": "No basemap",
        "off": "No basemap",
        "offline": "No basemap",
    },
    default=default_basemap,
    help="Street tiles come from an outside server; the map still reads without them.",
)
POLICY_LAYERS = Param(
    "policy",
    "multiselect",
    "London Plan layers shown",
    {k: p.legend for k, p in POLICIES.items()},
    "a London Plan layer",
    aliases={k: p.legend for k, p in POLICIES.items()},
    default=["town_centre"],
    repeat=True,
)
COMMUNITY = Param(
    "community",
    "checkbox",
    "Community-reported",
    default=True,
    help="Reports by the public, read by a moderator before they appear, drawn as dashed "
    f'purple rings; published under {contributions.LICENCE}. Add one on the "Add to the '
    'map" page.',
)
PRESENT = Param("present", check=flag)  # the presentation toggle (lib/ui/present.py)
MAP_VIEW = (
    Param("lat", check=number_in(-90, 90)),
    Param("lon", check=number_in(-180, 180)),
    Param("z", check=number_in(0, 22)),
)
SESSION = Param("session", check=plain_text)  # a workshop's code: the join link, the wall


def _boroughs(lookups: Lookups, earlier: Mapping[str, list[str]]) -> Labels:
    return lookups.boroughs


def _categories(lookups: Lookups, earlier: Mapping[str, list[str]]) -> Labels:
    groups = earlier.get("group") or list(lookups.categories)
    return _same(sorted({c for g in groups for c in lookups.categories.get(g, [])}))


# ------------------------------------------------------------------ the views

STATUSES = ["All", *STATUS_LABELS.values()]
ALL_LONDON = "All London"
ALL_FACILITIES = "All facilities"  # the explorer's shading of every group
LONDON = "london"  # the over-time page's value for all of London
# Losses vs policy: the main policies, then the town-centre classes.
LOSS_POLICY_OPTIONS = [*MAIN_ANALYSED, *[p for p in ANALYSED if ":" in p]]
VOLUNTARY_MEASURES = ["charities_per_1k", "grants_per_head"]
MEASURES = {k: m.short for k, m in profiles.WARD_MEASURES.items()}
_RECORDING = categories_text(RECORDING_CATEGORIES)
_COUNT = count_word(len(RECORDING_CATEGORIES))

MAP_EXPLORER = View(
    "map_explorer",
    "pages/map_explorer.py",
    "Map explorer",
    (
        Param(
            "group",
            "multiselect",
            "Category group",
            _same(CATEGORY_GROUPS),
            "a category group",
            placeholder="All groups",
            repeat=True,
        ),
        Param(
            "category",
            "multiselect",
            "Category",
            _categories,
            "a category of the groups chosen",
            placeholder="All categories",
            max_values=20,
            repeat=True,
        ),
        Param(
            "status",
            "radio",
            "Status",
            _same(STATUSES),
            f"a status ({', '.join(STATUSES[:-1])} or {STATUSES[-1]})",
            horizontal=True,
            help="Community-run: libraries the council handed to a community group.",
        ),
        Param(
            "borough",
            "multiselect",
            "Borough",
            _boroughs,
            "a London borough",
            placeholder="All boroughs",
            max_values=33,
            repeat=True,
        ),
        Param(
            "closed",
            "slider",
            "Closure year (closed sites)",
            check=number_in(1900, 2100, integer=True),
            max_values=2,
            repeat=True,
        ),
        Param(
            "density",
            "selectbox",
            "Shade boroughs by open sites per 10,000 residents of",
            _same([ALL_FACILITIES, *CATEGORY_GROUPS]),
            "a category group to shade boroughs by",
            aliases={"all": ALL_FACILITIES},
        ),
        POLICY_LAYERS,
        COMMUNITY,
        BASEMAP,
        PRESENT,
        *MAP_VIEW,
    ),
    default=True,
)
LOSSES = View(
    "losses",
    "pages/losses.py",
    "Losses vs policy",
    (
        Param(
            "against",
            "selectbox",
            "London Plan policy",
            {p: policy_title(p) for p in LOSS_POLICY_OPTIONS},
            "a London Plan policy",
            aliases={p: policy_title(p) for p in LOSS_POLICY_OPTIONS},
            default="regeneration_area",
            help="Town centres can be taken as a whole or one class at a time.",
        ),
        Param(
            "categories",
            "multiselect",
            "Categories",
            _same(RECORDING_CATEGORIES),
            f"a category whose closures are recorded ({', '.join(RECORDING_CATEGORIES)})",
            placeholder=f"All {_COUNT}",
            help=f"Only these {_COUNT} ({_RECORDING}) have sources that record closures as "
            f"well as open sites. All {_COUNT} are pooled by default (each compared with "
            "itself, then combined).",
            repeat=True,
        ),
        Param(
            "since",
            "selectbox",
            "Closures since",
            _same(WINDOW_START_OPTIONS),
            f"a first year from {WINDOW_START_OPTIONS[0]} to {WINDOW_START_OPTIONS[-1]}",
            default=losses.DEFAULT_START,
            help="The window's first year; it ends at each source's latest year. Each site "
            "counts the years it was open inside the window (site-years at risk).",
        ),
        Param(
            "after_designation",
            "checkbox",
            "Only closures after designation",
            help="A site counts as inside only from the year its area was designated; its "
            "years before then count as elsewhere.",
        ),
        Param(
            "by_borough",
            "checkbox",
            "Compare within boroughs too",
            help="Pool the comparison over boroughs as well as categories (Mantel-Haenszel), "
            "so the boroughs' different loss rates cannot make the difference.",
        ),
        Param(
            "count_community",
            "checkbox",
            "Include community reports",
            help="Count closures of listed sites that a moderator has confirmed from community "
            "reports (dated within the source's recording years). The figures say how many.",
        ),
        BASEMAP,
        PRESENT,
    ),
    renamed={"policy": "against"},
)
OVER_TIME = View(
    "over-time",
    "pages/over-time.py",
    "Losses over time",
    (
        Param(
            "area",
            "selectbox",
            "Borough",
            lambda lookups, earlier: {LONDON: ALL_LONDON, **lookups.boroughs},
            "a London borough",
            aliases={"London": ALL_LONDON, "all": ALL_LONDON},
            placeholder="Choose a borough",
        ),
        BASEMAP,
        PRESENT,
    ),
    renamed={"borough": "area"},
)
BOROUGH = View(
    "borough",
    "pages/borough.py",
    "Borough profile",
    (
        Param(
            "borough",
            "selectbox",
            "Borough",
            _boroughs,
            "a London borough",
            placeholder="Choose a borough",
        ),
        Param("measure", "selectbox", "Shade wards by", MEASURES, "a ward measure", MEASURES),
        POLICY_LAYERS,
        Param("helpers", "toggle", "Food banks and mutual aid groups", default=True),
        COMMUNITY,
        BASEMAP,
        PRESENT,
    ),
    renamed={"area": "borough"},
)
VOLUNTARY = View(
    "voluntary",
    "pages/voluntary.py",
    "Voluntary sector",
    (
        Param(
            "measure",
            "selectbox",
            "Shade wards by",
            {k: MEASURES[k] for k in VOLUNTARY_MEASURES},
            "a ward measure of this page",
            {k: MEASURES[k] for k in VOLUNTARY_MEASURES},
        ),
        Param(
            "government",
            "checkbox",
            "Add public money",
            help=f"Grants count the voluntary sector's own money: {profiles.OWN_FUNDERS}. "
            f"Tick to add public money: {profiles.PUBLIC_FUNDERS} (the Department for "
            "Transport, one council, the Big Lottery Fund and Sport England), much of it to a "
            "few transport and sports bodies.",
        ),
        Param(
            "ward",
            "selectbox",
            "Highlight a ward",
            lambda lookups, earlier: lookups.wards,
            "a London ward (as 'Ward (Borough)')",
            placeholder="Choose a ward",
        ),
        BASEMAP,
        PRESENT,
    ),
)


def weights_check(value: str) -> str | None:
    """A link's or tour's `weights=access:2,losses:1,...` (lib/analysis/needs.parse_weights)."""
    try:
        needs.parse_weights(value)
    except WeightsError as error:
        return str(error)
    return None


NEEDS_MAPS = {"needs": "Needs map", "access": "Access lost"}
NEEDS_THRESHOLDS = {"800": "800 m", "mile": "1 mile"}  # 1 mile: libraries only
NEEDS = View(
    "needs",
    "pages/needs.py",
    "Where need is greatest",
    (
        # The weights travel as one value, `access:2,losses:1,...`; the page's sliders write it.
        Param("weights", check=weights_check),
        Param(
            "map",
            "radio",
            "Map",
            NEEDS_MAPS,
            "a map of this page (Needs map or Access lost)",
            aliases={"needs": "Needs map", "access": "Access lost", "lost": "Access lost"},
            horizontal=True,
        ),
        Param(
            "category",
            "selectbox",
            "Walking access to",
            _same(access.ACCESS_CATEGORIES),
            f"a facility measured for walking access ({', '.join(access.ACCESS_CATEGORIES)})",
            aliases={"library": "Library", "gp": "GP practice", "pharmacy": "Pharmacy"},
            help="Community centres have one list (2022): access now only, nothing lost or "
            "gained can be measured.",
        ),
        Param(
            "threshold",
            "radio",
            "Walking distance",
            NEEDS_THRESHOLDS,
            "a walking distance (800 m, or 1 mile for libraries)",
            aliases={"800": "800 m", "800m": "800 m", "mile": "1 mile", "1mile": "1 mile"},
            horizontal=True,
            help="800 m is about ten minutes' walk in a straight line. 1 mile is the old Public "
            "Library Service Standards' measure, offered for libraries only.",
        ),
        Param(
            "since",
            "selectbox",
            "Lost since",
            _same(WINDOW_START_OPTIONS),
            f"a first year from {WINDOW_START_OPTIONS[0]} to {WINDOW_START_OPTIONS[-1]}",
            default=access.DEFAULT_START,
            help="Access then is measured at the start of this year (or when a source's "
            "records start, if later); losses count from it.",
        ),
        Param(
            "borough",
            "selectbox",
            "Borough (evidence pack and focus)",
            _boroughs,
            "a London borough",
            placeholder="All London",
        ),
        replace(BASEMAP, default="none"),  # a workshop's room is often offline
        PRESENT,
        *MAP_VIEW,
    ),
    renamed={"area": "borough"},
)
# A workshop's code, as a phone or a facilitator may write it.
CODE = {"code": "session"}
VIEWS: dict[str, View] = {
    v.url_path: v
    for v in [
        MAP_EXPLORER,
        LOSSES,
        OVER_TIME,
        BOROUGH,
        VOLUNTARY,
        NEEDS,
        View("sources", "pages/sources.py", "Data & sources"),
        View("tour", "pages/tour.py", "Tour", tour=False),
        # A workshop can end on the form; the moderation page is never a tour's step.
        View("contribute", "pages/contribute.py", "Add to the map"),
        View("moderate", "pages/moderate.py", "Moderation", tour=False),
        View("workshop", "pages/workshop.py", "Workshop", tour=False),
        # A phone's join link and the projector's wall name the workshop by its code.
        View("join", "pages/join.py", "Join a workshop", (SESSION,), CODE),
        View("wall", "pages/wall.py", "Workshop wall", (SESSION,), CODE),
    ]
}


def page_choices(lookups: Lookups | None = None) -> dict[str, dict[str, Choice]]:
    """url_path -> the view's parameters with options -> their options (see View.choices)."""
    return {path: view.choices(lookups) for path, view in VIEWS.items()}
