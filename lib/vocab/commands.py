"""The shell commands the app shows, each a `make` target: pasted into a fresh shell in a fresh
clone they work, with no virtual environment to activate (tests/test_commands.py runs them
against the Makefile, as it does the README's)."""

BUILD_DATA = "export GEODATA_SOURCE=/path/to/geodata\nmake data"
MAKE_MODERATOR = "make moderator NAME=alice"
WORKSHOP = "make workshop"

SHOWN = (BUILD_DATA, MAKE_MODERATOR, WORKSHOP)
