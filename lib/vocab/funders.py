"""The 360Giving funders by type: the voluntary sector's own money apart from government's.

Department for Transport grants are half of all the money in the extract and went to a handful
of transport bodies; counted with charitable trusts they would make one Southwark ward look like
the best-funded voluntary sector in London. So every funder in the extract has a type here, and
the voluntary views count the voluntary sector's own funders (``VOLUNTARY``) by default.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FunderType:
    key: str
    label: str  # plural, reads in a sentence: "grants from {label}"
    voluntary: bool  # the voluntary sector's own money


FUNDER_TYPES = {
    t.key: t
    for t in (
        FunderType("charitable", "charitable trusts, foundations and companies", True),
        FunderType("lottery", "the National Lottery Community Fund", True),
        FunderType("government", "government departments, councils and public bodies", False),
    )
}
VOLUNTARY = tuple(k for k, t in FUNDER_TYPES.items() if t.voluntary)

# Funders that are not charitable trusts or foundations; every other funder in the extract is one.
# Sport England is a public body that spends Exchequer as well as Lottery money.
_NOT_CHARITABLE = {
    "Department for Transport": "government",
    "Birmingham City Council": "government",
    "Sport England": "government",
    "The Big Lottery Fund": "lottery",
}


def funder_type(funder: str) -> str:
    """The type key of a 360Giving funder, by its name in the extract."""
    return _NOT_CHARITABLE.get(funder.strip(), "charitable")
