"""The room's weights on the wall: one row per domain, the median as a bar and the middle half
of the phones as a line across it (HTML; labels from the vocabulary, escaped)."""

from __future__ import annotations

import html

import pandas as pd

from lib.vocab.needs import MAX_WEIGHT

CSS = """<style>
.jul-room {width: 100%; border-collapse: collapse; font: .95rem/1.3 sans-serif}
.jul-room td {padding: 1px 4px; white-space: nowrap}
.jul-room td.bar {width: 55%; position: relative}
.jul-room .median {height: .75em; background: #0f6e6e; border-radius: 2px}
.jul-room .spread {position: absolute; top: 50%; height: 2px; background: #1b1b1b}
.jul-room td.n {text-align: right; font-weight: 700}
</style>"""


def weights_html(summary: pd.DataFrame) -> str:
    """The wall's table of the room's weights (room_summary's rows), or a line saying none
    has been sent yet."""
    phones = int(summary["phones"].iloc[0]) if len(summary) else 0
    if not phones:
        return "<p class='jul-room-none'>No phone has sent its weights yet.</p>"
    rows = []
    for row in summary.itertuples():
        width = 100 * row.median / MAX_WEIGHT
        left, right = 100 * row.q1 / MAX_WEIGHT, 100 * row.q3 / MAX_WEIGHT
        rows.append(
            f"<tr><td>{html.escape(row.label)}</td>"
            f'<td class="bar"><div class="median" style="width:{width:.0f}%"></div>'
            f'<div class="spread" style="left:{left:.0f}%;width:{right - left:.0f}%"></div></td>'
            f'<td class="n">{row.median:g}</td></tr>'
        )
    return (
        CSS
        + f'<p style="margin:.3rem 0 0"><b>The room\'s weights</b> ({phones} phone'
        + ("" if phones == 1 else "s")
        + f"; median of 0-{MAX_WEIGHT}, line: the middle half)</p>"
        + f'<table class="jul-room" data-phones="{phones}">'
        + "".join(rows)
        + "</table>"
    )
