"""AppTest: `widgets.csv_download`, the one CSV download button: its label, key and file name
as given, the CSV made only when clicked (the click not rerunning the page), and a cell a spreadsheet would run made text."""

import io

import pandas as pd
from streamlit.testing.v1 import AppTest


def script():
    import pandas as pd
    import streamlit as st

    from lib.ui import widgets

    calls = st.session_state.setdefault("calls", [])

    def made_on_click() -> pd.DataFrame:
        calls.append("made")
        return pd.DataFrame({"name": ["Library"], "sites": [3]})

    widgets.csv_download(
        "Download reports (CSV)",
        pd.DataFrame({"name": ["=HYPERLINK(1)", "Hall"], "closed": [2, 0]}),
        "reports.csv",
        key="dl_reports",
    )
    widgets.csv_download("Download sites (CSV)", made_on_click, "sites.csv")


def test_csv_download_buttons(downloads):
    at = AppTest.from_function(script).run()
    assert not at.exception
    buttons = at.get("download_button")
    assert [b.proto.label for b in buttons] == ["Download reports (CSV)", "Download sites (CSV)"]
    assert "dl_reports" in buttons[0].proto.id
    assert all(b.proto.ignore_rerun for b in buttons)  # a click does not rerun the page
    assert set(downloads) == {"reports.csv", "sites.csv"}
    assert at.session_state["calls"] == []  # nothing made until a click

    reports = downloads["reports.csv"]()
    assert reports.decode("utf-8").splitlines() == ["name,closed", "'=HYPERLINK(1),2", "Hall,0"]
    sites = pd.read_csv(io.BytesIO(downloads["sites.csv"]()))
    assert sites.to_dict("records") == [{"name": "Library", "sites": 3}]
    assert at.session_state["calls"] == ["made"]
