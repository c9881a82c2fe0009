"""Time the map explorer in headless Chromium against a running app (localhost only).

    PYTHONPATH=. .venv/bin/python bench/explorer_browser.py http://127.0.0.1:8570 \
        [http://127.0.0.1:8571 ...] [--rounds 3] [--pages]

For each app address given (e.g. a baseline and a branch, measured in the same run, rounds
interleaved) prints medians of ``--rounds``, in seconds, each round in a fresh browser context
(nothing cached), after one untimed round per app (its server's caches warm):
- "sources": the Data & sources page (text and tables, no map) until its build report shows;
- "explorer": the explorer (no basemap) to its final map: the last draw before the script has
  finished and the map shows as many sites as the page's "Sites shown" figure, with no
  redraw for 1.5 s after it (the time is that of the last draw, not of the wait);
- "filter": from a click on Status "Closed" to the final redrawn map of the closed sites;
- with ``--pages``, every other map page (MAP_PAGES) from a fresh context to its final map
  (drawn, the script finished, no redraw for 1.5 s), its ratio to "sources", and how many
  times its sites were drawn (a page without sites: 0).
Needs the browser map (lib/render/site_map.js: data-jul-shown, data-jul-draws).
Every outside host is blocked, as at a venue with no internet. Prints figures only.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL = {"127.0.0.1", "localhost", "::1"}

# The explorer's state as the page shows it: the "Sites shown" figure, the number of sites the
# browser map says it shows (data-jul-shown) and how many times it has drawn (data-jul-draws),
# and whether Streamlit is still running the script (its status widget).
STATE_JS = """() => {
  const metric = [...document.querySelectorAll("[data-testid='stMetric']")]
    .find((m) => m.innerText.startsWith('Sites shown'));
  const shown = document.querySelector('[data-jul-shown]');
  const drawn = document.querySelector('[data-jul-draws]');
  return {
    figure: metric ? metric.innerText.split('\\n').pop().replace(/,/g, '') : null,
    shown: shown ? shown.dataset.julShown : null,
    draws: drawn ? Number(drawn.dataset.julDraws) : 0,
    drawn: !!document.querySelector('[data-jul-drawn]'),
    running: !!document.querySelector("[data-testid='stStatusWidget']"),
  };
}"""
# The other map pages, each opened as a shared link would open it.
MAP_PAGES = {
    "losses": "/losses?basemap=No+basemap",
    "over-time": "/over-time?basemap=No+basemap",
    "borough": "/borough?borough=Hackney&basemap=No+basemap",
    "voluntary": "/voluntary?basemap=No+basemap",
    "needs": "/needs?basemap=No+basemap",
}

# The map is final when the script has finished, the map shows the sites the page's figure
# counts, and it has not drawn again for this long.
SETTLED_S = 1.5


def offline(route) -> None:
    if urlsplit(route.request.url).hostname in LOCAL:
        route.continue_()
    else:
        route.abort("internetdisconnected")


def final_map(page, start: float, before: str | None = None, timeout_s: float = 180) -> float:
    """Seconds from `start` to the explorer's final draw: the last redraw before the page
    settled (not the first draw, which may be of a view the script then replaces). `before`:
    the figure of the view being left, which the final map must no longer show."""
    last_draws, last_change = 0, None
    while time.perf_counter() - start < timeout_s:
        state = page.evaluate(STATE_JS)
        now = time.perf_counter()
        if state["draws"] != last_draws:
            last_draws, last_change = state["draws"], now
        final = (
            last_change is not None
            and not state["running"]
            and state["figure"] is not None
            and state["figure"] == state["shown"]
            and state["figure"] != before
        )
        if final and now - last_change >= SETTLED_S:
            return last_change - start
        page.wait_for_timeout(20)
    raise TimeoutError(f"the map did not settle in {timeout_s:.0f} s: {page.evaluate(STATE_JS)}")


def settled_map(page, start: float, timeout_s: float = 180) -> float:
    """Seconds from `start` to the last draw of a page's browser map before the page settled:
    drawn, the script finished, no redraw for SETTLED_S."""
    last_draws, last_change = 0, None
    while time.perf_counter() - start < timeout_s:
        state = page.evaluate(STATE_JS)
        now = time.perf_counter()
        if state["draws"] != last_draws or (state["drawn"] and last_change is None):
            last_draws, last_change = state["draws"], now  # a map without sites: drawn once
        if last_change is not None and not state["running"] and now - last_change >= SETTLED_S:
            return last_change - start
        page.wait_for_timeout(20)
    raise TimeoutError(f"the map did not settle in {timeout_s:.0f} s: {page.evaluate(STATE_JS)}")


def one_round(browser, url: str, pages: bool = False) -> dict[str, float]:
    times = {}
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.route("**/*", offline)
    page = context.new_page()
    start = time.perf_counter()
    page.goto(f"{url}/sources")
    page.get_by_text("How the data was built").first.wait_for(timeout=120_000)
    page.locator("[data-testid='stDataFrame']").nth(1).wait_for(timeout=120_000)
    times["sources"] = time.perf_counter() - start
    context.close()

    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.route("**/*", offline)
    page = context.new_page()
    start = time.perf_counter()
    page.goto(f"{url}/?basemap=No+basemap")
    times["explorer"] = final_map(page, start)
    figure = page.evaluate(STATE_JS)["figure"]
    start = time.perf_counter()
    page.locator("[data-testid='stSidebar'] label", has_text="Closed").first.click()
    times["filter"] = final_map(page, start, before=figure)
    context.close()
    for name, path in MAP_PAGES.items() if pages else ():
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        context.route("**/*", offline)
        page = context.new_page()
        start = time.perf_counter()
        page.goto(f"{url}{path}")
        try:
            times[name] = settled_map(page, start)
        except TimeoutError as error:
            raise TimeoutError(f"{path}: {error}") from None
        times[f"{name} draws"] = page.evaluate(STATE_JS)["draws"]
        context.close()
    return times


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pages", action="store_true", help="every other map page as well")
    args = parser.parse_args(argv)
    if any(urlsplit(u).hostname not in LOCAL for u in args.urls):
        print("localhost only", file=sys.stderr)
        return 2
    results = {url: [] for url in args.urls}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        for url in args.urls:  # untimed: each server's caches warm, as after its first visitor
            one_round(browser, url, args.pages)
        for _ in range(args.rounds):
            for url in args.urls:
                results[url].append(one_round(browser, url, args.pages))
        browser.close()
    print(
        f"{'app':28} {'sources':>8} {'explorer':>9} {'explorer - sources':>19} {'filter':>7}"
        f"   (s, median of {args.rounds})"
    )
    for url, rounds in results.items():
        median = {k: statistics.median(r[k] for r in rounds) for k in rounds[0]}
        gap = statistics.median(r["explorer"] - r["sources"] for r in rounds)
        print(
            f"{url:28} {median['sources']:8.2f} {median['explorer']:9.2f} {gap:19.2f} "
            f"{median['filter']:7.2f}"
        )
        for r in rounds:
            print(
                f"{'':28} {r['sources']:8.2f} {r['explorer']:9.2f} "
                f"{r['explorer'] - r['sources']:19.2f} {r['filter']:7.2f}"
            )
        for name in MAP_PAGES if args.pages else ():
            times = [r[name] for r in rounds]
            ratios = [r[name] / r["sources"] for r in rounds]
            draws = sorted({r[f"{name} draws"] for r in rounds})
            print(
                f"{'':28} {name:>10}: {statistics.median(times):5.2f} s, "
                f"{statistics.median(ratios):4.2f}x sources "
                f"(rounds {', '.join(f'{t:.2f}' for t in times)}; sites drawn {draws} times)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
