"""Fixtures of the contributions store's tests: every test runs on SQLite, and on PostgreSQL
(with PostGIS) when TEST_DATABASE_URL names one (.ci/postgres.sh makes it and prints the URL).

Each test module gets a store of its own: a SQLite file in a temporary folder, or a fresh
schema in the PostgreSQL test database (dropped afterwards).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, create_engine, make_url

from lib.store.engine import normalise_url, open_store

ENGINES = ["sqlite", "postgresql"]


@dataclass
class StoreUnderTest:
    name: str
    url: str
    engine: Engine

    def reopen(self) -> Engine:
        """A new engine on the same database, as a restarted app process would make."""
        self.engine.dispose()
        self.engine = open_store(self.url, fresh=True)
        return self.engine


def pg_base_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    return normalise_url(url) if url else None


def new_store_url(name: str, tmp_path_factory) -> tuple[str, callable]:
    """A URL on an empty store of this engine, and what drops it afterwards."""
    if name == "sqlite":
        path = tmp_path_factory.mktemp("store") / "contributions.sqlite"
        return f"sqlite:///{path}", lambda: None
    base = pg_base_url()
    if base is None:
        pytest.skip(
            "TEST_DATABASE_URL is not set: run .ci/postgres.sh and export the URL it prints to "
            "run the store's tests on PostgreSQL too"
        )
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema},public"})

    def drop() -> None:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()

    return url.render_as_string(hide_password=False), drop


@pytest.fixture(scope="module", params=ENGINES)
def store(request, tmp_path_factory) -> Iterator[StoreUnderTest]:
    """A migrated, empty store for this test module, on each engine."""
    url, drop = new_store_url(request.param, tmp_path_factory)
    under_test = StoreUnderTest(request.param, url, open_store(url, fresh=True))
    yield under_test
    under_test.engine.dispose()
    drop()


@pytest.fixture
def engine(store) -> Engine:
    return store.engine
