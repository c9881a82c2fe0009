"""AppTest runs of "Where need is greatest" on the real build: its figures, the weights from
the link (and a note for a link whose weights cannot be read), and its lazy downloads: the
evidence pack (PDF), the CSV and the GeoPackage, made by calling what the buttons would."""

import io

import pandas as pd
import pyogrio
import pytest
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.integration

PAGE = "pages/needs.py"


@pytest.fixture
def app(app_on_neutral_page) -> AppTest:
    return app_on_neutral_page


def open_page(at: AppTest, **params) -> AppTest:
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def text(at: AppTest) -> str:
    return "\n".join(m.value for m in [*at.markdown, *at.caption])


def test_figures_with_equal_weights(app, downloads):
    at = open_page(app)
    figures = {m.label: m.value for m in at.metric}
    # Equal weights: 127 wards in the top fifth of 634 (ties at the edge all in), 80 stable.
    assert figures["Areas of defined need"] == "127"
    # Libraries, 2010 to 2023, 800 m in a straight line: 276,897 lost walking access and
    # 101,013 gained it (new libraries, and libraries that moved: a rebuilt one is no new
    # library), side by side.
    assert figures["Lost access: libraries"] == "276,897"
    helps = " ".join(m.proto.help for m in at.metric)
    assert "40% of Londoners now live beyond 800 m" in helps  # 3,642,957 of 9,002,488
    deltas = [m.proto.delta for m in at.metric]
    assert "80 stable" in deltas and "101,013 gained" in deltas
    words = text(at)
    assert "equal: the default" in words
    # Each category's "then": GP practices from July 2013, community centres now only.
    assert "Library: 2010; GP practice: July 2013; Pharmacy: 2010; Community centre: now only" in (
        words
    )
    assert "straight lines" in words and "not walking routes" in words
    assert "36 of the 127 wards in the index's top fifth are also in the top fifth" in words
    assert "80 of the 127 areas of defined need stay in the top fifth" in words
    assert not at.warning
    # The wards table, all 634, first New Addington (Croydon), stable.
    wards = at.dataframe[3].value
    assert len(wards) == 634
    assert wards.iloc[0][["Rank", "Ward", "Borough", "Area of defined need"]].tolist() == [
        "1 of 634",
        "New Addington",
        "Croydon",
        "stable",
    ]
    # The lost libraries' CSV: 20 since 2010, Markyate (Barking and Dagenham, 2012) the one
    # most residents had as their nearest.
    lost = pd.read_csv(io.BytesIO(downloads["joined-up-london-lost-access_library.csv"]()))
    assert len(lost) == 20 and lost.iloc[0]["name"] == "Markyate"


def test_weights_from_the_link(app):
    at = open_page(app, weights="access:4,losses:0,voluntary:0,deprivation:0,community:0")
    assert at.slider(key="weight_access").value == 4
    assert at.slider(key="weight_losses").value == 0
    assert "Access 4, Losses 0" in text(at) and "your choice" in text(at)
    # Access alone: Darwin (Bromley, far from every facility) first; 46 of the 127 are
    # also in the top fifth under equal weights.
    wards = at.dataframe[3].value
    assert wards.iloc[0]["Ward"] == "Darwin"
    assert "46 of these 127 are also in the top fifth under equal weights" in text(at)


def test_a_bad_weights_link_gets_a_note(app):
    at = open_page(app, weights="access:9")
    notes = [w.value for w in at.warning]
    assert any("could not be read" in n and "from 0 to 4" in n for n in notes), notes
    # Equal weights meanwhile, said as such.
    assert {m.label: m.value for m in at.metric}["Areas of defined need"] == "127"
    assert "equal: the default" in text(at)


def test_a_weights_link_is_shown_as_its_text_not_as_markdown(app):
    at = open_page(app, weights="[win](https://example.com)")
    (note,) = [w.value for w in at.warning if "could not be read" in w.value]
    assert "\\[win\\]\\(https" in note  # escaped: a reader sees the text, not a link


def test_community_centres_are_now_only(app):
    at = open_page(app, category="Community centre", map="Access lost")
    figures = {m.label: m.value for m in at.metric}
    assert figures["Lost access: community centres"] == "now only"
    assert "33% beyond 800 m" in [m.proto.delta for m in at.metric]
    words = text(at)
    assert "Community centres: now only" in words and "not known (not zero)" in words
    assert "no access lost" not in words.lower()
    by_borough = at.dataframe[0].value
    assert set(by_borough["Lost walking access"]) == {"now only"}


def test_one_mile_is_for_libraries_only(app):
    at = open_page(app, category="Pharmacy", threshold="1 mile")
    assert any("1 mile is offered for libraries only" in w.value for w in at.warning)
    assert "beyond 800 m" in " ".join(m.proto.help for m in at.metric)


def test_evidence_pack_and_downloads(app, downloads):
    at = open_page(app, borough="Hackney")
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Evidence pack (PDF, A4)" in labels
    pdf = downloads["joined-up-london-needs-hackney.pdf"]()
    assert pdf.startswith(b"%PDF") and b"Hackney" in pdf
    rows = pd.read_csv(io.BytesIO(downloads["joined-up-london-needs-hackney.csv"]()))
    assert len(rows) == 21 and set(rows["gss_code"]) == {"E09000012"}  # Hackney's wards
    # On screen, Hackney's 21 wards keep their ranks among London's 634.
    shown = next(d.value for d in at.dataframe if "Rank" in d.value.columns)
    assert len(shown) == 21 and shown["Rank"].str.endswith(" of 634").all()
    assert {"access_library", "losses_count", "stability", "defined_need"} <= set(rows.columns)
    gpkg = downloads["joined-up-london-needs-hackney.gpkg"]()
    with open_gpkg(gpkg) as file:
        layers = dict(pyogrio.list_layers(file))
        assert set(layers) == {"needs_wards", "needs_lsoas"}
        assert len(pyogrio.read_dataframe(file, layer="needs_wards")) == 21
        lsoas = pyogrio.read_dataframe(file, layer="needs_lsoas")
        assert len(lsoas) == 144 and "library_then_mean_m" in lsoas.columns


class open_gpkg:
    """The GeoPackage's bytes as a file GDAL can open, removed afterwards."""

    def __init__(self, data: bytes) -> None:
        import tempfile

        self.folder = tempfile.TemporaryDirectory()
        self.path = f"{self.folder.name}/pack.gpkg"
        with open(self.path, "wb") as f:
            f.write(data)

    def __enter__(self) -> str:
        return self.path

    def __exit__(self, *exc) -> None:
        self.folder.cleanup()
