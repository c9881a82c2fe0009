"""The frontend copy nginx serves (deploy/frontend.py), on the installed Streamlit's own files:
its icons still draw, its text fonts keep every character, its gzip files hold the same bytes.
That the pages look the same through it: tests/e2e/test_workshop_proxy_browser.py."""

from __future__ import annotations

import gzip
from io import BytesIO

import pytest
from fontTools.ttLib import TTFont

from deploy import frontend

MEDIA = frontend.STATIC / "media"


def _outline(font: TTFont, glyph: str):
    coordinates, ends, _flags = font["glyf"][glyph].getCoordinates(font["glyf"])
    return list(coordinates), list(ends)


@pytest.fixture(scope="module")
def icons(tmp_path_factory):
    """(the original icon font, the cut one, the names kept)."""
    path = next(MEDIA.glob(frontend.ICON_FONT))
    data, kept = frontend.icon_subset(path, frontend.icon_words())
    cut = tmp_path_factory.mktemp("icons") / path.name
    cut.write_bytes(data)
    return TTFont(path), TTFont(cut), kept


def test_every_icon_streamlit_names_is_kept_and_draws_as_before(icons):
    original, cut, kept = icons
    named = set()  # what the frontend asks for as :material/NAME:, and the table's own menu icon
    for path in (frontend.STATIC / "js").glob("*.js"):
        named.update(frontend.MATERIAL.findall(path.read_text(encoding="utf-8")))
    assert {"expand_more", "keyboard_double_arrow_left", "upload", "close"} <= named
    named.add("more_vert")  # DataFrame's column menu writes it bare
    before, after = frontend._ligatures(original), frontend._ligatures(cut)
    named &= set(before)  # star_filled is named but not in the font: Streamlit draws it otherwise
    assert len(named) > 70
    assert named <= set(kept) <= set(after)  # with aliases of a kept icon (report_problem)
    for name in named:
        assert _outline(cut, after[name]) == _outline(original, before[name]), name
    assert 600 < len(kept) < 800 < len(before)  # 672 of the font's 4,309 with Streamlit 1.67


def test_an_icon_nothing_names_is_cut(icons):
    original, cut, kept = icons
    words = frontend.icon_words()
    for name in ("pets", "rocket_launch", "sports_soccer"):
        assert name in frontend._ligatures(original) and name not in words
        assert name not in frontend._ligatures(cut)


def test_a_text_font_keeps_every_character_and_its_shape():
    path = next(MEDIA.glob("SourceSansVF-Upright.*.woff2"))
    original, cut = TTFont(path), TTFont(BytesIO(frontend.text_font(path)))
    before, after = original.getBestCmap(), cut.getBestCmap()
    assert set(after) == set(before)
    for code in before:  # each character's advance and outline (at the lightest weight)
        assert cut["hmtx"][after[code]] == original["hmtx"][before[code]]
        assert _outline(cut, after[code]) == _outline(original, before[code])

    def features(font):
        return {r.FeatureTag for r in font["GSUB"].table.FeatureList.FeatureRecord}

    assert {"liga", "locl", "ccmp"} <= features(cut)
    assert {"smcp", "ss01", "onum"} <= features(original) - features(cut)
    assert len(path.read_bytes()) - len(frontend.text_font(path)) > 40_000
    # The licence reserves "Source" for the unmodified font: renamed inside, credits kept.
    names = {r.nameID: r.toUnicode() for r in cut["name"].names}
    assert names[1] == "JULSans3VF" and "Source" not in names[4] + names[6]
    assert "Reserved Font Name" in names[0] and "Open Font License" in names[13]


def test_precompressed_files_hold_the_same_bytes(tmp_path):
    script = next((frontend.STATIC / "js").glob("index.*.js")).read_bytes()
    (tmp_path / "index.js").write_bytes(script)
    (tmp_path / "tiny.js").write_bytes(b"x")
    raw, packed = frontend.precompress([tmp_path / "index.js", tmp_path / "tiny.js"])
    assert gzip.decompress((tmp_path / "index.js.gz").read_bytes()) == script
    assert raw == len(script) and packed < len(gzip.compress(script, 9))
    assert not (tmp_path / "tiny.js.gz").exists()  # no smaller gzipped
