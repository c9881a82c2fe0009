"""A borough's evidence pack as an A4 PDF: what a planner attaches to a Policy S1 needs
assessment, or a campaign group to its response to a local plan.

The caller (the "Where need is greatest" page) gives everything already decided: the
figures, the maps as PNG bytes drawn by the card renderer from the screen's specs, the ward
table for display, approved community reports only, and the method, caveats and sources.
This module only lays them out (reportlab flows text and tables over as many pages as they
need, so nothing is cut).
"""

from __future__ import annotations

import html
import io
from dataclasses import dataclass, field

import pandas as pd
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from lib.render import symbols

MARGIN = 15 * mm
WIDTH = A4[0] - 2 * MARGIN
INK = colors.HexColor(symbols.INK)
MUTED = colors.HexColor(symbols.MUTED)
RULE = colors.HexColor(symbols.RULE)
HEAD = colors.HexColor(symbols.TABLE_HEAD)


@dataclass(frozen=True)
class PackMap:
    title: str
    png: bytes
    caption: str
    aspect: float  # height / width of the PNG


@dataclass(frozen=True)
class EvidencePack:
    borough: str
    made: str  # the date it was made, in words
    link: str  # the page's link with this view's choices
    summary: list[str]  # the headline sentences
    weights: str  # the weights used, in words
    maps: list[PackMap]
    wards: pd.DataFrame  # the display table, one row per ward
    community: pd.DataFrame  # approved reports: columns ward, themes, text
    method: list[str]
    caveats: list[str]
    sources: list[str]  # attribution lines
    notes: list[str] = field(default_factory=list)  # small print under the ward table


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=base["BodyText"], fontSize=9.5, leading=12.5)
    return {
        "title": ParagraphStyle(
            "title", parent=base["Title"], fontSize=18, leading=22, alignment=0
        ),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontSize=12.5, leading=15),
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=7.5, leading=9.5, textColor=MUTED),
        "cell": ParagraphStyle("cell", parent=body, fontSize=7.5, leading=9),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(html.escape(str(text)), style)


def _table(frame: pd.DataFrame, style: ParagraphStyle) -> Table:
    """A table that repeats its header on every page it runs over."""
    rows = [[_p(c, style) for c in frame.columns]]
    rows += [[_p("" if pd.isna(v) else v, style) for v in row] for row in frame.itertuples(False)]
    table = Table(rows, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), HEAD),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _footer(link: str, made: str):
    def draw(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.setFillColor(MUTED)
        canvas.drawString(MARGIN, 8 * mm, f"Joined Up London · made {made} · {link}"[:160])
        canvas.drawRightString(A4[0] - MARGIN, 8 * mm, f"page {doc.page}")
        canvas.restoreState()

    return draw


def evidence_pdf(pack: EvidencePack) -> bytes:
    s = _styles()
    story: list = [
        _p(f"Where need is greatest: {pack.borough}", s["title"]),
        _p(
            "Evidence for a social infrastructure needs assessment (London Plan 2021, Policy S1)"
            f" · made {pack.made}",
            s["small"],
        ),
        Spacer(1, 4 * mm),
        *[_p(line, s["body"]) for line in pack.summary],
        _p(f"Weights used: {pack.weights}", s["body"]),
    ]
    for item in pack.maps:
        height = WIDTH * item.aspect
        story.append(
            KeepTogether(
                [
                    _p(item.title, s["h2"]),
                    Image(io.BytesIO(item.png), width=WIDTH, height=height),
                    _p(item.caption, s["small"]),
                ]
            )
        )
    story += [_p("Wards", s["h2"]), _table(pack.wards, s["cell"])]
    story += [_p(note, s["small"]) for note in pack.notes]
    story.append(_p("What communities said", s["h2"]))
    if len(pack.community):
        story.append(_table(pack.community, s["cell"]))
    else:
        story.append(
            _p("No approved “What this area needs” report in this borough yet.", s["body"])
        )
    for heading, lines in (
        ("Method", pack.method),
        ("Caveats", pack.caveats),
        ("Sources", pack.sources),
    ):
        story.append(_p(heading, s["h2"]))
        story += [_p(line, s["small"] if heading == "Sources" else s["body"]) for line in lines]
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=14 * mm,
        title=f"Where need is greatest: {pack.borough}",
        author="Joined Up London",
        subject="Evidence for a social infrastructure needs assessment",
    )
    footer = _footer(pack.link, pack.made)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
