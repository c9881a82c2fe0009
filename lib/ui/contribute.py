"""The contribute form's widgets and what happens on Send (Streamlit glue; the checks, the
storing and the postcode lookup are in lib/store).

Every widget has a key, so a rerun or a validation error keeps everything typed. Send runs in
a callback (before the page is drawn again) so each field can show its own error beside it.
A submission token and the time the form was opened live in the session: a double click or a
rerun stores one row; a form sent faster than a person could fill it is refused.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from dataclasses import dataclass

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError
from streamlit_folium import st_folium

from lib.data.layers import Layers
from lib.links.declare import default_basemap
from lib.render import maps
from lib.store import Refused, ValidationError
from lib.store.submit import DEFAULT_LIMITS, SCRIBE_LIMITS, WORKSHOP_LIMITS, RateLimits, send_form
from lib.store.validation import site_categories
from lib.store.where import PostcodeError, locate, lookup_postcode, point_from_lonlat
from lib.ui import cache, widgets
from lib.ui.cache import map_layers, postcodes
from lib.vocab import contributions as vocab

log = logging.getLogger(__name__)

PREFIX = "contribute_"
FIELDS = [
    "kind",
    "correction",
    "where",
    "postcode",
    "borough",
    "site",
    "ward",
    "category",
    "name",
    "event_date",
    "evidence_url",
    "description",
    "contact_name",
    "contact",
    "honeypot",
    "consent",
]
WHERE_LABELS = {
    "postcode": "A postcode",
    "site": "A listed facility, picked by name",
    "map": "A point I click on the map",
    "ward": "A ward (for what an area needs)",
}
FIELD_LABELS = {  # for the preview and the error list
    "kind": "What",
    "correction": "What is wrong",
    "site_id": "Listed site",
    "category": "Category",
    "name": "Name",
    "event_date": "Date",
    "evidence_url": "Evidence link",
    "description": "Details",
    "where": "Where",
    "where_source": "Placed by",
    "x": "Easting",
    "y": "Northing",
    "gss_code": "Borough",
    "ward_code": "Ward",
    "postcode": "Postcode",
    "consent": "Consent",
    "token": "Form",
    "contact_name": "Your name",
    "contact": "Email or phone",
    "licence": "Licence",
}


@dataclass(frozen=True)
class Mode:
    """Where the form is: "Add to the map" (the default), a phone in a workshop (tagged with
    its session, no map click: no basemap is needed), or the facilitator scribing for
    someone (tagged, marked scribed)."""

    workshop: int | None = None
    scribed: bool = False

    @property
    def allow_map(self) -> bool:
        return self.workshop is None

    @property
    def limits(self) -> RateLimits:
        if self.workshop is None:
            return DEFAULT_LIMITS
        return SCRIBE_LIMITS if self.scribed else WORKSHOP_LIMITS


PUBLIC = Mode()


def key(name: str) -> str:
    return PREFIX + name


def start_form() -> None:
    """A submission token and the opening time, once per form (renewed after a send)."""
    st.session_state.setdefault(key("token"), uuid.uuid4().hex)
    st.session_state.setdefault(key("started_at"), time.time())
    st.session_state.setdefault(key("session"), uuid.uuid4().hex)


def errors() -> dict[str, str]:
    return st.session_state.get(key("errors"), {})


def field_error(*names: str) -> None:
    for name in names:
        if name in errors():
            st.error(errors()[name], icon=None)


def kind_picker() -> str:
    kind = st.radio(
        "What are you telling us about?",
        list(vocab.KINDS),
        format_func=vocab.KINDS.get,
        key=key("kind"),
    )
    field_error("kind")
    if kind == "correction":
        st.radio(
            "What is wrong with the listed site?",
            list(vocab.CORRECTIONS),
            format_func=vocab.CORRECTIONS.get,
            key=key("correction"),
        )
        field_error("correction")
    return kind


def _site_label(sites: pd.DataFrame):
    names = dict(zip(sites["site_id"], sites["name"] + " (" + sites["category"] + ")", strict=True))
    return lambda site_id: names.get(site_id, site_id)


def where_picker(layers: Layers, kind: str, mode: Mode = PUBLIC) -> dict:
    """Where, by postcode, a listed facility, a map click or (area needs) a ward. Returns the
    place's fields for the form: where_source, x, y, postcode, site_id, gss_code, ward_code.
    In a workshop there is no map click (a phone in a venue may have no basemap)."""
    choices = (
        ["postcode", "site"]
        + (["map"] if mode.allow_map else [])
        + (["ward"] if kind == "area_need" else [])
    )
    if kind == "correction":
        choices = ["site"]
    how = st.radio(
        "Where is it?", choices, format_func=WHERE_LABELS.get, key=key("where"), horizontal=True
    )
    place: dict = {"where_source": how}
    names = layers.borough_names
    if how in ("site", "ward"):
        borough = st.selectbox(
            "Borough",
            sorted(names, key=lambda code: names[code]),
            format_func=lambda code: names[code],
            key=key("borough"),
            index=None,
            placeholder="Choose a borough",
        )
    if how == "postcode":
        text = st.text_input(
            "Postcode", key=key("postcode"), max_chars=10, placeholder="for example SE1 7PB"
        )
        if text.strip():
            try:
                point = lookup_postcode(text, postcodes().table)
            except PostcodeError as error:
                other = "pick a listed facility" + (" or click the map" if mode.allow_map else "")
                hint = f" Check it, or {other} instead." if error.code == "not_found" else ""
                st.warning(error.message + hint)
            else:
                place |= {"postcode": point.postcode, "x": point.x, "y": point.y}
                note = " (a postcode no longer in use)" if point.terminated else ""
                st.caption(f"{point.postcode}: {names.get(point.gss_code, '')}{note}.")
    elif how == "site":
        if borough:
            sites = layers.sites[layers.sites["gss_code"] == borough].sort_values("name")
            site_id = st.selectbox(
                "Listed facility (type to search)",
                list(sites["site_id"]),
                format_func=_site_label(sites),
                key=key("site"),
                index=None,
                placeholder="Type part of its name",
            )
            if site_id:
                site = sites.set_index("site_id").loc[site_id]
                place |= {
                    "site_id": site_id,
                    "x": site.geometry.x,
                    "y": site.geometry.y,
                    "category_hint": site["category"],
                    "name_hint": site["name"],
                }
        field_error("site_id")
    elif how == "map":
        st.caption(
            "Click the map where it is. You can also give a postcode or pick a listed "
            "facility instead: the map is not needed."
        )
        clicked = st.session_state.get(key("clicked"))
        returned = st_folium(
            maps.picker_map(map_layers(), default_basemap(), clicked),
            key=key("map"),
            height=360,
            use_container_width=True,
            returned_objects=["last_clicked"],
        )
        last = (returned or {}).get("last_clicked")
        if last and [last["lat"], last["lng"]] != clicked:
            st.session_state[key("clicked")] = [last["lat"], last["lng"]]
            clicked = st.session_state[key("clicked")]
        if clicked:
            x, y = point_from_lonlat(clicked[1], clicked[0])
            place |= {"x": x, "y": y}
            st.caption(f"Chosen point: {clicked[0]:.5f}, {clicked[1]:.5f}.")
    elif how == "ward":
        if borough:
            wards = layers.wards[layers.wards["gss_code"] == borough].sort_values("name")
            ward_names = dict(zip(wards["ward_code"], wards["name"], strict=True))
            ward = st.selectbox(
                "Ward",
                list(ward_names),
                format_func=lambda code: ward_names[code],
                key=key("ward"),
                index=None,
                placeholder="Choose a ward",
            )
            if ward:
                place |= {"ward_code": ward, "gss_code": borough}
    if place.get("x") is not None and not place.get("ward_code"):
        located = locate(place["x"], place["y"], layers.wards)
        if located is None:
            st.warning("This place is outside London: this map covers the 33 boroughs.")
            place["outside"] = True
        else:
            place["gss_code"], place["ward_code"] = located
    field_error("where", "ward_code", "gss_code")
    return place


def details_fields(kind: str, place: dict) -> None:
    categories = [*site_categories(), vocab.OTHER_CATEGORY]
    if place.get("category_hint") in categories and st.session_state.get(key("category")) is None:
        st.session_state[key("category")] = place["category_hint"]
    need = kind == "area_need"
    st.selectbox(
        "What kind of place is needed?" if need else "Category",
        categories,
        key=key("category"),
        index=None,
        placeholder="Choose a category, or other",
        format_func=lambda c: "Other" if c == vocab.OTHER_CATEGORY else c,
    )
    field_error("category")
    if place.get("name_hint") and not st.session_state.get(key("name")):
        st.session_state[key("name")] = place["name_hint"]
    st.text_input(
        "In a few words, what the area needs" if need else "Name",
        key=key("name"),
        max_chars=vocab.MAX_NAME,
        help=f"Up to {vocab.MAX_NAME} characters.",
    )
    field_error("name")
    if not need:
        st.date_input(
            "Date (when it closed, or when you learnt of the threat)",
            value=None,
            min_value=dt.date(1900, 1, 1),
            max_value=dt.date.today(),
            key=key("event_date"),
            format="YYYY-MM-DD",
        )
        field_error("event_date")
        st.text_input(
            "Evidence link (a news story, a council page; optional)",
            key=key("evidence_url"),
            max_chars=vocab.MAX_URL,
            placeholder="https://",
        )
        field_error("evidence_url")
    st.text_area(
        "Details" + ("" if need else " (optional)"),
        key=key("description"),
        max_chars=vocab.MAX_DESCRIPTION,
        help=f"Up to {vocab.MAX_DESCRIPTION} characters. This will be public.",
    )
    field_error("description")


def contact_fields() -> None:
    with st.expander("Your contact details (optional, for the moderators only)"):
        st.caption(
            "Only moderators see these, to ask about your report. They are never "
            "published, and we delete them when you ask."
        )
        st.text_input("Your name", key=key("contact_name"), max_chars=vocab.MAX_CONTACT_NAME)
        st.text_input("Email or phone", key=key("contact"), max_chars=vocab.MAX_CONTACT)
        field_error("contact_name", "contact")


def honeypot() -> None:
    """A field people never see (hidden, out of the tab order); bots fill it in."""
    st.html(f"<style>.st-key-{key('honeypot')} {{display: none}}</style>")
    st.text_input("Leave this empty", key=key("honeypot"), label_visibility="collapsed")


def form_values(kind: str, place: dict) -> dict:
    state = st.session_state
    return {
        "token": state.get(key("token")),
        "started_at": state.get(key("started_at")),
        "honeypot": state.get(key("honeypot"), ""),
        "kind": kind,
        "correction": state.get(key("correction")) if kind == "correction" else None,
        "category": state.get(key("category")),
        "name": state.get(key("name"), ""),
        "event_date": state.get(key("event_date")),
        "evidence_url": state.get(key("evidence_url"), ""),
        "description": state.get(key("description"), ""),
        "contact_name": state.get(key("contact_name"), ""),
        "contact": state.get(key("contact"), ""),
        "consent": state.get(key("consent"), False) is True,
        **{
            k: place.get(k)
            for k in ("where_source", "x", "y", "postcode", "site_id", "gss_code", "ward_code")
        },
    }


def preview(values: dict, layers: Layers) -> None:
    """Exactly what will be public, as plain text (nothing typed is read as markup)."""
    st.subheader("Preview: what will be public")
    names = layers.borough_names
    ward_names = cache.ward_names()
    site_names = cache.site_names()
    kind = values["kind"]
    rows = [
        ("What", vocab.KINDS.get(kind, "")),
        ("What is wrong", vocab.CORRECTIONS.get(values.get("correction") or "", "")),
        ("Listed site", site_names.get(values.get("site_id"), "")),
        ("Category", values.get("category") or ""),
        ("Name" if kind != "area_need" else "What the area needs", values.get("name") or ""),
        ("Date", str(values.get("event_date") or "")),
        ("Evidence link", values.get("evidence_url") or ""),
        ("Details", values.get("description") or ""),
        ("Borough", names.get(values.get("gss_code") or "", "")),
        ("Ward", ward_names.get(values.get("ward_code") or "", "")),
        (
            "Place",
            "the ward only"
            if kind == "area_need"
            else ("the point shown on the map" if values.get("x") is not None else ""),
        ),
        ("Licence", f"{vocab.LICENCE} (anyone may reuse it, crediting the contributors)"),
    ]
    shown = pd.DataFrame([r for r in rows if r[1]], columns=["", "public"])
    st.dataframe(shown, hide_index=True, width="stretch")
    st.caption(
        "Not public: your contact details, your postcode for an area need, and the "
        "exact time you sent it."
    )


def _send(kind: str, place: dict, categories, site_ids, ward_codes, mode: Mode = PUBLIC) -> None:
    values = form_values(kind, place)
    state = st.session_state
    state[key("errors")] = {}
    state.pop(key("refused"), None)
    try:
        if place.get("outside"):
            raise ValidationError({"where": "This place is outside London."})
        from lib.ui.cache import store

        stored = send_form(
            store(),
            values,
            session_id=state[key("session")],
            client_address=widgets.client_address(),
            categories=categories,
            site_ids=site_ids,
            ward_codes=ward_codes,
            limits=mode.limits,
            workshop=mode.workshop,
            scribed=mode.scribed,
        )
    except ValidationError as error:
        state[key("errors")] = error.errors
        return
    except Refused as refused:
        state[key("refused")] = refused.message
        return
    except SQLAlchemyError:  # the store did not answer: the detail is for the log, not the page
        log.exception("Storing a report failed")
        state[key("refused")] = (
            "Your report could not be saved just now: the database did not answer. Everything "
            "you typed is kept: press Send again in a minute."
        )
        return
    state[key("sent")] = stored.id
    for name in FIELDS + ["token", "started_at", "clicked"]:
        state.pop(key(name), None)


def consent_and_send(kind: str, place: dict, layers: Layers, mode: Mode = PUBLIC) -> None:
    st.checkbox(
        f"I agree that this report is published under the {vocab.LICENCE} licence "
        f"({vocab.LICENCE_URL}): anyone may share and reuse it, crediting "
        '"Joined Up London contributors". I have not included anyone\'s personal details in '
        "the public fields.",
        key=key("consent"),
    )
    field_error("consent")
    st.button(
        "Send for moderation",
        type="primary",
        key=key("send"),
        on_click=_send,
        args=(
            kind,
            place,
            None,
            frozenset(layers.sites["site_id"]),
            frozenset(layers.wards["ward_code"]),
            mode,
        ),
    )
    if errors():
        st.error(
            "Some fields need a look (marked above); everything you typed is kept: "
            + "; ".join(f"{FIELD_LABELS.get(k, k)}: {v}" for k, v in errors().items())
        )
    if st.session_state.get(key("refused")):
        st.warning(st.session_state[key("refused")])


def sent_message(mode: Mode = PUBLIC) -> bool:
    """After a send: thanks, the reference, and what happens next. True if shown."""
    sent = st.session_state.get(key("sent"))
    if sent is None:
        return False
    room = (
        "It is on the room's wall now. " if mode.workshop is not None and not mode.scribed else ""
    )
    if mode.scribed:
        room = "Scribed: it is on the room's wall, marked as typed in by the facilitator. "
    st.success(
        f"Thank you. Your report is number {sent}. {room}A moderator will read it; once "
        'approved it appears on the public maps marked "community-reported".'
    )
    st.button(
        "Add another report",
        key=key("another"),
        on_click=lambda: st.session_state.pop(key("sent"), None),
    )
    return True
