"""Open the contributions store: the engine, its settings, and the migrations.

`DATABASE_URL` (PostgreSQL with PostGIS) wins; otherwise a SQLite file at
`JOINED_UP_CONTRIBUTIONS_DB` (default data/contributions.sqlite), which the data build never
touches. SQLite runs in WAL mode with a busy timeout, and every write transaction starts with
BEGIN IMMEDIATE (see `writing`), so concurrent writers queue instead of failing half-way.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, make_url

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SQLITE_PATH = REPO_ROOT / "data" / "contributions.sqlite"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "store_alembic_version"
BUSY_TIMEOUT_MS = 30_000
# Any 64-bit number, the same in every process: the PostgreSQL advisory lock held while
# migrating, so two app instances starting together migrate once.
PG_MIGRATION_LOCK = 0x4A554C53544F5245  # "JULSTORE"
_WRITE = "store_write"


# PostgreSQL allows 100 connections by default; every app instance keeps its own pool. The
# instances share JOINED_UP_DB_CONNECTIONS between them (JOINED_UP_INSTANCES of them), so a
# burst on all of them at once queues for a connection instead of failing.
INSTANCES_VARIABLE = "JOINED_UP_INSTANCES"
CONNECTIONS_VARIABLE = "JOINED_UP_DB_CONNECTIONS"
DEFAULT_CONNECTIONS = 80  # of PostgreSQL's 100, leaving room for psql, backups, migrations
MIN_POOL = 2


def pool_size(environ: os._Environ | dict | None = None) -> int:
    """Connections this process may hold: the shared budget over the number of instances."""
    env = os.environ if environ is None else environ
    try:
        instances = max(1, int(env.get(INSTANCES_VARIABLE) or 1))
        budget = max(1, int(env.get(CONNECTIONS_VARIABLE) or DEFAULT_CONNECTIONS))
    except ValueError as error:
        raise StoreConfigError(
            f"{INSTANCES_VARIABLE} and {CONNECTIONS_VARIABLE} must be whole numbers ({error})."
        ) from None
    return max(MIN_POOL, budget // instances)


class StoreConfigError(Exception):
    """DATABASE_URL or the SQLite path cannot be used; the message says why and what to set."""


def database_url(environ: os._Environ | dict | None = None) -> str:
    """The store's SQLAlchemy URL from the environment (DATABASE_URL, else the SQLite file)."""
    env = os.environ if environ is None else environ
    url = (env.get("DATABASE_URL") or "").strip()
    if url:
        return normalise_url(url)
    path = Path(env.get("JOINED_UP_CONTRIBUTIONS_DB") or DEFAULT_SQLITE_PATH)
    return f"sqlite:///{path}"


def normalise_url(url: str) -> str:
    """postgres:// and postgresql:// (as hosting platforms write them) use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str | None = None) -> Engine:
    """An engine on the store (not migrated: use open_store)."""
    url = normalise_url(url or database_url())
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise StoreConfigError(
                "The contributions store needs a SQLite file, not an in-memory database: "
                "set JOINED_UP_CONTRIBUTIONS_DB to a file path."
            )
        _private_file(Path(parsed.database))
        engine = create_engine(
            url,
            connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
            pool_size=10,
            max_overflow=20,
        )
        _configure_sqlite(engine)
        return engine
    if backend == "postgresql":
        return create_engine(
            url, pool_pre_ping=True, pool_size=pool_size(), max_overflow=0, pool_timeout=30
        )
    raise StoreConfigError(
        f"DATABASE_URL names {backend!r}: the contributions store runs on PostgreSQL "
        "(postgresql://user@host/db) or, with DATABASE_URL unset, on a SQLite file."
    )


def _private_file(path: Path) -> None:
    """The SQLite file readable by its owner only (it holds contact details and password
    hashes); SQLite gives its -wal and -shm files the same permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy's "begin" event, not the sqlite3 module, start transactions.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(_WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A write transaction: BEGIN IMMEDIATE on SQLite (the write lock is taken at the start,
    so a transaction never fails on upgrading a read lock), an ordinary one on PostgreSQL."""
    with engine.connect() as connection:
        connection = connection.execution_options(**{_WRITE: True})
        with connection.begin():
            yield connection


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None, "the store has no migrations"
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        return context.get_current_revision()


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration, once, however many processes start at once:
    a PostgreSQL advisory lock, or SQLite's write lock (BEGIN IMMEDIATE), is held throughout."""
    with writing(engine) as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_MIGRATION_LOCK})")
        command.upgrade(_alembic_config(connection), "head")


_opened: dict[str, Engine] = {}
_opened_lock = threading.Lock()


def open_store(url: str | None = None, *, fresh: bool = False) -> Engine:
    """The migrated engine for `url` (default: from the environment), one per URL per process.
    fresh=True makes a new engine (what a restarted process would have)."""
    url = normalise_url(url or database_url())
    with _opened_lock:
        if not fresh and url in _opened:
            return _opened[url]
        engine = make_engine(url)
        migrate(engine)
        _opened[url] = engine
        return engine
