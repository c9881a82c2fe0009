"""The options each page's widgets offer, as its link spells them: one list read by the
pages' link check (lib/ui/link_check.py) and by the tour checker (lib/links/tours.py).

Keep in step with the widgets in pages/: a widget bound to the link ("query-params") puts
its option's label in the link, so the options here are those labels. No streamlit here.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from lib.analysis import profiles
from lib.links.match import Choice
from lib.vocab.categories import (
    CATEGORY_GROUPS,
    RECORDING_CATEGORIES,
    STATUS_LABELS,
    WINDOW_START_OPTIONS,
)
from lib.vocab.policies import ANALYSED, MAIN_ANALYSED, POLICIES, policy_title

# The explorer's status radio and the over-time page's "all of London" option.
STATUSES = ["All", *STATUS_LABELS.values()]
ALL_LONDON = "All London"
# Losses vs policy: the main policies, then the town-centre classes (pages/losses_vs_policy.py).
LOSS_POLICY_OPTIONS = [*MAIN_ANALYSED, *[p for p in ANALYSED if ":" in p]]
VOLUNTARY_MEASURES = ["charities_per_1k", "grants_per_head"]
# Another page's name for the same setting, read as this page's own (a link edited from one
# page to another keeps working): the borough is `borough` on the profile and `area` on
# Losses over time; the policy compared is `against` on Losses vs policy.
RENAMED = {
    "over-time": {"borough": "area"},
    "borough": {"area": "borough"},
    "losses": {"policy": "against"},
    # A workshop's code, as a phone or a facilitator may write it.
    "join": {"code": "session"},
    "wall": {"code": "session"},
}

BASEMAP = Choice(
    "a basemap (Street map or No basemap)",
    ["Street map", "No basemap"],
    aliases={
        "light": "Street map",
        "street": "Street map",
        "none": "No basemap",
        "no": "No basemap",
        "off": "No basemap",
        "offline": "No basemap",
    },
)
FLAG_ALIASES = {
    "1": "true",
    "0": "false",
    "yes": "true",
    "no": "false",
    "on": "true",
    "off": "false",
}
FLAG = Choice("true or false", ["true", "false"], aliases=FLAG_ALIASES)
POLICY_LAYERS = Choice(
    "a London Plan layer",
    [p.legend for p in POLICIES.values()],
    aliases={k: p.legend for k, p in POLICIES.items()},
    repeat=True,
)


def _categories_by_group(sites: pd.DataFrame) -> dict[str, list[str]]:
    out: dict[str, set[str]] = {}
    for group, cats in zip(sites["category_group"], sites["categories"], strict=True):
        out.setdefault(group, set()).update(cats.split("; "))
    return {g: sorted(c) for g, c in out.items()}


def page_choices(
    layers=None,
    ward_labels: Mapping[str, str] | None = None,
) -> dict[str, dict[str, Choice]]:
    """url_path -> the page's bound parameters -> their options, in the order the page
    creates its widgets (a category is read after the groups it depends on). `layers` (the
    built lib.data Layers) adds boroughs and categories, `ward_labels` (ward_code -> 'Ward
    (Borough)', as the voluntary-sector page labels them) the wards. Without them, only the
    parameters whose options need no data (statuses, groups, policies, measures, basemaps):
    what a tour can be checked against before the data is built."""
    measure_aliases = {k: m.short for k, m in profiles.WARD_MEASURES.items()}
    pages: dict[str, dict[str, Choice | None]] = {
        "map_explorer": {
            "group": Choice("a category group", CATEGORY_GROUPS, repeat=True),
            "category": None,
            "status": Choice("a status (All, Open, Closed or Community-run)", STATUSES),
            "borough": None,
            "density": Choice(
                "a category group to shade boroughs by",
                ["All facilities", *CATEGORY_GROUPS],
                aliases={"all": "All facilities"},
            ),
            "policy": POLICY_LAYERS,
            "basemap": BASEMAP,
        },
        "losses": {
            "against": Choice(
                "a London Plan policy",
                [policy_title(p) for p in LOSS_POLICY_OPTIONS],
                aliases={p: policy_title(p) for p in LOSS_POLICY_OPTIONS},
            ),
            "categories": Choice(
                "a category whose closures are recorded (Library, GP practice, Museum or "
                "public gallery, Pharmacy, Dental practice)",
                list(RECORDING_CATEGORIES),
                repeat=True,
            ),
            "since": Choice(
                f"a first year from {WINDOW_START_OPTIONS[0]} to {WINDOW_START_OPTIONS[-1]}",
                [str(y) for y in WINDOW_START_OPTIONS],
            ),
            "after_designation": FLAG,
            "by_borough": FLAG,
            "count_community": FLAG,
            "basemap": BASEMAP,
        },
        "over-time": {"area": None, "basemap": BASEMAP},
        "borough": {
            "borough": None,
            "measure": Choice(
                "a ward measure",
                [m.short for m in profiles.WARD_MEASURES.values()],
                aliases=measure_aliases,
            ),
            "policy": POLICY_LAYERS,
            "helpers": FLAG,
            "basemap": BASEMAP,
        },
        "voluntary": {
            "measure": Choice(
                "a ward measure of this page",
                [profiles.WARD_MEASURES[k].short for k in VOLUNTARY_MEASURES],
                aliases={k: measure_aliases[k] for k in VOLUNTARY_MEASURES},
            ),
            "ward": None,
            "government": FLAG,
            "basemap": BASEMAP,
        },
        "sources": {},
    }
    if layers is not None:
        boroughs = sorted(layers.borough_names.values())
        by_group = _categories_by_group(layers.sites)

        def categories(earlier: Mapping[str, list[str]]) -> list[str]:
            groups = earlier.get("group") or list(by_group)
            return sorted({c for g in groups for c in by_group.get(g, [])})

        pages["map_explorer"]["category"] = Choice(
            "a category of the groups chosen", categories, repeat=True
        )
        pages["map_explorer"]["borough"] = Choice("a London borough", boroughs, repeat=True)
        pages["over-time"]["area"] = Choice(
            "a London borough",
            [ALL_LONDON, *boroughs],
            aliases={"London": ALL_LONDON, "all": ALL_LONDON},
        )
        pages["borough"]["borough"] = Choice("a London borough", boroughs)
    if ward_labels is not None:
        pages["voluntary"]["ward"] = Choice(
            "a London ward (as 'Ward (Borough)')", sorted(ward_labels.values())
        )
    return {
        page: {k: c for k, c in params.items() if c is not None} for page, params in pages.items()
    }
