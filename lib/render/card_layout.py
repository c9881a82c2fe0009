"""The share-card layout engine: title, a map drawn by a callback, one headline figure, a
legend inside the frame, vintage, attribution and the link, measured so nothing overlaps.

Figures are `matplotlib.figure.Figure` objects, never pyplot: cards are rendered on
Streamlit's download threads, and pyplot's global state is not thread-safe. Two sizes:
1200x675 PNG for social media and A4 landscape PDF (842x595 pt) for print.
"""

from __future__ import annotations

import functools
import io
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from lib.render.legend import MARKER_KEYS, LegendSection
from lib.render.symbols import FRAME_COLOUR, INK, LINK_COLOUR, MUTED, PAPER, RULE, SWATCH_EDGE


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


MIN_FONT = 6.5


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
        self.renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]  # an Agg canvas
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
        return (
            box.x0 * self.px_to_pt,
            height_pt - box.y1 * self.px_to_pt,
            box.x1 * self.px_to_pt,
            height_pt - box.y0 * self.px_to_pt,
        )


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

    def text(
        self,
        x: float,
        y: float,
        s: str,
        size: float,
        *,
        gid: str,
        width: float | None = None,
        va: str = "top",
        weight: str = "normal",
        color: str = INK,
        ha: str = "left",
    ):
        """Draw `s` (wrapped to `width`) with its top (or bottom, va="bottom") at y; returns
        the text and its height in points."""
        if width is not None:
            s = self.measure.wrap(s, width, size, weight)
        t = self.fig.text(
            self.fx(x),
            self.fy(y),
            s,
            fontsize=size,
            va=va,
            ha=ha,
            fontweight=weight,
            color=color,
            gid=gid,
            parse_math=False,
            linespacing=1.25,
        )
        x0, y0, x1, y1 = self.measure.extent(t)
        return t, y1 - y0

    def remove(self, artists: Iterable) -> None:
        for artist in artists:
            artist.remove()


@dataclass(frozen=True)
class Headline:
    value: str  # the figure, e.g. "307"
    label: str  # what it counts, e.g. "closed, of 11,792 facilities shown"


def _swatch(
    fig: Figure, page: _Page, kind: str, colour: str, x: float, y_mid: float, size: float, gid: str
) -> list:
    """A legend key of `size` points centred on y_mid, in figure coordinates."""
    w, h = size * 1.3, size * 0.95
    if kind in MARKER_KEYS:
        face, edge_colour, edge_width, scale = MARKER_KEYS[kind]
        marker = Line2D(
            [page.fx(x + w / 2)],
            [page.fy(y_mid)],
            transform=fig.transFigure,
            marker="o",
            linestyle="none",
            markersize=size * scale,
            markerfacecolor=face or colour,
            markeredgecolor=edge_colour or colour,
            markeredgewidth=edge_width,
            gid=gid,
        )
        fig.add_artist(marker)
        return [marker]
    if kind == "outline":
        edge = Rectangle(
            (page.fx(x), page.fy(y_mid + h / 2)),
            w / page.w,
            h / page.h,
            transform=fig.transFigure,
            facecolor="none",
            edgecolor=colour,
            linewidth=2.2,
            gid=gid,
        )
        fig.add_artist(edge)
        return [edge]
    if kind == "line":
        rect = Rectangle(
            (page.fx(x), page.fy(y_mid + h / 2)),
            w / page.w,
            h / page.h,
            transform=fig.transFigure,
            facecolor=colour,
            alpha=0.15,
            edgecolor="none",
            gid=gid,
        )
        edge = Rectangle(
            (page.fx(x), page.fy(y_mid + h / 2)),
            w / page.w,
            h / page.h,
            transform=fig.transFigure,
            facecolor="none",
            edgecolor=colour,
            linewidth=1.4,
            linestyle=(0, (3, 1.5)),
            gid=gid,
        )
        fig.add_artist(rect)
        fig.add_artist(edge)
        return [rect, edge]
    rect = Rectangle(
        (page.fx(x), page.fy(y_mid + h / 2)),
        w / page.w,
        h / page.h,
        transform=fig.transFigure,
        facecolor=colour,
        edgecolor=SWATCH_EDGE,
        linewidth=0.6,
        gid=gid,
    )
    fig.add_artist(rect)
    return [rect]


def _draw_legend(
    fig: Figure,
    page: _Page,
    sections: Sequence[LegendSection],
    x: float,
    top: float,
    width: float,
    bottom: float,
    font: float,
    max_columns: int = 2,
    glue: bool = True,
) -> bool:
    """Draw the legend in up to `max_columns` columns between top and bottom; False (nothing
    left drawn) when it does not fit at this font size. With `glue`, an untitled section
    (another key of the one above) stays in the same column as the one above."""
    blocks: list[list[LegendSection]] = []
    for section in (s for s in sections if s.rows):
        if section.title or not blocks or not glue:
            blocks.append([section])
        else:
            blocks[-1].append(section)
    drawn: list = []
    for columns in range(1, max_columns + 1):
        gap = 12
        col_w = (width - gap * (columns - 1)) / columns
        col, y = 0, top
        ok = True
        for block in blocks:
            # Measure the block off-canvas first so it never splits across columns.
            needed = sum(_section_height(page, s, col_w, font) for s in block)
            if y + needed > bottom and y > top:
                col, y = col + 1, top
            if col >= columns or y + needed > bottom:
                ok = False
                break
            for section in block:
                y = _draw_section(
                    fig, page, section, x + col * (col_w + gap), y, col_w, font, drawn
                )
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


def _draw_section(
    fig: Figure,
    page: _Page,
    section: LegendSection,
    x: float,
    y: float,
    col_w: float,
    font: float,
    drawn: list,
) -> float:
    if section.title:
        t, h = page.text(x, y, section.title, font, gid="legend-title", width=col_w, weight="bold")
        drawn.append(t)
        y += h + 3
    key_w = font * 1.3 + 5
    for colour, label in section.rows:
        wrapped, row_h = _row_layout(page, label, col_w, font)
        t, h = page.text(x + key_w, y, wrapped, font, gid="legend")
        drawn.append(t)
        drawn.extend(
            _swatch(fig, page, section.kind, colour, x, y + font * 0.62, font, "legend-key")
        )
        y += max(h, font) + 2.5
    return y + font * 0.6


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


def card(
    text: CardText,
    draw_map: MapDrawer,
    size: str = "social",
    extent: tuple[float, float, float, float] | None = None,
    map_share: float = 0.6,
) -> Figure:
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
    _, h = page.text(
        margin,
        y,
        f"Link to this view: {text.link}",
        8.5 * k,
        gid="link",
        width=inner,
        va="bottom",
        weight="bold",
        color=LINK_COLOUR,
    )
    y -= h + 3
    attribution = "Sources: " + "; ".join(text.attribution)
    _, h = page.text(
        margin, y, attribution, 6.8 * k, gid="attribution", width=inner, va="bottom", color=MUTED
    )
    y -= h + 2
    _, h = page.text(
        margin, y, text.vintage, 6.8 * k, gid="vintage", width=inner, va="bottom", color=MUTED
    )
    bottom = y - h - 8 * k
    fig.add_artist(
        Line2D(
            [page.fx(margin), page.fx(page.w - margin)],
            [page.fy(bottom + 4 * k)] * 2,
            transform=fig.transFigure,
            color=RULE,
            linewidth=0.6,
            gid="rule",
        )
    )

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
            spine.set_edgecolor(FRAME_COLOUR)
            spine.set_linewidth(0.6)
    draw_map(ax)
    if extent is not None:
        ax.set_xlabel("")
        ax.set_ylabel("")

    # The right panel: headline figure, its label, a caveat, then the legend.
    panel_x = margin + box_w + 16 * k
    panel_w = page.w - margin - panel_x
    y = top
    _, h = page.text(
        panel_x, y - 4 * k, text.headline.value, 30 * k, gid="headline", weight="bold", color=INK
    )
    y += h - 2 * k
    _, h = page.text(
        panel_x, y, text.headline.label, 10.5 * k, gid="headline-label", width=panel_w, color=INK
    )
    y += h + 4
    if text.note:
        _, h = page.text(panel_x, y, text.note, 7.5 * k, gid="note", width=panel_w, color=MUTED)
        y += h
    y += 10 * k
    _fit_legend(fig, page, text.legend, panel_x, y, panel_w, bottom, 8.5 * k)
    return fig


def _fit_legend(fig, page, legend, x, top, width, bottom, font: float) -> None:
    """The legend at the largest font that fits in one or two columns; else in three (an
    untitled section parted from the one above as a last resort); else each section's title
    and first rows, said honestly, so a legend is never left out."""
    while font >= MIN_FONT:
        if _draw_legend(fig, page, legend, x, top, width, bottom, font):
            return
        font -= 0.5
    for font, glue in ((7.0, True), (MIN_FONT, True), (MIN_FONT, False)):
        if _draw_legend(fig, page, legend, x, top, width, bottom, font, 3, glue):
            return
    for keep in (4, 2, 1):
        trimmed = tuple(
            LegendSection(
                s.title,
                s.kind,
                s.rows[:keep]
                + (((PAPER, f"… and {len(s.rows) - keep} more"),) if len(s.rows) > keep else ()),
            )
            for s in legend
        )
        if _draw_legend(fig, page, trimmed, x, top, width, bottom, MIN_FONT, max_columns=3):
            return


def render(fig: Figure, size: str = "social") -> bytes:
    """The card's bytes: PNG of exactly 1200x675 pixels, or a one-page A4 landscape PDF."""
    spec = SIZES[size]
    out = io.BytesIO()
    # No bbox_inches="tight": the frame is the page, and the legend is inside it.
    fig.savefig(
        out,
        format=spec.fmt,
        dpi=spec.dpi,
        facecolor=PAPER,
        metadata={"Creator": "Joined Up London"} if spec.fmt == "pdf" else None,
    )
    return out.getvalue()


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
