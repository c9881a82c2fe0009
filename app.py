"""Joined Up London: entry point. Page config, navigation over pages/, shared footer."""

import streamlit as st

from lib.ui import layout, tour_bar
from lib.vocab.sources import GLA_ATTR, ONS_ATTR, OS_ATTR

# No page or page icons: Streamlit fetches a Material icon favicon from a Google font host.
st.set_page_config(page_title="Joined Up London", layout="wide")

pages = [
    st.Page("pages/map_explorer.py", title="Map explorer", default=True),
    st.Page("pages/losses_vs_policy.py", title="Losses vs policy", url_path="losses"),
    st.Page("pages/losses_over_time.py", title="Losses over time", url_path="over-time"),
    st.Page("pages/borough_profile.py", title="Borough profile", url_path="borough"),
    st.Page("pages/voluntary_sector.py", title="Voluntary sector", url_path="voluntary"),
    st.Page("pages/data_sources.py", title="Data & sources", url_path="sources"),
    st.Page("pages/tour.py", title="Tour", url_path="tour"),
    st.Page("pages/contribute.py", title="Add to the map", url_path="contribute"),
    st.Page("pages/moderate.py", title="Moderation", url_path="moderate"),
    st.Page("pages/workshop.py", title="Workshop", url_path="workshop"),
    st.Page("pages/join.py", title="Join a workshop", url_path="join"),
    st.Page("pages/wall.py", title="Workshop wall", url_path="wall"),
]
page = st.navigation(pages)
st.html(layout.CONTRAST_CSS)

tour_bar.tour_bar(page.url_path)  # a view opened from the Tour page: previous / back / next
page.run()

# Under the page's own controls: above them it pushed the first one off a 1280x720 screen.
with st.sidebar:
    st.divider()
    st.subheader("Joined Up London")
    st.caption(
        "London's community facilities, and the ones it has lost, against the London Plan's "
        "town centres, Opportunity Areas, Central Activities Zone, industrial land and Areas "
        "for Regeneration."
    )

st.divider()
st.caption(
    f"Open data: {ONS_ATTR}. {OS_ATTR}. {GLA_ATTR}. Full credits and licences on the "
    "Data & sources page."
)
