"""The contribute page: every kind by keyboard alone, clear messages, nothing typed lost."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from lib.store.models import Contact, Contribution
from lib.vocab import contributions as vocab
from tests.store.forms import XSS

PAGE = "pages/contribute.py"


def rows(contrib_engine) -> list[dict]:
    with contrib_engine.connect() as connection:
        return [
            dict(r)
            for r in connection.execute(
                select(Contribution.__table__).order_by(Contribution.id)
            ).mappings()
        ]


def texts(at) -> str:
    elements = [*at.markdown, *at.caption, *at.error, *at.warning, *at.success, *at.info]
    return "\n".join(str(e.value) for e in elements)


def fill_closed_report(at, name=XSS[0], postcode="SE1 7PB"):
    at.session_state["contribute_started_at"] = time.time() - 60
    at.radio(key="contribute_kind").set_value("closed").run()
    at.text_input(key="contribute_postcode").input(postcode).run()
    at.selectbox(key="contribute_category").select("Library").run()
    at.text_input(key="contribute_name").input(name)
    at.text_area(key="contribute_description").input(XSS[1])
    at.text_input(key="contribute_evidence_url").input("https://example.org/news")
    at.text_input(key="contribute_contact").input("secret-contact@example.org").run()


def test_the_form_shows_its_limits_licence_and_kinds(store_page):
    at = store_page(PAGE)
    assert at.radio(key="contribute_kind").options == list(vocab.KINDS.values())
    assert at.text_input(key="contribute_name").max_chars == vocab.MAX_NAME
    assert at.text_area(key="contribute_description").max_chars == vocab.MAX_DESCRIPTION
    assert "CC BY 4.0" in texts(at) and "CC BY 4.0" in at.checkbox(key="contribute_consent").label


@pytest.mark.parametrize(
    ("postcode", "message"),
    [
        ("hello", "is not a postcode"),
        ("M1 1AE", "is not a London postcode"),
        ("E1 0ZZ", "was not found"),
        ("E1 0ZZ", "Check it, or pick a listed facility or click the map instead."),
    ],
)
def test_postcode_messages(store_page, postcode, message):
    at = store_page(PAGE)
    at.text_input(key="contribute_postcode").input(postcode).run()
    assert message in texts(at)


def test_a_closed_report_by_postcode_is_stored_pending_with_its_text_verbatim(
    store_page, contrib_engine
):
    at = store_page(PAGE)
    fill_closed_report(at)
    # the preview shows what will be public, not the contact details
    assert "secret-contact" not in str(at.dataframe[0].value.to_dict())
    assert XSS[0] in at.dataframe[0].value.to_string()
    at.checkbox(key="contribute_consent").check().run()
    at.button(key="contribute_send").click().run()
    assert not at.exception
    assert "Your report is number" in texts(at)
    stored = rows(contrib_engine)
    assert len(stored) == 1
    assert stored[0]["name"] == XSS[0] and stored[0]["description"] == XSS[1]
    assert stored[0]["moderation"] == "pending" and stored[0]["postcode"] == "SE1 7PB"
    assert stored[0]["gss_code"] == "E09000022"
    with contrib_engine.connect() as connection:
        assert connection.execute(select(Contact.contact)).scalar() == "secret-contact@example.org"


def test_a_validation_error_keeps_everything_typed(store_page, contrib_engine):
    at = store_page(PAGE)
    fill_closed_report(at)
    at.text_input(key="contribute_evidence_url").input("javascript:alert(1)")
    at.button(key="contribute_send").click().run()  # no consent, a bad link
    shown = texts(at)
    assert "Only web links" in shown and "Tick the box" in shown
    assert at.text_input(key="contribute_name").value == XSS[0]
    assert at.text_area(key="contribute_description").value == XSS[1]
    assert at.text_input(key="contribute_postcode").value == "SE1 7PB"
    assert rows(contrib_engine) == []


def test_too_fast_and_honeypot_are_refused(store_page, contrib_engine):
    at = store_page(PAGE)
    fill_closed_report(at)
    at.checkbox(key="contribute_consent").check()
    at.session_state["contribute_started_at"] = time.time()
    at.button(key="contribute_send").click().run()
    assert "quicker than a person" in texts(at)
    at.session_state["contribute_started_at"] = time.time() - 60
    at.text_input(key="contribute_honeypot").input("http://spam.example").run()
    at.button(key="contribute_send").click().run()
    assert "could not be sent" in texts(at)
    assert rows(contrib_engine) == []


def test_a_repeated_token_stores_one_row(store_page, contrib_engine):
    at = store_page(PAGE)
    fill_closed_report(at)
    at.checkbox(key="contribute_consent").check()
    token = at.session_state["contribute_token"]
    at.button(key="contribute_send").click().run()
    first = texts(at)
    at.button(key="contribute_another").click().run()
    fill_closed_report(at)
    at.checkbox(key="contribute_consent").check()
    at.session_state["contribute_token"] = token  # as a resent request would carry
    at.button(key="contribute_send").click().run()
    assert "number 1" in first and "number 1" in texts(at)
    assert len(rows(contrib_engine)) == 1


def first(built_gpkg, layer: str, column: str, gss_code: str) -> tuple[str, str]:
    """The first (by name) code of `layer` in a borough, and its name: what a keyboard user
    reaches by typing into the select box."""
    import pyogrio

    frame = pyogrio.read_dataframe(
        built_gpkg, layer=layer, read_geometry=False, columns=[column, "name", "gss_code"]
    )
    row = frame[frame["gss_code"] == gss_code].sort_values("name").iloc[0]
    return row[column], row["name"]


def test_an_area_need_by_ward_with_the_keyboard_alone(store_page, contrib_engine, built_gpkg):
    at = store_page(PAGE)
    at.session_state["contribute_started_at"] = time.time() - 60
    at.radio(key="contribute_kind").set_value("area_need").run()
    at.radio(key="contribute_where").set_value("ward").run()
    at.selectbox(key="contribute_borough").select("E09000012").run()  # Hackney
    ward, ward_name = first(built_gpkg, "wards", "ward_code", "E09000012")
    assert at.selectbox(key="contribute_ward").options[0] == ward_name
    at.selectbox(key="contribute_ward").select(ward).run()
    at.selectbox(key="contribute_category").select("Community centre")
    at.text_input(key="contribute_name").input("A youth club")
    at.text_area(key="contribute_description").input("Nowhere for teenagers to go.")
    at.checkbox(key="contribute_consent").check().run()
    at.button(key="contribute_send").click().run()
    assert "Your report is number" in texts(at), texts(at)
    stored = rows(contrib_engine)[0]
    assert stored["kind"] == "area_need" and stored["where_source"] == "ward"
    assert stored["ward_code"] == ward and stored["gss_code"] == "E09000012"
    assert stored["x"] is None


def test_a_correction_picks_a_listed_site_by_name(store_page, contrib_engine, built_gpkg):
    at = store_page(PAGE)
    at.session_state["contribute_started_at"] = time.time() - 60
    at.radio(key="contribute_kind").set_value("correction").run()
    at.radio(key="contribute_correction").set_value("not_closed").run()
    at.selectbox(key="contribute_borough").select("E09000012").run()
    site_id, _ = first(built_gpkg, "sites", "site_id", "E09000012")
    at.selectbox(key="contribute_site").select(site_id).run()
    assert at.selectbox(key="contribute_category").value  # the site's category, filled in
    at.checkbox(key="contribute_consent").check().run()
    at.button(key="contribute_send").click().run()
    assert "Your report is number" in texts(at), texts(at)
    stored = rows(contrib_engine)[0]
    assert stored["kind"] == "correction" and stored["site_id"] == site_id
    assert stored["x"] is not None


def test_a_database_error_on_send_gets_a_plain_message_and_keeps_the_form(
    store_page, contrib_engine, monkeypatch
):
    """Issue 16, item 13: a database error on Send showed the visitor a full traceback."""
    from sqlalchemy.exc import OperationalError

    def down(*args, **kwargs):
        raise OperationalError("INSERT INTO contributions ...", {}, Exception("connection refused"))

    monkeypatch.setattr("lib.ui.contribute.send_form", down)
    at = store_page(PAGE)
    fill_closed_report(at)
    at.checkbox(key="contribute_consent").check().run()
    at.button(key="contribute_send").click().run()
    assert not at.exception
    shown = texts(at)
    assert "could not be saved just now" in shown
    assert "INSERT INTO" not in shown and "connection refused" not in shown
    assert at.text_input(key="contribute_name").value == XSS[0]  # nothing typed is lost
