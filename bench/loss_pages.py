"""Time reruns of the two loss pages on the real built data, with Streamlit's AppTest.

    PYTHONPATH=. .venv/bin/python bench/loss_pages.py [path/to/london.gpkg] [--runs N]

For each view (a page and its URL parameters) prints, in ms: the first run with every cache
empty except the layers (loaded once per process, as the app's st.cache_resource does), and
the median of ``--runs`` reruns with the page's st.cache_data warm, which is what a visitor
pays for each click. Each as wall time and as CPU time of this process (``process_time``: the
Python work, not the waiting when other programs share the CPUs). An AppTest run is the
whole script: widgets, the cached analysis, the folium map built and rendered by st_folium,
tables and charts serialised. Prints figures
only; asserts nothing.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from lib.ui import cache

APP = str(Path(__file__).resolve().parents[1] / "app.py")

TITLES = {
    "pages/losses.py": "Losses vs policy",
    "pages/over-time.py": "Losses over time",
}
VIEWS = [
    ("losses", "pages/losses.py", {"against": "Areas for Regeneration"}),
    ("losses", "pages/losses.py", {"against": "Town centres"}),
    (
        "losses",
        "pages/losses.py",
        {"against": "Central Activities Zone", "categories": ["Library", "GP practice"]},
    ),
    ("losses", "pages/losses.py", {"against": "Metropolitan town centres"}),
    ("over-time", "pages/over-time.py", {}),
    ("over-time", "pages/over-time.py", {"area": "Hackney"}),
]


def describe(params: dict) -> str:
    return (
        "&".join(f"{k}={v if isinstance(v, str) else '+'.join(v)}" for k, v in params.items())
        or "(defaults)"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gpkg", nargs="?", default="geodata/london.gpkg")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    if not Path(args.gpkg).exists():
        print(f"{args.gpkg} not found: build it with `make data` (or pass a path)", file=sys.stderr)
        return 2
    os.environ["JOINED_UP_GPKG"] = str(Path(args.gpkg).resolve())

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    start = time.perf_counter()
    cache.layers()
    cache.map_layers()
    print(f"layers + map layers, once per process: {(time.perf_counter() - start) * 1000:.0f} ms")
    print(f"\n{'page':10} {'view':50} {'cold':>6} {'warm':>6} {'cold':>6} {'warm':>6}")
    print(f"{'':10} {'':50} {'wall ms':>13} {'CPU ms':>13}  (warm: median of {args.runs})")
    warm_all, warm_cpu_all = [], []
    for name, page, params in VIEWS:
        at = AppTest.from_file(APP, default_timeout=120)
        at.run()  # the default page: a process's first run lands there whatever is asked
        st.cache_data.clear()
        for key, value in params.items():
            at.query_params[key] = value
        at.switch_page(page)
        start, cpu = time.perf_counter(), time.process_time()
        at.run()
        cold = (time.perf_counter() - start) * 1000
        cold_cpu = (time.process_time() - cpu) * 1000
        if at.exception or at.title[0].value != TITLES[page]:
            print(
                f"{name}: {at.exception[0].value if at.exception else at.title[0].value}",
                file=sys.stderr,
            )
            return 1
        times, cpus = [], []
        for _ in range(args.runs):
            start, cpu = time.perf_counter(), time.process_time()
            at.run()
            times.append((time.perf_counter() - start) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
            assert at.title[0].value == TITLES[page], at.title[0].value  # still this page
        warm, warm_cpu = statistics.median(times), statistics.median(cpus)
        warm_all.append(warm)
        warm_cpu_all.append(warm_cpu)
        print(
            f"{name:10} {describe(params):50} {cold:6.0f} {warm:6.0f} {cold_cpu:6.0f} "
            f"{warm_cpu:6.0f}"
        )
    print(
        f"\nwarm rerun, slowest view: {max(warm_all):.0f} ms wall, {max(warm_cpu_all):.0f} ms "
        f"CPU; median over views: {statistics.median(warm_all):.0f} ms wall, "
        f"{statistics.median(warm_cpu_all):.0f} ms CPU"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
