"""Time the map explorer in headless Chromium against a running app (localhost only).

    PYTHONPATH=. .venv/bin/python bench/explorer_browser.py http://127.0.0.1:8570 \
        [http://127.0.0.1:8571 ...] [--rounds 3] [--closed 307]

For each app address given (e.g. a baseline and a branch, measured in the same run, rounds
interleaved) prints medians of ``--rounds``, in seconds, each round in a fresh browser context
(nothing cached):
- "sources": the Data & sources page (text and tables, no map) until its build report shows;
- "explorer": the explorer (no basemap) until its map shows the legend of every site;
- "filter": from a click on Status "Closed" until the map shows only the closed sites
  (``--closed``, 307 on the real data) -- a filter change to a redrawn map.
Works with both the folium map (in st_folium's iframe) and the browser map (.jul-map).
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

# The text of the map's legend, wherever the map is (the page, or st_folium's iframe), or ''.
LEGEND_JS = """() => {
  const here = document.querySelector('.jul-map');
  if (here) {
    const legend = here.querySelector('.jul-legend');
    return here.dataset.julDrawn !== undefined && legend ? legend.innerText : '';
  }
  const frame = document.querySelector("iframe[title='streamlit_folium.st_folium']");
  const doc = frame && frame.contentDocument;
  const legend = doc && doc.querySelector('.jul-legend');
  return legend && doc.querySelector('canvas') ? legend.innerText : '';
}"""


def offline(route) -> None:
    if urlsplit(route.request.url).hostname in LOCAL:
        route.continue_()
    else:
        route.abort("internetdisconnected")


def wait_legend(page, text: str, absent: str | None = None, timeout_ms: int = 120_000) -> None:
    page.wait_for_function(
        f"""() => {{ const t = ({LEGEND_JS})(); return t.includes({text!r})
                    && {"true" if absent is None else f"!t.includes({absent!r})"}; }}""",
        timeout=timeout_ms,
        polling=20,
    )


def one_round(browser, url: str, closed: int) -> dict[str, float]:
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
    wait_legend(page, "Pubs (")
    times["explorer"] = time.perf_counter() - start
    page.wait_for_timeout(1000)
    start = time.perf_counter()
    page.locator("[data-testid='stSidebar'] label", has_text="Closed").first.click()
    wait_legend(page, f"Closed ({closed:,})", absent="Pubs (")
    times["filter"] = time.perf_counter() - start
    context.close()
    return times


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--closed", type=int, default=307)
    args = parser.parse_args(argv)
    if any(urlsplit(u).hostname not in LOCAL for u in args.urls):
        print("localhost only", file=sys.stderr)
        return 2
    results = {url: [] for url in args.urls}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        for _ in range(args.rounds):
            for url in args.urls:
                results[url].append(one_round(browser, url, args.closed))
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
