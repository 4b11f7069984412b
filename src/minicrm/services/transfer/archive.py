"""The whole database as one JSON document, and back: a lossless round trip.

Every table's rows (change log, tags, fields, deals, stage history, interactions, follow-ups,
tombstones…) are exported in primary-key order, so export → import into an empty database →
export gives the identical bytes. Derived data (the FTS index) is rebuilt by the database.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TextIO

from minicrm.core.errors import Conflict, InvalidInput
from minicrm.services.kernel.context import Context
from minicrm.store.db import Database

if TYPE_CHECKING:
    from minicrm.exchange.jsonstream import JsonStream

FORMAT = "minicrm-archive"
VERSION = 1
#: parents before children, so foreign keys hold while rows go in
ORDER = (
    "user_account", "company", "contact", "contact_email", "contact_phone", "contact_field",
    "contact_address", "company_field", "tag",
    "contact_tag", "company_tag", "deal", "deal_tag", "deal_stage_change", "interaction", "followup",
    "cadence_rule", "segment", "service_request", "operation", "change", "change_batch", "tombstone",
    "run_log", "search_doc",
)  # fmt: skip
#: not data: the schema version, and summaries the database derives itself (``stage_flow``: triggers)
_SKIP = {"alembic_version", "stage_flow"}
_BATCH = 1000  # rows per INSERT batch while an archive loads
_CONTENT_TABLES = ("contact", "company", "deal", "interaction", "followup", "operation", "tag", "tombstone")


def _tables(db: Database) -> list[str]:
    if db.is_sqlite:
        names = [
            str(r["name"])
            for r in db.all(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "AND name NOT LIKE 'search_fts%' ORDER BY name"
            )
        ]
    else:
        names = [
            str(r["table_name"])
            for r in db.all(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
                "AND table_type = 'BASE TABLE' ORDER BY table_name"
            )
        ]
    names = [n for n in names if n not in _SKIP]
    known = [n for n in ORDER if n in names]
    return known + sorted(n for n in names if n not in ORDER)


def _columns(db: Database, table: str) -> list[str]:
    if db.is_sqlite:
        return [str(r["name"]) for r in db.all(f"PRAGMA table_info({table})")]
    return [
        str(r["column_name"])
        for r in db.all(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = ? ORDER BY ordinal_position",
            (table,),
        )
    ]


def export_database(ctx: Context, progress: Callable[[int], None] | None = None) -> Iterator[str]:
    """The whole database as deterministic JSON text, in pieces (one row a line), so that a
    large database streams out in bounded memory. One read snapshot covers every table.
    ``progress`` is told the number of rows written so far, after each batch."""
    from minicrm.store.schema import HEAD

    db = ctx.db
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    with db.snapshot():
        yield (f'{{"format": {dumps(FORMAT)}, "version": {VERSION}, "schema": {dumps(HEAD)},\n "tables": {{')
        written = 0
        for t, table in enumerate(_tables(db)):
            columns = _columns(db, table)
            order = ", ".join(str(i) for i in range(1, len(columns) + 1))
            yield f'{"," if t else ""}\n  {dumps(table)}: {{"columns": {dumps(columns)}, "rows": ['
            cursor = db.execute(f"SELECT {', '.join(_q(c) for c in columns)} FROM {table} ORDER BY {order}")
            first = True
            while batch := cursor.fetchmany(1000):
                lines = [dumps([_plain(r[c]) for c in columns]) for r in batch]
                yield ("\n   " if first else ",\n   ") + ",\n   ".join(lines)
                first = False
                written += len(lines)
                if progress:
                    progress(written)
            yield "]}"
        yield "\n }\n}\n"


def _q(column: str) -> str:
    return f'"{column}"'


def _plain(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    return value


def _boolean_positions(db: Database, table: str, columns: list[str]) -> set[int]:
    if db.is_sqlite:
        return set()
    kinds = {
        str(r["column_name"]): str(r["data_type"])
        for r in db.all(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = ?",
            (table,),
        )
    }
    return {i for i, c in enumerate(columns) if kinds.get(c) == "boolean"}


def is_empty(db: Database) -> bool:
    return not any(db.scalar(f"SELECT 1 FROM {t} LIMIT 1") for t in _CONTENT_TABLES)


def import_database(
    ctx: Context, source: TextIO, progress: Callable[[int], None] | None = None
) -> dict[str, int]:
    """Load an archive into an EMPTY database (refused otherwise); returns rows per table.

    The archive is read as a stream, a batch of rows at a time, so a large one loads in bounded
    memory; it all goes in one transaction, so a bad row anywhere leaves the database empty.
    ``progress`` is told the number of rows loaded so far, after each batch."""
    from minicrm.exchange.jsonstream import JsonStream

    stream = JsonStream(source, "not a minicrm JSON archive")
    if stream.peek() != "{":
        raise InvalidInput("not a minicrm JSON archive (expected the output of `minicrm export json`)")
    db = ctx.db
    counts: dict[str, int] = {}
    header: dict[str, Any] = {}
    has_tables = False
    with db.transaction():
        for key in stream.members():
            if key != "tables" or has_tables:
                header[key] = stream.value()
                continue
            has_tables = True
            _check_header(header)
            if not is_empty(db):
                raise Conflict(
                    "import json needs an empty database (this one has data); "
                    "use --db with a new file, or import CSV/vCard to merge"
                )
            if db.is_sqlite:
                db.execute("PRAGMA defer_foreign_keys = ON")
            present = _tables(db)
            for table in stream.members():
                if table not in present:
                    raise InvalidInput(f"the archive has a table this database does not: {table}")
                if table in counts:
                    raise InvalidInput(f"the archive's table {table!r} appears twice")
                loaded = sum(counts.values())
                counts[table] = _load_table(db, stream, table, progress, loaded)
        stream.end()
        if not has_tables:
            _check_header(header)
            raise InvalidInput("not a minicrm JSON archive: it has no tables")
        if not db.is_sqlite:
            for table in _tables(db):
                if "id" in _columns(db, table):
                    db.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
                    )
        from minicrm.services.history.changelog import sync_change_sequence

        sync_change_sequence(db)  # bulk-logged creations take their ids from the change ids
    return counts


def _check_header(header: dict[str, Any]) -> None:
    from minicrm.store.schema import HEAD

    if header.get("format") != FORMAT:
        raise InvalidInput("not a minicrm JSON archive (expected the output of `minicrm export json`)")
    if header.get("schema") != HEAD:
        raise InvalidInput(f"the archive has schema {header.get('schema')!r}; this minicrm reads {HEAD!r}")


def _load_table(
    db: Database, stream: JsonStream, table: str, progress: Callable[[int], None] | None, loaded: int
) -> int:
    """Insert the rows of one table as they are read, a batch at a time; returns how many."""
    malformed = f"the archive's table {table!r} is malformed"
    columns: list[str] | None = None
    count = 0
    for key in stream.members():
        if key == "columns":
            columns = stream.value()
            if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
                raise InvalidInput(malformed)
            if not set(columns) <= set(_columns(db, table)):
                raise InvalidInput(f"the archive's table {table!r} has unknown columns")
        elif key == "rows":
            if columns is None:
                raise InvalidInput(f"{malformed} (its rows come before its columns)")
            db.execute(f"DELETE FROM {table}")  # e.g. rows a migration seeded
            flags = _boolean_positions(db, table, columns)
            sql = (
                f"INSERT INTO {table} ({', '.join(_q(c) for c in columns)}) "
                f"VALUES ({', '.join('?' * len(columns))})"
            )
            width = len(columns)
            batch: list[tuple[Any, ...]] = []
            for row in stream.elements():
                if not isinstance(row, list) or len(row) != width:
                    raise InvalidInput(f"{malformed} (row {count + 1})")
                if flags:  # the archive stores booleans as 0/1 (SQLite's way); PostgreSQL wants bools
                    row = [bool(v) if i in flags and v is not None else v for i, v in enumerate(row)]
                batch.append(tuple(row))
                count += 1
                if len(batch) == _BATCH:
                    db.executemany(sql, batch)
                    batch.clear()
                    if progress:
                        progress(loaded + count)
            if batch:
                db.executemany(sql, batch)
        else:
            stream.value()
    if columns is None:
        raise InvalidInput(f"{malformed} (no columns)")
    return count
