"""Shared fixtures.

Integration tests run the real data build once per session on the raw inputs in
GEODATA_SOURCE (../shared/geodata in this team's environment and in CI). Without it they skip
and say why; with it set to a wrong folder they fail, as the build would.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def geodata_source() -> Path:
    source = os.environ.get("GEODATA_SOURCE")
    if not source:
        pytest.skip("GEODATA_SOURCE is not set: export GEODATA_SOURCE=/path/to/shared/geodata "
                    "to run the integration tests on the real inputs")
    return Path(source)


@pytest.fixture(scope="session")
def built_gpkg(geodata_source, tmp_path_factory) -> Path:
    """geodata/london.gpkg built from the real inputs into a temporary folder (once)."""
    from lib.build import build

    out = tmp_path_factory.mktemp("built") / "london.gpkg"
    build(geodata_source, out)
    return out
