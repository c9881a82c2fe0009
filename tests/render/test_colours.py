"""Layers drawn on one map never share a colour."""

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
