"""Run as a separate process by test_processes.py: submit reports to a store.

    python -m tests.store.submitter URL SESSION PER_SESSION TOKEN...

Prints one line per token: "created ID", "repeat ID" or "refused CODE".
"""

from __future__ import annotations

import sys

from lib.store import RateLimits, Refused, open_store, submit
from tests.store.forms import submission


def main(url: str, session: str, per_session: str, *tokens: str) -> None:
    engine = open_store(url)
    limits = RateLimits(per_session=int(per_session), per_address=10**9)
    for token in tokens:
        try:
            report = submission(token=token, name=f"process {token[:6]}", categories=("Library",))
            stored = submit(
                engine, report, session_id=session, client_address="192.0.2.200", limits=limits
            )
        except Refused as refused:
            print("refused", refused.code, flush=True)
        else:
            print("created" if stored.created else "repeat", stored.id, flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
