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
from minicrm.services.history.changelog import unpack
from minicrm.services.kernel.context import Context

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
#: not data: the schema version, summaries the database derives itself (``stage_flow``: triggers),
#: and the imports in progress (``import_run``)
_SKIP = {"alembic_version", "stage_flow", "import_run"}
_BATCH = 1000  # rows per INSERT batch while an archive loads
_CONTENT_TABLES = ("contact", "company", "deal", "interaction", "followup", "operation", "tag", "tombstone")


def _tables(ctx: Context) -> list[str]:
    db = ctx.db
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


def _columns(ctx: Context, table: str) -> list[str]:
    db = ctx.db
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


def row_count(ctx: Context) -> int:
    """How many rows ``export_database`` writes: the total of its progress bar."""
    return sum(int(ctx.db.scalar(f"SELECT count(*) FROM {table}") or 0) for table in _tables(ctx))


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
        for t, table in enumerate(_tables(ctx)):
            columns = _columns(ctx, table)
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
    if isinstance(value, bytes):  # the one kind of blob: a packed change_batch payload, as text
        return unpack(value)
    return value


def _column_kinds(ctx: Context, table: str) -> dict[str, str]:
    """Each column's kind: ``integer``, ``boolean`` or ``text`` (or ``any``, untyped)."""
    db = ctx.db
    if db.is_sqlite:
        declared = {str(r["name"]): str(r["type"]).upper() for r in db.all(f"PRAGMA table_info({table})")}
    else:
        declared = {
            str(r["column_name"]): str(r["data_type"]).upper()
            for r in db.all(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = ?",
                (table,),
            )
        }
    kinds = {}
    for column, kind in declared.items():
        if "INT" in kind:
            kinds[column] = "integer"
        elif "BOOL" in kind:
            kinds[column] = "boolean"
        elif "CHAR" in kind or "TEXT" in kind:
            kinds[column] = "text"
        else:
            kinds[column] = "any"
    return kinds


def _cell_kind(column: str, kind: str) -> str:
    """A text column holding a moment (``at``, ``…_at``, ``…until``: the stored UTC text of
    ``core.clock``) or a day (``…_date``: ``YYYY-MM-DD``) is checked as one."""
    if kind == "text" and (column == "at" or column.endswith(("_at", "until"))):
        return "moment"
    if kind == "text" and column.endswith("_date"):
        return "day"
    return kind


def _bad_cell(column: str, kind: str, value: Any) -> str | None:
    """What is wrong with a (not null) cell, or None. The database would take a list, a float or
    a date that is not one, and every later command that reads the record would fail on it."""
    from datetime import date

    from minicrm.core.clock import from_db

    if isinstance(value, (list, dict)):
        return f"{column} is a list or an object, not a value"
    if kind == "integer":
        whole = isinstance(value, int) and not isinstance(value, bool)
        return None if whole else f"{column} is not a whole number"
    if kind == "boolean":
        return None if value in (0, 1) else f"{column} is not 0 or 1"
    if kind == "any":
        return None
    if not isinstance(value, str):
        return f"{column} is not text"
    try:
        if kind == "moment":
            from_db(value)
        elif kind == "day" and (len(value) != 10 or date.fromisoformat(value) is None):
            raise ValueError(value)
    except ValueError:
        expected = "e.g. 2026-11-23T10:00:00.000000Z" if kind == "moment" else "YYYY-MM-DD"
        what = "timestamp" if kind == "moment" else "date"
        return f"{column} is not a {what} ({value[:40]!r}; expected {expected})"
    return None


def _is_empty(ctx: Context) -> bool:
    db = ctx.db
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
            if not _is_empty(ctx):
                raise Conflict(
                    "import json needs an empty database (this one has data); "
                    "use --db with a new file, or import CSV/vCard to merge"
                )
            if db.is_sqlite:
                db.execute("PRAGMA defer_foreign_keys = ON")
            present = _tables(ctx)
            for table in stream.members():
                if table not in present:
                    raise InvalidInput(f"the archive has a table this database does not: {table}")
                if table in counts:
                    raise InvalidInput(f"the archive's table {table!r} appears twice")
                loaded = sum(counts.values())
                counts[table] = _load_table(ctx, stream, table, progress, loaded)
        stream.end()
        if not has_tables:
            _check_header(header)
            raise InvalidInput("not a minicrm JSON archive: it has no tables")
        if not db.is_sqlite:
            for table in _tables(ctx):
                if "id" in _columns(ctx, table):
                    db.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
                    )
        from minicrm.services.history.changelog import sync_change_sequence
        from minicrm.store.records.search_index import fill_sort_names

        sync_change_sequence(ctx)  # bulk-logged creations take their ids from the change ids
        fill_sort_names(db)  # an archive of an older minicrm has no sort names
    return counts


def _check_header(header: dict[str, Any]) -> None:
    from minicrm.store.schema import HEAD

    if header.get("format") != FORMAT:
        raise InvalidInput("not a minicrm JSON archive (expected the output of `minicrm export json`)")
    if header.get("schema") != HEAD:
        raise InvalidInput(f"the archive has schema {header.get('schema')!r}; this minicrm reads {HEAD!r}")


def _load_table(
    ctx: Context, stream: JsonStream, table: str, progress: Callable[[int], None] | None, loaded: int
) -> int:
    """Insert the rows of one table as they are read, a batch at a time; returns how many."""
    db = ctx.db
    malformed = f"the archive's table {table!r} is malformed"
    columns: list[str] | None = None
    count = 0
    for key in stream.members():
        if key == "columns":
            columns = stream.value()
            if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
                raise InvalidInput(malformed)
            if not set(columns) <= set(_columns(ctx, table)):
                raise InvalidInput(f"the archive's table {table!r} has unknown columns")
        elif key == "rows":
            if columns is None:
                raise InvalidInput(f"{malformed} (its rows come before its columns)")
            db.execute(f"DELETE FROM {table}")  # e.g. rows a migration seeded
            declared = _column_kinds(ctx, table)
            kinds = [_cell_kind(c, declared.get(c, "any")) for c in columns]
            # the archive stores booleans as 0/1 (SQLite's way); PostgreSQL wants bools
            flags = set() if db.is_sqlite else {i for i, k in enumerate(kinds) if k == "boolean"}
            sql = (
                f"INSERT INTO {table} ({', '.join(_q(c) for c in columns)}) "
                f"VALUES ({', '.join('?' * len(columns))})"
            )
            width = len(columns)
            batch: list[tuple[Any, ...]] = []
            for row in stream.elements():
                if not isinstance(row, list) or len(row) != width:
                    raise InvalidInput(f"{malformed} (row {count + 1})")
                for column, kind, value in zip(columns, kinds, row, strict=True):
                    problem = None if value is None else _bad_cell(column, kind, value)
                    if problem:
                        raise InvalidInput(f"the archive's table {table!r}, row {count + 1}: {problem}")
                if flags:
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
