"""Layers drawn on one map never share a colour, and each colour has one name, in
lib/render/symbols.py."""

import re
from pathlib import Path

from lib.render import maps, symbols
from lib.vocab.categories import GROUP_COLOURS


def test_food_bank_networks_differ_from_every_facility_group_and_community_reports():
    """The borough profile draws sites by group, food banks by network and community
    reports together: pubs and Trussell Trust food banks, Culture & heritage and IFAN, were
    one colour each."""
    others = {
        *(c.upper() for c in GROUP_COLOURS.values()),
        symbols.COMMUNITY_COLOUR.upper(),
        maps.CLOSED_COLOUR.upper(),
        symbols.MUTUAL_AID_COLOUR.upper(),
    }
    networks = [c.upper() for c in symbols.NETWORK_COLOURS.values()]
    assert len(set(networks)) == len(networks)
    assert not set(networks) & others


def test_map_and_chart_colours_are_named_once_in_symbols():
    """A colour written as hex in a render module is a second home for a symbol: every map,
    legend, card and chart colour is a named constant of lib/render/symbols.py."""
    render = Path(symbols.__file__).parent
    # The app theme's colours (.streamlit/config.toml) on the save-view button, the tiles
    # note and the wall's weight bars are page chrome, not map symbols; the wall's map
    # (workshop.py) is being redone on the spec in its own change.
    chrome = {"symbols.py", "controls.py", "room.py", "workshop.py"}
    found = {
        f"{path.name}:{n}: {match}"
        for path in render.glob("*.py")
        if path.name not in chrome
        for n, line in enumerate(path.read_text().splitlines(), 1)
        for match in re.findall(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b", line)
    }
    assert not found, sorted(found)
