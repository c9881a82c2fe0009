"""Facility categories and groups: display order, colours, and what each source records.

The categories that record closures carry their source and recording window here, once;
sentences, tables, charts and cards take them from these records.
"""

from __future__ import annotations

from dataclasses import dataclass

# Display order of the category groups, and their Okabe-Ito colours (distinguishable with the
# common colour-vision deficiencies).
GROUP_COLOURS = {
    "Community & libraries": "#0072B2",
    "Health": "#009E73",
    "Culture & heritage": "#CC79A7",
    "Music & nightlife": "#E69F00",
    "Pubs": "#D55E00",
    "Faith": "#56B4E9",
}
CATEGORY_GROUPS = list(GROUP_COLOURS)
# Densest groups first: drawn underneath, so the sparser ones stay visible on top.
DRAW_ORDER = [
    "Faith",
    "Pubs",
    "Music & nightlife",
    "Culture & heritage",
    "Health",
    "Community & libraries",
]
# A site's status and its label in the explorer's filter (and link): together they are All.
STATUS_LABELS = {"open": "Open", "closed": "Closed", "community_run": "Community-run"}
STATUSES = list(STATUS_LABELS)


# Every category of the built sites layer (the site taxonomy a contribution chooses from): the
# culture map's in the order the build ranks a venue listed in several files
# (CATEGORY_PRIORITY, taken from here), then the other sources' own;
# tests/store/test_validation.py checks it against the built layer.
SITE_CATEGORIES: tuple[str, ...] = (
    "Library",
    "Museum or public gallery",
    "Grassroots music venue",
    "LGBTQ+ night-time venue",
    "Theatre",
    "Cinema",
    "Arts centre",
    "Dance performance venue",
    "Music venue",
    "Commercial gallery",
    "Community centre",
    "Outdoor cultural space",
    "Skate park",
    "Pub",
    "Place of worship",
    "GP practice",
    "Pharmacy",
    "Dental practice",
)


@dataclass(frozen=True)
class Recording:
    """A category whose source records closed as well as open sites."""

    category: str
    group: str
    source: str  # its id in the sites layer's `sources` column (a regular expression)
    singular: str
    plural: str
    short: str  # a narrow table's column heading
    window: str  # the years its source records closures, as said on pages
    card_window: str  # the same, short, for a card's footnote
    first_year: int
    last_year: int
    window_note: str = ""
    # The source's window in fractional years (2013.5 = 1 July 2013), for site-years at risk;
    # by default 1 January of the first year to the end of the last.
    starts: float | None = None
    ends: float | None = None
    described: str = ""  # its source, as the definitions under a page name it

    @property
    def window_start(self) -> float:
        return float(self.first_year) if self.starts is None else self.starts

    @property
    def window_end(self) -> float:
        return float(self.last_year + 1) if self.ends is None else self.ends

    def window_since(self, year: int) -> str:
        """The recording window from `year` on (the whole window if it starts later)."""
        if self.first_year >= year:
            return self.window
        text = f"{year}-{self.last_year}"
        return f"{text} ({self.window_note})" if self.window_note else text

    @property
    def colour(self) -> str:
        return GROUP_COLOURS[self.group]


RECORDING: dict[str, Recording] = {
    r.category: r
    for r in [
        # Any of the three library lists (2016, January 2021, 2023): one history per library.
        Recording(
            "Library",
            "Community & libraries",
            "libraries_20(?:16|21|23)",
            "library",
            "libraries",
            "Libraries",
            "2010-2023",
            "libraries 2010-2023",
            2010,
            2023,
            described="DCMS / Arts Council England lists of 2016, 2021 and 2023",
        ),
        Recording(
            "GP practice",
            "Health",
            "epraccur_2019",
            "GP practice",
            "GP practices",
            "GP practices",
            "July 2013 - July 2019",
            "GP practices 2013-2019",
            2013,
            2019,
            starts=2013.5,
            ends=2019.5,
            described="NHS Digital epraccur, December 2019",
        ),
        Recording(
            "Museum or public gallery",
            "Culture & heritage",
            "mapping_museums",
            "museum or public gallery",
            "museums and public galleries",
            "Museums",
            "1945-2021 (earliest year of each closure range)",
            "museums since 1945",
            1945,
            2021,
            "earliest year of each closure range",
            described="Mapping Museums, Birkbeck",
        ),
        # NHS ODS dispensary codes (April 2025): the build folds changes of owner, parallel and
        # short-lived codes and moves into one history per pharmacy (lib/build/nhs.py).
        Recording(
            "Pharmacy",
            "Health",
            "pharmacies_2025",
            "pharmacy",
            "pharmacies",
            "Pharmacies",
            "2004 - April 2025",
            "pharmacies 2004-2025",
            2004,
            2025,
            ends=2025.25,
            described="NHS ODS dispensary codes, April 2025",
        ),
        # NHS ODS dental practices, frozen about April 2016: a closure is an NHS contract ending;
        # those dated 31 March, the NHS year end, are contract-end records (lib/build/nhs.py).
        Recording(
            "Dental practice",
            "Health",
            "dental_2016",
            "dental practice",
            "dental practices",
            "Dental",
            "2006 - March 2016",
            "dental practices 2006-2016",
            2006,
            2016,
            ends=2016.25,
            described="NHS ODS, frozen about April 2016",
        ),
    ]
}
RECORDING_CATEGORIES: tuple[str, ...] = tuple(RECORDING)


def categories_text(categories) -> str:
    """'libraries, GP practices and museums', the chosen categories joined in their order."""
    chosen = [c for c in RECORDING_CATEGORIES if c in categories]
    # 'museums and public galleries' would blur into a list: there, 'museums'.
    words = [
        RECORDING[c].plural.split(" and ")[0] if len(chosen) > 1 else RECORDING[c].plural
        for c in chosen
    ]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def recording_text(since: int | None = None) -> str:
    """Each recorded category with its source and the years it records closures (from `since`
    on, if given): what a page's definitions say, made from the records above."""
    return "; ".join(
        f"{r.plural} ({r.described}), closures "
        f"{r.window if since is None else r.window_since(since)}"
        for r in RECORDING.values()
    )


def recording_windows() -> str:
    """'libraries 2010-2023, GP practices July 2013 - July 2019, ... and dental practices
    2006 - March 2016': the years each recorded category's source records closures."""
    windows = [f"{r.plural} {r.window}" for r in RECORDING.values()]
    return ", ".join(windows[:-1]) + " and " + windows[-1]


_WORDS = "no one two three four five six seven eight nine ten eleven twelve".split()


def count_word(n: int) -> str:
    """A small count in words ('five'), a larger one in figures."""
    return _WORDS[n] if 0 <= n < len(_WORDS) else str(n)


#: The first years a loss comparison's window can start from (it ends at each source's end).
WINDOW_START_OPTIONS: tuple[int, ...] = tuple(range(2000, 2021))

#: ONS pub counts by borough: the years the series covers.
PUBS_START, PUBS_END = 2001, 2018
