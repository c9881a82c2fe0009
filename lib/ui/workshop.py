"""Workshop mode's pages (Streamlit glue; sessions, the wall's rows and bundles are in
lib/store, the wall's map spec in lib/render/page_specs.py, the QR code in
lib/render/workshop.py).

- the facilitator (Workshop, signed in as a moderator): start or pick a session, its code and
  QR code, the wall's link, scribing, ending it, its bundle, importing another's bundle;
- a phone (Join, `?session=CODE`): the contribute form of "Add to the map", tagged with the
  session, with no map click;
- the projector (Wall, `?session=CODE`): a fragment that reruns itself every few seconds and
  reads the session's rows fresh (the page itself is not reloaded).

A phone's draft lives in its Streamlit session (every widget has a key). When the connection
drops, the browser reconnects its websocket to the same server session, which the server keeps
for `server.disconnectedSessionTTL` seconds (.streamlit/config.toml), so nothing typed is lost.
"""

from __future__ import annotations

import base64
import html
import secrets

import pandas as pd
import streamlit as st

from lib.analysis.needs import encode_weights
from lib.analysis.room import room_choice, room_summary
from lib.data.layers import Layers
from lib.links import lan
from lib.render import page_specs, room, site_map
from lib.render import workshop as render
from lib.store import clients
from lib.store.bundle import BundleError, bundle_name, export_bundle, import_bundle
from lib.store.moderation import take_off_wall
from lib.store.validation import Refused
from lib.store.weights import adopt_weights, adopted_weights, room_weights, send_weights
from lib.store.workshop import (
    MAX_TITLE,
    Session,
    SessionError,
    all_sessions,
    counts_by_kind,
    end_session,
    find_session,
    hold_wall,
    normalise_code,
    open_sessions,
    session_contributions,
    start_session,
)
from lib.ui import contribute, draft, embed, moderate, widgets
from lib.ui import needs as needs_ui
from lib.vocab import commands
from lib.vocab import contributions as vocab
from lib.vocab.needs import DEFAULT_WEIGHT, DOMAINS, MAX_WEIGHT, WeightsError

WALL_REFRESH_S = 3
LATEST = 4
RECENT = 20  # ended and imported sessions the picker lists, newest first
CHOSEN = "workshop_session_id"
JOINED = "workshop_joined"
PHONE_CSS = """<style>
/* A phone's join page: the form in one comfortable column. */
.block-container {max-width: 640px}
.jul-join-title {font-size: 0.95rem; color: #4a5a5a; margin: 0}
</style>"""
CODE_CSS = """<style>
.jul-code {font: 700 3.2rem/1.1 ui-monospace, monospace; letter-spacing: .25em;
  color: #0f6e6e; margin: .2rem 0 .4rem}
</style>"""
WALL_CSS = """<style>
.jul-wall-total {font: 700 2.6rem/1 sans-serif; color: #0f6e6e}
.jul-wall-total small {font: 400 1rem sans-serif; color: #4a5a5a}
.jul-kinds {width: 100%; border-collapse: collapse; font: 1rem/1.35 sans-serif}
.jul-kinds td {padding: 2px 4px}
.jul-kinds td.n {text-align: right; font-weight: 700}
.jul-dot {display: inline-block; width: .8em; height: .8em; border-radius: 50%;
  border: 1px solid #333; margin-right: .35em; vertical-align: -0.05em}
.jul-latest {list-style: none; padding: 0; margin: .4rem 0 0}
.jul-latest li {border-left: 5px solid #999; background: #fff; padding: 4px 8px;
  margin: 0 0 6px; font: 1rem/1.3 sans-serif; overflow-wrap: anywhere}
.jul-latest .what {font-size: .8rem; color: #4a5a5a}
</style>"""


QR_PX = 240  # the Workshop page's join QR code: all of it on a 1280x720 screen
WALL_QR_PX = 150  # the wall's, beside the map


def _qr_html(url: str, width: int) -> str:
    """The join QR code as an image with a text alternative (st.image gives it none)."""
    data = base64.b64encode(render.qr_png(url)).decode()
    return (
        f'<figure class="jul-qr" style="margin:0;text-align:center">'
        f'<img src="data:image/png;base64,{data}" width="{width}" height="{width}" '
        f'alt="QR code of the join address, {html.escape(url, quote=True)}">'
        "<figcaption>Scan to join</figcaption></figure>"
    )


def _base_url() -> tuple[str, str]:
    port = int(st.get_option("server.port") or 8501)
    return lan.base_url(port)


def _source() -> str:
    """Where a typed code comes from, for the limit on wrong codes."""
    return widgets.client_address() or clients.LOCAL


def join_address(session: Session) -> str:
    """The join page's address for phones in the room (the QR code's content)."""
    return lan.join_url(_base_url()[0], session.code)


# A session named in the link


def session_from_link(engine, *, open_only: bool) -> Session | None:
    """The session `?session=` names; a visible note when it names none (never another)."""
    code = st.query_params.get("session")
    if not code:
        return None
    try:
        return find_session(engine, code, open_only=open_only, source=_source())
    except SessionError as error:
        st.error(error.message)
        return None


def _join(code_key: str) -> None:
    typed = st.session_state.get(code_key, "")
    code = normalise_code(typed)
    st.query_params["session"] = code or str(typed).strip()[:20]


def code_box(label: str = "Workshop code") -> None:
    """Where someone types the code from the screen (or the QR code opens the page with it)."""
    with st.form("workshop_join_form", border=False):
        st.text_input(label, key="workshop_code", max_chars=12, placeholder="for example K7M2QX")
        st.form_submit_button("Join", on_click=_join, args=("workshop_code",), type="primary")


# The phone


def join_page(engine, layers: Layers) -> None:
    """A phone in the room: the code, then the same form as Add to the map, tagged."""
    st.html(PHONE_CSS)
    code = st.query_params.get("session")
    session = None
    if code:
        try:
            session = find_session(engine, code, source=_source())
        except SessionError as error:
            joined = st.session_state.get(JOINED)
            if error.code == "ended" and joined is not None:
                ended = find_session(engine, code, open_only=False)
                if ended.id == joined:
                    st.title("Add to the map")
                    st.warning(
                        f"The workshop {ended.code} has ended. Your draft is kept below: send "
                        "it and it goes to the moderators as an ordinary report."
                    )
                    _form(layers, contribute.PUBLIC, draft_scope=f"workshop:{ended.code}")
                    return
            st.title("Join a workshop")
            st.error(error.message)
            code_box("Type the code again")
            return
    if session is None:
        st.title("Join a workshop")
        st.markdown(
            "Type the code on the facilitator's screen (or scan its QR code) to add what you "
            "know to the room's map. What you send is seen on the room's wall and read by a "
            "moderator before it goes on the public maps."
        )
        code_box()
        return
    st.session_state[JOINED] = session.id
    st.html(
        f'<p class="jul-join-title">Workshop {html.escape(session.code)}</p>'
        f"<h2 style='margin:0 0 .3rem'>{html.escape(session.title)}</h2>"
    )
    report, weigh = st.tabs(["Send a report", "Weigh what matters"])
    with report:
        _form(layers, contribute.Mode(workshop=session.id), draft_scope=f"workshop:{session.code}")
    with weigh:
        _weights_form(engine, session)


WEIGHT_WORDS = {0: "leave out", 1: "a little", 2: "some", 3: "a lot", 4: "most"}


def _send_weights(engine, session: Session) -> None:
    phone = st.session_state.setdefault("room_phone", secrets.token_hex(16))
    weights = {key: st.session_state[f"room_weight_{key}"] for key in DOMAINS}
    try:
        send_weights(engine, session.id, phone, weights, source=_source())
    except (WeightsError, Refused) as error:
        st.session_state["room_weights_result"] = ("error", getattr(error, "message", str(error)))
        return
    st.session_state["room_weights_result"] = (
        "success",
        "Sent: the wall shows the room's weights. Move the sliders and send again to change yours.",
    )


def _weights_form(engine, session: Session) -> None:
    """A phone's weights for the needs index: how much each kind of need should count."""
    st.markdown(
        "How much should each of these count when we map where need is greatest? "
        "Your weights join the room's on the wall; they carry nothing about you."
    )
    for key, domain in DOMAINS.items():
        st.select_slider(
            domain.question,
            options=list(range(MAX_WEIGHT + 1)),
            value=DEFAULT_WEIGHT,
            format_func=lambda v: f"{v}: {WEIGHT_WORDS[v]}",
            key=f"room_weight_{key}",
        )
    st.button(
        "Send my weights",
        key="room_weights_send",
        type="primary",
        on_click=_send_weights,
        args=(engine, session),
    )
    result = st.session_state.get("room_weights_result")
    if result is not None:
        (st.success if result[0] == "success" else st.error)(result[1])


def _form(
    layers: Layers, mode: contribute.Mode, preview: bool = True, draft_scope: str | None = None
) -> None:
    contribute.start_form()
    if draft_scope is not None:  # a phone: the draft is kept in its browser too
        draft.keep_draft(draft_scope)
    if contribute.sent_message(mode):
        return
    kind = contribute.kind_picker()
    place = contribute.where_picker(layers, kind, mode)
    contribute.details_fields(kind, place)
    contribute.contact_fields()
    contribute.honeypot()
    if preview:
        contribute.preview(contribute.form_values(kind, place), layers)
    contribute.consent_and_send(kind, place, layers, mode)


# The facilitator


def _signed_in(engine) -> str | None:
    """The moderator signed in when a facilitator's button acts (never one carried in the
    callback: a click replayed after Sign out does nothing)."""
    who = moderate.signed_in_now(engine)
    if who is None:
        st.session_state["workshop_error"] = moderate.SIGNED_OUT
        return None
    return who.name


def _start(engine) -> None:
    moderator = _signed_in(engine)
    if moderator is None:
        return
    title = st.session_state.get("workshop_title", "")
    try:
        session = start_session(engine, title, started_by=moderator)
    except ValueError as error:
        st.session_state["workshop_error"] = str(error)
        return
    st.session_state.pop("workshop_error", None)
    st.session_state[CHOSEN] = session.id
    st.session_state.pop("workshop_title", None)


def _end(engine, session_id: int) -> None:
    if _signed_in(engine) is None:
        return
    end_session(engine, session_id)
    st.session_state["workshop_done"] = "The workshop has ended: its code takes no more reports."


def choose_session(engine) -> Session | None:
    """Start a session, or pick one of the open ones (or the one named in the link)."""
    sessions = open_sessions(engine)
    recent = [s for s in all_sessions(engine)[:RECENT] if not s.open]
    linked = session_from_link(engine, open_only=False)
    if linked is not None:
        st.session_state[CHOSEN] = linked.id
    chosen_id = st.session_state.get(CHOSEN)
    # Keyed by the number open: once one starts, the box folds, so its code and QR code
    # are on the first screen.
    with st.expander(
        "Start a new workshop",
        expanded=not sessions and chosen_id is None,
        key=f"workshop_start_box_{len(sessions)}",
    ):
        st.text_input(
            "Title (people see it when they join)",
            key="workshop_title",
            max_chars=MAX_TITLE,
            placeholder="for example Hackney libraries, Saturday",
        )
        st.button(
            "Start the workshop",
            key="workshop_start",
            type="primary",
            on_click=_start,
            args=(engine,),
        )
        if st.session_state.get("workshop_error"):
            st.error(st.session_state["workshop_error"])
    known = {s.id: s for s in [*sessions, *recent]}
    if linked is not None:
        known.setdefault(linked.id, linked)
    if chosen_id is not None and chosen_id not in known:
        try:
            from lib.store.workshop import get_session

            known[chosen_id] = get_session(engine, chosen_id)
        except SessionError:
            st.session_state.pop(CHOSEN, None)
            chosen_id = None
    if not known:
        st.info("No workshop yet. Start one above.")
        return None
    ids = list(known)
    picked = st.selectbox(
        "Workshop",
        ids,
        index=ids.index(chosen_id) if chosen_id in ids else 0,
        format_func=lambda i: (
            f"{known[i].code}: {known[i].title}" + ("" if known[i].open else " (ended)")
        ),
        key="workshop_pick",
    )
    st.session_state[CHOSEN] = picked
    return known[picked]


def session_panel(engine, session: Session) -> None:
    """The code big enough for the back of the room, the QR code, the links, end, export."""
    st.html(CODE_CSS)
    _, source = _base_url()
    join = join_address(session)
    left, right = st.columns([3, 2])
    with left:
        st.caption(
            "Ask people to open the address below on their phones (same Wi-Fi as this laptop), "
            "or scan the QR code, and type the code."
        )
        st.html(
            f'<div class="jul-code" data-code="{html.escape(session.code)}">'
            f"{html.escape(session.code)}</div>"
        )
        st.code(join, language=None, wrap_lines=True)
        if source == "local":
            st.warning(
                "This laptop has no network address: phones cannot reach it. Join the venue's "
                "Wi-Fi (or start a hotspot), or set JOINED_UP_WORKSHOP_URL."
            )
        else:
            st.caption(
                "Address from "
                + ("JOINED_UP_WORKSHOP_URL." if source == "setting" else "this laptop's network.")
                + f" Start the app with `{commands.WORKSHOP}` so that phones can reach it."
            )
        wall = f"./wall?session={session.code}"
        st.markdown(f"[Open the wall for the projector]({wall})")
        if session.open:
            st.button(
                "End the workshop",
                key="workshop_end",
                on_click=_end,
                args=(engine, session.id),
                help="Its code then takes no more reports and its wall closes. The export still works.",
            )
        else:
            st.info("This workshop has ended.")
        if st.session_state.get("workshop_done"):
            st.success(st.session_state.pop("workshop_done"))
        rows = session_contributions(engine, session.id, all_waiting=True)
        st.download_button(
            f"Export the workshop ({len(rows)} reports) as one bundle",
            data=export_bundle(engine, session.id),
            file_name=bundle_name(session),
            mime="application/zip",
            key="workshop_export",
            help="A zip of GeoJSON, CSV and a manifest: import it into another Joined Up "
            "London on its Workshop page. Contact details are never included.",
        )
    with right:
        if session.open:
            with st.container(key="workshop_qr"):
                st.html(_qr_html(join, QR_PX))
    wall_controls(engine, session, rows)
    weights_controls(engine, session)


def _adopt(engine, session_id: int, weights: dict | None) -> None:
    if _signed_in(engine) is None:
        return
    adopt_weights(engine, session_id, weights)
    st.session_state["workshop_done"] = (
        "The session now uses the room's weights." if weights else "Back to equal weights."
    )


def weights_controls(engine, session: Session) -> None:
    """The room's weights for the needs index, and adopting them for the session."""
    phones = room_weights(engine, session.id)
    chosen = room_choice(phones)
    adopted = adopted_weights(engine, session.id)
    with st.expander(f"The room's weights ({len(phones)} phones)", key="workshop_weights_box"):
        st.html(room.weights_html(room_summary(phones)))
        if adopted:
            st.caption(
                "Adopted for this session: "
                + ", ".join(f"{DOMAINS[k].label} {v:g}" for k, v in adopted.items())
            )
            st.page_link(
                "pages/needs.py",
                label="Open the needs map under these weights",
                query_params={"weights": encode_weights(adopted)},
            )
        st.button(
            "Adopt the room's weights for this session",
            key="workshop_adopt",
            disabled=chosen is None,
            on_click=_adopt,
            args=(engine, session.id, chosen),
            help="Each domain's median over the phones. The bundle carries them.",
        )
        if adopted:
            st.button(
                "Back to equal weights",
                key="workshop_unadopt",
                on_click=_adopt,
                args=(engine, session.id, None),
            )


def _hold(engine, session_id: int) -> None:
    if _signed_in(engine) is not None:
        hold_wall(engine, session_id, bool(st.session_state.get("workshop_hold")))


def _take_off(engine) -> None:
    moderator = _signed_in(engine)
    chosen = st.session_state.get("workshop_take_off") or []
    if moderator is None or not chosen:
        return
    removed = take_off_wall(engine, [int(i) for i in chosen], moderator=moderator)
    st.session_state["workshop_done"] = f"{removed} reports taken off the wall (rejected as spam)."
    st.session_state["workshop_take_off"] = []


def wall_controls(engine, session: Session, rows: pd.DataFrame) -> None:
    """When one phone floods the wall: hold it (only approved reports show) and take many
    reports off at once."""
    with st.expander("The wall: hold it, take reports off", key="workshop_wall_box"):
        st.toggle(
            "Hold the wall: show only reports a moderator approved",
            value=session.wall_held,
            key="workshop_hold",
            on_change=_hold,
            args=(engine, session.id),
        )
        waiting = rows[rows["moderation"] != "approved"] if len(rows) else rows
        labels = {int(r.id): f"{r.id}: {r.name}" for r in rows.itertuples()}
        st.multiselect(
            "Reports to take off the wall (and out of the queue)",
            list(labels),
            format_func=lambda i: labels[i],
            key="workshop_take_off",
            placeholder=f"{len(waiting)} waiting for a moderator",
        )
        st.button(
            "Take them off", key="workshop_take_off_button", on_click=_take_off, args=(engine,)
        )


def _import(engine, layers: Layers) -> None:
    moderator = _signed_in(engine)
    if moderator is None:
        return
    upload = st.session_state.get("workshop_import")
    if upload is None:
        st.session_state["workshop_import_result"] = ("error", "Choose a bundle (a .zip) first.")
        return
    try:
        result = import_bundle(
            engine,
            upload.getvalue(),
            imported_by=moderator,
            site_ids=frozenset(layers.sites["site_id"]),
            ward_codes=frozenset(layers.wards["ward_code"]),
        )
    except BundleError as error:
        st.session_state["workshop_import_result"] = ("error", str(error))
        return
    what = f"the workshop {result.session_code} ({result.session_title})"
    note = (
        f"Imported {what}: {result.created} new report{'' if result.created == 1 else 's'}, "
        "now in the moderation queue"
        if result.created
        else f"Nothing new in {what}"
    )
    if result.already:
        note += f"; {result.already} were here already and were not imported again"
    st.session_state["workshop_import_result"] = ("success", note + ".")


def import_box(engine, layers: Layers) -> None:
    result = st.session_state.get("workshop_import_result")
    with st.expander(
        "Import a workshop bundle from another laptop",
        expanded=result is not None,
        key="workshop_import_box",
    ):
        chosen = st.file_uploader("Workshop bundle (.zip)", type=["zip"], key="workshop_import")
        st.button(
            "Import",
            key="workshop_import_button",
            disabled=chosen is None,  # until a bundle has been uploaded
            on_click=_import,
            args=(engine, layers),
        )
        if result:
            (st.success if result[0] == "success" else st.error)(result[1])


def scribe(layers: Layers, session: Session) -> None:
    """The facilitator types a sticky note, or the report of someone without a phone."""
    st.subheader("Scribe")
    st.caption(
        "Type in a sticky note, or a report for someone without a phone. It goes on the wall "
        "marked as scribed, and to the moderators like every report."
    )
    _form(layers, contribute.Mode(workshop=session.id, scribed=True), preview=False)


# The wall


def _kinds_html(rows: pd.DataFrame) -> str:
    counts = counts_by_kind(rows, vocab.KINDS)
    cells = "".join(
        f'<tr data-kind="{k}"><td><span class="jul-dot" style="background:'
        f'{vocab.KIND_COLOURS[k]}"></span>{html.escape(vocab.KIND_SHORT[k])}</td>'
        f'<td class="n">{n}</td></tr>'
        for k, n in zip(counts["kind"], counts["count"], strict=True)
    )
    return f'<table class="jul-kinds">{cells}</table>'


def _latest_html(rows: pd.DataFrame) -> str:
    if rows.empty:
        return "<p>Nothing yet: reports appear here as people send them.</p>"
    items = []
    for _, row in rows.tail(LATEST).iloc[::-1].iterrows():
        text = str(row["description"] or "")
        text = text if len(text) <= 110 else text[:107] + "…"
        tag = " · scribed" if row["scribed"] else ""
        items.append(
            f'<li style="border-left-color:{vocab.KIND_COLOURS.get(row["kind"], "#999")}">'
            f"<b>{html.escape(str(row['name']))}</b> "
            f'<span class="what">{html.escape(vocab.KIND_SHORT.get(row["kind"], ""))}{tag}</span>'
            + (f"<br>{html.escape(text)}" if text else "")
            + "</li>"
        )
    return f'<ul class="jul-latest">{"".join(items)}</ul>'


def wall(
    engine,
    session: Session,
    map_data: site_map.MapData,
    basemap: str,
    map_height: int,
    needs_map: bool = False,
) -> None:
    """The wall: the room's reports on a map (or, `needs_map`, the needs map under the
    room's weights), their counts, the room's weights and the latest texts. Each refresh
    sends the map only its reports: the browser redraws the points in place (the boroughs
    went once, and the map keeps its frame)."""
    st.html(WALL_CSS)

    @st.fragment(run_every=WALL_REFRESH_S)
    def live() -> None:
        rows = session_contributions(engine, session.id)
        phones = room_weights(engine, session.id)
        left, right = st.columns([5, 2])
        with left:
            if needs_map:
                needs_ui.room_needs_map(room_choice(phones), len(phones), "wall_needs", map_height)
            else:
                embed.show_map_spec(
                    map_data,
                    page_specs.wall_spec(rows, basemap),
                    key="wall_map",
                    height=map_height,
                    present=True,
                )
        with right:
            if session.open:  # the room can join from the wall, not only the laptop's screen
                st.html(_qr_html(join_address(session), WALL_QR_PX))
            total = len(rows)
            on_map = len(render.placed(rows))
            st.html(
                f'<div class="jul-wall-total" data-count="{total}">{total} '
                f"<small>report{'' if total == 1 else 's'} from the room</small></div>"
                f'<p class="jul-on-map" data-placed="{on_map}">{on_map} on the map'
                + (f", {total - on_map} for a whole ward" if total > on_map else "")
                + "</p>"
                + _kinds_html(rows)
                + room.weights_html(room_summary(phones))
                + _latest_html(rows)
            )

    live()
