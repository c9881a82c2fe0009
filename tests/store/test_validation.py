"""Validation of the contribute form: what is accepted, what each bad input gets."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from lib.store import Refused, ValidationError, check_bots, validate
from lib.store.validation import site_categories
from lib.vocab import contributions as vocab
from tests.store.forms import SE1, XSS, form


def errors_of(values: dict, **kwargs) -> dict[str, str]:
    with pytest.raises(ValidationError) as raised:
        validate(values, **kwargs)
    return raised.value.errors


@pytest.mark.parametrize("kind", list(vocab.KINDS))
def test_every_kind_is_accepted(kind):
    submission = validate(form(kind))
    assert submission.kind == kind
    assert submission.licence == "CC BY 4.0"
    assert submission.consent is True


def test_area_need_needs_a_ward_and_text_and_has_no_public_point():
    assert set(errors_of(form("area_need", ward_code=None, description=""))) == {
        "ward_code",
        "description",
    }
    public = validate(form("area_need", where_source="postcode", x=SE1[0], y=SE1[1]))
    public = public.public_fields()
    assert public["x"] is None and public["y"] is None


def test_correction_needs_what_and_which_site():
    errors = errors_of(form("correction", correction=None, site_id=None))
    assert set(errors) == {"correction", "site_id"}
    # "not closed" needs no new name
    assert validate(form("correction", correction="not_closed", name="")).name == ""


def test_known_sites_and_wards_are_checked_when_given():
    errors = errors_of(
        form("correction", site_id="nope"), site_ids={"cim_2022:123"}, ward_codes={"E05000001"}
    )
    assert set(errors) == {"site_id", "ward_code"}


def test_categories_come_from_the_site_taxonomy_or_other():
    assert "Library" in site_categories() and "GP practice" in site_categories()
    assert validate(form(category="other")).category == "other"
    assert "category" in errors_of(form(category="Nightclub"))
    assert "category" in errors_of(form(category=""))


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://example.org/file",
        "file:///etc/passwd",
        "https://",
        "https://localhost/",
        "https://example.org/a page",
        "www.example.org",
        "https://example.org/" + "a" * vocab.MAX_URL,
    ],
)
def test_evidence_links_must_be_web_links(url):
    assert "evidence_url" in errors_of(form(evidence_url=url))


def test_evidence_link_is_optional_and_http_is_fine():
    assert validate(form(evidence_url="")).evidence_url is None
    assert validate(form(evidence_url="HTTP://Example.org/x?a=1")).evidence_url


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("31/03/2019", "Not a date"),
        ("2019-02-30", "Not a date"),
        ("1850-01-01", "before 1900"),
        ((dt.date.today() + dt.timedelta(days=2)).isoformat(), "future"),
    ],
)
def test_bad_dates(value, message):
    assert message in errors_of(form(event_date=value))["event_date"]


def test_date_is_optional_and_a_date_object_works():
    assert validate(form(event_date="")).event_date is None
    assert validate(form(event_date=dt.date(2020, 1, 2))).event_date == dt.date(2020, 1, 2)


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("name", vocab.MAX_NAME),
        ("description", vocab.MAX_DESCRIPTION),
        ("contact", vocab.MAX_CONTACT),
        ("contact_name", vocab.MAX_CONTACT_NAME),
    ],
)
def test_length_limits(field, limit):
    assert validate(form(**{field: "x" * limit}))
    assert f"At most {limit}" in errors_of(form(**{field: "x" * (limit + 1)}))[field]


def test_control_characters_and_nul_are_refused():
    assert "control" in errors_of(form(name="Library\x00"))["name"]
    assert "control" in errors_of(form(name="two\nlines"))["name"]
    assert validate(form(description="two\nlines\tand a tab")).description


def test_consent_is_required_and_must_be_a_real_yes():
    for consent in (False, None, "true", 1):
        assert "CC BY 4.0" in errors_of(form(consent=consent))["consent"]


@pytest.mark.parametrize("token", ["", "short", "x" * 65, "a b" * 10, "<script>aaaaaaaaaaaaaaa"])
def test_bad_tokens(token):
    assert "token" in errors_of(form(token=token))


def test_where():
    assert "where" in errors_of(form(where_source="", x=None))
    assert "where" in errors_of(form(x=None))
    assert "outside London" in errors_of(form(x=383_000, y=398_000))["where"]  # Manchester
    assert "where" in errors_of(form(x="not a number"))
    assert "where" in errors_of(form("closed", where_source="ward"))  # ward only for needs
    assert "ward_code" in errors_of(form(ward_code="W05000001"))
    assert "gss_code" in errors_of(form(gss_code="<b>"))


def test_all_errors_at_once_so_the_form_can_show_each():
    errors = errors_of({"token": "x", "started_at": time.time()})
    assert {"token", "kind", "category", "name", "where", "consent"} <= set(errors)


def test_text_is_kept_verbatim_even_markup():
    for text in XSS:
        submission = validate(form(name=text, description=text, contact_name=text))
        assert submission.name == text and submission.description == text


def test_preview_shows_only_public_fields():
    public = validate(form()).public_fields()
    assert "contact" not in public and "contact_name" not in public
    assert "token" not in public and "postcode" not in public
    assert public["licence"] == "CC BY 4.0"


def test_honeypot_and_minimum_fill_time():
    now = time.time()
    with pytest.raises(Refused) as raised:
        check_bots({"honeypot": "http://spam.example", "started_at": now - 60}, now)
    assert raised.value.code == "honeypot"
    with pytest.raises(Refused) as raised:
        check_bots({"honeypot": "", "started_at": now - 1}, now)
    assert raised.value.code == "too_fast"
    with pytest.raises(Refused) as raised:
        check_bots({"honeypot": ""}, now)
    assert raised.value.code == "no_start"
    check_bots({"honeypot": "", "started_at": now - vocab.MIN_FILL_SECONDS}, now)


@pytest.mark.integration
def test_the_taxonomy_is_the_built_sites_categories(built_gpkg):
    import pyogrio

    sites = pyogrio.read_dataframe(
        built_gpkg, layer="sites", columns=["category"], read_geometry=False
    )
    assert set(sites["category"]) == set(site_categories())
