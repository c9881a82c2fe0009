"""Every command the README or a page shows works pasted into a fresh shell in a fresh clone.

A fresh shell has no virtual environment active, so `python -m ...` or `streamlit run` fail
there (`No module named 'alembic'`, `streamlit: command not found`): every command shown is a
`make` target, checked against the Makefile here, and the cheap ones are run.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from lib.vocab import commands

ROOT = Path(__file__).resolve().parents[1]
# Words that start a command line; the others in a code block (paths, file trees) are not.
COMMAND_WORDS = {"make", "export", "python", "python3", "streamlit", "pip", "pytest", "npm"}
NEEDS_THE_VENV = {"python", "python3", "streamlit", "pip", "pytest"}
ENV_PREFIX = re.compile(r"^(?:[A-Z_]+=\S*\s+)*")


def shell_commands(markdown: str) -> list[str]:
    """The command lines of fenced code blocks and of inline code, comments dropped."""
    fenced = re.findall(r"^\s*```[a-z]*\n(.*?)^\s*```", markdown, flags=re.M | re.S)
    text = re.sub(r"^\s*```.*?^\s*```", "", markdown, flags=re.M | re.S)
    lines = [line for block in fenced for line in block.splitlines()]
    lines += [" ".join(span.split()) for span in re.findall(r"`([^`\n]+(?:\n[^`\n]+)?)`", text)]
    found = []
    for line in lines:
        line = line.split("  #")[0].strip()
        words = ENV_PREFIX.sub("", line).split()
        if words and (words[0] in COMMAND_WORDS or words[0].startswith(".venv/")):
            found.append(line)
    return found


README_COMMANDS = shell_commands((ROOT / "README.md").read_text(encoding="utf-8"))
PAGE_COMMANDS = [line for shown in commands.SHOWN for line in shown.splitlines()]


def test_the_readme_shows_its_commands():
    assert "make run PORT=8502" in README_COMMANDS
    assert "make moderator NAME=alice" in README_COMMANDS
    assert "make workshop" in README_COMMANDS


@pytest.mark.parametrize("line", README_COMMANDS + PAGE_COMMANDS)
def test_each_command_works_in_a_fresh_shell(line):
    env_and_command = shlex.split(line.removesuffix("&"))
    words = [w for w in env_and_command if not re.match(r"^[A-Z_]+=", w)]
    assert words[0] not in NEEDS_THE_VENV and not words[0].startswith(".venv/"), (
        f"{line!r} needs the project's virtual environment: show a make target instead"
    )
    if words[0] == "make":
        dry = subprocess.run(
            ["make", "-n", *words[1:]], cwd=ROOT, capture_output=True, text=True, timeout=60
        )
        assert dry.returncode == 0, dry.stderr


def test_no_page_shows_a_command_that_needs_the_venv():
    for path in [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "lib").rglob("*.py")]:
        if "lib/store" in path.as_posix() or "lib/build" in path.as_posix():
            continue  # their own command lines' help, run through make
        text = path.read_text(encoding="utf-8")
        for pattern in ("python -m", "streamlit run"):
            assert pattern not in text, f"{path.relative_to(ROOT)} shows {pattern!r}"


def test_the_port_is_chosen_with_port():
    dry = subprocess.run(
        ["make", "-n", "run", "PORT=8502"], cwd=ROOT, capture_output=True, text=True
    )
    assert "streamlit run app.py --server.port 8502" in dry.stdout
    dry = subprocess.run(
        ["make", "-n", "workshop", "PORT=8503"], cwd=ROOT, capture_output=True, text=True
    )
    assert "--server.address 0.0.0.0 --server.port 8503" in dry.stdout


def test_make_moderator_as_shown_makes_one(tmp_path):
    """Run as the page and the README show it, in a shell with no virtual environment active
    and no terminal (so the password is read from standard input)."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "DATABASE_URL")}
    env["PATH"] = os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p
    )
    env["JOINED_UP_CONTRIBUTIONS_DB"] = str(tmp_path / "store.sqlite")
    password = "a long enough passphrase 42\n"
    made = subprocess.run(
        shlex.split(commands.MAKE_MODERATOR),
        cwd=ROOT,
        env=env,
        input=password * 2,
        capture_output=True,
        text=True,
        timeout=120,
        start_new_session=True,
    )
    assert made.returncode == 0, made.stderr
    assert "Moderator 'alice' created" in made.stdout
    missing = subprocess.run(
        ["make", "moderator"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert missing.returncode == 2
    assert "make moderator NAME=alice" in missing.stderr
