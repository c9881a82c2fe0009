"""Valid forms of each kind, made in code, for the store's tests to submit or spoil."""

from __future__ import annotations

import time
import uuid

from lib.store import Submission, validate

# A postcode in Southwark's Cathedrals ward and its point as the build's postcodes layer
# places it (British National Grid metres).
POSTCODE = "SE1 1LB"
SE1 = (532486.0, 179907.0)
XSS = [
    "<script>alert('xss')</script>",
    '<img src=x onerror="alert(1)">',
    "\"'><svg onload=alert(1)>",
]
WARD = "E05000536"  # Cathedrals (Southwark), a 2017 ward code


def token() -> str:
    return uuid.uuid4().hex


def form(kind: str = "closed", **changes) -> dict:
    """The values the contribute page would pass to validate() for a report of `kind`."""
    values = {
        "token": token(),
        "kind": kind,
        "category": "Library",
        "name": "Old Kent Road Library",
        "event_date": "2019-03-31",
        "evidence_url": "https://www.example.org/news/library-closes",
        "description": "Closed after the council's budget cuts.",
        "where_source": "postcode",
        "postcode": POSTCODE,
        "x": SE1[0],
        "y": SE1[1],
        "gss_code": "E09000028",
        "ward_code": WARD,
        "contact_name": "Ada Contributor",
        "contact": "ada@example.org",
        "consent": True,
        "honeypot": "",
        "started_at": time.time() - 60,
    }
    if kind == "correction":
        values |= {"correction": "wrong_name", "site_id": "cim_2022:123"}
    if kind == "area_need":
        values |= {
            "where_source": "ward",
            "x": None,
            "y": None,
            "category": "Community centre",
            "name": "A youth club",
            "description": "Nowhere for teenagers to go.",
        }
    return values | changes


def submission(kind: str = "closed", categories=None, **changes) -> Submission:
    return validate(form(kind, **changes), categories=categories)
