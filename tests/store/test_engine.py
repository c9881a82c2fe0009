"""Opening the store: configuration, migrations, engine settings, append-only tables."""

from __future__ import annotations

import stat
import threading

import pytest
from sqlalchemy import exc, inspect, text

from lib.store import PUBLIC_COLUMNS, open_store
from lib.store.engine import (
    DEFAULT_SQLITE_PATH,
    StoreConfigError,
    current_revision,
    database_url,
    head_revision,
    make_engine,
    pool_size,
)
from lib.store.submit import submit
from tests.store.forms import submission

TABLES = {
    "contributions",
    "contacts",
    "revisions",
    "moderation_log",
    "moderators",
    "rate_events",
    "store_alembic_version",
}


def test_url_from_the_environment(tmp_path):
    assert database_url({}) == f"sqlite:///{DEFAULT_SQLITE_PATH}"
    assert database_url({"JOINED_UP_CONTRIBUTIONS_DB": str(tmp_path / "c.sqlite")}) == (
        f"sqlite:///{tmp_path / 'c.sqlite'}"
    )
    url = database_url({"DATABASE_URL": "postgres://u:p@db/jul", "JOINED_UP_CONTRIBUTIONS_DB": "x"})
    assert url == "postgresql+psycopg://u:p@db/jul"


def test_default_sqlite_file_is_outside_the_built_data():
    assert DEFAULT_SQLITE_PATH.parent.name == "data"
    assert "geodata" not in DEFAULT_SQLITE_PATH.parts


def test_unusable_urls_say_why():
    with pytest.raises(StoreConfigError, match="SQLite file"):
        make_engine("sqlite://")
    with pytest.raises(StoreConfigError, match="PostgreSQL"):
        make_engine("mysql://u@h/db")


def test_schema_is_migrated_to_head(store):
    names = set(inspect(store.engine).get_table_names())
    assert TABLES <= names
    assert current_revision(store.engine) == head_revision()
    assert "public_contributions" in inspect(store.engine).get_view_names()


def test_the_public_view_has_exactly_the_public_columns(store):
    columns = [c["name"] for c in inspect(store.engine).get_columns("public_contributions")]
    assert tuple(columns) == PUBLIC_COLUMNS
    assert not {"token", "moderation", "consent", "postcode"} & set(columns)


def test_engine_settings(store):
    with store.engine.connect() as connection:
        if store.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        else:
            geom = connection.execute(
                text(
                    "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                    "WHERE attrelid = 'contributions'::regclass AND attname = 'geom'"
                )
            ).scalar()
            assert geom == "geometry(Point,27700)"
            index = connection.execute(
                text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_contributions_geom'")
            ).scalar()
            assert "USING gist (geom)" in index


def test_opening_again_is_harmless(store):
    assert open_store(store.url) is open_store(store.url)
    fresh = open_store(store.url, fresh=True)
    assert current_revision(fresh) == head_revision()
    fresh.dispose()


@pytest.mark.parametrize("table", ["revisions", "moderation_log"])
def test_append_only_tables_refuse_update_and_delete(store, table):
    stored = submit(store.engine, submission(), session_id="s-append", client_address=None)
    if table == "moderation_log":
        from lib.store.moderation import set_moderation

        set_moderation(store.engine, stored.id, "approved", moderator="mod")
    for statement in (
        f"UPDATE {table} SET contribution_id = contribution_id",
        f"DELETE FROM {table}",
    ):
        with pytest.raises(exc.DBAPIError, match="append-only"):
            with store.engine.begin() as connection:
                connection.exec_driver_sql(statement)


def test_contributions_are_never_deleted(store):
    submit(store.engine, submission(), session_id="s-delete", client_address=None)
    with pytest.raises(exc.DBAPIError, match="refuses"):
        with store.engine.begin() as connection:
            connection.exec_driver_sql("DELETE FROM contributions")


def test_processes_starting_together_migrate_once(tmp_path_factory, request):
    """Four engines (as four app processes would) open a new store at the same moment."""
    from tests.store.conftest import new_store_url

    for name in ("sqlite", "postgresql"):
        try:
            url, drop = new_store_url(name, tmp_path_factory)
        except pytest.skip.Exception:
            continue
        barrier, errors, engines = threading.Barrier(4), [], []

        def start(url=url, barrier=barrier, errors=errors, engines=engines):
            barrier.wait()
            try:
                engines.append(open_store(url, fresh=True))
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)

        threads = [threading.Thread(target=start) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors, (name, errors)
        assert {current_revision(e) for e in engines} == {head_revision()}
        for engine in engines:
            engine.dispose()
        drop()


def test_a_postgresql_store_is_made_in_its_own_schema(store):
    """A store already migrated in a schema the search_path also sees is not mistaken for
    this one (the version table is looked for in the schema the tables go to)."""
    if store.name != "postgresql":
        pytest.skip("PostgreSQL schemas only")
    from sqlalchemy import create_engine, make_url

    from tests.store.conftest import pg_base_url

    with store.engine.connect() as connection:
        first = connection.exec_driver_sql("SELECT current_schema()").scalar()
    assert TABLES <= set(inspect(store.engine).get_table_names(schema=first))
    second = f"{first}_b"
    admin = create_engine(pg_base_url())
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {second}")
    try:
        url = make_url(pg_base_url()).update_query_dict(
            {"options": f"-csearch_path={second},{first},public"}
        )
        engine = open_store(url.render_as_string(hide_password=False), fresh=True)
        assert TABLES <= set(inspect(engine).get_table_names(schema=second))
        engine.dispose()
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {second} CASCADE")
        admin.dispose()


def test_the_sqlite_file_is_private_to_its_owner(tmp_path):
    """Issue 16, item 16: it was created world-readable (contact details, password hashes)."""
    made = tmp_path / "new" / "contributions.sqlite"
    old = tmp_path / "old.sqlite"
    old.touch(mode=0o644)
    old.chmod(0o644)
    for path in (made, old):
        engine = open_store(f"sqlite:///{path}", fresh=True)
        submit(
            engine,
            submission(),
            session_id="private",
            client_address=None,
        )
        engine.dispose()
        for written in [path, *path.parent.glob(path.name + "-*")]:
            assert stat.S_IMODE(written.stat().st_mode) & 0o077 == 0, written


def test_postgresql_pools_share_the_connection_budget_between_instances():
    """Issue 16, item 11: each process kept up to 30 connections, so 4-5 instances under a
    burst went past PostgreSQL's 100 and sends failed."""
    assert pool_size({}) == 80
    assert pool_size({"JOINED_UP_INSTANCES": "5"}) == 16
    assert pool_size({"JOINED_UP_INSTANCES": "4", "JOINED_UP_DB_CONNECTIONS": "40"}) == 10
    assert pool_size({"JOINED_UP_INSTANCES": "100"}) == 2
    with pytest.raises(StoreConfigError, match="JOINED_UP_INSTANCES"):
        pool_size({"JOINED_UP_INSTANCES": "five"})
    engine = make_engine("postgresql://user@localhost/db")  # not connected: the pool's settings
    assert (engine.pool.size(), engine.pool._max_overflow) == (80, 0)


def test_a_burst_past_the_pool_queues_and_loses_nothing(store, monkeypatch):
    """More senders at once than the pool holds: each waits for a connection, none fails."""
    monkeypatch.setenv("JOINED_UP_INSTANCES", "40")  # a pool of 2 connections
    engine = make_engine(store.url)
    barrier = threading.Barrier(12)
    errors = []

    def send(i: int) -> None:
        barrier.wait()
        try:
            submit(engine, submission(), session_id=f"burst-{i}", client_address=None)
        except Exception as error:  # noqa: BLE001 - the test counts what failed
            errors.append(error)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()
    assert errors == []
