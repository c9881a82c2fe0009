"""Pixel baselines for share cards: a card made from data drawn here (never the real inputs),
compared with a committed PNG within a tolerance, so a layout or legend change is seen.

After an intended change, look at the new image and update the baseline:
    UPDATE_CARD_BASELINES=1 .venv/bin/python -m pytest tests/render/test_card_pixels.py
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pytest
from matplotlib import image as mpimg
from matplotlib.path import Path as MplPath

from lib.render import card_layout, card_maps
from lib.render.legend import KINDS, LegendSection

BASELINES = Path(__file__).parent / "baselines"
# Anti-aliasing and font hinting may move a few edge pixels between machines; a moved text,
# legend row or map piece changes thousands.
MAX_MEAN_DIFFERENCE = 1.0  # of 255, over every channel of every pixel
MAX_CHANGED_SHARE = 0.004  # pixels that differ by more than a quarter of the range


def every_kind_card(size: str) -> bytes:
    sections = tuple(
        LegendSection(kind.capitalize(), kind, (("#0072B2", f"A {kind} key"),)) for kind in KINDS
    )
    text = card_layout.CardText(
        title="Closures inside a made-up area vs elsewhere",
        subtitle="A test card with one legend section of every kind",
        headline=card_layout.Headline("16.1% vs 13.9%", "closure rate inside vs elsewhere"),
        legend=sections,
        attribution=("Made in the test, from no data",),
        vintage="Data vintage: none.",
        link="http://localhost:8501/losses",
        note="A caveat.",
    )

    def draw(ax):
        square = MplPath([(0, 0), (10, 0), (10, 10), (0, 10), (0, 0)], closed=True)
        card_maps.draw_area(ax, [square], "#1f78b4")
        ax.scatter([2, 5, 8], [3, 6, 2], s=30, c="#D55E00", edgecolors="#1a1a1a")
        ax.set_xlim(-1, 11)
        ax.set_ylim(-1, 11)

    return card_layout.render(card_layout.card(text, draw, size, extent=(-1, -1, 11, 11)), size)


def pixels(png: bytes) -> np.ndarray:
    return mpimg.imread(io.BytesIO(png), format="png")[..., :3]


def test_the_every_kind_card_matches_its_baseline():
    png = every_kind_card("social")
    baseline = BASELINES / "every_kind_card_social.png"
    if os.environ.get("UPDATE_CARD_BASELINES") == "1" or not baseline.exists():
        baseline.write_bytes(png)
        pytest.skip(f"wrote {baseline}: look at it, then commit it")
    new, old = pixels(png), pixels(baseline.read_bytes())
    assert new.shape == old.shape == (675, 1200, 3)
    difference = np.abs(new - old)
    assert difference.mean() * 255 < MAX_MEAN_DIFFERENCE
    assert (difference.max(axis=2) > 0.25).mean() < MAX_CHANGED_SHARE


def test_the_comparison_sees_a_changed_card():
    """The tolerance is not so loose that a moved headline passes."""
    baseline = BASELINES / "every_kind_card_social.png"
    if not baseline.exists():
        pytest.skip("no baseline yet")
    old = pixels(baseline.read_bytes())
    shifted = np.roll(old, 6, axis=1)
    difference = np.abs(shifted - old)
    assert (
        difference.mean() * 255 >= MAX_MEAN_DIFFERENCE
        or (difference.max(axis=2) > 0.25).mean() >= MAX_CHANGED_SHARE
    )
