"""Make a copy of the built geopackage with N synthetic sites, in the real schema.

    PYTHONPATH=. .venv/bin/python bench/synthetic_sites.py geodata/london.gpkg \
        bench/output/london-300k.gpkg --sites 300000

Every other layer is copied as it is. Sites are real sites drawn at random (with
replacement, seeded) and moved up to 400 m in a random direction, with new site_ids (names
kept, so the bytes per site stay comparable): the real mix of groups, categories, statuses, years and
sources, at the real density pattern. Then point the app or a benchmark at it with
JOINED_UP_GPKG. Prints what it wrote.
"""

import argparse
import shutil
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio

from lib.data import layers as data


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source")
    parser.add_argument("out")
    parser.add_argument("--sites", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    sites = data.load_layers(Path(args.source)).sites
    rng = np.random.default_rng(args.seed)
    picked = rng.integers(0, len(sites), args.sites)
    synthetic = sites.iloc[picked].reset_index(drop=True)
    angle = rng.uniform(0, 2 * np.pi, args.sites)
    distance = rng.uniform(0, 400, args.sites)
    xy = np.column_stack(
        [
            synthetic.geometry.x + distance * np.cos(angle),
            synthetic.geometry.y + distance * np.sin(angle),
        ]
    )
    synthetic = synthetic.set_geometry(gpd.points_from_xy(xy[:, 0], xy[:, 1], crs=sites.crs))
    synthetic["site_id"] = [f"synthetic-{i}" for i in range(args.sites)]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(args.source, out)
    pyogrio.write_dataframe(
        synthetic, out, layer="sites", driver="GPKG", layer_options={"OVERWRITE": "YES"}
    )
    print(
        f"wrote {out}: {args.sites:,} synthetic sites "
        f"({(synthetic['status'] == 'closed').sum():,} closed) in "
        f"{time.perf_counter() - start:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
