"""Alembic environment for minicrm (run programmatically by ``minicrm.store.schema``)."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import create_engine, pool

from minicrm.store.tables import metadata

#: Objects Alembic must not manage: the FTS5 index and its shadow tables (created by hand in
#: the migrations) and PostgreSQL's trigram index.
UNMANAGED_PREFIXES = ("search_fts",)


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    return not (name or "").startswith(UNMANAGED_PREFIXES) and name != "ix_search_doc_body_trgm"


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


def _run(connection: Any) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    if connection.dialect.name == "sqlite":
        connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
