"""The room's weights summed up for the wall: each domain's median and spread over the phones."""

from __future__ import annotations

import pandas as pd

from lib.vocab.needs import DOMAINS


def room_summary(weights: pd.DataFrame) -> pd.DataFrame:
    """One row per domain: phones, median, lower and upper quartile of the phones' weights
    (NaN when no phone has sent any)."""
    frame = weights.reindex(columns=list(DOMAINS))
    return pd.DataFrame(
        {
            "domain": list(DOMAINS),
            "label": [d.label for d in DOMAINS.values()],
            "phones": len(frame),
            "median": frame.median().to_numpy(),
            "q1": frame.quantile(0.25).to_numpy(),
            "q3": frame.quantile(0.75).to_numpy(),
        }
    )


def room_choice(weights: pd.DataFrame) -> dict[str, float] | None:
    """The room's weights: each domain's median (None until a phone has sent weights, or when
    every median is 0)."""
    if not len(weights):
        return None
    medians = weights.reindex(columns=list(DOMAINS)).median()
    return {k: float(v) for k, v in medians.items()} if medians.sum() > 0 else None
