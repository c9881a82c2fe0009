"""Tour: step through a facilitator's sequence of views, defined in a small file in tours/."""

import streamlit as st
from streamlit.errors import StreamlitAPIException

from lib.links import match, tours
from lib.ui import link_check, navigation, share_panel, tour_bar

navigation.require_navigation()
st.title("Tour")

names = tours.tour_names()
if not names:
    st.error(
        "There is no tour file in tours/. Copy the example from the README's tour "
        "section to tours/default.toml."
    )
    st.stop()


def choose_tour() -> None:
    st.query_params["tour"] = st.session_state["tour_file"]
    st.query_params["step"] = "1"


def go(number: int) -> None:
    st.query_params["step"] = str(number)


asked = st.query_params.get("tour")
if asked and asked not in names:  # ?tour=Default opens default; a tour that is not there says so
    found = match.match(asked, names)
    if found.value is not None:
        st.query_params["tour"] = found.value
    else:
        st.warning(link_check.escape_markdown(match.note(found, "a tour in tours/")), icon="⚠️")

with st.sidebar:
    st.header("Tour")
    # Kept in the link by hand (not bound): switching to a step's view passes `tour` on.
    if st.session_state.get("tour_file") not in names or (
        st.query_params.get("tour") in names
        and st.query_params.get("tour") != st.session_state.get("tour_file")
    ):
        st.session_state["tour_file"] = (
            st.query_params.get("tour") if st.query_params.get("tour") in names else names[0]
        )
    name = st.selectbox(
        "Tour file (tours/*.toml)",
        names,
        key="tour_file",
        on_change=choose_tour,
        help="Each file in the app's tours/ folder is a tour. Copy "
        "tours/default.toml to make your own for your event.",
    )

try:
    tour = tours.load_tour(name, choices=tour_bar.tour_choices())
except tours.TourError as exc:
    st.error(f"This tour cannot be used yet. {exc}")
    st.stop()

count = len(tour.steps)
number = tours.parse_step(st.query_params.get("step"), count)
if st.query_params.get("step") != str(number):
    st.query_params["step"] = str(number)  # the link always names the step shown
step = tour.steps[number - 1]

st.subheader(tour.title, anchor=False)
if tour.intro:
    st.caption(tour.intro)
st.progress(number / count, text=f"Step {number} of {count}")

with st.container(border=True, key="tour_step"):
    st.markdown(f"### {number}. {step.title}")
    st.markdown(f"#### {step.talking_point}")
    settings = ", ".join(f"{k} = {' + '.join(v)}" for k, v in step.params.items()) or "none"
    st.caption(f"Opens **{step.page.title}** with {settings}.")
    with st.container(horizontal=True, key="tour_buttons"):
        st.button(
            "← Previous",
            key="tour_previous",
            on_click=go,
            args=(number - 1,),
            disabled=number == 1,
            shortcut="PageUp",
            help="Previous step (Page Up, or a presentation clicker)",
        )
        open_view = st.button(
            "Open this view",
            key="tour_open",
            type="primary",
            shortcut="O",
            help="Show this step's view (O)",
        )
        st.button(
            "Next →",
            key="tour_next",
            on_click=go,
            args=(number + 1,),
            disabled=number == count,
            shortcut="PageDown",
            help="Next step (Page Down, or a presentation clicker)",
        )
    # The buttons show Page Down / Page Up / O (shortcut); the step keys answer them and the
    # arrows, and keep a press made while the app reconnects, which Streamlit's shortcuts drop.
    next_button, previous_button = ".st-key-tour_next button", ".st-key-tour_previous button"
    tour_bar.step_keys(
        {
            "PageDown": next_button,
            "ArrowRight": next_button,
            "PageUp": previous_button,
            "ArrowLeft": previous_button,
            "o": ".st-key-tour_open button",
        }
    )
    if open_view:
        try:
            st.switch_page(step.page.script, query_params=tours.step_params(tour, number))
        except StreamlitAPIException as exc:
            st.error(f"The {step.page.title} page cannot be opened: {exc}")
    link = share_panel.page_link(step.page.url_path, step.query())
    st.caption("This step's link, to open it in another tab or window:")
    st.code(link, language=None, wrap_lines=True)

st.markdown("**All steps**")
st.markdown(
    "\n".join(
        f"{i}. {'**' if i == number else ''}{s.title}{'** ← now' if i == number else ''}"
        f" — {s.page.title}"
        for i, s in enumerate(tour.steps, start=1)
    )
)

with st.expander("Make your own tour"):
    st.markdown(
        "A tour is a small text file in the app's `tours/` folder. Copy "
        "`tours/default.toml`, rename it (letters, digits, `-` and `_`), and edit the "
        "steps: each has a `title`, a `page` (`map_explorer`, `losses`, `over-time`, "
        "`borough`, `voluntary`, `sources`), `params` (the settings as they appear in that "
        'page\'s link, e.g. `{ borough = "Hackney" }`) and a one-line `talking_point`. '
        "Open the view you want, copy its link, and copy the settings after the `?`. "
        "If a step is wrong this page says which step and which field. Use "
        '`basemap = "No basemap"` at venues without internet.'
    )
    st.code((tours.TOURS_DIR / f"{tour.name}.toml").read_text(encoding="utf-8"), language="toml")
