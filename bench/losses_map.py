""" "Losses vs policy": warm rerun server CPU and a policy change, this tree against a baseline.

    git worktree add --detach /tmp/jul-main main      # the baseline: today's main
    PYTHONPATH=. .venv/bin/python bench/losses_map.py --baseline /tmp/jul-main \\
        [--gpkg geodata/london.gpkg] [--rounds 3] [--runs 9] [--browser]

Server (AppTest, each tree in child processes of its own, the trees interleaved round by
round so load on the machine falls on both alike):
- *warm rerun*: the page rerun with every cache warm (what a click that changes nothing on the
  map costs), median CPU ms of ``--runs`` reruns, per view;
- *policy change*: the page rerun after the policy changed between two policies whose
  analysis is cached (what the server spends to redraw the map for a policy already seen),
  median CPU ms.

Browser (``--browser``; both trees served with ``streamlit run`` on free ports, headless
Chromium, every outside host refused): from choosing another policy in the sidebar to the
map's legend naming it, median seconds over the policies, interleaved across the trees.

Prints medians and this tree's ratio to the baseline; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
PAGE = "pages/losses.py"
VIEWS = [
    {"against": "Areas for Regeneration"},
    {"against": "Town centres"},
    {"against": "Central Activities Zone", "categories": ["Library", "GP practice"]},
]
SWITCH = ("Areas for Regeneration", "Opportunity Areas")
BROWSER_POLICIES = [
    "Opportunity Areas",
    "Central Activities Zone",
    "Town centres",
    "Areas for Regeneration",
]


def child(tree: Path, gpkg: Path, runs: int) -> dict:
    """Run in a child process whose sys.path starts at `tree`: that tree's page and lib."""
    os.chdir(tree)
    sys.path.insert(0, str(tree))
    os.environ["JOINED_UP_GPKG"] = str(gpkg)
    from streamlit.testing.v1 import AppTest

    from lib.ui import cache

    cache.layers()
    app = str(tree / "app.py")
    out: dict = {"warm": [], "switch": None}
    for params in VIEWS:
        at = AppTest.from_file(app, default_timeout=300)
        at.run()
        for key, value in params.items():
            at.query_params[key] = value
        at.switch_page(PAGE).run()
        assert not at.exception, at.exception
        cpus = []
        for _ in range(runs):
            cpu = time.process_time()
            at.run()
            cpus.append((time.process_time() - cpu) * 1000)
        out["warm"].append(statistics.median(cpus))
    at = AppTest.from_file(app, default_timeout=300)
    at.run()
    at.query_params["against"] = SWITCH[0]
    at.switch_page(PAGE).run()
    from lib.vocab.policies import ANALYSED, policy_title

    options = {policy_title(key): key for key in ANALYSED}
    for label in SWITCH:  # both analyses cached before timing
        at.selectbox(key="against").set_value(options[label]).run()
    cpus = []
    for k in range(runs):
        label = SWITCH[k % 2 == 0]
        cpu = time.process_time()
        at.selectbox(key="against").set_value(options[label]).run()
        cpus.append((time.process_time() - cpu) * 1000)
        assert not at.exception, at.exception
    out["switch"] = statistics.median(cpus)
    return out


def run_child(tree: Path, gpkg: Path, runs: int) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--child", str(tree), "--gpkg", str(gpkg), "--runs", str(runs)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(tree)},
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


LEGEND_HAS = """([label]) => {
  const roots = [document, ...Array.from(document.querySelectorAll('iframe'))
    .map((f) => f.contentDocument).filter(Boolean)];
  return roots.some((d) => Array.from(d.querySelectorAll('.jul-legend'))
    .some((l) => l.textContent.includes('Inside ' + label)));
}"""


def browser_round(page, url: str) -> list[float]:
    """Seconds from choosing each policy to the legend naming it (map redrawn)."""
    # A fresh server's first session says "Page not found" for any page but the front one:
    # the front page first, until its map is drawn.
    page.goto(f"{url}/?basemap=No+basemap")
    page.locator(".jul-map[data-jul-drawn]").wait_for()
    page.goto(f"{url}/losses?against=Areas+for+Regeneration&basemap=No+basemap")
    page.wait_for_function(LEGEND_HAS, arg=["Areas for Regeneration"], timeout=120_000)
    dialog = page.locator("[data-testid='stDialog']")
    if dialog.count():
        page.keyboard.press("Escape")
        dialog.wait_for(state="detached")
    times = []
    for label in BROWSER_POLICIES:
        page.locator("[data-testid='stSelectbox']").first.click()
        option = page.get_by_role("option", name=label, exact=True)
        option.wait_for()
        start = time.perf_counter()
        option.click()
        page.wait_for_function(LEGEND_HAS, arg=[label], timeout=120_000)
        times.append(time.perf_counter() - start)
    return times


def browser(trees: dict[str, Path], gpkg: Path, rounds: int) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    # Imported here: a --child process has the baseline tree on its path, not this one.
    from bench import app_server

    servers = {
        name: app_server.start(tree, {"JOINED_UP_GPKG": str(gpkg), "PYTHONPATH": str(tree)})
        for name, tree in trees.items()
    }
    times: dict[str, list[float]] = {name: [] for name in trees}
    try:
        with sync_playwright() as p:
            chromium = p.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
            )
            for round_ in range(rounds + 1):  # the first round warms both servers' caches
                for name, (_server, url) in servers.items():
                    context = chromium.new_context(viewport={"width": 1280, "height": 720})
                    context.route(
                        "**/*",
                        lambda r: r.continue_() if "127.0.0.1" in r.request.url else r.abort(),
                    )
                    page = context.new_page()
                    page.set_default_timeout(120_000)
                    measured = browser_round(page, url)
                    if round_ or rounds == 0:
                        times[name] += measured
                    context.close()
            chromium.close()
    finally:
        for server, _ in servers.values():
            app_server.stop(server)
    return times


def server_figures(results: dict[str, list[dict]], args) -> None:
    print(f"server CPU ms, medians over {args.rounds} interleaved rounds of {args.runs} reruns")
    print(f"{'':58} {'baseline':>9} {'this':>9} {'ratio':>7}")
    rows = [
        (
            f"warm rerun, against={v['against']}"
            + (f" ({'+'.join(v['categories'])})" if "categories" in v else ""),
            k,
        )
        for k, v in enumerate(VIEWS)
    ]
    for label, k in rows:
        base = statistics.median(r["warm"][k] for r in results["baseline"])
        this = statistics.median(r["warm"][k] for r in results["this"])
        print(f"{label:58} {base:9.0f} {this:9.0f} {this / base:7.2f}")
    base = statistics.median(r["switch"] for r in results["baseline"])
    this = statistics.median(r["switch"] for r in results["this"])
    print(
        f"{'policy change (' + ' <-> '.join(SWITCH) + ')':58} {base:9.0f} {this:9.0f} "
        f"{this / base:7.2f}"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path)
    parser.add_argument("--gpkg", type=Path, default=HERE / "geodata" / "london.gpkg")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--browser", action="store_true")
    parser.add_argument("--browser-only", action="store_true", help="skip the server figures")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    gpkg = args.gpkg.resolve()
    if args.child:
        print(json.dumps(child(args.child, gpkg, args.runs)))
        return 0
    if args.baseline is None:
        parser.error("--baseline: a checkout of the baseline (git worktree add --detach ...)")
    trees = {"baseline": args.baseline.resolve(), "this": HERE}
    results: dict[str, list[dict]] = {name: [] for name in trees}
    for _ in range(0 if args.browser_only else args.rounds):
        for name, tree in trees.items():
            results[name].append(run_child(tree, gpkg, args.runs))
    if args.browser_only:
        args.browser = True
    else:
        server_figures(results, args)
    if args.browser:
        times = browser(trees, gpkg, args.rounds)
        base, this = statistics.median(times["baseline"]), statistics.median(times["this"])
        print(
            f"\nbrowser: choose a policy -> legend names it, median s over "
            f"{len(times['this'])} changes"
        )
        print(f"{'policy change redraw':58} {base:9.2f} {this:9.2f} {this / base:7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
