"""Shared fixtures.

Integration tests run the real data build once per session on the raw inputs in
GEODATA_SOURCE (../shared/geodata in this team's environment and in CI). Without it they skip
and say why; with it set to a wrong folder they fail, as the build would.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture(scope="session")
def geodata_source() -> Path:
    source = os.environ.get("GEODATA_SOURCE")
    if not source:
        pytest.skip(
            "GEODATA_SOURCE is not set: export GEODATA_SOURCE=/path/to/shared/geodata "
            "to run the integration tests on the real inputs"
        )
    return Path(source)


@pytest.fixture(scope="session")
def built_gpkg(geodata_source, tmp_path_factory) -> Path:
    """geodata/london.gpkg built from the real inputs into a temporary folder (once)."""
    from lib.build.pipeline import build

    out = tmp_path_factory.mktemp("built") / "london.gpkg"
    build(geodata_source, out)
    return out


@pytest.fixture
def new_app(built_gpkg, monkeypatch):
    """Make a fresh AppTest of app.py on the real build."""
    monkeypatch.setenv("JOINED_UP_GPKG", str(built_gpkg))
    monkeypatch.delenv("JOINED_UP_PUBLIC_URL", raising=False)

    def make(timeout: int = 180) -> AppTest:
        # The cached layers and results are read-only and come from the same build in every
        # test of this worker, so they are kept: a test that changes the build clears them.
        return AppTest.from_file(APP, default_timeout=timeout)

    return make


@pytest.fixture
def app(new_app) -> AppTest:
    return new_app()


@pytest.fixture
def app_on_neutral_page(new_app) -> AppTest:
    """The app run once on the Data & sources page (no bound widgets), so that a page opened
    next with switch_page reads its parameters as a fresh browser tab would: on a page switch
    Streamlit drops the parameters bound to a widget of the page being left."""
    at = new_app()
    at.run()
    at.switch_page("pages/sources.py").run()
    assert not at.exception
    return at


@pytest.fixture
def downloads(monkeypatch) -> dict:
    """What each lazy download button would make, by its file name (called on demand)."""
    made: dict = {}
    real = MediaFileManager.add_deferred

    def record(self, data_callable, mimetype, coordinates, file_name=None, **kw):
        made[file_name] = data_callable
        return real(self, data_callable, mimetype, coordinates, file_name, **kw)

    monkeypatch.setattr(MediaFileManager, "add_deferred", record)
    return made


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that needs the real build is an integration test (`make test-fast` skips them)."""
    for item in items:
        if "built_gpkg" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.integration)
