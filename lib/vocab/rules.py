"""The build's record rules: why a source's record is not a facility of its own, or its end not
a loss. Each key names one written rule in `lib/build`; the `records` layer's `rule` column and
the robustness panel's variants use these keys and labels.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RecordRule:
    key: str
    label: str  # what the rule folds away, as a noun phrase
    variant: str  # the robustness panel's row when the rule is undone (or tightened)


RECORD_RULES = {
    rule.key: rule
    for rule in (
        RecordRule(
            "change_of_owner",
            "changes of owner (a code closing as another opens in the same building)",
            # Half of them open the next day: undoing the rule would call an owner's paperwork
            # a closure; the variant tightens its 92 days to a week.
            "Changes of owner only within a week (not 92 days)",
        ),
        RecordRule(
            "parallel_code",
            "parallel codes (a code ending while a code of the same name at the same "
            "postcode stays open)",
            "Parallel codes counted as facilities",
        ),
        RecordRule(
            "short_lived",
            "codes open under 31 days",
            "Codes open under 31 days counted as facilities",
        ),
        RecordRule(
            "moved",
            "moves (a pharmacy opening within 250 m within 6 months of the close)",
            "Moves counted as losses",
        ),
        RecordRule(
            "not_community",
            "distance-selling and other pharmacies nobody walks into",
            "Distance-selling and hub pharmacies counted",
        ),
        RecordRule(
            "not_a_practice",
            "community, hospital, prison and emergency dental services",
            "Dental services that are not practices counted",
        ),
        RecordRule(
            "contract_end",
            "NHS dental contract ends dated at the NHS year end",
            "NHS dental contract ends counted as losses",
        ),
    )
}
