"""Fixtures of the contribute and moderation page tests: the app on the real build, with a
contributions store of its own: a SQLite file (`store_url`), or for the tests that take
`any_store_url` each engine in turn (PostgreSQL when TEST_DATABASE_URL is set, as in
tests/store). The pages' code is the same on both; tests/store covers the engines in depth."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from lib.store import open_store
from tests.store.conftest import ENGINES, new_store_url

PASSWORD = "a long moderator password"


def _store_url(name, tmp_path_factory, monkeypatch):
    url, drop = new_store_url(name, tmp_path_factory)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setattr("lib.store.accounts.SCRYPT_N", 2**10)  # fast hashes in tests
    yield url
    open_store(url).dispose()
    drop()


@pytest.fixture
def store_url(tmp_path_factory, monkeypatch):
    yield from _store_url("sqlite", tmp_path_factory, monkeypatch)


@pytest.fixture(params=ENGINES)
def any_store_url(request, tmp_path_factory, monkeypatch):
    yield from _store_url(request.param, tmp_path_factory, monkeypatch)


@pytest.fixture
def contrib_engine(store_url):
    return open_store(store_url)


@pytest.fixture
def store_page(new_app, store_url):
    """A fresh AppTest opened on one page (by its path under pages/)."""

    def open_page(path: str) -> AppTest:
        at = new_app()
        at.run()
        at.switch_page(path).run()
        assert not at.exception, at.exception
        return at

    return open_page
