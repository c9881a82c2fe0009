"""What the build prints: a few short lines, the full report in a file beside the GeoPackage.

The report's notes run to a thousand characters; printed whole they pushed the app's address
off a newcomer's screen (`make run` builds first). The same report is the GeoPackage's
`build_report` layer and the app's Data & sources page.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd

WIDTH = 78  # a terminal's width, less a margin


def report_text(report: pd.DataFrame) -> str:
    """Each step as a heading line and its note wrapped to the terminal's width."""
    blocks = []
    for row in report.itertuples(index=False):
        head = (
            f"{row.step} ({row.source}): {row.rows_in:,} in, {row.rows_out:,} out, "
            f"{row.repaired:,} repaired, {row.dropped:,} dropped"
        )
        note = textwrap.fill(str(row.note), WIDTH, initial_indent="  ", subsequent_indent="  ")
        head = textwrap.fill(head, WIDTH, subsequent_indent="    ")
        blocks.append(head + ("\n" + note if str(row.note).strip() else ""))
    return "\n".join(blocks) + "\n"


def write(report: pd.DataFrame, out: Path, seconds: float) -> str:
    """Write `<out>.report.txt`; return the lines to print."""
    path = out.with_name(out.stem + ".report.txt")
    path.write_text(report_text(report), encoding="utf-8")
    lines = [
        f"Built {out} in {seconds:.1f} s.",
        f"What each step read, kept, repaired and dropped: {path}",
        "(also the build_report layer, and the app's Data & sources page).",
    ]
    # A path is never broken: it can be copied.
    return "\n".join(
        textwrap.fill(line, WIDTH, break_long_words=False, break_on_hyphens=False) for line in lines
    )
