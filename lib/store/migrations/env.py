"""Alembic environment of the contributions store.

Migrations run programmatically (lib.store.engine.migrate) on a connection the caller opened
and locked, so two app processes starting at once never migrate twice. Autogenerate compares
against lib.store.models and ignores the PostGIS column `geom`, which only PostgreSQL has.
"""

from alembic import context

from lib.store.models import Base

VERSION_TABLE = "store_alembic_version"


def include_object(obj, name, type_, reflected, compare_to):
    return not (type_ in {"column", "index"} and name in {"geom", "ix_contributions_geom"})


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError(
            "Run the store's migrations with `python -m lib.store migrate` (or open the store "
            "with lib.store.open_store), which passes a locked connection."
        )
    # On PostgreSQL the version table is looked for in the schema the tables go to (the first
    # of the search_path), never in another schema that the search_path can also see.
    schema = None
    if connection.dialect.name == "postgresql":
        schema = connection.exec_driver_sql("SELECT current_schema()").scalar()
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        version_table=VERSION_TABLE,
        version_table_schema=schema,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


run()
