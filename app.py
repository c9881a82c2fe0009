"""Joined Up London: entry point. Page config, navigation over pages/, shared footer."""

import streamlit as st

from lib.links import declare
from lib.ui import layout, tour_bar
from lib.vocab.policies import MAIN_ANALYSED, policy_label
from lib.vocab.sources import GLA_ATTR, ONS_ATTR, OS_ATTR

# No page or page icons: Streamlit fetches a Material icon favicon from a Google font host.
st.set_page_config(page_title="Joined Up London", layout="wide")

# The views and their addresses are declared once, in lib/links/declare.py.
pages = [
    st.Page(view.script, title=view.title, default=True)
    if view.default
    else st.Page(view.script, title=view.title, url_path=view.url_path)
    for view in declare.VIEWS.values()
]
page = st.navigation(pages)
st.html(layout.CONTRAST_CSS)

tour_bar.tour_bar(page.url_path)  # a view opened from the Tour page: previous / back / next
page.run()

# Under the page's own controls: above them it pushed the first one off a 1280x720 screen.
with st.sidebar:
    st.divider()
    st.subheader("Joined Up London")
    plan = [policy_label(p) for p in MAIN_ANALYSED]
    st.caption(
        "London's community facilities, and the ones it has lost, against the London Plan's "
        f"{', '.join(plan[:-1])} and {plan[-1]}."
    )

st.divider()
st.caption(
    f"Open data: {ONS_ATTR}. {OS_ATTR}. {GLA_ATTR}. Full credits and licences on the "
    "Data & sources page."
)
