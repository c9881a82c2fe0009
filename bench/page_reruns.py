"""Time warm reruns of pages (the map explorer first) on the real build, with AppTest.

    PYTHONPATH=. .venv/bin/python bench/page_reruns.py [path/to/london.gpkg] [--runs N]
        [--views N,N...] [--profile VIEW [--all-frames]]

For each view (a page and its link's parameters) prints the first run (caches empty but the
layers, which a process loads once) and the median of ``--runs`` warm reruns, as wall time
and as this process's CPU time (``process_time``), in ms: the server time a visitor's click
costs, without the websocket. ``--profile N`` profiles the warm reruns of view N (0-based)
with pyinstrument (``pip install pyinstrument``) and prints the call tree. Prints figures
only; asserts nothing.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

APP = str(Path(__file__).resolve().parents[1] / "app.py")

# Every map page (issue 19: a warm rerun of at most 100 ms of server CPU), Data & sources as
# the page without a map, and the needs page (issue 18: as fast as the explorer's).
VIEWS = [
    ("explorer", "pages/map_explorer.py", {"basemap": "No basemap"}),
    (
        "explorer",
        "pages/map_explorer.py",
        {"basemap": "No basemap", "group": "Health", "status": "Closed", "borough": "Hackney"},
    ),
    ("explorer", "pages/map_explorer.py", {"basemap": "No basemap", "present": "1"}),
    ("sources", "pages/sources.py", {}),
    ("losses", "pages/losses.py", {"against": "Areas for Regeneration"}),
    ("losses", "pages/losses.py", {"against": "Town centres"}),
    ("losses", "pages/losses.py", {"against": "Central Activities Zone", "categories": "Library"}),
    ("over-time", "pages/over-time.py", {}),
    ("over-time", "pages/over-time.py", {"area": "Hackney"}),
    ("borough", "pages/borough.py", {"borough": "Hackney"}),
    ("voluntary", "pages/voluntary.py", {}),
    ("voluntary", "pages/voluntary.py", {"ward": "Hoxton West (Hackney)"}),
    ("needs", "pages/needs.py", {}),
    ("needs", "pages/needs.py", {"map": "Access lost", "category": "GP practice"}),
    ("needs", "pages/needs.py", {"weights": "access:4,losses:1", "borough": "Hackney"}),
]


def profile_script_runs():
    """A pyinstrument profiler around every script run from now on (AppTest runs the script
    in a thread of its own, which a profiler started here would not see)."""
    from pyinstrument import Profiler
    from streamlit.runtime.scriptrunner.script_runner import ScriptRunner

    profiler = Profiler(interval=0.0005)
    run_script = ScriptRunner._run_script

    def profiled(self, rerun_data):
        profiler.start()
        try:
            return run_script(self, rerun_data)
        finally:
            profiler.stop()

    ScriptRunner._run_script = profiled
    return profiler


def describe(params: dict) -> str:
    return "&".join(f"{k}={v}" for k, v in params.items()) or "(defaults)"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gpkg", nargs="?", default="geodata/london.gpkg")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--views", help="only these views (0-based numbers, comma-separated)")
    parser.add_argument("--profile", type=int, help="profile the warm reruns of this view")
    parser.add_argument("--all-frames", action="store_true", help="the profile's every frame")
    args = parser.parse_args(argv)
    if not Path(args.gpkg).exists():
        print(f"{args.gpkg} not found: build it with `make data` (or pass a path)", file=sys.stderr)
        return 2
    os.environ["JOINED_UP_GPKG"] = str(Path(args.gpkg).resolve())

    from streamlit.testing.v1 import AppTest

    print(f"{'view':60} {'first':>7} {'warm':>6} {'first':>7} {'warm':>6}")
    print(f"{'':60} {'wall ms':>14} {'CPU ms':>14}  (warm: median of {args.runs})")
    for number, (name, page, params) in enumerate(VIEWS):
        if args.profile is not None and number != args.profile:
            continue
        if args.views and str(number) not in args.views.split(","):
            continue
        at = AppTest.from_file(APP, default_timeout=300)
        at.run()
        if page != "pages/map_explorer.py":  # as a fresh tab: nothing the explorer bound
            at.switch_page("pages/sources.py").run()
        for key, value in params.items():
            at.query_params[key] = value
        at.switch_page(page)
        start, cpu = time.perf_counter(), time.process_time()
        at.run()
        first, first_cpu = time.perf_counter() - start, time.process_time() - cpu
        if at.exception:
            print(f"{name}: {at.exception[0].value}", file=sys.stderr)
            return 1
        # A page that writes to its link on the first run (the needs page's weights) makes
        # AppTest copy every bound widget into its query parameters, a None as '[]', which a
        # browser never does: the reruns would answer a wrong link. Keep the view's link.
        if dict(at.query_params) != params:
            at.query_params.clear()
            for key, value in params.items():
                at.query_params[key] = value
        warnings = len(at.warning)
        profiler = None
        if args.profile is not None:
            profiler = profile_script_runs()
        walls, cpus = [], []
        for _ in range(args.runs):
            start, cpu = time.perf_counter(), time.process_time()
            at.run()
            walls.append(time.perf_counter() - start)
            cpus.append(time.process_time() - cpu)
            if at.exception or len(at.warning) > warnings:  # a rerun of another view
                found = at.exception or at.warning
                print(f"{name} {describe(params)}: {found[-1].value}", file=sys.stderr)
                return 1
        if profiler is not None:
            print(profiler.output_text(unicode=True, color=False, show_all=args.all_frames))
        print(
            f"{name + ' ' + describe(params):60} {first * 1000:7.0f} "
            f"{statistics.median(walls) * 1000:6.0f} {first_cpu * 1000:7.0f} "
            f"{statistics.median(cpus) * 1000:6.0f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
