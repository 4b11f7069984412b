"""Is a database's schema the one the migrations build? ``restore`` asks it of a backup before
putting it in place, ``doctor`` of the live database.

A revision number alone says what the schema should be, not what it is: a table dropped by hand
(or by a damaged file) leaves the revision as it was, and every command then fails with "no such
table". On SQLite the reference is the migrations themselves: they are run once per process into
a scratch file, and every table, column (name, declared type, NOT NULL, key), index, trigger and
view they make must be in the database checked, on the same table. The FTS5 index and the
triggers that keep it and the stage-flow table current are objects like any other there. On
PostgreSQL the tables, columns, indexes and constraints are compared with the declared tables
(``store.tables``, which ``tests/test_migrations.py`` proves the migrations build) by Alembic's
own comparison, and the objects made by hand (``schema.UNMANAGED_NAMES``) must be there; its
triggers are not compared. Objects a database has beyond these (an index of the user's own) are
no problem. Both checks load Alembic (slow), and only ``restore`` and ``doctor`` use them.
"""

from __future__ import annotations

import functools
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from minicrm.store.db import Database, Target
from minicrm.store.schema import UNMANAGED_NAMES, include_object, run_migrations

__all__ = ["SqliteCatalog", "schema_problems", "sqlite_problems"]

#: the most differences listed; more are counted
_SHOWN = 5


@dataclass(frozen=True, slots=True)
class SqliteCatalog:
    #: (type, name) → the table it belongs to, for every table, index, trigger and view
    objects: dict[tuple[str, str], str]
    #: table → its columns: (name, declared type, not null, primary key position)
    columns: dict[str, tuple[tuple[str, str, int, int], ...]]


def sqlite_catalog(conn: sqlite3.Connection) -> SqliteCatalog:
    """What the SQLite database ``conn`` holds (``sqlite_…`` internals aside)."""
    rows = conn.execute(
        "SELECT type, name, tbl_name FROM sqlite_master "
        "WHERE type IN ('table', 'index', 'trigger', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
    ).fetchall()
    objects = {(str(kind), str(name)): str(table) for kind, name, table in rows}
    columns = {}
    for (kind, name), _table in objects.items():
        if kind == "table":
            info = conn.execute(f'PRAGMA table_xinfo("{name.replace(chr(34), chr(34) * 2)}")').fetchall()
            columns[name] = tuple((str(c[1]), str(c[2]).upper(), int(c[3]), int(c[5])) for c in info)
    return SqliteCatalog(objects, columns)


@functools.cache
def expected_sqlite_catalog() -> SqliteCatalog:
    """The schema the migrations build on SQLite, built once per process in a scratch file."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="minicrm-schema-") as scratch:
        path = Path(scratch) / "reference.db"
        run_migrations(Target("sqlite", path=path))
        conn = sqlite3.connect(str(path))
        try:
            return sqlite_catalog(conn)
        finally:
            conn.close()


def sqlite_problems(conn: sqlite3.Connection) -> list[str]:
    """How the SQLite database ``conn`` falls short of the migrations' schema; [] if it does
    not. sqlite3.Error when it cannot be read."""
    return _compare(expected_sqlite_catalog(), sqlite_catalog(conn))


def _compare(expected: SqliteCatalog, actual: SqliteCatalog) -> list[str]:
    found = [f"table {t} is missing" for t in sorted(expected.columns) if t not in actual.columns]
    for table, columns in sorted(expected.columns.items()):
        have_columns = actual.columns.get(table)
        if have_columns is None or have_columns == columns:
            continue
        by_name = {c[0]: c for c in have_columns}
        for column in columns:
            there = by_name.get(column[0])
            if there is None:
                found.append(f"column {table}.{column[0]} is missing")
            elif there != column:
                found.append(f"column {table}.{column[0]} is {_shape(there)}, not {_shape(column)}")
    for (kind, name), table in sorted(expected.objects.items()):
        if kind == "table" or (table in expected.columns and table not in actual.columns):
            continue  # a missing table is said once, not once more for each of its indexes
        have = actual.objects.get((kind, name))
        if have is None:
            found.append(f"{kind} {name} is missing")
        elif have != table:
            found.append(f"{kind} {name} is on table {have}, not {table}")
    return found


def _shape(column: tuple[str, str, int, int]) -> str:
    _, kind, not_null, key = column
    return " ".join(p for p in (kind or "untyped", "NOT NULL" if not_null else "", "KEY" if key else "") if p)


def schema_problems(db: Database) -> list[str]:
    """How the open database falls short of the schema this minicrm expects; [] if it does not."""
    if db.is_sqlite:
        try:
            return sqlite_problems(db.raw)
        except sqlite3.Error as exc:
            return [f"its schema cannot be read: {exc}"]
    return _postgres_problems(db.target)


def _postgres_problems(target: Target) -> list[str]:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine, pool

    from minicrm.store.tables import metadata

    engine = create_engine(target.sqlalchemy_url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"include_object": include_object})
            diffs = compare_metadata(context, metadata)
            absent = [
                name
                for name in UNMANAGED_NAMES
                if connection.exec_driver_sql(f"SELECT to_regclass('{name}') IS NULL").scalar()
            ]
    finally:
        engine.dispose()
    missing_tables = {d[1].name for d in diffs if isinstance(d, tuple) and d[0] == "add_table"}
    found = [
        _describe(d)
        for d in diffs
        if not _is_extra(d)
        and not (isinstance(d, tuple) and d[0] == "add_index" and d[1].table.name in missing_tables)
    ]
    return found + [f"index {name} is missing" for name in absent]


def _is_extra(diff: object) -> bool:
    """An object the database has and the tables do not declare: no problem for minicrm."""
    return isinstance(diff, tuple) and bool(diff) and str(diff[0]).startswith("remove_")


def _describe(diff: object) -> str:
    if isinstance(diff, list):  # column modifications come as a list of tuples
        return "; ".join(_describe(d) for d in diff)
    if not isinstance(diff, tuple) or not diff:
        return str(diff)
    action = str(diff[0])
    if action == "add_table":
        return f"table {diff[1].name} is missing"
    if action == "add_column":
        return f"column {diff[2]}.{diff[3].name} is missing"
    if action == "add_index":
        return f"index {diff[1].name} is missing"
    if action in ("add_constraint", "add_fk"):
        return f"constraint {getattr(diff[1], 'name', None) or diff[1]} is missing"
    if action.startswith("modify_"):
        return f"column {diff[2]}.{diff[3]} differs ({action[len('modify_') :]})"
    return " ".join(str(p) for p in diff)


def summary(problems: list[str]) -> str:
    """The first few problems, and how many more."""
    shown = "; ".join(problems[:_SHOWN])
    return shown + (f"; … ({len(problems)} in all)" if len(problems) > _SHOWN else "")
