"""One legend model for web maps and share cards: sections of (colour, label) rows by kind.

A `LegendSection`'s kind says how its key is drawn, the same on a folium map (`legend_html`)
and on a card (lib/render/card_layout.py):
- "swatch": an area fill (a choropleth class);
- "dot": a site, filled with its colour; "ring": a closed site, its colour ringed in black;
- "hollow": a ring of the colour, white inside; "edged": the colour ringed in dark grey;
- "mini": a small white dot ringed in black (a mutual aid group);
- "line": a London Plan boundary, dashed over a light tint; "outline": a solid boundary.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from lib.render import symbols

KINDS = ("swatch", "dot", "ring", "hollow", "edged", "mini", "line", "outline")


@dataclass(frozen=True)
class LegendSection:
    title: str
    kind: str
    rows: tuple[tuple[str, str], ...]

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Unknown legend kind {self.kind!r}; expected one of {KINDS}")


def _key(kind: str, colour: str) -> str:
    colour = html.escape(colour, quote=True)
    if kind in ("hollow", "line", "outline"):
        return f'<span class="{kind}" style="border-color:{colour}"></span>'
    if kind == "mini":
        return '<span class="mini"></span>'
    style = "sw" if kind == "swatch" else kind
    return f'<span class="{style}" style="background:{colour}"></span>'


def legend_html(sections: Sequence[LegendSection], note: str = "") -> str:
    """The legend's body for a web map; titles, labels and the note are escaped here."""
    parts = []
    for section in sections:
        if not section.rows:
            continue
        if section.title:
            parts.append(f"<h4>{html.escape(section.title)}</h4>")
        parts += [
            f'<div class="row">{_key(section.kind, colour)}<span>{html.escape(label)}</span></div>'
            for colour, label in section.rows
        ]
    if note:
        parts.append(f'<div class="note">{html.escape(note)}</div>')
    return "".join(parts)


# The keys of every kind, inside the map's frame (the page's CSS does not reach it).
KEY_CSS = f"""
.jul-legend .sw {{width: 14px; height: 12px; border: 1px solid {symbols.SWATCH_EDGE}; flex: none}}
.jul-legend .dot {{width: 10px; height: 10px; border-radius: 50%; flex: none;
  border: 1px solid {symbols.OPEN_SITE.stroke}}}
.jul-legend .ring {{width: 10px; height: 10px; border-radius: 50%; flex: none;
  border: 2.5px solid {symbols.CLOSED_COLOUR}}}
.jul-legend .hollow {{width: 9px; height: 9px; border-radius: 50%; flex: none;
  background: rgba(255,255,255,.35); border: 2.4px solid}}
.jul-legend .edged {{width: 11px; height: 11px; border-radius: 50%; flex: none;
  border: 1.2px solid {symbols.EDGE_COLOUR}}}
.jul-legend .mini {{width: 5px; height: 5px; border-radius: 50%; flex: none;
  border: 1px solid {symbols.MUTUAL_AID_POINT.stroke}; background: {symbols.MUTUAL_AID_POINT.fill};
  margin: 0 3.5px}}
.jul-legend .line {{width: 14px; height: 12px; flex: none; border: 2px dashed}}
.jul-legend .outline {{width: 14px; height: 0; flex: none; border-top: 2.5px solid}}
.jul-legend .note {{color: {symbols.MUTED}; margin-top: 3px}}
"""


# Point keys of the legend: kind -> (face, edge, edge width, size as a share of the font);
# None means the row's colour.
MARKER_KEYS = {
    "dot": (None, symbols.OPEN_SITE.stroke, 0.5, 0.8),
    "ring": (None, symbols.CLOSED_COLOUR, 1.6, 0.85),
    "hollow": (symbols.WHITE, None, 1.8, 0.8),
    "mini": (symbols.MUTUAL_AID_POINT.fill, symbols.MUTUAL_AID_POINT.stroke, 0.8, 0.5),
    "edged": (None, symbols.EDGE_COLOUR, 0.9, 0.85),  # a larger point ringed in dark grey
}
