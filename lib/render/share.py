"""Sharing a view: links, the map's saved position, and share cards drawn on the server.

No streamlit here (lib/ui.py puts the controls on pages). Three parts:

- Links: `build_link` joins a page's address and its query parameters; `parse_view` and
  `parse_present` read the only non-widget parameters the app accepts (`lat`, `lon`, `z`,
  `present`) from an allow-list of typed values, clamped to London. Nothing is ever unpickled.
- `SaveViewControl`: a "Save view to link" button inside a folium map that sends the map's
  centre and zoom back once, when pressed (panning alone never reruns the page).
- Share cards: `card(...)` lays out any card (title, a map or chart drawn by a callback, one
  headline figure, a legend inside the frame, data vintage, attribution, the link) with
  matplotlib's Agg canvas, measuring every text so nothing overlaps or leaves the frame.
  `explorer_figure` / `explorer_card` are the map explorer's card; the other pages' cards are
  in lib/cards.py, on top of `card` and the `draw_*` helpers. Two sizes: 1200x675 PNG for
  social media and A4 landscape PDF (842x595 pt) for print.

Figures are `matplotlib.figure.Figure` objects, never pyplot: cards are rendered on
Streamlit's download threads, and pyplot's global state is not thread-safe.
"""

from __future__ import annotations

import functools
import io
import math
import threading
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import branca.element
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.path import Path
from pyproj import Transformer

from lib.data import layers as data
from lib.render import maps
from lib.vocab.sources import LAYER_SOURCES, SOURCES, attributions

# ------------------------------------------------------------------------------------ links


def build_link(base: str, params: Mapping[str, str | Sequence[str]]) -> str:
    """`base` (the page's address, no query) with `params` as a query string.

    Repeated parameters (a multiselect's values) are written once per value, as Streamlit's
    widget binding reads them; empty values are left out.
    """
    if not urlsplit(base).path:
        base += "/"  # http://host:port -> http://host:port/
    pairs = []
    for key, value in params.items():
        values = [value] if isinstance(value, str) else list(value)
        pairs.extend((key, v) for v in values if v != "")
    query = urlencode(pairs)
    return f"{base}?{query}" if query else base


@dataclass(frozen=True)
class MapView:
    """A map's centre (WGS84) and Leaflet zoom, as kept in the link (`lat`, `lon`, `z`)."""

    lat: float
    lon: float
    zoom: float

    def params(self) -> dict[str, str]:
        return {"lat": f"{self.lat:.5f}", "lon": f"{self.lon:.5f}", "z": f"{self.zoom:g}"}


VIEW_PARAMS = ("lat", "lon", "z")
# London's frame (maps.LONDON_BOUNDS) and the zooms at which the maps make sense.
LAT_RANGE = (maps.LONDON_BOUNDS[0][0], maps.LONDON_BOUNDS[1][0])
LON_RANGE = (maps.LONDON_BOUNDS[0][1], maps.LONDON_BOUNDS[1][1])
ZOOM_RANGE = (9.0, 18.0)


def _finite_float(text: str) -> float | None:
    text = text.strip()
    # Plain decimal numbers only: no "nan", "inf", hex or underscores.
    if not text or len(text) > 20 or not all(c in "0123456789.-+eE" for c in text):
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _clamp(value: float, bounds: tuple[float, float]) -> float:
    return min(max(value, bounds[0]), bounds[1])


def parse_view(params: Mapping[str, str]) -> tuple[MapView | None, str | None]:
    """The map view in `lat`, `lon` and `z`, clamped to London, and a note when the link's
    view was unusable (and ignored) or had to be moved. No view parameter: (None, None)."""
    given = {k: params.get(k) for k in VIEW_PARAMS if params.get(k) is not None}
    if not given:
        return None, None
    if len(given) < len(VIEW_PARAMS):
        missing = ", ".join(k for k in VIEW_PARAMS if k not in given)
        return None, f"The link's map position lacks {missing}, so the map shows all of London."
    values = {k: _finite_float(str(v)) for k, v in given.items()}
    bad = [k for k, v in values.items() if v is None]
    if bad:
        return None, (f"The link's map position ({', '.join(bad)}) is not a number, so the map "
                      "shows all of London.")
    view = MapView(round(_clamp(values["lat"], LAT_RANGE), 5),
                   round(_clamp(values["lon"], LON_RANGE), 5),
                   round(_clamp(values["z"], ZOOM_RANGE), 2))
    moved = (view.lat != round(values["lat"], 5) or view.lon != round(values["lon"], 5)
             or view.zoom != round(values["z"], 2))
    note = "The link's map position was outside London, so it was moved inside." if moved else None
    return view, note


def view_from_map(returned: Mapping | None) -> MapView | None:
    """The view a `SaveViewControl` sent back through st_folium, clamped like a link's."""
    if not returned:
        return None
    center, zoom = returned.get("center"), returned.get("zoom")
    if not isinstance(center, Mapping) or not isinstance(zoom, (int, float)):
        return None
    lat, lon = center.get("lat"), center.get("lng")
    if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in (lat, lon, zoom)):
        return None
    view, _ = parse_view({"lat": str(lat), "lon": str(lon), "z": str(zoom)})
    return view


def parse_present(params: Mapping[str, str]) -> bool:
    """`present=1` (or `true`) turns presentation mode on; anything else leaves it off."""
    return str(params.get("present", "")).strip().lower() in {"1", "true", "yes", "on"}


class SaveViewControl(branca.element.MacroElement):
    """A "Save view to link" button inside the map (bottom right, keyboard-focusable).

    st_folium runs with returned_objects=[] so panning never reruns the page; pressing the
    button sends {center, zoom, t} once through the component protocol, and the page writes
    the view into the link. `t` makes a second press at the same view still count.
    """

    _template = branca.element.Template("""
        {% macro script(this, kwargs) %}
        (function(map) {
            var control = L.control({position: "bottomright"});
            control.onAdd = function() {
                var button = L.DomUtil.create("button", "jul-save-view");
                button.type = "button";
                button.textContent = {{ this.label|tojson }};
                button.title = {{ this.hint|tojson }};
                L.DomEvent.disableClickPropagation(button);
                L.DomEvent.on(button, "click", function() {
                    var c = map.getCenter();
                    var value = {center: {lat: c.lat, lng: c.lng}, zoom: map.getZoom(),
                                 t: Date.now()};
                    if (window.Streamlit && window.Streamlit.setComponentValue) {
                        window.Streamlit.setComponentValue(value);
                    } else {
                        window.parent.postMessage({isStreamlitMessage: true,
                            type: "streamlit:setComponentValue", value: value,
                            dataType: "json"}, "*");
                    }
                    button.textContent = {{ this.done|tojson }};
                });
                return button;
            };
            control.addTo(map);
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    CSS = """<style>
.jul-save-view {font: 600 12px/1.2 sans-serif; padding: 6px 10px; border-radius: 6px;
  border: 2px solid #0f6e6e; background: #fff; color: #0f6e6e; cursor: pointer;
  box-shadow: 0 1px 4px rgba(0,0,0,.3)}
.jul-save-view:hover {background: #0f6e6e; color: #fff}
.jul-save-view:focus-visible {outline: 3px solid #1d2a2a; outline-offset: 2px}
</style>"""

    def __init__(self, label: str = "Save view to link", done: str = "View saved to link",
                 hint: str = "Put this map position into the page's link"):
        super().__init__()
        self._name = "SaveViewControl"
        self.label, self.done, self.hint = label, done, hint

    def render(self, **kwargs):
        self.get_root().header.add_child(branca.element.Element(self.CSS), name="jul_save_css")
        super().render(**kwargs)


# ------------------------------------------------------------------------------- card sizes


@dataclass(frozen=True)
class CardSize:
    key: str
    width_pt: float
    height_pt: float
    dpi: int  # pixels per inch of the PNG (and of the few rasterised parts of a PDF)
    fmt: str  # "png" or "pdf"
    mime: str
    scale: float = 1.0  # type scale

    @property
    def inches(self) -> tuple[float, float]:
        return self.width_pt / 72, self.height_pt / 72


SIZES: dict[str, CardSize] = {
    # 12 x 6.75 in at 100 dpi: exactly 1200 x 675 pixels.
    "social": CardSize("social", 864, 486, 100, "png", "image/png"),
    # A4 landscape, 297 x 210 mm = 842 x 595 pt.
    "print": CardSize("print", 842, 595, 200, "pdf", "application/pdf", 1.06),
}

INK = "#111111"
MUTED = "#3a4646"
LINK_COLOUR = "#0b5757"
PAPER = "#ffffff"
MIN_FONT = 6.5

# ------------------------------------------------------------------------- text measuring


_MEASURE_DPI = 144
_measure_lock = threading.Lock()


@functools.lru_cache(maxsize=20_000)
def _text_width(text: str, size: float, weight: str) -> float:
    """Width in points of one line of text in the card's font (measured once, cached)."""
    with _measure_lock:
        renderer = _measuring_renderer()
        prop = FontProperties(size=size, weight=weight)
        w, _, _ = renderer.get_text_width_height_descent(text, prop, ismath=False)
    return w * 72 / _MEASURE_DPI


@functools.cache
def _measuring_renderer():
    fig = Figure(figsize=(1, 1), dpi=_MEASURE_DPI)
    return FigureCanvasAgg(fig).get_renderer()


class _Measure:
    """Sizes of texts in points on the card's Agg canvas."""

    def __init__(self, fig: Figure):
        self.fig = fig
        self.renderer = fig.canvas.get_renderer()
        self.px_to_pt = 72 / fig.dpi

    def width(self, text: str, size: float, weight: str = "normal") -> float:
        return _text_width(text, size, weight)

    def wrap(self, text: str, width: float, size: float, weight: str = "normal") -> str:
        """Greedy word wrap to `width` points (a word longer than a line gets its own line).

        Lines are measured as the sum of their words' widths plus spaces (words measured once
        and cached); kerning across words is ignored, so a 3% margin is kept.
        """
        limit = width * 0.97
        space = _text_width(" ", size, weight)
        lines: list[str] = []
        for paragraph in text.split("\n"):
            line, line_w = "", 0.0
            for word in paragraph.split(" "):
                word_w = _text_width(word, size, weight)
                if line and line_w + space + word_w > limit:
                    lines.append(line)
                    line, line_w = word, word_w
                elif line:
                    line, line_w = f"{line} {word}", line_w + space + word_w
                else:
                    line, line_w = word, word_w
            lines.append(line)
        return "\n".join(lines)

    def extent(self, artist) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) of an artist in points from the figure's top-left corner."""
        box = artist.get_window_extent(self.renderer)
        height_pt = self.fig.get_size_inches()[1] * 72
        return (box.x0 * self.px_to_pt, height_pt - box.y1 * self.px_to_pt,
                box.x1 * self.px_to_pt, height_pt - box.y0 * self.px_to_pt)


class _Page:
    """Places texts and shapes on the figure in points measured from the top-left corner."""

    def __init__(self, fig: Figure):
        self.fig = fig
        self.w, self.h = (v * 72 for v in fig.get_size_inches())
        self.measure = _Measure(fig)

    def fx(self, x: float) -> float:
        return x / self.w

    def fy(self, y: float) -> float:
        return 1 - y / self.h

    def text(self, x: float, y: float, s: str, size: float, *, gid: str, width: float | None = None,
             va: str = "top", weight: str = "normal", color: str = INK, ha: str = "left"):
        """Draw `s` (wrapped to `width`) with its top (or bottom, va="bottom") at y; returns
        the text and its height in points."""
        if width is not None:
            s = self.measure.wrap(s, width, size, weight)
        t = self.fig.text(self.fx(x), self.fy(y), s, fontsize=size, va=va, ha=ha,
                          fontweight=weight, color=color, gid=gid, parse_math=False,
                          linespacing=1.25)
        x0, y0, x1, y1 = self.measure.extent(t)
        return t, y1 - y0

    def remove(self, artists: Iterable) -> None:
        for artist in artists:
            artist.remove()


# --------------------------------------------------------------------------------- legend


@dataclass(frozen=True)
class LegendSection:
    """A legend block: kind is "swatch" (area fill), "dot" (site), "ring" (closed site: the
    colour ringed in black), "hollow" (a ring of the colour, white inside), "mini" (a small
    white dot ringed in black), "edged" (the colour ringed in dark grey), "line" (a London
    Plan boundary, dashed) or "outline" (a solid boundary, no fill). rows: (colour, label)."""

    title: str
    kind: str
    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Headline:
    value: str  # the figure, e.g. "307"
    label: str  # what it counts, e.g. "closed, of 11,792 facilities shown"


# Point keys of the legend: kind -> (face, edge, edge width, size as a share of the font);
# None means the row's colour.
MARKER_KEYS = {
    "dot": (None, "#ffffff", 0.5, 0.8),
    "ring": (None, "#000000", 1.6, 0.85),
    "hollow": ("#ffffff", None, 1.8, 0.8),
    "mini": ("#ffffff", "#000000", 0.8, 0.5),
    "edged": (None, "#222222", 0.9, 0.85),  # a larger point ringed in dark grey (a food bank)
}


def _swatch(fig: Figure, page: _Page, kind: str, colour: str, x: float, y_mid: float,
            size: float, gid: str) -> list:
    """A legend key of `size` points centred on y_mid, in figure coordinates."""
    w, h = size * 1.3, size * 0.95
    if kind in MARKER_KEYS:
        face, edge, edge_width, scale = MARKER_KEYS[kind]
        marker = Line2D([page.fx(x + w / 2)], [page.fy(y_mid)], transform=fig.transFigure,
                        marker="o", linestyle="none", markersize=size * scale,
                        markerfacecolor=face or colour, markeredgecolor=edge or colour,
                        markeredgewidth=edge_width, gid=gid)
        fig.add_artist(marker)
        return [marker]
    if kind == "outline":
        edge = Rectangle((page.fx(x), page.fy(y_mid + h / 2)), w / page.w, h / page.h,
                         transform=fig.transFigure, facecolor="none", edgecolor=colour,
                         linewidth=2.2, gid=gid)
        fig.add_artist(edge)
        return [edge]
    if kind == "line":
        rect = Rectangle((page.fx(x), page.fy(y_mid + h / 2)), w / page.w, h / page.h,
                         transform=fig.transFigure, facecolor=colour, alpha=0.15,
                         edgecolor="none", gid=gid)
        edge = Rectangle((page.fx(x), page.fy(y_mid + h / 2)), w / page.w, h / page.h,
                         transform=fig.transFigure, facecolor="none", edgecolor=colour,
                         linewidth=1.4, linestyle=(0, (3, 1.5)), gid=gid)
        fig.add_artist(rect)
        fig.add_artist(edge)
        return [rect, edge]
    rect = Rectangle((page.fx(x), page.fy(y_mid + h / 2)), w / page.w, h / page.h,
                     transform=fig.transFigure, facecolor=colour, edgecolor="#555555",
                     linewidth=0.6, gid=gid)
    fig.add_artist(rect)
    return [rect]


def _draw_legend(fig: Figure, page: _Page, sections: Sequence[LegendSection], x: float,
                 top: float, width: float, bottom: float, font: float) -> bool:
    """Draw the legend in up to two columns between top and bottom; False (nothing left
    drawn) when it does not fit at this font size."""
    sections = [s for s in sections if s.rows]
    drawn: list = []
    for columns in (1, 2):
        gap = 12
        col_w = (width - gap * (columns - 1)) / columns
        col, y = 0, top
        ok = True
        for section in sections:
            # Measure the section off-canvas first so a section never splits across columns.
            needed = _section_height(page, section, col_w, font)
            if y + needed > bottom and y > top:
                col, y = col + 1, top
            if col >= columns or y + needed > bottom:
                ok = False
                break
            y = _draw_section(fig, page, section, x + col * (col_w + gap), y, col_w, font, drawn)
        if ok:
            return True
        page.remove(drawn)
        drawn.clear()
    return False


def _row_layout(page: _Page, label: str, col_w: float, font: float) -> tuple[str, float]:
    key_w = font * 1.3 + 5
    wrapped = page.measure.wrap(label, col_w - key_w, font)
    lines = wrapped.count("\n") + 1
    return wrapped, lines * font * 1.25 + 2.5


def _section_height(page: _Page, section: LegendSection, col_w: float, font: float) -> float:
    height = 0.0
    if section.title:  # an untitled section continues the one above with another key
        title = page.measure.wrap(section.title, col_w, font, "bold")
        height = (title.count("\n") + 1) * font * 1.25 + 3
    for _, label in section.rows:
        height += _row_layout(page, label, col_w, font)[1]
    return height + font * 0.6


def _draw_section(fig: Figure, page: _Page, section: LegendSection, x: float, y: float,
                  col_w: float, font: float, drawn: list) -> float:
    if section.title:
        t, h = page.text(x, y, section.title, font, gid="legend-title", width=col_w,
                         weight="bold")
        drawn.append(t)
        y += h + 3
    key_w = font * 1.3 + 5
    for colour, label in section.rows:
        wrapped, row_h = _row_layout(page, label, col_w, font)
        t, h = page.text(x + key_w, y, wrapped, font, gid="legend")
        drawn.append(t)
        drawn.extend(_swatch(fig, page, section.kind, colour, x, y + font * 0.62, font, "legend-key"))
        y += max(h, font) + 2.5
    return y + font * 0.6


# ----------------------------------------------------------------------------------- card

MapDrawer = Callable[["object"], None]  # called with the map's matplotlib Axes


@dataclass(frozen=True)
class CardText:
    """Everything a card says, apart from its map or chart."""

    title: str
    subtitle: str
    headline: Headline
    legend: tuple[LegendSection, ...]
    attribution: tuple[str, ...]
    vintage: str
    link: str
    note: str = ""  # a caveat under the headline


def card(text: CardText, draw_map: MapDrawer, size: str = "social",
         extent: tuple[float, float, float, float] | None = None,
         map_share: float = 0.6) -> Figure:
    """A share card as a Figure: title band, the map (or chart) on the left, headline and
    legend on the right, vintage, attribution and link at the foot.

    `draw_map(ax)` draws into the left box; with `extent` (xmin, ymin, xmax, ymax) the
    Axes shows at least that area at equal aspect (a map), else it is a free Axes (a chart). Texts carry gids (title,
    subtitle, headline, headline-label, note, legend-title, legend, vintage, attribution,
    link, map-label) so tests can find them.
    """
    spec = SIZES[size]
    fig = Figure(figsize=spec.inches, dpi=spec.dpi, facecolor=PAPER)
    FigureCanvasAgg(fig)
    page = _Page(fig)
    k = spec.scale
    margin = 16 * k
    inner = page.w - 2 * margin

    # Title band.
    y = margin - 2
    _, h = page.text(margin, y, text.title, 17 * k, gid="title", width=inner, weight="bold")
    y += h + 4
    _, h = page.text(margin, y, text.subtitle, 9.5 * k, gid="subtitle", width=inner, color=MUTED)
    top = y + h + 8 * k

    # Foot, from the bottom up: link, attribution, vintage.
    y = page.h - margin + 4
    _, h = page.text(margin, y, f"Link to this view: {text.link}", 8.5 * k, gid="link",
                     width=inner, va="bottom", weight="bold", color=LINK_COLOUR)
    y -= h + 3
    attribution = "Sources: " + "; ".join(text.attribution)
    _, h = page.text(margin, y, attribution, 6.8 * k, gid="attribution", width=inner,
                     va="bottom", color=MUTED)
    y -= h + 2
    _, h = page.text(margin, y, text.vintage, 6.8 * k, gid="vintage", width=inner,
                     va="bottom", color=MUTED)
    bottom = y - h - 8 * k
    fig.add_artist(Line2D([page.fx(margin), page.fx(page.w - margin)],
                          [page.fy(bottom + 4 * k)] * 2, transform=fig.transFigure,
                          color="#c9d2d2", linewidth=0.6, gid="rule"))

    # The map box: the extent's aspect, fitted into the left part of the body.
    box_w, box_h = inner * map_share, bottom - top
    map_w, map_h = box_w, box_h
    map_x, map_y = margin, top
    if extent is not None:
        # Show at least `extent`, grown to the box's shape so nothing is squeezed.
        extent = fit_extent(extent, box_w / box_h)
    ax = fig.add_axes((page.fx(map_x), page.fy(map_y + map_h), map_w / page.w, map_h / page.h))
    ax.set_gid("map")
    if extent is not None:
        ax.set_xlim(extent[0], extent[2])
        ax.set_ylim(extent[1], extent[3])
        ax.set_aspect("equal", adjustable="box")
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_edgecolor("#9aa5a5")
            spine.set_linewidth(0.6)
    draw_map(ax)
    if extent is not None:
        ax.set_xlabel("")
        ax.set_ylabel("")

    # The right panel: headline figure, its label, a caveat, then the legend.
    panel_x = margin + box_w + 16 * k
    panel_w = page.w - margin - panel_x
    y = top
    _, h = page.text(panel_x, y - 4 * k, text.headline.value, 30 * k, gid="headline",
                     weight="bold", color=INK)
    y += h - 2 * k
    _, h = page.text(panel_x, y, text.headline.label, 10.5 * k, gid="headline-label",
                     width=panel_w, color=INK)
    y += h + 4
    if text.note:
        _, h = page.text(panel_x, y, text.note, 7.5 * k, gid="note", width=panel_w, color=MUTED)
        y += h
    y += 10 * k
    font = 8.5 * k
    while not _draw_legend(fig, page, text.legend, panel_x, y, panel_w, bottom, font):
        font -= 0.5
        if font < MIN_FONT:
            # Still too long: keep each section's title and first rows, said honestly.
            trimmed = tuple(LegendSection(s.title, s.kind, s.rows[:4] + (
                (("#ffffff", f"… and {len(s.rows) - 4} more"),) if len(s.rows) > 4 else ()))
                for s in text.legend)
            _draw_legend(fig, page, trimmed, panel_x, y, panel_w, bottom, MIN_FONT)
            break
    return fig


def render(fig: Figure, size: str = "social") -> bytes:
    """The card's bytes: PNG of exactly 1200x675 pixels, or a one-page A4 landscape PDF."""
    spec = SIZES[size]
    out = io.BytesIO()
    # No bbox_inches="tight": the frame is the page, and the legend is inside it.
    fig.savefig(out, format=spec.fmt, dpi=spec.dpi, facecolor=PAPER,
                metadata={"Creator": "Joined Up London"} if spec.fmt == "pdf" else None)
    return out.getvalue()


# ------------------------------------------------------------------------- map ingredients


def polygon_paths(geoms: Iterable) -> list[Path]:
    """One matplotlib Path per (multi)polygon, holes included (drawn with the even-odd rule
    of compound paths). Faster than GeoSeries.plot, which redraws the whole figure per call."""
    paths = []
    for geom in geoms:
        if geom is None or geom.is_empty:
            continue
        vertices, codes = [], []
        for polygon in getattr(geom, "geoms", [geom]):
            if polygon.geom_type != "Polygon":
                continue
            for ring in [polygon.exterior, *polygon.interiors]:
                xy = np.asarray(ring.coords)[:, :2]
                if len(xy) < 4:
                    continue
                vertices.append(xy)
                codes.append([Path.MOVETO] + [Path.LINETO] * (len(xy) - 2) + [Path.CLOSEPOLY])
        if vertices:
            paths.append(Path(np.concatenate(vertices), np.concatenate(codes).astype(np.uint8)))
    return paths


@dataclass(frozen=True)
class CardLayers:
    """The layers as a card draws them (EPSG:27700, simplified), prepared once per process."""

    boroughs: gpd.GeoDataFrame  # gss_code, name, geometry
    borough_paths: tuple[Path, ...]  # one per borough row
    water_paths: tuple[Path, ...]  # the Thames: the gap between boroughs inside London
    labels: pd.DataFrame  # gss_code, name, x, y, area
    policy_areas: gpd.GeoDataFrame  # policy, classification, geometry
    policy_paths: dict[str, tuple[Path, ...]]  # by policy key
    site_xy: pd.DataFrame  # x, y indexed like Layers.sites
    bounds: tuple[float, float, float, float]


_prepared: dict[tuple[int, str], tuple[weakref.ref, object]] = {}
_prepared_lock = threading.RLock()  # a make() may itself ask for card_layers


def prepared_for(layers: data.Layers, name: str, make: Callable[[data.Layers], object]):
    """`make(layers)`, made once per Layers object and `name` (cards run on several threads;
    lib/cards.py keeps its ward paths here too)."""
    with _prepared_lock:
        hit = _prepared.get((id(layers), name))
        if hit and hit[0]() is layers:
            return hit[1]
        prepared = make(layers)
        for key in [k for k, (ref, _) in _prepared.items() if ref() is None]:
            del _prepared[key]
        _prepared[(id(layers), name)] = (weakref.ref(layers), prepared)
        return prepared


def card_layers(layers: data.Layers) -> CardLayers:
    """CardLayers for `layers`, made once per Layers object."""
    return prepared_for(layers, "card_layers", _prepare)


def _prepare(layers: data.Layers) -> CardLayers:
    boroughs = layers.boroughs[["gss_code", "name", "geometry"]].copy()
    boroughs["geometry"] = boroughs.geometry.simplify(30)
    london = shapely.union_all(boroughs.geometry.values)
    # Closing London's outline (buffer out, then in) fills the river between the banks.
    closed = london.buffer(900, quad_segs=4).buffer(-900, quad_segs=4)
    water = closed.difference(london.buffer(1))
    water = [p for p in getattr(water, "geoms", [water]) if p.geom_type == "Polygon"
             and p.area > 2e5]
    points = layers.boroughs.geometry.representative_point()
    labels = pd.DataFrame({"gss_code": layers.boroughs["gss_code"],
                           "name": layers.boroughs["name"],
                           "x": points.x, "y": points.y,
                           "area": layers.boroughs.geometry.area})
    # The town-centre class is kept so a card can draw one class (lib/cards.py).
    policy = layers.policy_areas[[c for c in ("policy", "classification", "geometry")
                                  if c in layers.policy_areas]].copy()
    policy["geometry"] = policy.geometry.simplify(15)
    policy_paths = {key: tuple(polygon_paths(group.geometry.values))
                    for key, group in policy.groupby("policy")}
    sites = layers.sites
    xy = pd.DataFrame({"x": sites.geometry.x, "y": sites.geometry.y}, index=sites.index)
    borough_paths = []
    for geom in boroughs.geometry.values:  # exactly one path per borough, to match fills
        found = polygon_paths([geom])
        borough_paths.append(found[0] if found else Path(np.zeros((1, 2))))
    return CardLayers(boroughs, tuple(borough_paths), tuple(polygon_paths(water)), labels,
                      policy, policy_paths, xy, tuple(layers.boroughs.total_bounds))


def london_extent(cl: CardLayers, pad: float = 0.015) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = cl.bounds
    dx, dy = (x1 - x0) * pad, (y1 - y0) * pad
    return x0 - dx, y0 - dy, x1 + dx, y1 + dy


def borough_extent(cl: CardLayers, codes: Iterable[str], pad: float = 0.08):
    chosen = cl.boroughs[cl.boroughs["gss_code"].isin(list(codes))]
    if chosen.empty:
        return london_extent(cl)
    x0, y0, x1, y1 = chosen.total_bounds
    d = max(x1 - x0, y1 - y0) * pad
    return x0 - d, y0 - d, x1 + d, y1 + d


_to_bng = Transformer.from_crs(4326, 27700, always_xy=True)
# The browser map a saved view was taken from, roughly (the explorer's map frame in CSS px).
VIEW_FRAME_PX = (900, 680)


_to_wgs84 = Transformer.from_crs(27700, 4326, always_xy=True)


def map_bounds(layers: data.Layers, codes: Iterable[str]):
    """((south, west), (north, east)) of the chosen boroughs, for the web map to frame;
    all of London when none is chosen."""
    chosen = layers.boroughs[layers.boroughs["gss_code"].isin(list(codes))]
    if chosen.empty:
        return maps.LONDON_BOUNDS
    x0, y0, x1, y1 = chosen.total_bounds
    (west, east), (south, north) = _to_wgs84.transform([x0, x1], [y0, y1])
    return (round(south, 5), round(west, 5)), (round(north, 5), round(east, 5))


def view_extent(view: MapView) -> tuple[float, float, float, float]:
    """The area a ~900x680 px Leaflet map shows at `view` (ground metres per pixel from the
    Web Mercator zoom), in EPSG:27700."""
    x, y = _to_bng.transform(view.lon, view.lat)
    metres_per_px = 156543.03392 * math.cos(math.radians(view.lat)) / 2 ** view.zoom
    half_w, half_h = (p * metres_per_px / 2 for p in VIEW_FRAME_PX)
    return x - half_w, y - half_h, x + half_w, y + half_h


def fit_extent(extent, aspect: float):
    """Grow `extent` around its centre to the width/height ratio `aspect`."""
    x0, y0, x1, y1 = extent
    w, h = x1 - x0, y1 - y0
    if w / h < aspect:
        w = h * aspect
    else:
        h = w / aspect
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


def draw_base(ax, cl: CardLayers, fills: Sequence[str] | None = None,
              focus: Iterable[str] = ()) -> None:
    """London's water, then the boroughs (filled by `fills`, one colour per borough row, at
    the web map's opacity); the `focus` boroughs get a heavy outline."""
    ax.set_facecolor("#f4f4f2")
    ax.add_collection(PathCollection(cl.water_paths, facecolors=maps.NO_BASEMAP_BACKGROUND,
                                     edgecolors="none", zorder=1), autolim=False)
    colours = [to_rgba(c, 0.8) for c in fills] if fills is not None else "#ffffff"
    ax.add_collection(PathCollection(cl.borough_paths, facecolors=colours,
                                     edgecolors="#333333", linewidths=0.5, zorder=2),
                      autolim=False)
    focus = set(focus)
    if focus:
        chosen = [p for p, code in zip(cl.borough_paths, cl.boroughs["gss_code"]) if code in focus]
        ax.add_collection(PathCollection(chosen, facecolors="none", edgecolors="#111111",
                                         linewidths=2.4, zorder=3.5), autolim=False)


def draw_policies(ax, cl: CardLayers, policies: Iterable[str],
                  width: float = 1.0) -> list[tuple[str, str]]:
    """The chosen London Plan layers, dashed outlines over a light tint; legend rows."""
    rows = []
    for policy in policies:
        if policy not in maps.POLICY_STYLES:
            continue
        label, colour = maps.POLICY_STYLES[policy]
        paths = cl.policy_paths.get(policy)
        if not paths:
            continue
        draw_area(ax, paths, colour, width)
        rows.append((colour, label))
    return rows


def draw_area(ax, paths: Sequence[Path], colour: str, width: float = 1.0,
              tint: float = 0.13, dashed: bool = True) -> None:
    """Areas (a London Plan layer) as a dashed outline over a light tint of `colour` (with
    dashed=False, a solid outline: legend kind "swatch" with `tint_hex(colour, tint)`)."""
    ax.add_collection(PathCollection(paths, facecolors=to_rgba(colour, tint),
                                     edgecolors="none", zorder=3), autolim=False)
    if dashed:
        # A white line under the dashes keeps the boundary legible on any fill.
        ax.add_collection(PathCollection(paths, facecolors="none", edgecolors="#ffffff",
                                         linewidths=width + 0.6, alpha=0.5, zorder=3),
                          autolim=False)
    ax.add_collection(PathCollection(paths, facecolors="none", edgecolors=colour,
                                     linewidths=width,
                                     linestyles=[(0, (3, 1.5))] if dashed else ["solid"],
                                     zorder=3), autolim=False)


def tint_hex(colour: str, alpha: float, paper: str = PAPER) -> str:
    """`colour` at opacity `alpha` over `paper`, as an opaque hex colour (a legend swatch of a
    tinted area)."""
    fg, bg = np.array(to_rgba(colour)[:3]), np.array(to_rgba(paper)[:3])
    mixed = fg * alpha + bg * (1 - alpha)
    return "#" + "".join(f"{round(v * 255):02x}" for v in mixed)


def draw_sites(ax, cl: CardLayers, sites: gpd.GeoDataFrame, marker_pt: float | None = None,
               closed_pt: float | None = None) -> tuple[list[tuple[str, str]], int]:
    """Open sites as dots by group (densest first, so sparse groups stay visible), closed
    sites on top as black rings filled with their group's colour; markers grow as the map
    zooms in. Returns legend rows for the open groups and the number closed."""
    span_km = (ax.get_xlim()[1] - ax.get_xlim()[0]) / 1000
    zoomed = min(max((60 - span_km) / 45, 0), 1)  # 0 for all London, 1 for ~15 km across
    marker_pt = marker_pt or 1.9 + 1.6 * zoomed
    closed_pt = closed_pt or 4.2 + 3.0 * zoomed
    xy = cl.site_xy.loc[sites.index]
    is_open = sites["status"].eq("open").to_numpy()
    groups = sites["category_group"].to_numpy()
    rows = []
    for group in maps.DRAW_ORDER:
        mask = is_open & (groups == group)
        if mask.any():
            ax.scatter(xy["x"].to_numpy()[mask], xy["y"].to_numpy()[mask], s=marker_pt ** 2,
                       c=maps.GROUP_COLOURS[group], linewidths=0, zorder=4, rasterized=True)
    for group in data.CATEGORY_GROUPS:
        count = int((is_open & (groups == group)).sum())
        if count:
            rows.append((maps.GROUP_COLOURS[group], f"{group} ({count:,})"))
    closed = ~is_open
    if closed.any():
        ax.scatter(xy["x"].to_numpy()[closed], xy["y"].to_numpy()[closed], s=closed_pt ** 2,
                   c=[maps.GROUP_COLOURS.get(g, "#999999") for g in groups[closed]],
                   edgecolors=maps.CLOSED_COLOUR, linewidths=0.9, zorder=5)
    return rows, int(closed.sum())


def draw_labels(ax, cl: CardLayers, first: Iterable[str] = (), size: float = 6.5,
                avoid: Iterable = ()) -> None:
    """Borough names where they fit: the chosen boroughs first, then the largest; a name
    that would overlap one already placed (or leave the map) is left out."""
    renderer = ax.figure.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    first = list(first)
    order = cl.labels.assign(rank=~cl.labels["gss_code"].isin(first)).sort_values(
        ["rank", "area"], ascending=[True, False])
    placed = list(avoid)
    halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]
    for row in order.itertuples():
        if not (x0 <= row.x <= x1 and y0 <= row.y <= y1):
            continue
        chosen = row.gss_code in first
        t = ax.text(row.x, row.y, row.name, fontsize=size + (1.5 if chosen else 0),
                    fontweight="bold" if chosen else "normal", ha="center", va="center",
                    color="#1a1a1a", zorder=6, gid="map-label", parse_math=False,
                    path_effects=halo, clip_on=True)
        box = t.get_window_extent(renderer).expanded(1.08, 1.15)
        inside = (box.x0 >= frame.x0 and box.x1 <= frame.x1 and box.y0 >= frame.y0
                  and box.y1 <= frame.y1)
        if not inside or any(box.overlaps(p) for p in placed):
            t.remove()
        else:
            placed.append(box)


def draw_scale_bar(ax, size: float = 6.5) -> list:
    """A scale bar (bottom right) of a round number of kilometres, about a fifth of the map.
    Returns its display boxes, for labels to avoid."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    target = (x1 - x0) / 5
    length = max(v for v in (250, 500, 1000, 2000, 5000, 10000, 20000) if v <= max(target, 250))
    right, base = x1 - (x1 - x0) * 0.03, y0 + (y1 - y0) * 0.04
    halo = [patheffects.withStroke(linewidth=3.5, foreground="white")]
    (bar,) = ax.plot([right - length, right], [base, base], color="#111111", linewidth=2.2,
                     solid_capstyle="butt", zorder=7, path_effects=halo)
    label = f"{length / 1000:g} km"
    text = ax.annotate(label, (right - length / 2, base), xytext=(0, 4),
                       textcoords="offset points", ha="center", va="bottom", fontsize=size,
                       color="#111111", zorder=7, gid="map-label", annotation_clip=False,
                       path_effects=[patheffects.withStroke(linewidth=2, foreground="white")])
    renderer = ax.figure.canvas.get_renderer()
    return [bar.get_window_extent(renderer).expanded(1.1, 3), text.get_window_extent(renderer)]


def choropleth_fills(values: pd.Series) -> tuple[list[str], tuple[tuple[str, str], ...]]:
    """RAMP colours by the same quantile classes as the web map, and the legend rows."""
    bins, edges = maps.classify(values)
    n = len(edges) - 1
    ramp = maps.RAMP[-n:] if n < len(maps.RAMP) else maps.RAMP
    fills = [ramp[b] if pd.notna(v) else "#f0f0f0" for b, v in zip(bins, values)]
    rows = tuple((ramp[i], f"{edges[i]:.1f} – {edges[i + 1]:.1f}") for i in range(n))
    return fills, rows


# ------------------------------------------------------------------- vintage & attribution

# Which catalogue entries each value of the sites' `sources` column rests on (GP practices
# are placed at their postcode's centroid, so Code-Point Open is credited with them).
SITE_SOURCE_KEYS = {
    "cim_2022": ("cim",),
    "libraries_2016": ("libraries",),
    "epraccur_2019": ("gp_practices", "postcodes"),
    "mapping_museums": ("museums",),
    "osm_2020": ("worship",),
}
VINTAGE_LABELS = {
    "boroughs": "boroughs", "borough_population": "population", "lsoa_population":
    "population", "cim": "culture map", "libraries": "libraries", "gp_practices":
    "GP practices", "museums": "museums", "worship": "places of worship (OSM)",
    "town_centres": "town centres", "caz": "CAZ", "opportunity_areas": "Opportunity Areas",
    "sil": "industrial locations", "creative_enterprise_zones": "Creative Enterprise Zones",
    "intensification_2015": "Areas of Intensification", "imd": "deprivation (IMD)",
    "lsoas": "LSOAs", "pubs": "pubs (ONS)", "charities": "charities", "grants": "grants",
    "food_banks": "food banks", "mutual_aid": "mutual aid groups",
}
NOT_DATED = {"postcodes", "postcodes_2014", "ward_lookup", "library_authorities", "lsoas"}


def site_source_keys(sites: pd.DataFrame) -> list[str]:
    """Catalogue keys of the sources behind these sites, in catalogue order."""
    ids = {s for value in sites["sources"].unique() for s in value.split("; ")}
    keys = {k for i in ids for k in SITE_SOURCE_KEYS.get(i, ())}
    return [k for k in SOURCES if k in keys]


def vintage_line(keys: Iterable[str]) -> str:
    parts = []
    for key in dict.fromkeys(keys):
        if key in NOT_DATED or key not in SOURCES:
            continue
        part = f"{VINTAGE_LABELS.get(key, SOURCES[key].title)}: {SOURCES[key].vintage}"
        if part not in parts:
            parts.append(part)
    return "Data vintage: " + "; ".join(parts) + "."


def attribution_lines(keys: Iterable[str]) -> tuple[str, ...]:
    """lib.sources.attributions, with statements that say the same thing twice (one with a
    year, or "OS" for "Ordnance Survey") given once."""
    def same(line: str) -> str:
        line = line.lower().replace("ordnance survey", "os").rstrip(". ")
        return line[:-5] if line[-4:].isdigit() and line[-5] == " " else line

    seen: dict[str, str] = {}
    for line in attributions(keys):
        seen.setdefault(same(line), line)
    return tuple(seen.values())


def policy_source_keys(policies: Iterable[str]) -> list[str]:
    return [k for p in policies for k in LAYER_SOURCES.get(p, ())]


# ------------------------------------------------------------------------ explorer card

CLOSURE_CAVEAT = ("Closures are recorded for libraries (2010-16), GP practices (2013-19) and "
                  "museums only; other categories list open venues.")


def explorer_title(site_filter: data.SiteFilter, names: Mapping[str, str]) -> str:
    """What the explorer shows, as a sentence-case title: "Closed Health sites in Hackney"."""
    if site_filter.categories:
        subject = ", ".join(site_filter.categories)
        subject = subject if len(site_filter.categories) > 1 or subject.endswith("s") \
            else f"{subject} sites"
    elif site_filter.groups:
        subject = f"{', '.join(site_filter.groups)} sites"
    else:
        subject = "community facilities"
    statuses = set(site_filter.statuses) or set(data.STATUSES)
    if statuses == {"closed"}:
        subject = f"closed {subject}"
    elif statuses == {"open"}:
        subject = f"open {subject}"
    if site_filter.boroughs:
        place = " in " + ", ".join(names.get(c, c) for c in site_filter.boroughs)
    else:
        place = " across London"
    years = ""
    if site_filter.closed_from is not None or site_filter.closed_to is not None:
        years = f", closures {site_filter.closed_from or '…'}–{site_filter.closed_to or '…'}"
    suffix = ", open and closed" if statuses == set(data.STATUSES) else ""
    title = f"{subject}{place}{suffix}{years}"
    return title[0].upper() + title[1:]


def explorer_headline(shown: pd.DataFrame) -> Headline:
    """The one figure a view of sites leads with: how many closed, else how many shown."""
    closed = int(shown["status"].eq("closed").sum())
    if closed:
        return Headline(f"{closed:,}", f"closed, of {len(shown):,} facilities shown")
    return Headline(f"{len(shown):,}", "facilities shown, none of them closed")


def density_per_10k(layers: data.Layers, density_group: str) -> pd.Series:
    """Open sites per 10,000 residents by borough code, as the explorer shades them."""
    sites = layers.sites
    if density_group != "All facilities":
        sites = sites[sites["category_group"] == density_group]
    return data.sites_per_10k(sites, layers.boroughs).set_index("gss_code")["per_10k"]


def explorer_figure(layers: data.Layers, site_filter: data.SiteFilter, density_group: str,
                    policies: Sequence[str], link: str, size: str = "social",
                    view: MapView | None = None) -> Figure:
    """The map explorer's card: boroughs shaded by open sites per 10,000 residents, the
    chosen London Plan layers, the filtered sites (closed ones as black rings), framed on the
    saved view, else on the chosen boroughs, else on London."""
    cl = card_layers(layers)
    names = layers.borough_names
    shown = data.filter_sites(layers.sites, site_filter)
    closed = int(shown["status"].eq("closed").sum())
    density = density_per_10k(layers, density_group)
    fills, class_rows = choropleth_fills(cl.boroughs["gss_code"].map(density))
    policies = [p for p in policies if p in maps.POLICY_STYLES]

    title = explorer_title(site_filter, names)
    plan = ", ".join(maps.POLICY_STYLES[p][0] for p in policies) or "none shown"
    subtitle = (f"Boroughs shaded by open sites per 10,000 residents "
                f"({density_group.lower()}). London Plan layers: {plan}.")
    headline = explorer_headline(shown)

    source_keys = ["boroughs", "borough_population", *site_source_keys(shown),
                   *policy_source_keys(policies)]
    extent_of = (view_extent(view) if view is not None
                 else borough_extent(cl, site_filter.boroughs) if site_filter.boroughs
                 else london_extent(cl))

    def draw(ax):
        draw_base(ax, cl, fills, focus=site_filter.boroughs)
        draw_policies(ax, cl, policies)
        draw_sites(ax, cl, shown)
        draw_labels(ax, cl, first=site_filter.boroughs, avoid=draw_scale_bar(ax))

    # Legend rows as draw_sites and draw_policies make them (the legend is laid out first).
    is_open = shown["status"].eq("open")
    group_rows = tuple((maps.GROUP_COLOURS[g], f"{g} ({n:,})") for g in data.CATEGORY_GROUPS
                       if (n := int((is_open & shown["category_group"].eq(g)).sum())))
    policy_rows = tuple((maps.POLICY_STYLES[p][1], maps.POLICY_STYLES[p][0]) for p in policies
                        if (cl.policy_areas["policy"] == p).any())
    legend = (
        LegendSection(f"Open sites per 10,000 residents ({density_group})", "swatch", class_rows),
        LegendSection("Sites (open)", "dot", group_rows),
        LegendSection("Closed sites", "ring", (("#ffffff", f"Closed ({closed:,}), filled with "
                                                           "the group's colour"),) if closed else ()),
        LegendSection("London Plan", "line", policy_rows),
    )
    text = CardText(title=title, subtitle=subtitle, headline=headline, legend=legend,
                    attribution=attribution_lines(source_keys),
                    vintage=vintage_line(source_keys), link=link,
                    note=CLOSURE_CAVEAT)
    return card(text, draw, size, extent=extent_of)


def explorer_card(layers: data.Layers, site_filter: data.SiteFilter, density_group: str,
                  policies: Sequence[str], link: str, size: str = "social",
                  view: MapView | None = None) -> bytes:
    """PNG (size="social") or PDF (size="print") bytes of the explorer's share card."""
    return render(explorer_figure(layers, site_filter, density_group, policies, link, size,
                                  view), size)


def card_file_name(stem: str, size: str) -> str:
    return f"{stem}-{'a4' if size == 'print' else '1200x675'}.{SIZES[size].fmt}"

