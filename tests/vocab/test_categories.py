"""Words that restate the recorded categories and their windows are made from RECORDING
(lib/vocab/categories.py); where they cannot be (the README), a test holds them to it."""

from pathlib import Path

from lib.vocab.categories import RECORDING, categories_text, count_word, recording_windows

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_windows_sentence_names_every_recorded_category_and_its_window():
    text = recording_windows()
    assert text == (
        "libraries 2010-2023, GP practices July 2013 - July 2019, museums and public galleries "
        "1945-2021 (earliest year of each closure range), pharmacies 2004 - April 2025 and "
        "dental practices 2006 - March 2016"
    )
    assert categories_text(RECORDING) == (
        "libraries, GP practices, museums, pharmacies and dental practices"
    )
    assert count_word(len(RECORDING)) == "five" and count_word(15) == "15"


def test_the_readmes_known_gaps_give_the_recorded_windows():
    readme = " ".join(README.read_text(encoding="utf-8").split())
    assert f"closures are recorded only for {recording_windows()}" in readme
