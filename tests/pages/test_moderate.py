"""The moderation page: refused without sign-in (also by direct link), then the queue,
likely duplicates, decisions with reasons, outcomes and edits that keep the original."""

from __future__ import annotations

from lib.store import RateLimits, submit
from lib.store.accounts import create_moderator
from lib.store.moderation import history, revisions
from tests.pages.conftest import PASSWORD
from tests.store.forms import XSS, submission

PAGE = "pages/moderate.py"
SECRET = "secret-contact-zz@example.org"


def everything_shown(at) -> str:
    """Every text the page put out, tables included."""
    parts = [
        str(e.value)
        for e in [
            *at.markdown,
            *at.caption,
            *at.error,
            *at.warning,
            *at.success,
            *at.info,
            *at.text,
            *at.code,
        ]
    ]
    parts += [d.value.to_string() for d in at.dataframe]
    return "\n".join(parts)


def report(contrib_engine, **changes) -> int:
    return submit(
        contrib_engine,
        submission(contact=SECRET, **changes),
        session_id="mod-page",
        client_address=None,
        limits=RateLimits(10**6, 10**6),
    ).id


def sign_in(at, name="mo", password=PASSWORD):
    at.text_input(key="moderate_name").input(name)
    at.text_input(key="moderate_password").input(password)
    at.button(key="moderate_sign_in_button").click().run()
    return at


def test_with_no_moderator_the_page_says_how_to_make_one(store_page, contrib_engine):
    report(contrib_engine, name="Queued report")
    at = store_page(PAGE)
    shown = everything_shown(at)
    assert "make moderator NAME=alice" in shown
    assert "Queued report" not in shown and not at.dataframe


def test_a_direct_link_without_sign_in_shows_nothing_of_the_queue(store_page, contrib_engine):
    create_moderator(contrib_engine, "mo", PASSWORD)
    report(contrib_engine, name="Queued report")
    at = store_page(PAGE)
    shown = everything_shown(at)
    assert "Only signed-in moderators" in shown
    assert "Queued report" not in shown and SECRET not in shown and not at.dataframe
    sign_in(at, password="wrong password!!")
    assert "do not match" in everything_shown(at)
    assert "Queued report" not in everything_shown(at)


def test_sign_in_queue_duplicates_and_approve(store_page, contrib_engine):
    create_moderator(contrib_engine, "mo", PASSWORD)
    first = report(contrib_engine, name=XSS[0], category="Pub")
    report(contrib_engine, name="Another pub nearby", category="Pub")
    at = sign_in(store_page(PAGE))
    shown = everything_shown(at)
    assert XSS[0] in shown  # verbatim, as plain text in a table
    assert not any(XSS[0] in str(m.value) for m in at.markdown)
    assert "same category" in shown  # the likely duplicate
    assert SECRET not in shown  # contact details only on request
    queue = at.dataframe[0].value
    assert list(queue.columns[:4]) == ["Report", "Moderation", "Outcome", "What"]
    assert set(queue["Moderation"]) == {"Waiting for a moderator"}  # words, not `pending`
    assert set(queue["What"]) == {"A facility that has closed"}
    detail = at.dataframe[1].value.to_string()
    assert "nan" not in detail and "Listed site" not in detail  # not a listed site's report
    at.selectbox(key="moderate_chosen").select(first).run()
    at.radio(key=f"moderate_to_{first}").set_value("approved")
    at.button(key=f"moderate_apply_{first}").click().run()
    assert "Saved." in everything_shown(at)
    assert list(history(contrib_engine, first)["to_value"]) == ["approved"]
    assert list(history(contrib_engine, first)["moderator"]) == ["mo"]


def test_reject_needs_a_reason(store_page, contrib_engine):
    create_moderator(contrib_engine, "mo", PASSWORD)
    cid = report(contrib_engine)
    at = sign_in(store_page(PAGE))
    at.radio(key=f"moderate_to_{cid}").set_value("rejected")
    at.button(key=f"moderate_apply_{cid}").click().run()
    assert "needs one" in everything_shown(at)
    at.selectbox(key=f"moderate_reason_{cid}").select("spam")
    at.button(key=f"moderate_apply_{cid}").click().run()
    assert list(history(contrib_engine, cid)["reason_code"]) == ["spam"]


def test_an_edit_keeps_the_original(store_page, contrib_engine):
    create_moderator(contrib_engine, "mo", PASSWORD)
    cid = report(contrib_engine, name="Old Kent Rd Libary")
    at = sign_in(store_page(PAGE))
    at.text_input(key=f"moderate_edit_name_{cid}").input("Old Kent Road Library")
    at.text_input(key=f"moderate_edit_note_{cid}").input("spelling")
    at.button(key=f"moderate_save_edit_{cid}").click().run()
    assert [r["content"]["name"] for r in revisions(contrib_engine, cid)] == [
        "Old Kent Rd Libary",
        "Old Kent Road Library",
    ]


def replay_after_sign_out(at, arm):
    """A click made while signed in, replayed after Sign out as a client resending the
    websocket message would: the widget states of that click, sent to the signed-out session."""
    clicked = arm(at)
    replayed = at._tree.get_widget_states()
    clicked.set_value(False)  # Sign out itself sends no other click
    at.button(key="moderate_sign_out").click().run()
    assert "Only signed-in moderators" in everything_shown(at)
    at._run(replayed)
    return at


def test_sign_out_disarms_every_moderation_action(store_page, contrib_engine):
    create_moderator(contrib_engine, "mo", PASSWORD)
    cid = report(contrib_engine)

    def approve(at):
        at.radio(key=f"moderate_to_{cid}").set_value("approved")
        return at.button(key=f"moderate_apply_{cid}").click()

    def erase(at):
        return at.button(key=f"moderate_erase_{cid}").click()

    for arm in (approve, erase):
        at = replay_after_sign_out(sign_in(store_page(PAGE)), arm)
        assert history(contrib_engine, cid).empty  # nothing done, nothing logged
        assert "Only signed-in moderators" in everything_shown(at)
