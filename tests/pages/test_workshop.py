"""Workshop mode's pages on the real build: the facilitator's session, a phone joining with a
Hackney postcode, wrong and ended codes, scribing, and the wall's counts."""

from __future__ import annotations

import json
import re
import time

import pytest
from sqlalchemy import select

from lib.render import page_specs
from lib.render.legend import legend_html
from lib.store import public_contributions
from lib.store.accounts import create_moderator
from lib.store.models import Contribution
from lib.store.workshop import all_sessions, end_session, session_contributions, start_session
from tests.pages.conftest import PASSWORD

HACKNEY = "E09000012"
HACKNEY_POSTCODE = "E8 1DY"  # Hackney Central, in Code-Point Open 2025


def texts(at) -> str:
    elements = [
        *at.markdown,
        *at.caption,
        *at.error,
        *at.warning,
        *at.success,
        *at.info,
        *at.code,
    ]
    return "\n".join(str(e.value) for e in elements)


def html_of(at) -> str:
    return "\n".join(str(e.proto.body) for e in at.get("html"))


def rows(engine) -> list[dict]:
    with engine.connect() as connection:
        return [
            dict(r)
            for r in connection.execute(
                select(Contribution.__table__).order_by(Contribution.id)
            ).mappings()
        ]


def open_page(new_app, path: str, session: str | None = None):
    at = new_app()
    at.run()  # the explorer, which notes and drops a parameter it does not read (`session`)
    if session is not None:
        at.query_params["session"] = session
    at.switch_page(path).run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def moderator(contrib_engine):
    create_moderator(contrib_engine, "mo", PASSWORD)
    return "mo"


def sign_in(at):
    at.text_input(key="moderate_name").input("mo")
    at.text_input(key="moderate_password").input(PASSWORD)
    at.button(key="moderate_sign_in_button").click().run()
    assert not at.exception, at.exception
    return at


def fill_phone_report(at, name: str, postcode: str = HACKNEY_POSTCODE):
    at.session_state["contribute_started_at"] = time.time() - 60
    at.radio(key="contribute_kind").set_value("closed").run()
    at.text_input(key="contribute_postcode").input(postcode).run()
    at.selectbox(key="contribute_category").select("Library").run()
    at.text_input(key="contribute_name").input(name)
    at.text_area(key="contribute_description").input("Closed in 2019; we met there weekly.")
    at.checkbox(key="contribute_consent").check().run()


def test_the_workshop_page_is_for_signed_in_moderators_only(new_app, store_url, moderator):
    at = open_page(new_app, "pages/workshop.py")
    assert "Only signed-in moderators can see this page." in texts(at)
    assert not [b for b in at.button if b.key == "workshop_start"]


def test_a_facilitator_starts_a_session_with_a_code_and_a_qr_code(
    new_app, store_url, moderator, contrib_engine
):
    at = sign_in(open_page(new_app, "pages/workshop.py"))
    start_box = [e for e in at.expander if e.label == "Start a new workshop"]
    assert start_box[0].proto.expanded  # no workshop yet: the box is open
    at.text_input(key="workshop_title").input("Hackney libraries").run()
    at.button(key="workshop_start").click().run()
    assert not at.exception, at.exception
    # Started: the box folds, so the code and the QR code are on a 1280x720 screen.
    start_box = [e for e in at.expander if e.label == "Start a new workshop"]
    assert not start_box[0].proto.expanded
    shown = html_of(at)
    assert 'class="jul-code"' in shown  # the QR code: tests/render/test_workshop.py
    code = shown.split('data-code="')[1][:6]
    assert f"/join?session={code}" in texts(at)
    assert f"./wall?session={code}" in texts(at)
    assert at.selectbox(key="workshop_pick").value is not None
    at.button(key="workshop_end").click().run()
    assert "has ended" in texts(at)


def test_an_empty_title_gets_a_message(new_app, store_url, moderator):
    at = sign_in(open_page(new_app, "pages/workshop.py"))
    at.button(key="workshop_start").click().run()
    assert "Give the workshop a title" in texts(at)


def test_a_phone_joins_and_its_hackney_report_is_tagged_and_not_public(
    new_app, store_url, contrib_engine
):
    session = start_session(contrib_engine, "Hackney libraries", started_by="mo")
    at = open_page(new_app, "pages/join.py", session=session.code.lower())
    assert "Hackney libraries" in html_of(at)
    # the same form as Add to the map, without the map click
    assert at.radio(key="contribute_where").options == [
        "A postcode",
        "A listed facility, picked by name",
    ]
    # an unknown postcode sends the phone to what its form has: no map
    at.radio(key="contribute_where").set_value("postcode").run()
    at.text_input(key="contribute_postcode").input("E1 0ZZ").run()
    assert "Check it, or pick a listed facility instead." in texts(at)
    fill_phone_report(at, "Stoke Newington library annexe")
    assert "E8 1DY: Hackney." in texts(at)
    at.button(key="contribute_send").click().run()
    assert not at.exception, at.exception
    assert "Your report is number" in texts(at) and "on the room's wall" in texts(at)
    stored = rows(contrib_engine)
    assert len(stored) == 1
    assert stored[0]["session_id"] == session.id and stored[0]["scribed"] is False
    assert stored[0]["gss_code"] == HACKNEY and stored[0]["moderation"] == "pending"
    assert public_contributions(contrib_engine).empty


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("hello", "'hello' is not a workshop code"),
        ("ZZZZ22", "No workshop has the code ZZZZ22"),
    ],
)
def test_a_wrong_code_gets_a_visible_note_and_no_form(new_app, store_url, code, message):
    at = open_page(new_app, "pages/join.py", session=code)
    assert message in "\n".join(str(e.value) for e in at.error)
    assert not [w for w in at.radio if w.key == "contribute_kind"]


def test_an_ended_code_says_so(new_app, store_url, contrib_engine):
    session = start_session(contrib_engine, "Over", started_by="mo")
    end_session(contrib_engine, session.id)
    at = open_page(new_app, "pages/join.py", session=session.code)
    assert f"The workshop {session.code} (Over) has ended" in "\n".join(
        str(e.value) for e in at.error
    )
    assert not [w for w in at.radio if w.key == "contribute_kind"]


def test_a_session_ended_while_typing_keeps_the_draft_and_the_send_is_refused(
    new_app, store_url, contrib_engine
):
    session = start_session(contrib_engine, "Ends mid-way", started_by="mo")
    at = open_page(new_app, "pages/join.py", session=session.code)
    fill_phone_report(at, "Half-typed report")
    end_session(contrib_engine, session.id)
    at.button(key="contribute_send").click().run()
    assert "has ended" in texts(at)
    assert at.text_input(key="contribute_name").value == "Half-typed report"
    assert rows(contrib_engine) == []


def test_the_facilitator_scribes_a_sticky_note(new_app, store_url, moderator, contrib_engine):
    session = start_session(contrib_engine, "Scribing", started_by="mo")
    at = sign_in(open_page(new_app, "pages/workshop.py", session=session.code))
    fill_phone_report(at, "Sticky note: Dalston youth club")
    at.button(key="contribute_send").click().run()
    assert not at.exception, at.exception
    assert "Scribed" in texts(at)
    stored = rows(contrib_engine)
    assert [(r["name"], r["scribed"], r["session_id"]) for r in stored] == [
        ("Sticky note: Dalston youth club", True, session.id)
    ]


def test_the_wall_counts_by_kind_and_shows_the_latest(new_app, store_url, contrib_engine):
    from lib.store import submit
    from tests.store.forms import submission

    session = start_session(contrib_engine, "Wall test", started_by="mo")
    for i, kind in enumerate(["closed", "closed", "under_threat", "area_need"]):
        submit(
            contrib_engine,
            submission(
                kind, name=f"Wall report {i} <i>x</i>", categories=("Library", "Community centre")
            ),
            session_id=f"wall-{i}",
            client_address=None,
            workshop=session.id,
        )
    at = open_page(new_app, "pages/wall.py", session=session.code)
    shown = html_of(at)
    assert 'data-count="4"' in shown
    assert '<tr data-kind="closed">' in shown and '<td class="n">2</td>' in shown
    assert "Wall report 3 &lt;i&gt;x&lt;/i&gt;" in shown and "<i>x</i>" not in shown
    assert public_contributions(contrib_engine).empty
    # the room can scan to join from the wall itself
    assert "<figcaption>Scan to join</figcaption>" in shown
    assert 'alt="QR code of the join address, http' in shown
    # The map: the three placed reports by kind, names escaped; not the area need.
    drawn = wall_map_spec(at)
    reports = drawn["reports"]
    assert [reports["colours"][k] for _, _, k in reports["points"]] == [
        "#EE6677",
        "#EE6677",
        "#CCBB44",
    ]
    assert [tip[0] for tip in reports["tips"]] == [
        f"Wall report {i} &lt;i&gt;x&lt;/i&gt;" for i in range(3)
    ]
    assert 'data-placed="3"' in shown


def wall_map_spec(at) -> dict:
    """What the wall sent its browser map (lib/render/site_map.py browser_spec)."""
    (element,) = [
        e for e in at.get("bidi_component") if e.proto.component_name == "joined_up_london.site_map"
    ]
    return json.loads(element.proto.json)


def test_the_walls_legend_is_its_specs(new_app, store_url, contrib_engine):
    """The legend the wall shows is the one its spec derives from its layers (each kind's
    colour, the note), with no basemap and with the street map."""
    session = start_session(contrib_engine, "Legend test", started_by="mo")
    at = open_page(new_app, "pages/wall.py", session=session.code)
    spec = page_specs.wall_spec(session_contributions(contrib_engine, session.id))
    drawn = wall_map_spec(at)
    assert drawn["legend"] == legend_html(spec.legend(), spec.legend_note())
    rows = re.findall(r"</span><span>([^<]*)</span></div>", drawn["legend"])
    assert rows == [label for section in spec.legend() for _, label in section.rows]
    assert rows[:4] == ["Closed", "Under threat", "Missing from the data", "Correction"]
    assert drawn["reports"]["points"] == [] and drawn["basemap"] is None
    at.toggle(key="wall_street").set_value(True).run()
    street = wall_map_spec(at)
    assert street["legend"] == drawn["legend"] and street["basemap"]["url"]


def test_the_wall_with_a_wrong_code_says_so(new_app, store_url):
    at = open_page(new_app, "pages/wall.py", session="QQQQ22")
    assert "No workshop has the code QQQQ22" in "\n".join(str(e.value) for e in at.error)


def test_the_moderator_sees_which_workshop_a_report_came_from(
    new_app, store_url, moderator, contrib_engine
):
    from lib.store import submit
    from lib.store.submit import SCRIBE_LIMITS
    from tests.store.forms import submission

    session = start_session(contrib_engine, "Dalston halls", started_by="mo")
    submit(
        contrib_engine,
        submission(name="Scribed sticky note", categories=("Library",)),
        session_id="facilitator",
        client_address=None,
        workshop=session.id,
        scribed=True,
        limits=SCRIBE_LIMITS,
    )
    at = sign_in(open_page(new_app, "pages/moderate.py"))
    shown = "\n".join(d.value.to_string() for d in at.dataframe)
    assert f"{session.code} (Dalston halls), typed in by the facilitator (scribed)" in shown


def test_sign_out_disarms_start_and_end(new_app, store_url, moderator, contrib_engine):
    """Start and End clicked while signed in, replayed (as a resent websocket message would)
    after Sign out: neither acts."""
    at = sign_in(open_page(new_app, "pages/workshop.py"))
    at.text_input(key="workshop_title").input("Hackney libraries").run()
    at.button(key="workshop_start").click()
    start = at._tree.get_widget_states()
    at.button(key="workshop_start").set_value(False)  # Sign out itself sends no other click
    at.button(key="moderate_sign_out").click().run()
    at._run(start)
    assert "Only signed-in moderators can see this page." in texts(at)
    assert all_sessions(contrib_engine) == []

    session = start_session(contrib_engine, "Open one", started_by="mo")
    at = sign_in(open_page(new_app, "pages/workshop.py"))
    at.button(key="workshop_end").click()
    end = at._tree.get_widget_states()
    at.button(key="workshop_end").set_value(False)
    at.button(key="moderate_sign_out").click().run()
    at._run(end)
    assert all_sessions(contrib_engine)[0].id == session.id
    assert all_sessions(contrib_engine)[0].open


def test_the_facilitator_holds_the_wall_and_takes_a_flood_off(
    new_app, store_url, moderator, contrib_engine
):
    from lib.store import submit
    from lib.store.submit import SCRIBE_LIMITS
    from lib.store.workshop import session_contributions
    from tests.store.forms import submission

    session = start_session(contrib_engine, "Flooded", started_by="mo")
    ids = [
        submit(
            contrib_engine,
            submission(name=f"flood {i}"),
            session_id=f"flood-{i}",
            client_address=None,
            workshop=session.id,
            limits=SCRIBE_LIMITS,
        ).id
        for i in range(3)
    ]
    at = sign_in(open_page(new_app, "pages/workshop.py"))
    at.toggle(key="workshop_hold").set_value(True).run()
    assert session_contributions(contrib_engine, session.id).empty  # nothing approved yet
    at.multiselect(key="workshop_take_off").set_value(ids[:2]).run()
    at.button(key="workshop_take_off_button").click().run()
    assert not at.exception, at.exception
    assert "2 reports taken off the wall" in texts(at)
    at.toggle(key="workshop_hold").set_value(False).run()
    assert list(session_contributions(contrib_engine, session.id)["id"]) == [ids[2]]


def test_an_ended_workshops_wall_is_closed(new_app, store_url, contrib_engine):
    session = start_session(contrib_engine, "Over", started_by="mo")
    end_session(contrib_engine, session.id)
    at = open_page(new_app, "pages/wall.py", session=session.code)
    assert "has ended" in texts(at)
    assert not at.get("html") or "jul-wall-total" not in html_of(at)


def test_phones_weigh_the_domains_the_wall_shows_the_room_and_the_facilitator_adopts(
    new_app, store_url, moderator, contrib_engine
):
    from lib.store.weights import adopted_weights, room_weights

    session = start_session(contrib_engine, "Weighing", started_by="mo")
    for access in (4, 2):  # two phones, each its own browser session
        phone = open_page(new_app, "pages/join.py", session=session.code)
        phone.select_slider(key="room_weight_access").set_value(access)
        phone.select_slider(key="room_weight_losses").set_value(0).run()
        phone.button(key="room_weights_send").click().run()
        assert not phone.exception, phone.exception
        assert "Sent: the wall shows the room's weights" in texts(phone)
    # the same phone changing its mind stays one phone
    phone.select_slider(key="room_weight_voluntary").set_value(4).run()
    phone.button(key="room_weights_send").click().run()
    stored = room_weights(contrib_engine, session.id)
    assert len(stored) == 2 and stored["voluntary"].tolist() == [2, 4]

    wall = open_page(new_app, "pages/wall.py", session=session.code)
    shown = html_of(wall)
    assert 'data-phones="2"' in shown and "<b>The room's weights</b> (2 phones" in shown
    assert '<td>Access</td><td class="bar"><div class="median" style="width:75%">' in shown
    # The wall's second view: the needs map under the room's medians.
    wall.toggle(key="wall_needs_view").set_value(True).run()
    assert not wall.exception, wall.exception
    assert (
        "the median of 2 phones: Access 3, Losses 0, Voluntary sector 3, Deprivation 2, "
        "What people say 2 (the room's choice)" in texts(wall)
    )

    at = sign_in(open_page(new_app, "pages/workshop.py", session=session.code))
    at.button(key="workshop_adopt").click().run()
    assert not at.exception, at.exception
    assert adopted_weights(contrib_engine, session.id) == {
        "access": 3,
        "losses": 0,
        "voluntary": 3,
        "deprivation": 2,
        "community": 2,
    }
    assert "Adopted for this session: Access 3, Losses 0, Voluntary sector 3" in texts(at)
    # The needs page opens under the adopted weights.
    (link,) = [p.proto for p in at.get("page_link") if "needs map" in p.proto.label]
    assert link.page.endswith("needs") or "needs" in link.page
    assert (
        link.query_string
        == "weights=access%3A3%2Closses%3A0%2Cvoluntary%3A3%2Cdeprivation%3A2%2Ccommunity%3A2"
    )


def test_an_ended_session_takes_no_weights(new_app, store_url, contrib_engine):
    from lib.store.weights import room_weights

    session = start_session(contrib_engine, "Late", started_by="mo")
    phone = open_page(new_app, "pages/join.py", session=session.code)
    end_session(contrib_engine, session.id)
    phone.button(key="room_weights_send").click().run()
    # the page says so (the store's refusal: tests/store/test_room_weights.py)
    assert f"The workshop {session.code} has ended." in texts(phone)
    assert room_weights(contrib_engine, session.id).empty
