"""Time the walking-access computation (lib/analysis/access.py); prints figures, asserts none.

    PYTHONPATH=. .venv/bin/python bench/access.py geodata/london.gpkg --runs 7 --cold 3

- cold: `compute_access` (every category, both dates) as the first call of a fresh Python
  process, after the layers are loaded (what the app's first visitor to the page waits for,
  the layers being cached already); median of --cold processes.
- warm: the same call repeated in one process; median of --runs.
- the tables a page asks for, from a computed `Access`: `walking_access` for every category
  and level, and `lost_facilities` for every category.
- baseline, same run: the nearest open pharmacy (April 2025) for a sample of resident points
  by a per-point loop (numpy distances to every pharmacy, one point at a time) against the
  STRtree query on the same points, and the loop's time scaled to every point and snapshot.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

import numpy as np
import shapely

from lib.analysis import access as A
from lib.data.layers import load_layers, load_postcodes

COLD = """
import sys, time
from lib.analysis import access as A
from lib.data.layers import load_layers, load_postcodes
layers, postcodes = load_layers(sys.argv[1]), load_postcodes(sys.argv[1])
t = time.perf_counter()
A.compute_access(layers, postcodes)
print(time.perf_counter() - t)
"""


def timed(function, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def loop_nearest(x: np.ndarray, y: np.ndarray, fx: np.ndarray, fy: np.ndarray) -> np.ndarray:
    return np.array([np.hypot(fx - px, fy - py).min() for px, py in zip(x, y, strict=True)])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("gpkg")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--cold", type=int, default=3)
    parser.add_argument("--sample", type=int, default=5_000)
    args = parser.parse_args()

    cold = [
        float(
            subprocess.run(
                [sys.executable, "-c", COLD, args.gpkg], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(args.cold)
    ]
    layers, postcodes = load_layers(args.gpkg), load_postcodes(args.gpkg)
    warm = timed(lambda: A.compute_access(layers, postcodes), args.runs)
    access = A.compute_access(layers, postcodes)
    residents_only = timed(lambda: A.resident_points(layers.lsoas, postcodes), args.runs)

    def tables():
        for category in A.ACCESS_CATEGORIES:
            for by in A.LEVELS:
                A.walking_access(access, category, A.WALK_M, by)
            A.lost_facilities(access, category)

    table_times = timed(tables, args.runs)

    residents = access.residents
    chosen = A.category_sites(layers.sites, "Pharmacy")
    chosen = chosen[A.open_now(chosen)]
    fx, fy = chosen.geometry.x.to_numpy(), chosen.geometry.y.to_numpy()
    pick = np.random.default_rng(18).choice(len(residents.x), args.sample, replace=False)
    x, y = residents.x[pick], residents.y[pick]
    points = shapely.points(x, y)
    loop = timed(lambda: loop_nearest(x, y, fx, fy), 3)
    index = timed(lambda: A.nearest(points, fx, fy), args.runs)
    same = np.allclose(loop_nearest(x, y, fx, fy), A.nearest(points, fx, fy)[0])
    snapshots = sum(1 + (c.then is not None) for c in access.categories.values())
    scale = len(residents.x) / args.sample * snapshots

    def ms(values):
        return f"{statistics.median(values) * 1000:,.0f} ms"

    print(f"resident points: {len(residents.x):,}; snapshots (category x date): {snapshots}")
    print(
        f"compute_access, cold (fresh process, median of {args.cold}): {ms(cold)}"
        f"  runs: {', '.join(f'{t:.2f}' for t in cold)} s"
    )
    print(f"compute_access, warm (median of {args.runs}): {ms(warm)}")
    print(f"  of which resident_points (median of {args.runs}): {ms(residents_only)}")
    print(f"every table (4 categories x 3 levels + lost facilities), median: {ms(table_times)}")
    print(
        f"baseline on {args.sample:,} points, nearest of {len(fx):,} pharmacies "
        f"(same answers: {same}):"
    )
    print(
        f"  per-point loop, median of 3: {ms(loop)}; STRtree query, median of {args.runs}: "
        f"{ms(index)}; ratio {statistics.median(loop) / statistics.median(index):.0f}x"
    )
    print(
        f"  the loop scaled to every point and snapshot: about "
        f"{statistics.median(loop) * scale:,.0f} s (index, all of compute_access: "
        f"{statistics.median(warm):.1f} s)"
    )


if __name__ == "__main__":
    main()
