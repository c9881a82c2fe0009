"""The community-reported map layer: escaped everywhere, styled apart, area needs per ward."""

from __future__ import annotations

import html
import re

import folium
import geopandas as gpd
import pytest
from shapely.geometry import box

from lib.render import community
from lib.store import RateLimits, open_store, public_contributions, submit
from lib.store.moderation import set_moderation
from tests.store.forms import SE1, WARD, XSS, submission

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


def rendered(contributions) -> tuple[str, list]:
    m = folium.Map(tiles=None, prefer_canvas=True)
    legend = community.add_community_layer(m, contributions)
    wards = gpd.GeoDataFrame(
        {"ward_code": [WARD], "name": ["<b>Cathedrals</b>"]},
        geometry=[box(-0.11, 51.49, -0.09, 51.51)],
        crs=4326,
    )
    legend += community.add_area_needs_layer(m, wards, contributions)
    return m.get_root().render(), legend


def decoded(page: str) -> str:
    """The page with JSON's \\uXXXX escapes undone: what the browser's JavaScript sees."""
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), page)


def test_no_markup_from_contributors_reaches_the_page_unescaped(contributions):
    page = decoded(rendered(contributions)[0])
    for text in [*XSS, EVIL_LINK, "<b>Cathedrals</b>"]:
        assert text not in page
    for text in XSS:
        assert html.escape(text) in page  # shown, as text
    assert "<script>alert" not in page and "<img src=x" not in page and "<svg" not in page
    assert "PENDING-NEVER-SHOWN" not in page


def test_evidence_links_are_escaped_attributes(contributions):
    link = community.evidence_link(EVIL_LINK)
    assert "<script>" not in link and 'rel="noopener noreferrer nofollow"' in link
    assert community.evidence_link("javascript:alert(1)") == ""
    assert community.evidence_link(None) == ""


def test_the_layer_is_labelled_and_in_the_legend(contributions):
    page, legend = rendered(contributions)
    assert legend[0][0] == community.COLOUR and legend[0][1].startswith("Community-reported (3)")
    assert "What areas need" in legend[1][1]
    assert "CC BY 4.0" in page


def test_area_needs_have_no_point_and_show_per_ward(contributions):
    points = community.points(contributions)
    assert len(points) == 3  # the area need has no public point
    needs = community.area_needs_by_ward(contributions)
    assert list(needs["ward_code"]) == [WARD] and needs["needs"].iloc[0] == 1
    assert "<script>" not in needs["text"].iloc[0]


def test_no_contributions_no_layer():
    empty = gpd.GeoDataFrame(
        {"kind": [], "correction": [], "description": [], "name": []}, geometry=[], crs=27700
    )
    m = folium.Map(tiles=None)
    assert community.add_community_layer(m, empty) == []
    assert community.area_needs_by_ward(empty).empty


def test_public_table_keeps_text_verbatim_with_licence(contributions):
    table = community.public_table(contributions)
    assert set(XSS) <= set(table["name"])
    assert set(table["licence"]) == {"CC BY 4.0"}
    assert {"lon", "lat", "what"} <= set(table.columns)
