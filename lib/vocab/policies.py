"""The London Plan's locational policies: one record each, and the one parser of policy keys.

A policy key is a policy's key ("caz") or a town-centre class ("town_centre:Major"). Labels
read inside a sentence ("closure rate inside {label}"); `policy_title` is the heading form. Adding a
policy layer is one record here plus its input in lib/vocab/sources.py and lib/build.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Policy:
    key: str
    label: str  # in a sentence: "the Central Activities Zone"
    legend: str  # on a map's legend and layer picker
    colour: str
    sources: tuple[str, ...]  # catalogue keys (lib/vocab/sources.py) of its boundaries
    flag: str | None  # the sites layer's column saying a site is inside; None: not analysed
    vintage: str  # the boundaries' date, as the source states it


POLICIES: dict[str, Policy] = {
    p.key: p
    for p in [
        Policy(
            "town_centre",
            "town centres",
            "Town centres",
            "#6a3d9a",
            ("town_centres",),
            "in_town_centre",
            "London Plan 2021, Annex 1",
        ),
        Policy(
            "caz",
            "the Central Activities Zone",
            "Central Activities Zone",
            "#b15928",
            ("caz",),
            "in_caz",
            "2018",
        ),
        Policy(
            "opportunity_area",
            "Opportunity Areas",
            "Opportunity Areas (27 of 47)",
            "#e31a1c",
            ("opportunity_areas",),
            "in_opportunity_area",
            "adopted boundaries, 27 of 47",
        ),
        Policy(
            "sil",
            "Strategic Industrial Locations",
            "Strategic Industrial Locations",
            "#555555",
            ("sil",),
            "in_sil",
            "2018",
        ),
        Policy(
            "creative_enterprise_zone",
            "Creative Enterprise Zones",
            "Creative Enterprise Zones",
            "#ff7f00",
            ("creative_enterprise_zones",),
            "in_creative_enterprise_zone",
            "first round, 2018-19",
        ),
        Policy(
            "regeneration_area",
            "Areas for Regeneration",
            "Areas for Regeneration",
            "#1f78b4",
            ("imd", "lsoas"),
            "in_regen_area",
            "IMD 2019",
        ),
        Policy(
            "area_of_intensification_2015",
            "Areas of Intensification (2015)",
            "Areas of Intensification (2015)",
            "#33a02c",
            ("intensification_2015",),
            None,
            "2015, dropped by the 2021 Plan",
        ),
    ]
}

#: Town-centre classes, highest first: a site in two centres takes the higher class.
TOWN_CENTRE_CLASSES = (
    "International",
    "Metropolitan",
    "Major",
    "District",
    "CAZ retail cluster",
    "Local",
)
TOWN_CENTRE_FLAG = "town_centre_class"
TOWN_CENTRE_CLASS_LABELS = {
    "International": "International town centres",
    "Metropolitan": "Metropolitan town centres",
    "Major": "Major town centres",
    "District": "District town centres",
    "CAZ retail cluster": "CAZ retail clusters",
    "Local": "Local town centres",
}

#: The policies the loss analysis compares (those with a site flag), in display order.
MAIN_ANALYSED: tuple[str, ...] = tuple(k for k, p in POLICIES.items() if p.flag)
#: The same with the town-centre classes after them.
ANALYSED: tuple[str, ...] = (
    "town_centre",
    *(f"town_centre:{c}" for c in TOWN_CENTRE_CLASSES),
    *MAIN_ANALYSED[1:],
)


def parse_policy(key: str) -> tuple[Policy, str | None]:
    """(the policy, its town-centre class or None) of a policy key; KeyError if unknown."""
    base, _, cls = key.partition(":")
    if base not in POLICIES or (cls and (base != "town_centre" or cls not in TOWN_CENTRE_CLASSES)):
        raise KeyError(f"Unknown policy {key!r}; expected one of {', '.join(ANALYSED)}")
    return POLICIES[base], cls or None


def base_policy(key: str) -> Policy:
    return parse_policy(key)[0]


def policy_label(key: str) -> str:
    policy, cls = parse_policy(key)
    return TOWN_CENTRE_CLASS_LABELS[cls] if cls else policy.label


def policy_title(key: str) -> str:
    """The label with a capital first letter, for headings and select boxes."""
    text = policy_label(key).removeprefix("the ")
    return text[:1].upper() + text[1:]


def policy_flag(key: str) -> str:
    policy, cls = parse_policy(key)
    if cls:
        return TOWN_CENTRE_FLAG
    if policy.flag is None:
        raise KeyError(f"{key!r} has no site flag: it is drawn, not analysed")
    return policy.flag
