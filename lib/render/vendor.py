"""Serve a folium map's browser libraries from the app itself instead of from CDNs.

folium.Map lists Leaflet plus jQuery, Bootstrap, Font Awesome and awesome-markers, all on
CDNs. st_folium loads every listed script in turn and gives up drawing the map when one fails
to load, so at a venue with no internet a map listing any CDN script stays blank.
`use_local_assets` points Leaflet (and jQuery, when a popup needs it) at the copies that
`make assets` puts in static/, and drops the libraries the map does not use.
"""

from collections.abc import Iterator
from pathlib import Path

import folium
from branca.element import Element
from folium.elements import JSCSSMixin

STATIC_DIR = Path(__file__).resolve().parents[2] / "static"
# Where Streamlit serves STATIC_DIR (server.enableStaticServing in .streamlit/config.toml).
STATIC_URL = "/app/static"

# folium's asset names and the copies of them that `make assets` installs under STATIC_DIR.
LOCAL_COPIES = {
    "leaflet": "vendor/leaflet/leaflet.js",
    "leaflet_css": "vendor/leaflet/leaflet.css",
    "jquery": "vendor/jquery/jquery.min.js",
}

# folium.Map's own assets that only folium.Icon (awesome-markers) uses.
ICON_ASSETS = frozenset(
    {
        "bootstrap",
        "awesome_markers",
        "bootstrap_css",
        "glyphicons_css",
        "awesome_markers_font_css",
        "awesome_markers_css",
        "awesome_rotate_css",
    }
)


def use_local_assets(m: folium.Map) -> folium.Map:
    """Rewrite the asset lists of `m` and everything on it; call it once the map is complete.

    Leaflet and jQuery point to the local copies when `make assets` has installed them, and
    stay on the CDN otherwise. The lists are replaced on each instance: folium's lists are
    class attributes shared by every map in the process.
    """
    elements = list(_descendants(m))
    unused = _unused_map_assets(elements)
    for element in elements:
        if not isinstance(element, JSCSSMixin):
            continue
        # Only the map lists libraries "just in case"; a plugin's list is what it needs.
        drop = unused if isinstance(element, folium.Map) else frozenset()
        element.default_js = _localised(element.default_js, drop)
        element.default_css = _localised(element.default_css, drop)
    return m


def _descendants(element: Element) -> Iterator[Element]:
    yield element
    for child in element._children.values():
        yield from _descendants(child)
    # GeoJson draws its points with a template marker that is not one of its children.
    marker = getattr(element, "marker", None)
    if isinstance(marker, Element):
        yield from _descendants(marker)


def _unused_map_assets(elements: list[Element]) -> frozenset[str]:
    unused = set(ICON_ASSETS) | {"jquery"}
    if any(isinstance(e, folium.Icon) for e in elements):
        unused -= ICON_ASSETS
    # Popup builds its content with $(...); keep_in_front waits on $(document).ready.
    if any(
        isinstance(e, folium.Popup) or getattr(e, "objects_to_stay_in_front", None)
        for e in elements
    ):
        unused.discard("jquery")
    return frozenset(unused)


def _localised(assets: list[tuple[str, str]], drop: frozenset[str]) -> list[tuple[str, str]]:
    return [(name, _local_url(name) or url) for name, url in assets if name not in drop]


def _local_url(name: str) -> str | None:
    relative_path = LOCAL_COPIES.get(name)
    if relative_path is None or not (STATIC_DIR / relative_path).is_file():
        return None
    return f"{STATIC_URL}/{relative_path}"
