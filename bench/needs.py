"""Time the needs index's stability (lib/analysis/needs.py) on the real wards, against a loop.

    PYTHONPATH=. .venv/bin/python bench/needs.py [path/to/london.gpkg] [--runs N]

The domain scores are the real build's (634 wards; the access input is a table of zeros for
four categories: the time depends on the table's shape, not its values, and the access
analysis is timed by bench/access.py). Times `needs.stability` (1,000 Dirichlet draws, vectorised)
and, as the baseline in the same run, the same draws ranked one by one with pandas (what a
loop over `needs_index` would do). Prints medians in ms and their ratio; asserts nothing.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from lib.analysis import needs
from lib.data.layers import load_layers


def median_ms(func, runs: int) -> float:
    func()  # warm
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def loop_stability(domains: pd.DataFrame, draws: int) -> pd.Series:
    """The baseline: each draw's index and top fifth computed one at a time."""
    rows = needs.random_weights(None, draws)
    scores = domains[list(needs.DOMAINS)]
    top = needs.top_count(len(scores))
    hits = pd.Series(0, index=domains.index)
    for w in rows:
        weights = pd.Series(w, index=list(needs.DOMAINS))
        score = (scores * weights).sum(axis=1) / scores.notna().mul(weights).sum(axis=1)
        hits += score.rank(ascending=False, method="min") <= top
    return hits / draws


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gpkg", nargs="?", default="geodata/london.gpkg")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    path = Path(args.gpkg)
    if not path.exists():
        print(f"{path} not found: build it with `make data` (or pass a path)", file=sys.stderr)
        return 2
    layers = load_layers(path)
    access = pd.DataFrame(
        [
            dict(ward_code=w, category=c, share_beyond=0.0)
            for c in ("Library", "GP practice", "Pharmacy", "Community centre")
            for w in layers.wards["ward_code"]
        ]
    )
    indicators = needs.ward_indicators(
        layers.wards, layers.lsoas, layers.sites, layers.voluntary_wards, access
    )
    domains = needs.domain_scores(indicators)
    fast = needs.stability(domains)
    slow = loop_stability(domains, needs.DRAWS)
    print(f"same answer as the loop: {bool(np.allclose(fast, slow))}")
    vectorised = median_ms(lambda: needs.stability(domains), args.runs)
    looped = median_ms(lambda: loop_stability(domains, needs.DRAWS), max(3, args.runs // 2))
    index = median_ms(lambda: needs.needs_index(domains), args.runs)
    print(f"{len(domains)} wards, {needs.DRAWS:,} draws, median ms:")
    print(f"  needs.stability (vectorised)  {vectorised:8.1f}")
    print(f"  baseline: a loop over draws   {looped:8.1f}  ({looped / vectorised:.0f}x slower)")
    print(f"  needs.needs_index (one)       {index:8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
