"""Deep links under st.navigation: the one place that touches a private Streamlit flag."""

from __future__ import annotations

import streamlit as st


def require_navigation() -> None:
    """Make sure the page runs under app.py's st.navigation.

    Streamlit 1.67 starts an app that has a pages/ folder in its old multipage mode until
    app.py has called st.navigation once: until then, a first visit to a link whose path is
    a file's name in pages/ (/tour, /map_explorer) runs that file alone (no shared sidebar,
    wrong navigation; streamlit/streamlit#10276 describes it). Such a run switches the old
    mode off and reruns, and the rerun goes through app.py to the same page.
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # a later Streamlit without the old mode
        return
    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        st.rerun()
