"""The one public read path: approved rows, public columns, nothing private."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lib.store import (
    PUBLIC_COLUMNS,
    PublicFilter,
    RateLimits,
    public_contributions,
    public_version,
    submit,
)
from lib.store.models import Contribution
from lib.store.moderation import edit, set_moderation, set_outcome
from tests.store.forms import SE1, WARD, XSS, submission

LIMITS = RateLimits(per_session=10**6, per_address=10**6)
SECRET_NAME = "Private Person Zq"
SECRET_CONTACT = "private-zq@example.org"


@pytest.fixture(scope="module")
def reports(store):
    """One report in each moderation state, all with contact details, plus an approved area
    need and an approved report full of markup."""
    engine = store.engine

    def new(**changes):
        values = {"contact_name": SECRET_NAME, "contact": SECRET_CONTACT} | changes
        return submit(
            engine,
            submission(**values),
            session_id="public-tests",
            client_address="192.0.2.50",
            limits=LIMITS,
        ).id

    ids = {
        state: new(name=f"{state} report")
        for state in ("pending", "approved", "rejected", "needs_edit", "hidden")
    }
    for state, cid in ids.items():
        if state == "hidden":
            set_moderation(engine, cid, "approved", moderator="mo")
        if state != "pending":
            set_moderation(engine, cid, state, moderator="mo", reason_code="spam")
    ids["need"] = submit(
        engine,
        submission(
            "area_need",
            contact_name=SECRET_NAME,
            contact=SECRET_CONTACT,
            where_source="postcode",
            x=SE1[0],
            y=SE1[1],
            postcode="SE1 7PB",
        ),
        session_id="public-tests",
        client_address=None,
        limits=LIMITS,
    ).id
    set_moderation(engine, ids["need"], "approved", moderator="mo")
    ids["xss"] = new(name=XSS[0], description=XSS[1], category="other", gss_code="E09000001")
    set_moderation(engine, ids["xss"], "approved", moderator="mo")
    return ids


def test_only_approved_rows(engine, reports):
    shown = set(public_contributions(engine)["id"])
    assert shown == {reports["approved"], reports["need"], reports["xss"]}


def test_hiding_takes_a_row_out_and_showing_brings_it_back(engine, reports):
    set_moderation(
        engine, reports["approved"], "hidden", moderator="mo", reason_code="other", note="checking"
    )
    assert reports["approved"] not in set(public_contributions(engine)["id"])
    set_moderation(engine, reports["approved"], "approved", moderator="mo")
    assert reports["approved"] in set(public_contributions(engine)["id"])


def test_the_public_version_changes_with_every_change_the_public_sees_and_only_then(
    engine, reports
):
    """Pages read the reports again only when the version changed (lib/ui/cache.py)."""
    before = public_version(engine)
    pending = submit(
        engine,
        submission(name="a new report"),
        session_id="public-version",
        client_address=None,
        limits=LIMITS,
    ).id
    assert public_version(engine) == before  # pending: nothing public changed
    versions = [before]
    steps = [
        lambda: set_moderation(engine, pending, "approved", moderator="mo"),
        lambda: edit(engine, pending, {"description": "Shut in May."}, moderator="mo", note="x"),
        lambda: set_outcome(engine, pending, "confirmed", moderator="mo"),
        lambda: set_moderation(engine, pending, "hidden", moderator="mo", reason_code="spam"),
    ]
    for step in steps:
        step()
        versions.append(public_version(engine))
    assert len(set(versions)) == len(versions)  # each step: a new version
    assert pending not in set(public_contributions(engine)["id"])


def test_public_columns_only_and_no_contact_details_anywhere(engine, reports):
    frame = public_contributions(engine)
    assert set(PUBLIC_COLUMNS) - {"x", "y"} <= set(frame.columns)
    assert not {"token", "moderation", "consent", "postcode", "contact", "contact_name"} & set(
        frame.columns
    )
    dumped = frame.to_json() + frame.to_csv()
    assert SECRET_NAME not in dumped and SECRET_CONTACT not in dumped
    with engine.connect() as connection:
        tokens = connection.execute(select(Contribution.token)).scalars().all()
    assert not any(token in dumped for token in tokens)


def test_points_in_british_national_grid_and_none_for_area_needs(engine, reports):
    frame = public_contributions(engine).set_index("id")
    assert frame.crs.to_epsg() == 27700
    assert frame.loc[reports["approved"], "geometry"].x == pytest.approx(SE1[0])
    assert frame.loc[reports["need"], "geometry"] is None
    assert frame.loc[reports["need"], "ward_code"] == WARD


def test_licence_and_label_on_every_row(engine, reports):
    frame = public_contributions(engine)
    assert set(frame["licence"]) == {"CC BY 4.0"}
    assert set(frame["licence_url"]) == {"https://creativecommons.org/licenses/by/4.0/"}
    assert set(frame["source"]) == {"community-reported"}


def test_markup_comes_back_verbatim(engine, reports):
    row = public_contributions(engine).set_index("id").loc[reports["xss"]]
    assert row["name"] == XSS[0] and row["description"] == XSS[1]


def test_filters_only_narrow(engine, reports):
    assert set(public_contributions(engine, PublicFilter(kinds=("area_need",)))["id"]) == {
        reports["need"]
    }
    assert set(public_contributions(engine, PublicFilter(gss_codes=("E09000001",)))["id"]) == {
        reports["xss"]
    }
    # a filter naming a hidden or pending row still cannot reach it
    chosen = PublicFilter(categories=("Library", "other"), outcomes=("reported",))
    assert set(public_contributions(engine, chosen)["id"]) == {reports["approved"], reports["xss"]}
    assert public_contributions(engine, PublicFilter(site_ids=())).empty


def test_an_empty_store_gives_an_empty_frame_with_the_columns(tmp_path):
    from lib.store import open_store

    engine = open_store(f"sqlite:///{tmp_path / 'empty.sqlite'}", fresh=True)
    frame = public_contributions(engine)
    assert frame.empty and "licence" in frame.columns and frame.crs.to_epsg() == 27700
    engine.dispose()
