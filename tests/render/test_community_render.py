"""The community-reported map layer: escaped everywhere, labelled, area needs not placed."""

from __future__ import annotations

import html
import json

import geopandas as gpd
import pytest

from lib.render import community, mapspec, symbols
from lib.store import RateLimits, open_store, public_contributions, submit
from lib.store.moderation import set_moderation
from tests.store.forms import SE1, XSS, submission

LIMITS = RateLimits(per_session=10**6, per_address=10**6)
EVIL_LINK = 'https://example.org/"><script>alert(1)</script>'


@pytest.fixture(scope="module")
def contributions(tmp_path_factory):
    """Approved contributions whose every text field carries markup, read back through the
    public read path, plus one pending report that must never show."""
    engine = open_store(f"sqlite:///{tmp_path_factory.mktemp('c') / 'c.sqlite'}", fresh=True)
    ids = []
    for i, text in enumerate(XSS):
        ids.append(
            submit(
                engine,
                submission(
                    name=text, description=text * 3, evidence_url=EVIL_LINK, x=SE1[0] + i * 100
                ),
                session_id="render",
                client_address=None,
                limits=LIMITS,
            ).id
        )
    ids.append(
        submit(
            engine,
            submission("area_need", name=XSS[1], description=XSS[0]),
            session_id="render",
            client_address=None,
            limits=LIMITS,
        ).id
    )
    for cid in ids:
        set_moderation(engine, cid, "approved", moderator="mo")
    submit(
        engine,
        submission(name="PENDING-NEVER-SHOWN"),
        session_id="render",
        client_address=None,
        limits=LIMITS,
    )
    frame = public_contributions(engine)
    engine.dispose()
    return frame


def sent(contributions) -> str:
    """What the browser map and the HTML download receive of the layer, as JSON text."""
    layer = community.site_map_layer(contributions)
    return json.dumps(layer.features, ensure_ascii=False)


def test_no_markup_from_contributors_reaches_the_page_unescaped(contributions):
    page = sent(contributions)
    for text in XSS:
        assert text not in page
        assert json.dumps(html.escape(text), ensure_ascii=False)[1:-1] in page  # shown, as text
    assert "<script>alert" not in page and "<img src=x" not in page and "<svg" not in page
    assert "PENDING-NEVER-SHOWN" not in page


def test_the_layer_is_labelled_and_in_the_legend(contributions):
    layer = community.site_map_layer(contributions)
    (section,) = mapspec.Overlay("community", layer).legend()
    assert section.title == "Community-reported"
    assert section.rows == (
        (symbols.COMMUNITY_COLOUR, "Community-reported (3): reports by the public, moderated"),
    )


def test_area_needs_have_no_point(contributions):
    assert len(community.points(contributions)) == 3  # the area need has no public point
    assert community.site_map_layer(contributions).total == 3


def test_no_contributions_no_layer():
    empty = gpd.GeoDataFrame(
        {"kind": [], "correction": [], "description": [], "name": []}, geometry=[], crs=27700
    )
    assert community.site_map_layer(empty) is None


def test_public_table_keeps_text_verbatim_with_licence(contributions):
    table = community.public_table(contributions)
    assert set(XSS) <= set(table["name"])
    assert set(table["licence"]) == {"CC BY 4.0"}
    assert {"lon", "lat", "what"} <= set(table.columns)
