"""docs/DATA.md is the schema, made by `make docs`."""

from __future__ import annotations

from pathlib import Path

from lib.vocab.schema import LAYERS, TYPES, markdown

DATA_MD = Path(__file__).resolve().parents[2] / "docs" / "DATA.md"


def test_data_dictionary_is_up_to_date():
    assert DATA_MD.read_text(encoding="utf-8") == markdown(), "run `make docs`"


def test_every_column_has_a_known_type_and_a_description():
    for layer in LAYERS.values():
        assert layer.description, layer.name
        assert len(set(layer.column_names)) == len(layer.columns), layer.name
        for column in layer.columns:
            assert column.type in TYPES, (layer.name, column.name)
            assert column.description.strip(), (layer.name, column.name)


def test_the_dictionary_names_every_column():
    text = DATA_MD.read_text(encoding="utf-8")
    for layer in LAYERS.values():
        section = text.split(f"\n## {layer.name}\n", 1)[1].split("\n## ", 1)[0]
        for column in layer.columns:
            assert f"| `{column.name}` | {column.type} |" in section, (layer.name, column.name)
