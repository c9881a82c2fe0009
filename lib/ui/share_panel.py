""" "Share this view": the page's link, its share cards and the whole dataset."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from lib.data import layers as data
from lib.links import declare, tours, views
from lib.render import cards
from lib.ui.cache import _card_layers_ready


def current_params() -> dict[str, list[str]]:
    """The page's query parameters as the browser has them (repeated keys kept), less the
    tour's own (a shared link opens the view, not the facilitator's tour)."""
    return {
        key: st.query_params.get_all(key) for key in st.query_params if key not in tours.TOUR_PARAMS
    }


def app_root() -> str:
    """The app's address with a trailing slash: JOINED_UP_PUBLIC_URL (when the app sits
    behind a proxy), else the browser's address less the current page's path."""
    public = os.environ.get("JOINED_UP_PUBLIC_URL", "").strip()
    url = public or st.context.url or "http://localhost:8501/"
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    last = path.rsplit("/", 1)[-1]
    if not public and last in declare.VIEWS:
        path = path[: -len(last)]
    return f"{parts.scheme}://{parts.netloc}{path.rstrip('/')}/"


def page_link(url_path: str, params: dict | None = None) -> str:
    """The address of a view: the app's root, the page's url_path (the map explorer is the
    root itself) and its query parameters (by default, this page's own)."""
    url_path = "" if url_path in tours.PAGE_ALIASES or url_path == "map_explorer" else url_path
    return views.build_link(app_root() + url_path, current_params() if params is None else params)


def _gpkg_bytes() -> bytes:
    return data.gpkg_path().read_bytes()


def share_panel(
    url_path: str,
    card=None,
    file_stem: str = "joined-up-london",
    key: str = "share",
    compact: bool = False,
    interactive=None,
) -> str:
    """ "Share this view": the link with a copy button, the share card as a 1200x675 PNG and
    an A4 PDF, and the whole built dataset as a GeoPackage. `card(link, size)` returns the
    card's bytes; it runs only when a download is clicked (on Streamlit's download thread),
    so page reruns never draw cards. `compact`: all of it behind one "Share or download"
    button (a popover), so the map keeps the first screen. `interactive()`: the map as one
    self-contained HTML file (lib/render/html_map.py), made on click. Returns the link."""
    link = page_link(url_path)
    if card is not None:
        _card_layers_ready()
    box: DeltaGenerator = (
        st.popover(
            "Share or download",
            key=f"{key}_popover",
            help="This view's link, an image or PDF of it, and the data",
        )
        if compact
        else st.container(border=True, key=f"{key}_panel")
    )
    with box:
        st.markdown(
            "**Share this view** · copy the link with the button at the right of the "
            "box, or download a card to post or print"
        )
        st.code(link, language=None, wrap_lines=True)
        with st.container(horizontal=not compact, key=f"{key}_buttons"):
            if card is not None:
                st.download_button(
                    "Download image (PNG)",
                    lambda: card(link, "social"),
                    cards.card_file_name(file_stem, "social"),
                    "image/png",
                    key=f"{key}_png",
                    on_click="ignore",
                    type="primary",
                    wrap=True,
                    help="A 1200x675 card for social media: map, legend, headline figure, "
                    "sources and this link.",
                )
                st.download_button(
                    "Download PDF (A4)",
                    lambda: card(link, "print"),
                    cards.card_file_name(file_stem, "print"),
                    "application/pdf",
                    key=f"{key}_pdf",
                    on_click="ignore",
                    wrap=True,
                    help="The same card on an A4 landscape page, for print.",
                )
            if interactive is not None:
                st.download_button(
                    "Download interactive map (HTML)",
                    interactive,
                    f"{file_stem}.html",
                    "text/html",
                    key=f"{key}_html",
                    on_click="ignore",
                    wrap=True,
                    help="This map as one web page that works offline: zoom, hover, switch "
                    "layers. Put it on your website or open it with no internet.",
                )
            st.download_button(
                "Download the whole dataset (GeoPackage, for QGIS)",
                _gpkg_bytes,
                "joined-up-london.gpkg",
                "application/geopackage+sqlite3",
                key=f"{key}_gpkg",
                on_click="ignore",
                wrap=True,
                help="Every layer of the built data, in EPSG:27700 (British National Grid).",
            )
    return link
