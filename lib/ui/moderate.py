"""The moderation page's sign-in, queue and actions (Streamlit glue; the rules are in
lib/store/moderation.py and lib/store/accounts.py).

Nothing below the sign-in runs for a session that is not signed in: `require_moderator` stops
the page, also when it is opened by a direct link. Contributors' text is shown as plain text
(st.text, st.dataframe), never as Markdown or HTML.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from lib.data.layers import Layers
from lib.store import clients
from lib.store.accounts import SignedIn, authenticate, has_moderators
from lib.store.moderation import (
    ModerationError,
    contact_for,
    edit,
    erase_contact,
    history,
    likely_duplicates,
    queue,
    revisions,
    set_moderation,
    set_outcome,
)
from lib.store.validation import Refused, site_categories
from lib.ui import cache, widgets
from lib.vocab import commands
from lib.vocab import contributions as vocab

SIGNED_IN = "moderator"
ACTION_LABELS = {
    "approved": "Approve",
    "rejected": "Reject",
    "needs_edit": "Needs an edit",
    "hidden": "Hide",
    "pending": "Back to the queue",
}


def identity_provider_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file at all
        return False


def _idp_moderator(engine) -> SignedIn | None:
    """A sign-in through the identity provider counts only for an email address that has a
    moderator account (`make moderator NAME=<that address>`)."""
    if not identity_provider_configured() or not st.user.is_logged_in:
        return None
    email = str(st.user.get("email") or "")
    from sqlalchemy import select

    from lib.store.models import Moderator

    with engine.connect() as connection:
        known = connection.execute(
            select(Moderator.id).where(Moderator.name == email, Moderator.active.is_(True))
        ).first()
    return SignedIn(email, "identity provider") if known else None


def _sign_in(engine) -> None:
    """Runs on "Sign in", before the page is drawn again (so a rerun cannot lose the click)."""
    state = st.session_state
    state.pop("moderate_sign_in_error", None)
    try:
        who = authenticate(
            engine,
            state.get("moderate_name", ""),
            state.get("moderate_password", ""),
            source=widgets.client_address() or clients.LOCAL,
        )
    except Refused as refused:
        state["moderate_sign_in_error"] = refused.message
        return
    state["moderate_password"] = ""
    if who is None:
        state["moderate_sign_in_error"] = "That name and password do not match a moderator."
    else:
        state[SIGNED_IN] = who


def _sign_out(via: str) -> None:
    st.session_state.pop(SIGNED_IN, None)
    if via == "identity provider":
        st.logout()


def require_moderator(engine) -> SignedIn:
    """The signed-in moderator, or the sign-in form and st.stop()."""
    signed_in = signed_in_now(engine)
    if signed_in:
        with st.sidebar:
            st.caption(f"Signed in as {signed_in.name} ({signed_in.via}).")
            st.button(
                "Sign out", key="moderate_sign_out", on_click=_sign_out, args=(signed_in.via,)
            )
        return signed_in
    st.info("Only signed-in moderators can see this page.")
    if not has_moderators(engine):
        st.warning(
            "There is no moderator account yet. Whoever runs the app makes the first "
            "one on the server, in the app's folder, where it asks for a password:"
        )
        st.code(commands.MAKE_MODERATOR, language="bash")
        st.stop()
    with st.form("moderate_sign_in"):
        st.text_input("Name", key="moderate_name")
        st.text_input("Password", type="password", key="moderate_password")
        st.form_submit_button(
            "Sign in", key="moderate_sign_in_button", on_click=_sign_in, args=(engine,)
        )
    if st.session_state.get("moderate_sign_in_error"):
        st.error(st.session_state["moderate_sign_in_error"])
    if identity_provider_configured():
        st.button("Sign in with your organisation's account", on_click=st.login, key="moderate_idp")
    st.stop()


def queue_table(engine, states: tuple[str, ...]) -> pd.DataFrame:
    waiting = queue(engine, states=states)
    st.caption(f"{len(waiting)} contribution{'' if len(waiting) == 1 else 's'}.")
    if not waiting.empty:
        # The states and kinds in words, as the form and the detail say them, not as stored.
        shown = pd.DataFrame(
            {
                "Report": waiting["id"],
                "Moderation": waiting["moderation"].map(vocab.MODERATION_STATES),
                "Outcome": waiting["outcome"].map(vocab.OUTCOMES),
                "What": waiting["kind"].map(vocab.KINDS),
                "Category": waiting["category"],
                "Name": waiting["name"],
                "Sent": waiting["created_at"],
            }
        )
        st.dataframe(shown, hide_index=True, width="stretch")
    return waiting


def _plain(value) -> str:
    """A stored value as text: empty when it is missing (None or NaN), never 'nan'."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value)


def _workshop(row: pd.Series) -> str:
    """The workshop a report was sent in, and whether the facilitator typed it (scribed)."""
    code = row.get("workshop_code")
    if code is None or (isinstance(code, float) and pd.isna(code)):
        return ""
    scribed = ", typed in by the facilitator (scribed)" if bool(row.get("scribed")) else ""
    return f"{code} ({row.get('workshop_title')}){scribed}"


def detail(row: pd.Series, layers: Layers) -> None:
    """One contribution as plain text."""
    names = layers.borough_names
    site_names = cache.site_names()
    site_id = _plain(row["site_id"])
    fields = [
        ("What", vocab.KINDS.get(row["kind"], row["kind"])),
        ("Correction", vocab.CORRECTIONS.get(_plain(row["correction"]), "")),
        ("Listed site", f"{site_names.get(site_id, '')} ({site_id})" if site_id else ""),
        ("Category", _plain(row["category"])),
        ("Name", _plain(row["name"])),
        ("Date", _plain(row["event_date"])),
        ("Evidence link", _plain(row["evidence_url"])),
        ("Details", _plain(row["description"])),
        ("Borough", names.get(_plain(row["gss_code"]), "")),
        ("Ward code", _plain(row["ward_code"])),
        ("Postcode", _plain(row["postcode"])),
        ("Moderation", vocab.MODERATION_STATES[row["moderation"]]),
        ("Outcome", vocab.OUTCOMES[row["outcome"]]),
        ("Sent", str(row["created_at"])),
        ("Workshop", _workshop(row)),
    ]
    st.dataframe(
        pd.DataFrame([f for f in fields if f[1]], columns=["", "value"]),
        hide_index=True,
        width="stretch",
    )


def duplicates(engine, contribution_id: int, layers: Layers) -> None:
    matches = likely_duplicates(engine, contribution_id, layers.sites)
    st.markdown("**Likely duplicates**")
    if not matches:
        st.caption(
            "None found: no report of the same category within 150 m, no listed site "
            "of the same name."
        )
        return
    st.dataframe(pd.DataFrame([m.__dict__ for m in matches]), hide_index=True, width="stretch")


def signed_in_now(engine) -> SignedIn | None:
    """Who is signed in at this moment. Every action asks again when it acts: a callback never
    carries a name, so a click replayed after Sign out does nothing."""
    return st.session_state.get(SIGNED_IN) or _idp_moderator(engine)


SIGNED_OUT = "You are signed out: sign in again to do this."


def _run(engine, action, cid: int, **kwargs) -> None:
    """Do a moderation action (in a button's callback) as whoever is signed in now, and leave
    a message for the page."""
    who = signed_in_now(engine)
    if who is None:
        st.session_state["moderate_error"] = SIGNED_OUT
        return
    try:
        action(engine, cid, moderator=who.name, **kwargs)
    except ModerationError as error:
        st.session_state["moderate_error"] = str(error)
    else:
        st.session_state["moderate_done"] = "Saved."


def _value(name: str, cid: int):
    return st.session_state.get(f"moderate_{name}_{cid}")


def _decide(engine, cid: int, seen: dt.datetime) -> None:
    _run(
        engine,
        set_moderation,
        cid,
        seen=seen,
        to_state=_value("to", cid),
        reason_code=_value("reason", cid),
        note=_value("note", cid) or "",
    )


def _set_outcome(engine, cid: int, seen: dt.datetime) -> None:
    outcome, duplicate_of = _value("outcome", cid), _value("dup", cid)
    _run(
        engine,
        set_outcome,
        cid,
        seen=seen,
        outcome=outcome,
        note=_value("outcome_note", cid) or "",
        duplicate_of=int(duplicate_of) if outcome == "duplicate" and duplicate_of else None,
    )


def _edit(engine, cid: int, seen: dt.datetime) -> None:
    changes = {field: _value(f"edit_{field}", cid) for field in EDIT_FIELDS}
    _run(engine, edit, cid, seen=seen, changes=changes, note=_value("edit_note", cid) or "")


def _erase(engine, cid: int) -> None:
    _run(engine, erase_contact, cid)


EDIT_FIELDS = ("name", "category", "event_date", "evidence_url", "description")


def actions(engine, row: pd.Series, moderator: str) -> None:
    """Decision, outcome, edit, contact details: every button acts in a callback."""
    cid = int(row["id"])
    # What the moderator sees now: a decision on it is refused if someone changed it since.
    args = (engine, cid, pd.Timestamp(row["updated_at"]).to_pydatetime())
    allowed = sorted(vocab.TRANSITIONS[row["moderation"]], key=list(ACTION_LABELS).index)
    with st.form(f"moderate_state_{cid}"):
        st.markdown("**Moderation**")
        if allowed:
            st.radio(
                "Decision",
                allowed,
                format_func=ACTION_LABELS.get,
                horizontal=True,
                key=f"moderate_to_{cid}",
            )
        st.selectbox(
            "Reason (needed to reject or hide)",
            list(vocab.REASON_CODES),
            format_func=lambda code: vocab.REASON_CODES[code],
            index=None,
            key=f"moderate_reason_{cid}",
        )
        st.text_input("Note (kept in the log)", key=f"moderate_note_{cid}")
        st.form_submit_button(
            "Apply", disabled=not allowed, on_click=_decide, args=args, key=f"moderate_apply_{cid}"
        )
    with st.form(f"moderate_outcome_form_{cid}"):
        st.markdown("**What happened to the facility**")
        st.radio(
            "Outcome",
            list(vocab.OUTCOMES),
            format_func=vocab.OUTCOMES.get,
            index=list(vocab.OUTCOMES).index(row["outcome"]),
            horizontal=True,
            key=f"moderate_outcome_{cid}",
        )
        st.number_input(
            "Duplicate of report number", min_value=1, step=1, value=None, key=f"moderate_dup_{cid}"
        )
        st.text_input("Note", key=f"moderate_outcome_note_{cid}")
        st.form_submit_button(
            "Set outcome", on_click=_set_outcome, args=args, key=f"moderate_set_outcome_{cid}"
        )
    with st.expander("Edit (the original is kept)"):
        with st.form(f"moderate_edit_{cid}"):
            categories = [*site_categories(), vocab.OTHER_CATEGORY]
            st.text_input(
                "Name", row["name"], max_chars=vocab.MAX_NAME, key=f"moderate_edit_name_{cid}"
            )
            st.selectbox(
                "Category",
                categories,
                index=categories.index(row["category"])
                if row["category"] in categories
                else len(categories) - 1,
                key=f"moderate_edit_category_{cid}",
            )
            st.date_input(
                "Date",
                min_value=dt.date(1900, 1, 1),
                value=pd.to_datetime(row["event_date"]).date() if row["event_date"] else None,
                key=f"moderate_edit_event_date_{cid}",
            )
            st.text_input(
                "Evidence link",
                row["evidence_url"] or "",
                max_chars=vocab.MAX_URL,
                key=f"moderate_edit_evidence_url_{cid}",
            )
            st.text_area(
                "Details",
                row["description"],
                max_chars=vocab.MAX_DESCRIPTION,
                key=f"moderate_edit_description_{cid}",
            )
            st.text_input("Why (kept with the revision)", key=f"moderate_edit_note_{cid}")
            st.form_submit_button(
                "Save edit", on_click=_edit, args=args, key=f"moderate_save_edit_{cid}"
            )
    with st.expander("Contact details and erasure"):
        if row["has_contact"]:
            if st.toggle("Show contact details", key=f"moderate_show_contact_{cid}"):
                contact = contact_for(engine, cid, moderator=moderator) or {}
                st.text(f"{contact.get('name') or ''}  {contact.get('contact') or ''}")
            st.button(
                "Erase contact details (on the contributor's request)",
                key=f"moderate_erase_{cid}",
                on_click=_erase,
                args=(engine, cid),
            )
        else:
            st.caption("No contact details were given (or they were erased).")
    with st.expander("Revisions and log"):
        kept = revisions(engine, cid)
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "revision": r["revision"],
                        "by": r["edited_by"],
                        "note": r["note"],
                        "at": str(r["created_at"]),
                        **r["content"],
                    }
                    for r in kept
                ]
            ),
            hide_index=True,
            width="stretch",
        )
        st.dataframe(history(engine, cid), hide_index=True, width="stretch")


def messages() -> None:
    if "moderate_error" in st.session_state:
        st.error(st.session_state.pop("moderate_error"))
    if "moderate_done" in st.session_state:
        st.success(st.session_state.pop("moderate_done"))
