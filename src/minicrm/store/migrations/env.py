"""Alembic environment for minicrm (run programmatically by ``minicrm.store.schema``)."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import create_engine, pool

from minicrm.store.schema import include_object
from minicrm.store.tables import metadata


def run_migrations_offline() -> None:
    context.configure(
        url=context.config.get_main_option("sqlalchemy.url"),
        target_metadata=metadata,
        literal_binds=True,
        include_object=include_object,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = context.config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    engine = create_engine(context.config.get_main_option("sqlalchemy.url") or "", poolclass=pool.NullPool)
    if engine.dialect.name == "sqlite":
        _one_sqlite_transaction(engine)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _one_sqlite_transaction(engine: Any) -> None:
    """The sqlite3 driver commits on its own before DDL, so a migration killed half-way would
    leave half a schema behind. Take transactions over: BEGIN IMMEDIATE at SQLAlchemy's begin,
    so that a migration (and its alembic_version row) is all or nothing."""
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys = OFF")  # outside any transaction, where it counts

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


#: PostgreSQL: migrations hold this advisory lock, so that two first commands on an empty
#: database (two reps running ``minicrm init`` at once) migrate one after the other: the second
#: then finds the schema current and does nothing.
MIGRATION_LOCK_KEY = 0x6D63726E


def _run(connection: Any) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
    else:
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()  # the transaction the PRAGMA / the advisory lock began


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
