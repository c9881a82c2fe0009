"""The needs index's domains: the one list the index, its weights, a link's `weights=`, the
phones' sliders in a workshop and the wall's summary all read.

A weight is a number from 0 (leave this out) to MAX_WEIGHT (a phone's slider gives whole
numbers; the room's median may fall between); the default gives every domain the same weight.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Domain:
    key: str
    label: str  # a column or slider label
    question: str  # what a phone asks about it, in a resident's words


DOMAINS = {
    d.key: d
    for d in (
        Domain("access", "Access", "People living far from a library, GP, pharmacy or centre"),
        Domain("losses", "Losses", "Facilities the area has lost"),
        Domain("voluntary", "Voluntary sector", "Few charities or little grant money"),
        Domain("deprivation", "Deprivation", "Deprivation (income, health, housing, ...)"),
        Domain("community", "What people say", "What residents reported the area needs"),
    )
}
MAX_WEIGHT = 4
DEFAULT_WEIGHT = 2
DEFAULT_WEIGHTS = {key: DEFAULT_WEIGHT for key in DOMAINS}


class WeightsError(ValueError):
    """Weights that name an unknown domain or are not numbers in range; the message says
    which."""


def check_weights(weights: dict) -> dict[str, float]:
    """Every domain's weight as a number 0..MAX_WEIGHT (a missing domain gets 0), or
    WeightsError. At least one must be above 0."""
    if not isinstance(weights, dict):
        raise WeightsError("Weights are a set of domain: number pairs.")
    unknown = sorted(str(k) for k in weights if k not in DOMAINS)
    if unknown:
        raise WeightsError(
            f"Unknown domain {', '.join(unknown)}: the domains are {', '.join(DOMAINS)}."
        )
    checked = {}
    for key in DOMAINS:
        value = weights.get(key, 0)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or not 0 <= value <= MAX_WEIGHT
        ):
            raise WeightsError(
                f"The weight of {DOMAINS[key].label} is {value!r}: a number from 0 to {MAX_WEIGHT}."
            )
        checked[key] = float(value)
    if not any(checked.values()):
        raise WeightsError("Give at least one domain a weight above 0.")
    return checked
