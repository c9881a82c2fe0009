"""Check a submitted form and turn it into a `Submission`, or say what is wrong with each field.

Everything typed is kept verbatim (no escaping here: escaping happens where text meets HTML);
only surrounding white space is trimmed. Errors are per field, so the form can show each one
beside its field and keep everything the contributor typed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass, field
from urllib.parse import urlsplit

from lib.vocab import contributions as vocab
from lib.vocab.categories import SITE_CATEGORIES

# The British National Grid box around Greater London (the 33 boroughs fit inside with a
# margin); the UI can check a point against the borough polygons too (`inside_london`).
LONDON_BOX = (500_000.0, 150_000.0, 565_000.0, 205_000.0)
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
WARD_CODE = re.compile(r"E05\d{6}")
BOROUGH_CODE = re.compile(r"E09\d{6}")
# Control characters other than tab and newline; PostgreSQL cannot store NUL at all.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
EARLIEST_DATE = dt.date(1900, 1, 1)


def site_categories() -> tuple[str, ...]:
    """The categories of the built sites layer (the site taxonomy), in the build's order."""
    return SITE_CATEGORIES


class ValidationError(Exception):
    """The form has mistakes: `errors` maps a field name to what is wrong with it."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class Refused(Exception):
    """Not a mistake the contributor can fix by editing a field: a bot check or a rate limit.
    `message` is safe to show."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Submission:
    token: str
    kind: str
    category: str
    name: str
    where_source: str
    consent: bool
    correction: str | None = None
    site_id: str | None = None
    event_date: dt.date | None = None
    evidence_url: str | None = None
    description: str = ""
    postcode: str | None = None
    x: float | None = None
    y: float | None = None
    gss_code: str | None = None
    ward_code: str | None = None
    contact_name: str | None = None
    contact: str | None = None
    licence: str = vocab.LICENCE
    extra: dict = field(default_factory=dict, compare=False)

    def public_fields(self) -> dict:
        """What will be public once approved (the preview shows exactly this)."""
        data = asdict(self)
        for private in ("token", "contact_name", "contact", "consent", "extra", "postcode"):
            data.pop(private)
        if self.kind == "area_need":
            data["x"] = data["y"] = None
        return data


def _text(
    form: Mapping,
    key: str,
    limit: int,
    errors: dict,
    *,
    required: str | None = None,
    multiline: bool = False,
) -> str:
    value = form.get(key)
    value = "" if value is None else str(value).strip()
    if required and not value:
        errors[key] = required
    elif len(value) > limit:
        errors[key] = f"At most {limit} characters (this has {len(value)})."
    elif CONTROL.search(value) or (not multiline and "\n" in value):
        errors[key] = "Contains control characters: please retype it."
    return value


def check_url(value: str) -> str | None:
    """None if value is a usable http(s) link, else what is wrong with it."""
    if len(value) > vocab.MAX_URL:
        return f"At most {vocab.MAX_URL} characters."
    if any(c.isspace() for c in value) or CONTROL.search(value):
        return "A link has no spaces: paste the address from the browser's address bar."
    try:
        parts = urlsplit(value)
    except ValueError:
        return "Not a web address."
    if parts.scheme.lower() not in {"http", "https"}:
        return "Only web links (starting http:// or https://) are accepted."
    if not parts.hostname or "." not in parts.hostname:
        return "A web link needs a site name, like https://www.example.org/page."
    return None


def _date(form: Mapping, errors: dict, today: dt.date) -> dt.date | None:
    value = form.get("event_date")
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            errors["event_date"] = "Not a date: write it as YYYY-MM-DD."
            return None
    if value > today:
        errors["event_date"] = "This date is in the future."
    elif value < EARLIEST_DATE:
        errors["event_date"] = f"Dates before {EARLIEST_DATE.year} are not accepted."
    return value


def _number(form: Mapping, key: str) -> float | None:
    value = form.get(key)
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return float("nan")
    return number


def check_bots(form: Mapping, now: float) -> None:
    """The honeypot (a field people never see, so never fill) and the minimum fill time."""
    if str(form.get("honeypot") or "").strip():
        raise Refused("honeypot", "This form could not be sent.")
    try:
        started = float(form.get("started_at"))  # type: ignore[arg-type]  # None: TypeError
    except (TypeError, ValueError):
        raise Refused("no_start", "This form could not be sent: please reload the page.") from None
    if now - started < vocab.MIN_FILL_SECONDS:
        raise Refused(
            "too_fast",
            f"That was quicker than a person can fill the form: wait "
            f"{vocab.MIN_FILL_SECONDS:.0f} seconds and send it again.",
        )


def validate(
    form: Mapping,
    *,
    today: dt.date | None = None,
    categories: Collection[str] | None = None,
    site_ids: Collection[str] | None = None,
    ward_codes: Collection[str] | None = None,
) -> Submission:
    """A Submission from the form's values, or ValidationError naming every wrong field.

    site_ids and ward_codes, when given, are the listed sites and 2017 wards a contribution
    may name (the UI passes those of the built GeoPackage).
    """
    today = today or dt.datetime.now(dt.UTC).date()
    categories = set(site_categories() if categories is None else categories)
    errors: dict[str, str] = {}

    token = str(form.get("token") or "")
    if not TOKEN.fullmatch(token):
        errors["token"] = "This form has expired: please reload the page."

    kind = str(form.get("kind") or "")
    if kind not in vocab.KINDS:
        errors["kind"] = "Choose what you are telling us about."

    correction = str(form.get("correction") or "") or None
    if kind == "correction":
        if correction not in vocab.CORRECTIONS:
            errors["correction"] = "Say what is wrong with the listed site."
    else:
        correction = None

    site_id = str(form.get("site_id") or "").strip() or None
    if site_id is not None and site_ids is not None and site_id not in site_ids:
        errors["site_id"] = "No listed site has this identifier."
    if kind == "correction" and not site_id:
        errors["site_id"] = "Pick the listed site you are correcting."

    category = str(form.get("category") or "").strip()
    if category not in categories and category != vocab.OTHER_CATEGORY:
        errors["category"] = "Choose a category from the list, or 'other'."

    name_required = (
        None if kind == "correction" and correction != "wrong_name" else "Give it a name."
    )
    if kind == "area_need":
        name_required = "Give a short title for what the area needs."
    name = _text(form, "name", vocab.MAX_NAME, errors, required=name_required)
    description = _text(
        form,
        "description",
        vocab.MAX_DESCRIPTION,
        errors,
        multiline=True,
        required="Say what this area needs." if kind == "area_need" else None,
    )
    event_date = _date(form, errors, today)

    evidence_url = str(form.get("evidence_url") or "").strip() or None
    if evidence_url is not None:
        problem = check_url(evidence_url)
        if problem:
            errors["evidence_url"] = problem

    where_source = str(form.get("where_source") or "")
    x, y = _number(form, "x"), _number(form, "y")
    ward_code = str(form.get("ward_code") or "").strip() or None
    gss_code = str(form.get("gss_code") or "").strip() or None
    postcode = str(form.get("postcode") or "").strip().upper() or None
    if where_source not in vocab.WHERE_SOURCES:
        errors["where"] = "Say where: a postcode, a listed facility or a point on the map."
    elif where_source == "ward":
        if kind != "area_need":
            errors["where"] = "Only 'what this area needs' can be placed by ward alone."
        x = y = None
    elif x is None or y is None:
        errors["where"] = "Say where: a postcode, a listed facility or a point on the map."
    elif not (LONDON_BOX[0] <= x <= LONDON_BOX[2] and LONDON_BOX[1] <= y <= LONDON_BOX[3]):
        errors["where"] = "This place is outside London."
    if ward_code is not None and (
        not WARD_CODE.fullmatch(ward_code)
        or (ward_codes is not None and ward_code not in ward_codes)
    ):
        errors["ward_code"] = "Not a London ward (2017 ward codes start E05)."
    if kind == "area_need" and ward_code is None:
        errors["ward_code"] = "Choose the ward."
    if gss_code is not None and not BOROUGH_CODE.fullmatch(gss_code):
        errors["gss_code"] = "Not a London borough code."
    if postcode is not None and len(postcode) > 8:
        errors["postcode"] = "Not a postcode."

    contact_name = _text(form, "contact_name", vocab.MAX_CONTACT_NAME, errors) or None
    contact = _text(form, "contact", vocab.MAX_CONTACT, errors) or None

    if form.get("consent") is not True:
        errors["consent"] = (
            f"Tick the box to agree to publish this under {vocab.LICENCE}: without it we "
            "cannot show it."
        )

    if errors:
        raise ValidationError(errors)
    return Submission(
        token=token,
        kind=kind,
        correction=correction,
        site_id=site_id,
        category=category,
        name=name,
        event_date=event_date,
        evidence_url=evidence_url,
        description=description,
        where_source=where_source,
        postcode=postcode,
        x=x,
        y=y,
        gss_code=gss_code,
        ward_code=ward_code,
        contact_name=contact_name,
        contact=contact,
        consent=True,
    )
