"""Streamlit glue shared by the pages: cached data, the shared sidebar, map embedding."""

from __future__ import annotations

import html
import os
from urllib.parse import urlsplit

import branca.element
import folium
import streamlit as st
from streamlit_folium import st_folium

from lib.data import layers as data
from lib.render import maps
from lib.analysis import profiles
from lib.render import share
from lib.links import tours
from lib.vocab.sources import attributions

BASEMAP_CHOICES = {"light": "Street map", "none": "No basemap"}  # labels appear in the URL


@st.cache_resource(show_spinner="Loading London's data…")
def layers() -> data.Layers:
    return data.load_layers()


@st.cache_resource
def map_layers() -> maps.MapLayers:
    return maps.prepare(layers())


@st.cache_resource(show_spinner=False)
def ward_geometry():
    """Ward shapes for the browser, shared by the borough and voluntary-sector maps."""
    return profiles.ward_geometry(layers().wards, layers().borough_names)


@st.cache_resource(show_spinner=False)
def voluntary_features():
    """Food banks and mutual aid groups as map features, with their ward names."""
    L = layers()
    return profiles.voluntary_features(L.voluntary_points,
                                       dict(zip(L.wards.ward_code, L.wards.name)))


def require_navigation() -> None:
    """Make sure the page runs under app.py's st.navigation.

    Streamlit 1.67 starts an app that has a pages/ folder in its old multipage mode until
    app.py has called st.navigation once: until then, a first visit to a link whose path is
    a file's name in pages/ (/tour, /map_explorer) runs that file alone (no shared sidebar,
    wrong navigation; streamlit/streamlit#10276 describes it). Such a run switches the old
    mode off and reruns, and the rerun goes through app.py to the same page.
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # a later Streamlit without the old mode
        return
    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        st.rerun()


def require_layers() -> data.Layers:
    """The built layers, or a clear message on how to build them (and stop the page)."""
    require_navigation()
    try:
        return layers()
    except data.DataMissing as exc:
        st.error(str(exc))
        st.markdown(
            "The raw inputs are listed on the **Data & sources** page. With them in a folder:\n\n"
            "```\nexport GEODATA_SOURCE=/path/to/geodata\nmake data\n```"
        )
        st.stop()


def default_basemap() -> str:
    """Venues without internet set JOINED_UP_BASEMAP=none to start with no basemap."""
    configured = os.environ.get("JOINED_UP_BASEMAP", "light")
    return configured if configured in BASEMAP_CHOICES else "light"


def basemap_picker() -> str:
    choices = list(BASEMAP_CHOICES)
    return st.sidebar.radio(
        "Basemap", choices, index=choices.index(default_basemap()), key="basemap",
        format_func=BASEMAP_CHOICES.get, bind="query-params",
        help="Street tiles come from an outside server; the map still reads without them.",
    )


def show_map(m: folium.Map, key: str, height: int = 680, save_view: bool = False,
             view: share.MapView | None = None) -> share.MapView | None:
    """Embed the map. No interaction is sent back, so panning never reruns the page; with
    save_view a "Save view to link" button in the map sends its centre and zoom once, and
    they go into the link (lat, lon, z). Returns the view now in the link (else `view`)."""
    if save_view:
        m.add_child(share.SaveViewControl())
    returned = st_folium(m, key=key, height=height, use_container_width=True,
                         returned_objects=[])
    saved = share.view_from_map(returned) if save_view else None
    if saved is not None and saved != view:
        st.query_params.update(saved.params())
        st.toast("Map position saved to this page's link.")
        return saved
    return view


def caveats_and_definitions(results, definitions: str) -> None:
    """The caveats the results carry (attrs["caveats"]), each once, then how it is calculated."""
    st.subheader("Caveats")
    caveats = dict.fromkeys(c for result in results for c in result.attrs["caveats"])
    st.markdown("\n".join(f"- {c}" for c in caveats))
    with st.expander("How this is calculated"):
        st.markdown(definitions)


def table_height(rows: int) -> int:
    """Pixel height that shows every row of a st.dataframe (35 px a row, plus the header)."""
    return 38 + 35 * rows


def attribution_caption(source_keys, basemap: str) -> None:
    lines = attributions(source_keys)
    if maps.BASEMAPS[basemap][2]:
        lines.append(f"Basemap {maps.BASEMAPS[basemap][2]}")
    st.caption(" · ".join(lines))


# ------------------------------------------------------------------ share, view, present
# Issue 5: every view is a link, every map view a card; presentation mode for projectors.


def map_view() -> share.MapView | None:
    """The map position saved in the link (lat, lon, z), clamped to London; a short note
    when the link's position was unusable (and ignored) or moved."""
    view, note = share.parse_view({k: st.query_params.get(k) for k in share.VIEW_PARAMS})
    if note:
        st.caption(note)
    return view


def reset_view_button(view: share.MapView | None, key: str = "reset_view") -> None:
    """Offer to drop a saved map position from the link (back to all of London)."""
    if view is not None and st.button("Reset map to all of London", key=key):
        for param in share.VIEW_PARAMS:
            st.query_params.pop(param, None)
        st.rerun()


def current_params() -> dict[str, list[str]]:
    """The page's query parameters as the browser has them (repeated keys kept), less the
    tour's own (a shared link opens the view, not the facilitator's tour)."""
    return {key: st.query_params.get_all(key) for key in st.query_params
            if key not in tours.TOUR_PARAMS}


def app_root() -> str:
    """The app's address with a trailing slash: JOINED_UP_PUBLIC_URL (when the app sits
    behind a proxy), else the browser's address less the current page's path."""
    public = os.environ.get("JOINED_UP_PUBLIC_URL", "").strip()
    url = public or st.context.url or "http://localhost:8501/"
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    last = path.rsplit("/", 1)[-1]
    if not public and last in {*tours.PAGES, "tour"}:
        path = path[: -len(last)]
    return f"{parts.scheme}://{parts.netloc}{path.rstrip('/')}/"


def page_link(url_path: str, params: dict | None = None) -> str:
    """The address of a view: the app's root, the page's url_path (the map explorer is the
    root itself) and its query parameters (by default, this page's own)."""
    url_path = "" if url_path in tours.PAGE_ALIASES or url_path == "map_explorer" else url_path
    return share.build_link(app_root() + url_path,
                            current_params() if params is None else params)


@st.cache_resource
def _card_layers_ready() -> bool:
    share.card_layers(layers())  # prepared once per process, before the first click
    return True


def _gpkg_bytes() -> bytes:
    return data.gpkg_path().read_bytes()


def share_panel(url_path: str, card=None, file_stem: str = "joined-up-london",
                key: str = "share") -> str:
    """"Share this view": the link with a copy button, the share card as a 1200x675 PNG and
    an A4 PDF, and the whole built dataset as a GeoPackage. `card(link, size)` returns the
    card's bytes; it runs only when a download is clicked (on Streamlit's download thread),
    so page reruns never draw cards. Returns the link."""
    link = page_link(url_path)
    if card is not None:
        _card_layers_ready()
    with st.container(border=True, key=f"{key}_panel"):
        st.markdown("**Share this view** · copy the link with the button at the right of the "
                    "box, or download a card to post or print")
        st.code(link, language=None, wrap_lines=True)
        with st.container(horizontal=True, key=f"{key}_buttons"):
            if card is not None:
                st.download_button(
                    "Download image (PNG)", lambda: card(link, "social"),
                    share.card_file_name(file_stem, "social"), "image/png", key=f"{key}_png",
                    on_click="ignore", type="primary",
                    help="A 1200x675 card for social media: map, legend, headline figure, "
                         "sources and this link.")
                st.download_button(
                    "Download PDF (A4)", lambda: card(link, "print"),
                    share.card_file_name(file_stem, "print"), "application/pdf",
                    key=f"{key}_pdf", on_click="ignore",
                    help="The same card on an A4 landscape page, for print.")
            st.download_button(
                "Download the whole dataset (GeoPackage, for QGIS)", _gpkg_bytes,
                "joined-up-london.gpkg", "application/geopackage+sqlite3", key=f"{key}_gpkg",
                on_click="ignore",
                help="Every layer of the built data, in EPSG:27700 (British National Grid).")
    return link


FOCUS_CSS = """<style>
/* Keyboard focus is always visible (WCAG 2.4.7). */
a:focus-visible, button:focus-visible, [role="button"]:focus-visible, input:focus-visible,
[tabindex]:focus-visible, summary:focus-visible {
  outline: 3px solid #1d2a2a !important; outline-offset: 2px !important;
  box-shadow: 0 0 0 5px #ffffff !important;
}
</style>"""

PRESENT_CSS = """<style>
/* Presentation mode: no sidebar or toolbar, large high-contrast type, the map fills the
   screen. Readable from the back of a room on a 1280x720 projector. */
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"], [data-testid="stHeader"], [data-testid="stToolbar"],
[data-testid="stDecoration"] {display: none !important;}
.stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"] {background: #ffffff !important;}
[data-testid="stMainBlockContainer"] {padding: 0.6rem 1.2rem 0.4rem !important;
  max-width: 100% !important;}
[data-testid="stMainBlockContainer"] * {color: #000000;}
[data-testid="stMainBlockContainer"] h1 {font-size: 2.1rem !important; line-height: 1.15 !important;
  padding: 0 !important;}
[data-testid="stMainBlockContainer"] p, [data-testid="stMainBlockContainer"] li,
[data-testid="stMainBlockContainer"] button {font-size: 1.3rem !important;}
[data-testid="stMainBlockContainer"] [data-testid="stMetricValue"],
[data-testid="stMainBlockContainer"] [data-testid="stMetricValue"] * {font-size: 3.2rem !important;
  font-weight: 800 !important; line-height: 1.05 !important;}
[data-testid="stMainBlockContainer"] [data-testid="stMetricLabel"] p {font-size: 1.2rem !important;}
/* The headline's label wraps rather than being cut short with an ellipsis. */
[data-testid="stMainBlockContainer"] [data-testid="stMetricLabel"],
[data-testid="stMainBlockContainer"] [data-testid="stMetricLabel"] * {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  height: auto !important; line-height: 1.25 !important;}
[data-testid="stCaptionContainer"] p {font-size: 0.85rem !important; color: #1a1a1a !important;}
[data-testid="stVerticalBlock"] {gap: 0.5rem !important;}
button:focus-visible, a:focus-visible {outline: 4px solid #000000 !important;
  outline-offset: 3px !important; box-shadow: 0 0 0 7px #ffd400 !important;}
</style>"""

# Inside the map's frame (the page's CSS does not reach it): larger legend and labels.
PRESENT_MAP_CSS = """<style>
.jul-legend {font-size: 15px !important; line-height: 1.35 !important;
  max-width: 330px !important; padding: 8px 12px !important; color: #000 !important;}
.jul-legend h4 {font-size: 15px !important;}
.jul-legend .sw, .jul-legend .dot, .jul-legend .ring {transform: scale(1.25);}
.jul-label {font-size: 15px !important; font-weight: 700 !important; color: #000 !important;}
.leaflet-control-attribution {font-size: 12px !important;}
/* A legend taller than the map (FitLegend): smaller type, then two columns. */
.jul-legend.jul-compact {font-size: 12.5px !important; line-height: 1.2 !important;
  padding: 6px 9px !important;}
.jul-legend.jul-compact h4 {font-size: 12.5px !important; margin: 3px 0 1px !important;}
.jul-legend.jul-compact .sw, .jul-legend.jul-compact .dot,
.jul-legend.jul-compact .ring {transform: none;}
.jul-legend.jul-two-col {column-count: 2; column-gap: 14px; max-width: 500px !important;}
.jul-legend.jul-two-col h4 {break-after: avoid;}
.jul-legend.jul-two-col .row {break-inside: avoid;}
</style>"""


class FitLegend(branca.element.MacroElement):
    """Presentation mode: the map's legend, in large type, may be taller than the map (the
    borough profile's legend has some twenty rows). Then it gets smaller type, and if that is
    not enough, two columns, so that all of it stays on the screen."""

    _template = branca.element.Template("""
        {% macro script(this, kwargs) %}
        (function(map) {
            function fit() {
                var legend = map.getContainer().querySelector(".jul-legend");
                if (!legend) return;
                // Below the zoom buttons (top left), with a margin.
                var room = map.getSize().y - 95;
                legend.classList.remove("jul-compact", "jul-two-col");
                if (legend.offsetHeight > room) legend.classList.add("jul-compact");
                if (legend.offsetHeight > room) legend.classList.add("jul-two-col");
            }
            setTimeout(fit, 0);
            map.on("resize", fit);
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self):
        super().__init__()
        self._name = "FitLegend"


def _set_present() -> None:
    if st.session_state.get("present_toggle"):
        st.query_params["present"] = "1"
    else:
        st.query_params.pop("present", None)


def _exit_present() -> None:
    st.session_state["present_toggle"] = False
    st.query_params.pop("present", None)


def presentation_mode() -> bool:
    """The "Presentation mode" toggle (sidebar) and `present=1` in the link. When on, hides
    the sidebar and enlarges everything; the page then lays itself out for a projector
    (`present_header`, `present_map`). Always makes keyboard focus visible."""
    st.html(FOCUS_CSS)
    from_url = share.parse_present({"present": st.query_params.get("present", "")})
    if st.session_state.get("present_toggle") != from_url:
        st.session_state["present_toggle"] = from_url
    on = st.sidebar.toggle("Presentation mode", key="present_toggle", on_change=_set_present,
                           help="For a projector: no sidebar, large type, the map filling "
                                "the screen. Adds present=1 to the link.")
    if on:
        st.html(PRESENT_CSS)
    return on


def present_header(title: str, value: str, label: str, key: str = "present") -> None:
    """Presentation mode's top row: the view's title, one headline figure, and a way out
    that the keyboard reaches (Tab, then Enter)."""
    # A figure like "16.1% vs 13.9%" or "4,840 → 3,535", or a long label, needs a wider
    # column than "307" and "closed, of 11,792 facilities shown".
    widths = [5, 4, 2] if len(value) > 7 or len(label) > 60 else [6, 3, 2]
    left, middle, right = st.columns(widths, vertical_alignment="center")
    left.title(title, anchor=False)
    middle.metric(label, value)
    right.button("Exit presentation", key=f"{key}_exit", on_click=_exit_present,
                 width="stretch")


def present_map(m: folium.Map, key: str, height: int = 540, view=None) -> share.MapView | None:
    """The map, filling the projector's screen, with large legend and label type (a little
    shorter when the tour bar is above it, so all of it fits in 720 pixels)."""
    m.get_root().header.add_child(folium.Element(PRESENT_MAP_CSS), name="jul_present_css")
    m.add_child(FitLegend())  # after the legend, which the map's builder has added
    if st.query_params.get("tour"):
        height -= 56
    return show_map(m, key=key, height=height, view=view)


TOUR_BAR_CSS = """<style>
.jul-tour-bar {display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center;
  padding: .4rem .7rem; border: 1px solid #9fb3b3; border-radius: .5rem; background: #ffffff;
  font-size: 1rem; color: #111}
.jul-tour-bar a {display: inline-block; padding: .3rem .8rem; border-radius: .4rem;
  border: 1px solid #0b5757; color: #0b5757; text-decoration: none; font-weight: 600}
.jul-tour-bar a.next {background: #0b5757; color: #ffffff}
.jul-tour-bar a:focus-visible {outline: 3px solid #111111; outline-offset: 2px}
</style>"""


def _tour_href(url_path: str, params: dict) -> str:
    """A relative link (works under any base path) to a page with params."""
    url_path = "" if url_path == "map_explorer" else url_path
    return html.escape(share.build_link(f"./{url_path}", params), quote=True)


def tour_bar(url_path: str = "") -> None:
    """On a view opened from the Tour page (`tour` and `step` in its link): the step, and
    links to the previous step, back to the tour, and the next step (Tab, then Enter).

    Plain links that load the view afresh: moving between two views inside one session,
    Streamlit drops a parameter that the page being left binds to a widget (both bind
    `basemap`, say), so the next view would lose it. app.py calls this above every page
    with the page's url_path."""
    if url_path == "tour":  # the Tour page has its own controls
        return
    found = tours.tour_from_link({k: st.query_params.get(k) for k in tours.TOUR_PARAMS})
    if found is None:
        return
    current, number = found
    count = len(current.steps)
    parts = [f"<strong>Tour · step {number} of {count}:</strong> "
             f"{html.escape(current.steps[number - 1].title)}"]
    if number > 1:
        before = current.steps[number - 2]
        parts.append(f'<a href="{_tour_href(before.page.url_path, tours.step_params(current, number - 1))}" '
                     'target="_self">← Previous step</a>')
    parts.append(f'<a href="{_tour_href("tour", {"tour": current.name, "step": str(number)})}" '
                 'target="_self">Back to the tour</a>')
    if number < count:
        after = current.steps[number]
        parts.append(f'<a class="next" href="{_tour_href(after.page.url_path, tours.step_params(current, number + 1))}" '
                     f'target="_self">Next: {html.escape(after.title)} →</a>')
    st.html(TOUR_BAR_CSS + f'<nav class="jul-tour-bar" aria-label="Tour">{"".join(parts)}</nav>')
