"""The 360Giving funders by type, in three groups: government, the public lottery distributors
and the independent charitable funders (the voluntary sector's own money).

Department for Transport grants are half of all the money in the extract and went to a handful
of transport bodies; counted with charitable trusts they would make one Southwark ward look like
the best-funded voluntary sector in London. The Big Lottery Fund and Sport England both
distribute National Lottery money as public bodies, so they are typed alike, apart from both
government and the independent funders. Research funders, whose money goes mainly to
universities, research institutes and museums, are independent but flagged with a type of their
own. The voluntary views count the independent funders (``VOLUNTARY``) by default.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The three groups of funders, as they read in a sentence.
FUNDER_GROUPS = {
    "government": "government departments and councils",
    "lottery": "the public lottery distributors (the Big Lottery Fund and Sport England)",
    "independent": "independent charitable funders (trusts, foundations and companies)",
}


@dataclass(frozen=True)
class FunderType:
    key: str
    label: str  # plural, reads in a sentence: "grants from {label}"
    group: str  # a FUNDER_GROUPS key

    @property
    def voluntary(self) -> bool:
        """The voluntary sector's own money: the independent funders'."""
        return self.group == "independent"


FUNDER_TYPES = {
    t.key: t
    for t in (
        FunderType("charitable", "charitable trusts, foundations and companies", "independent"),
        FunderType(
            "research",
            "research funders (their money goes mainly to universities and museums)",
            "independent",
        ),
        FunderType("lottery", "public lottery distributors", "lottery"),
        FunderType("government", "government departments and councils", "government"),
    )
}
VOLUNTARY = tuple(k for k, t in FUNDER_TYPES.items() if t.voluntary)

# Funders that are not general charitable trusts or foundations; every other funder in the
# extract is one.
_NOT_CHARITABLE = {
    "Department for Transport": "government",
    "Birmingham City Council": "government",
    "Sport England": "lottery",  # also spends Exchequer money, like the Lottery Fund's partners
    "The Big Lottery Fund": "lottery",
    # Research funders: science, medicine and engineering research, universities and museums.
    "Wolfson Foundation": "research",
    "Gatsby Charitable Foundation": "research",
    "Lloyd's Register Foundation": "research",
    "The Dunhill Medical Trust": "research",
}


def funder_type(funder: str) -> str:
    """The type key of a 360Giving funder, by its name in the extract."""
    return _NOT_CHARITABLE.get(funder.strip(), "charitable")
