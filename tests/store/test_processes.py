"""Several app processes on one store: no lost or doubled rows, one shared rate limit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from lib.store.models import Contribution
from tests.store.forms import token

REPO_ROOT = Path(__file__).resolve().parents[2]


def run_processes(url: str, jobs: list[tuple[str, int, list[str]]]) -> list[list[str]]:
    """Start one process per (session, per-session limit, tokens) at once; their output."""
    env = os.environ | {"PYTHONPATH": str(REPO_ROOT)}
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.store.submitter", url, session, str(limit), *tokens],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for session, limit, tokens in jobs
    ]
    outputs = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        outputs.append(out.split("\n")[:-1])
    return outputs


def test_two_processes_share_the_store(store):
    tokens = [token() for _ in range(100)]
    first, second = tokens[:60], tokens[40:]  # 20 tokens sent by both
    outputs = run_processes(store.url, [("p1", 10**9, first), ("p2", 10**9, second)])
    lines = outputs[0] + outputs[1]
    assert sum(line.startswith("created") for line in lines) == 100
    assert sum(line.startswith("repeat") for line in lines) == 20
    with store.engine.connect() as connection:
        stored = connection.execute(
            select(func.count()).select_from(Contribution).where(Contribution.token.in_(tokens))
        ).scalar()
    assert stored == 100


def test_the_rate_limit_holds_across_processes(store):
    session = f"shared-{token()[:8]}"
    outputs = run_processes(
        store.url, [(session, 3, [token() for _ in range(5)]) for _ in range(2)]
    )
    lines = outputs[0] + outputs[1]
    assert sum(line.startswith("created") for line in lines) == 3
    assert sum(line == "refused rate_limited" for line in lines) == 7
