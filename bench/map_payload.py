"""Bytes of the explorer's map of every site as a folium page, against GeoDataFrame.explore().

    PYTHONPATH=. .venv/bin/python bench/map_payload.py [path/to/london.gpkg] [--runs N]

Both maps show the same sites (ours, the explorer's "Download interactive map (HTML)",
lib/render/html_map.py, also carries the borough choropleth, labels and the town-centre layer,
and Leaflet itself inlined, about 160 kB) and are measured the same way: the length of the
rendered HTML document (UTF-8 bytes) and its gzip size, plus the median time to build and
render it. Prints figures only.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import time
import warnings

from lib.data import layers as data
from lib.render import html_map, maps, mapspec


def measure(make_map, runs: int) -> tuple[int, int, float]:
    times, body = [], b""
    for _ in range(runs):
        started = time.perf_counter()
        made = make_map()
        body = made if isinstance(made, bytes) else made.get_root().render().encode()
        times.append(time.perf_counter() - started)
    return len(body), len(gzip.compress(body)), statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gpkg", nargs="?", default=str(data.gpkg_path()))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    layers = data.load_layers(args.gpkg)
    map_layers = maps.prepare(layers)
    sites = layers.sites
    density = data.sites_per_10k(sites, layers.boroughs).set_index("gss_code")["per_10k"]

    spec = mapspec.MapSpec(
        (
            mapspec.Choropleth("boroughs", density, "Open sites per 10,000"),
            mapspec.Labels(),
            mapspec.PolicyAreas(("town_centre",)),
            mapspec.SitesByStatus(sites),
        )
    )

    def ours():
        return html_map.standalone_html(spec, map_layers, "Map explorer")

    def explore():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return sites.explore(column="category_group", tiles=None, prefer_canvas=True)

    def our_sites_only():  # the download of a spec with the sites alone
        return html_map.standalone_map(mapspec.MapSpec((mapspec.SitesByStatus(sites),)), map_layers)

    rows = [
        ("explorer download (ours)", *measure(ours, args.runs)),
        ("GeoDataFrame.explore()", *measure(explore, args.runs)),
        ("ours, site layers only", *measure(our_sites_only, args.runs)),
    ]
    print(f"{len(sites):,} sites, median of {args.runs} runs")
    print(f"{'map':<24}{'bytes':>13}{'gzip bytes':>13}{'build+render s':>16}")
    for name, size, zipped, seconds in rows:
        print(f"{name:<24}{size:>13,}{zipped:>13,}{seconds:>16.2f}")
    (_, ours_size, ours_zip, _), (_, base_size, base_zip, _), (_, sites_size, _, _) = rows
    print(
        f"ratio whole explorer map / explore(): {ours_size / base_size:.3f} "
        f"(gzip {ours_zip / base_zip:.3f}); site layers only / explore(): "
        f"{sites_size / base_size:.3f}; target at most 0.25"
    )


if __name__ == "__main__":
    main()
