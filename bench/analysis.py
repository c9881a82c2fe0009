"""Time lib/analysis/losses.py on the real built data: median of several runs per function, in ms.

    PYTHONPATH=. .venv/bin/python bench/analysis.py [path/to/london.gpkg] [--runs N]

Loads the geopackage once (as the app does, st.cache_resource), then times each function
uncached, and the work of one "Losses vs policy" page rerun (closure_table + share_table +
distance_bands for one policy) for every policy. Prints figures only; asserts nothing.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import pyogrio

from lib.analysis import drivers, losses, pub_trends
from lib.vocab.policies import ANALYSED, MAIN_ANALYSED

LAYERS = ["sites", "lsoas", "boroughs", "policy_areas", "pubs_by_borough"]


def timed(func, runs: int) -> tuple[float, float]:
    """(first call, median of the next ``runs`` calls), in milliseconds."""
    start = time.perf_counter()
    func()
    first = (time.perf_counter() - start) * 1000
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return first, statistics.median(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gpkg", nargs="?", default="geodata/london.gpkg")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    path = Path(args.gpkg)
    if not path.exists():
        print(f"{path} not found: build it with `make data` (or pass a path)", file=sys.stderr)
        return 2

    start = time.perf_counter()
    layers = {name: pyogrio.read_dataframe(path, layer=name) for name in LAYERS}
    print(
        f"load {len(LAYERS)} layers once: {(time.perf_counter() - start) * 1000:.0f} ms "
        f"({len(layers['sites']):,} sites, {len(layers['lsoas']):,} LSOAs)"
    )
    sites, lsoas = layers["sites"], layers["lsoas"]
    boroughs, policy_areas = layers["boroughs"], layers["policy_areas"]
    pubs = layers["pubs_by_borough"]
    for layer in (lsoas, boroughs):
        _ = layer.sindex  # built once per process, as with cached layers

    print(f"\nmedian of {args.runs} runs after a first call, ms")
    print(f"{'function':58} {'first':>7} {'median':>7}")
    rows = [
        (
            "closure_table(sites, 'regeneration_area')",
            lambda: losses.closure_table(sites, "regeneration_area"),
        ),
        (
            "closure_table(sites, 'town_centre:Metropolitan')",
            lambda: losses.closure_table(sites, "town_centre:Metropolitan"),
        ),
        ("distance_bands(sites)", lambda: losses.distance_bands(sites)),
        ("closures_by_year(sites)", lambda: losses.closures_by_year(sites)),
        (
            "closures_by_year(sites, gss_code='E09000030')",
            lambda: losses.closures_by_year(sites, gss_code="E09000030"),
        ),
        ("pubs_change(pubs_by_borough, boroughs)", lambda: pub_trends.pubs_change(pubs, boroughs)),
        ("pubs_trend(pubs_by_borough, boroughs)", lambda: pub_trends.pubs_trend(pubs, boroughs)),
        (
            "policy_share_by_borough(boroughs, policy_areas, lsoas)",
            lambda: pub_trends.policy_share_by_borough(boroughs, policy_areas, lsoas),
        ),
    ]
    shares = pub_trends.policy_share_by_borough(boroughs, policy_areas, lsoas)
    change = pub_trends.pubs_change(pubs, boroughs)
    rows.append(
        (
            "pubs_policy_correlation(change, shares)",
            lambda: pub_trends.pubs_policy_correlation(change, shares),
        )
    )
    for policy in MAIN_ANALYSED:
        rows.append(
            (
                f"share_table(..., '{policy}')",
                lambda p=policy: losses.share_table(sites, lsoas, policy_areas, boroughs, p),
            )
        )
    for label, func in rows:
        first, median = timed(func, args.runs)
        print(f"{label:58} {first:7.1f} {median:7.1f}")

    print(
        '\n"Losses vs policy" page rerun: comparisons + robustness + drivers + share_table + '
        "distance_bands, ms"
    )
    print(f"{'policy':32} {'first':>7} {'median':>7}")
    medians = []
    for policy in ANALYSED:

        def rerun(p=policy):
            table = losses.comparisons(sites, policy_areas, p)
            losses.robustness(sites, policy_areas, p)
            drivers.drivers(sites, policy_areas, p, table)
            losses.share_table(sites, lsoas, policy_areas, boroughs, p)
            losses.distance_bands(sites)

        first, median = timed(rerun, args.runs)
        medians.append(median)
        print(f"{policy:32} {first:7.1f} {median:7.1f}")
    print(f"{'slowest policy':32} {'':7} {max(medians):7.1f}")
    print(f"{'median over policies':32} {'':7} {statistics.median(medians):7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
