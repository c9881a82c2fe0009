"""read_upload in a process of its own, with a time and a memory budget.

A hostile or unlucky file can make a read run for ever (a GeoPackage view over an endless
recursive query) or take hours and gigabytes (repairing a polygon that crosses itself thousands
of times). Inside the app's process nothing could stop it, and GDAL's process-wide settings
would be held meanwhile. In a child process the read is killed when it runs out of time, and
it is killed when its resident memory grows past its budget; the app's process holds no lock
while it waits. (Linux: the memory is read from /proc.)

The child is a fresh interpreter running this module (`-m lib.uploads.bounded`), not a fork of the server's
threads nor multiprocessing's spawn, which would run Streamlit's page (`__main__`) again. Its
temporary files live in a folder the parent removes, also when the child was killed.
"""

from __future__ import annotations

import logging
import os
import pickle
import select
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lib.uploads.model import UploadResult, megabytes
from lib.uploads.reader import read_upload

log = logging.getLogger(__name__)

TIME_BUDGET_S = 60.0
#: Resident memory the read may add to what the child holds before it starts.
MEMORY_BUDGET_BYTES = 1024 * 1024 * 1024
WATCH_S = 0.1  # how often the child's memory and time are looked at
REPO_ROOT = Path(__file__).resolve().parents[2]
READY = b"R"


def read_upload_bounded(
    name: str,
    data: bytes,
    *,
    seconds: float = TIME_BUDGET_S,
    memory_bytes: int = MEMORY_BUDGET_BYTES,
    **options,
) -> UploadResult:
    """read_upload(name, data, **options) in a child process: its result, or a failed result
    saying the file took too long or too much memory (the child is then killed)."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="joined-up-upload-") as folder:
        child = subprocess.Popen(
            [sys.executable, "-m", "lib.uploads.bounded"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=REPO_ROOT,
            env=os.environ | {"TMPDIR": folder},
        )
        assert child.stdin is not None and child.stdout is not None
        try:
            child.stdin.write(pickle.dumps((name, data, options)))
            child.stdin.close()
            if child.stdout.read(1) != READY:
                return _died(name, memory_bytes)
            base = _resident(child.pid)
            while not select.select([child.stdout], [], [], WATCH_S)[0]:
                if _resident(child.pid) - base > memory_bytes:
                    log.warning("Reading the upload %r went over its memory: stopped", name)
                    return _died(name, memory_bytes)
                if time.monotonic() - started > seconds:
                    log.warning("Reading the upload %r took over %s s: stopped", name, seconds)
                    return UploadResult(name=name).fail(
                        f"{name} took longer than {seconds:.0f} seconds to read, so it was "
                        "stopped. A very large file, a GeoPackage view that never ends, or a "
                        "polygon whose outline crosses itself many times can do this: simplify "
                        "it (in QGIS, Fix geometries) or send a smaller file."
                    )
            answer = child.stdout.read()
            # Our own child's answer, made by our code (the file itself is never unpickled).
            return pickle.loads(answer) if answer else _died(name, memory_bytes)
        except BrokenPipeError:
            return _died(name, memory_bytes)
        finally:
            child.kill()
            child.wait()
            child.stdout.close()


def _died(name: str, memory_bytes: int) -> UploadResult:
    """The child ended without an answer: out of memory (killed by us or by the system)."""
    log.warning("Reading the upload %r ended without a result", name)
    return UploadResult(name=name).fail(
        f"{name} needs more memory to read than the {megabytes(memory_bytes)} an upload may "
        "use. Try a smaller file, or fewer features."
    )


def _resident(pid: int) -> int:
    """A process's resident memory in bytes (0 once it has gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _child() -> None:
    """The child: read the job from stdin, answer on stdout (anything else printed goes to
    stderr, so it cannot spoil the answer)."""
    answer = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    name, data, options = pickle.load(sys.stdin.buffer)
    answer.write(READY)
    answer.flush()
    answer.write(pickle.dumps(read_upload(name, data, **options)))
    answer.close()


if __name__ == "__main__":
    _child()
