"""Community contributions: kinds, the two state axes, reason codes, licence and limits.

Each fact is written once here; the form, the moderation page, the store's validation and the
maps read it (the store's migrations copy these lists as they were, as a migration must).
"""

from __future__ import annotations

# What a contribution is about. label = what the form shows.
KINDS: dict[str, str] = {
    "closed": "A facility that has closed",
    "under_threat": "A facility under threat of closure",
    "missing": "A community space the data lacks",
    "correction": "A correction to a listed site",
    "area_need": "What this area needs",
}
# A correction says what is wrong with a listed site (it names the site's site_id).
CORRECTIONS: dict[str, str] = {
    "wrong_place": "It is in the wrong place",
    "wrong_name": "Its name is wrong",
    "not_closed": "It is not closed",
}

# The short words for each kind: maps' tooltips and legends, the wall's counts.
KIND_SHORT: dict[str, str] = {
    "closed": "Closed",
    "under_threat": "Under threat",
    "missing": "Missing from the data",
    "correction": "Correction",
    "area_need": "Area need",
}
# The kinds with a point on a map; an area need is a ward's (counted, not mapped).
MAPPED_KINDS: tuple[str, ...] = tuple(k for k in KINDS if k != "area_need")

# Axis 1: moderation. Only "approved" is public.
MODERATION_STATES: dict[str, str] = {
    "pending": "Waiting for a moderator",
    "approved": "Approved (public)",
    "rejected": "Rejected",
    "needs_edit": "Needs an edit",
    "hidden": "Hidden (was approved)",
}
# Which moderation moves are allowed; approved and hidden can be swapped back and forth.
TRANSITIONS: dict[str, frozenset[str]] = {
    "pending": frozenset({"approved", "rejected", "needs_edit"}),
    "needs_edit": frozenset({"pending", "approved", "rejected"}),
    "approved": frozenset({"hidden"}),
    "hidden": frozenset({"approved"}),
    "rejected": frozenset(),
}
# Moves that need a reason code.
NEEDS_REASON: frozenset[str] = frozenset({"rejected", "hidden"})

# Axis 2: what happened to the facility, as far as moderators can tell.
OUTCOMES: dict[str, str] = {
    "reported": "Reported by the community",
    "confirmed": "Confirmed by a moderator",
    "reopened": "Reopened since",
    "duplicate": "A duplicate of another report or a listed site",
}

REASON_CODES: dict[str, str] = {
    "spam": "Spam or advertising",
    "abusive": "Abusive, hateful or defamatory",
    "personal_data": "Contains personal details",
    "not_a_facility": "Not a community facility",
    "outside_london": "Outside London",
    "duplicate": "Duplicate of another report or a listed site",
    "unverifiable": "Cannot be verified from the evidence given",
    "inaccurate": "Shown to be inaccurate",
    "copyright": "Copied material the contributor may not license",
    "contributor_request": "The contributor asked for it to be withdrawn",
    "other": "Other (see note)",
}

LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
OTHER_CATEGORY = "other"

# Length limits the form shows beside its fields.
MAX_NAME = 200
MAX_DESCRIPTION = 2000
MAX_URL = 500
MAX_CONTACT_NAME = 200
MAX_CONTACT = 320  # an email address or a telephone number
MAX_NOTE = 1000
MAX_CATEGORY = 80

# Abuse controls.
MIN_FILL_SECONDS = 3.0  # a form sent sooner than this after it was opened is a bot


# Where a contribution's place came from.
WHERE_SOURCES: dict[str, str] = {
    "postcode": "A postcode",
    "site": "A listed facility",
    "map": "A click on the map",
    "ward": "A ward",
}

# A workshop wall's colour for each kind (colour-blind safe, Paul Tol's bright scheme).
KIND_COLOURS: dict[str, str] = {
    "closed": "#EE6677",
    "under_threat": "#CCBB44",
    "missing": "#228833",
    "correction": "#4477AA",
    "area_need": "#AA3377",
}
