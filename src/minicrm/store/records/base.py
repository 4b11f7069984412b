"""What every record module shares: fresh ids for bulk inserts, and the rows a delete unlinks."""

from __future__ import annotations

from minicrm.core.errors import Conflict, Refused

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from typing import Any

    from minicrm.store.db import Database


def quoted(name: str) -> str:
    """A table or column name as an SQL identifier (names come from the schema or the change log)."""
    if not name.replace("_", "").isalnum():
        raise Conflict(f"invalid table name {name!r} in the change log")
    return f'"{name}"'


def allocate_ids(db: Database, table: str, count: int) -> list[int]:
    """``count`` fresh primary keys for rows inserted with executemany (which returns none).

    SQLite: the write transaction holds the database lock, so the next ids are safe to take; past
    the largest id ever used (``sqlite_sequence``) for the tables that never reuse the id of a
    deleted record, or a new contact would inherit a deleted one's history. PostgreSQL: taken
    from the table's sequence."""
    if count <= 0:
        return []
    if db.is_sqlite:
        used = db.scalar(
            f"SELECT max(coalesce((SELECT max(id) FROM {table}), 0), "
            "coalesce((SELECT seq FROM sqlite_sequence WHERE name = ?), 0))",
            (table,),
        )
        start = int(used) + 1
        return list(range(start, start + count))
    rows = db.all(
        f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) AS id FROM generate_series(1, ?)", (count,)
    )
    return [int(r["id"]) for r in rows]


def deleted(cursor: Any, table: str, row_id: int) -> None:
    """A DELETE of a row just read removed nothing: a row-level security policy hid it from the
    delete (PostgreSQL after ``minicrm team secure``; the row is someone else's)."""
    if cursor.rowcount == 0:
        raise Refused(f"not allowed: {table} {row_id} is not yours to delete (only its owner or an admin)")


def insert_sql(table: str, columns: tuple[str, ...] | list[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def update_row(
    db: Database, table: str, row_id: int, values: dict[str, object], base_version: int | None = None
) -> int | None:
    """``UPDATE table SET <values> WHERE id = ?``. With ``base_version``: ``…, version = base + 1
    WHERE id = ? AND version = base``, returning the new version, or None when the row moved on
    meanwhile (nothing is written; ``services.versions`` turns that into a conflict)."""
    if base_version is None:
        if values:
            db.execute(
                f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in values)} WHERE id = ?",
                [*values.values(), row_id],
            )
        return None
    new_version = int(base_version) + 1
    columns = {k: v for k, v in values.items() if k != "version"}
    assignments = ", ".join(f"{column} = ?" for column in columns)
    cursor = db.execute(
        f"UPDATE {table} SET {assignments}, version = ? WHERE id = ? AND version = ?",
        [*columns.values(), new_version, row_id, int(base_version)],
    )
    return new_version if cursor.rowcount == 1 else None


# -- rows a delete unlinks (foreign keys ON DELETE SET NULL) ----------------------------------
_LINKS_CACHE: dict[tuple[str, str], list[tuple[str, str]]] = {}


def set_null_links(db: Database, table: str) -> list[tuple[str, str]]:
    """``(table, column)`` pairs whose foreign key to ``table`` is ON DELETE SET NULL."""
    key = (db.target.describe(), table)
    if key not in _LINKS_CACHE:
        _LINKS_CACHE[key] = _find_set_null_links(db, table)
    return _LINKS_CACHE[key]


def _find_set_null_links(db: Database, table: str) -> list[tuple[str, str]]:
    if db.is_sqlite:
        found = []
        for t in db.all("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"):
            for fk in db.all(f"PRAGMA foreign_key_list({quoted(str(t['name']))})"):
                if fk["table"] == table and str(fk["on_delete"]).upper() == "SET NULL":
                    found.append((str(t["name"]), str(fk["from"])))
        return sorted(found)
    rows = db.all(
        "SELECT cl.relname AS tbl, att.attname AS col FROM pg_constraint con "
        "JOIN pg_class cl ON cl.oid = con.conrelid JOIN pg_class ref ON ref.oid = con.confrelid "
        "JOIN pg_attribute att ON att.attrelid = con.conrelid AND att.attnum = con.conkey[1] "
        "WHERE con.contype = 'f' AND con.confdeltype = 'n' AND ref.relname = ? "
        "AND cl.relnamespace = current_schema()::regnamespace",
        (table,),
    )
    return sorted((str(r["tbl"]), str(r["col"])) for r in rows)


def unlinked_rows(db: Database, table: str, entity_id: int) -> dict[str, list[int]]:
    """What deleting row ``entity_id`` of ``table`` will unlink: ``{"deal.company_id": [3, 4]}``.
    Recorded in the delete's snapshot so that undo can link them back."""
    found = {}
    for other, column in set_null_links(db, table):
        ids = [
            int(r["id"])
            for r in db.all(
                f"SELECT id FROM {quoted(other)} WHERE {quoted(column)} = ? ORDER BY id", (entity_id,)
            )
        ]
        if ids:
            found[f"{other}.{column}"] = ids
    return found
