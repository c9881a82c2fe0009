"""Benchmark the data build: wall time and peak memory of `python -m lib.build`.

    .venv/bin/python bench/build.py [--runs 3] [--source DIR]

Each run is a fresh subprocess writing to a temporary folder, so its peak resident set size is
its own (read with os.wait4, which reports the rusage of that one child). Prints figures only:
no assertions, no pass/fail. The budget comes from the data-build issue: under 60 s and under
2 GB per build.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET_SECONDS = 60
BUDGET_BYTES = 2 * 1024**3


def run_once(source: Path, out_dir: Path) -> tuple[float, int]:
    """One build in a child process: (wall seconds, peak RSS in bytes)."""
    out = out_dir / "london.gpkg"
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-m", "lib.build", "--source", str(source), "--out", str(out)],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            log.seek(0)
            sys.stderr.write(log.read().decode(errors="replace"))
            raise SystemExit(f"build failed with exit code {child.returncode}")
    return wall, usage.ru_maxrss * 1024  # Linux reports ru_maxrss in KiB


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="number of builds (default 3)")
    parser.add_argument(
        "--source",
        default=os.environ.get("GEODATA_SOURCE"),
        help="folder of raw inputs (default: $GEODATA_SOURCE)",
    )
    args = parser.parse_args(argv)
    if not args.source:
        parser.error("no --source given and GEODATA_SOURCE is not set")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    source = Path(args.source).resolve()

    print(f"data build benchmark: {args.runs} run(s) of python -m lib.build on {source}")
    print(
        f"python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs, "
        f"{platform.system()} {platform.release()}"
    )
    walls, peaks = [], []
    for run in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
            wall, peak = run_once(source, Path(tmp))
        walls.append(wall)
        peaks.append(peak)
        print(f"run {run}: wall {wall:6.2f} s   peak RSS {peak / 1024**2:7.0f} MiB")
    median, worst = statistics.median(walls), max(peaks)
    print(
        f"median wall time {median:.2f} s (budget {BUDGET_SECONDS} s: "
        f"{median / BUDGET_SECONDS:.0%} of it)"
    )
    print(
        f"max peak RSS {worst / 1024**2:.0f} MiB (budget {BUDGET_BYTES / 1024**3:.0f} GiB: "
        f"{worst / BUDGET_BYTES:.0%} of it)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
