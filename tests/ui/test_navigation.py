"""lib/ui/navigation.py leans on a private Streamlit flag: fail loudly when it changes."""

from streamlit.runtime.pages_manager import PagesManager


def test_streamlit_still_has_the_old_multipage_flag():
    # require_navigation() switches this class attribute off so that a deep link to a file in
    # pages/ runs under app.py's st.navigation (streamlit/streamlit#10276). If Streamlit drops
    # it, the workaround silently does nothing: recheck deep links and remove the workaround.
    assert isinstance(getattr(PagesManager, "uses_pages_directory", None), bool | None)
    assert hasattr(PagesManager, "uses_pages_directory")
