"""The change log of records created in bulk (``change_batch``), read like the ``change`` rows.

An import logs the records it creates in one ``change_batch`` row per run of consecutive ids
instead of one ``change`` row (with a JSON snapshot) per record: the same snapshots, packed as
arrays under one list of keys and encoded in one call. Everything that reads the change log
(``history``, ``undo``, ``privacy export`` and ``erase``) reads these rows too, through this
module: a batch row stands for one ``create`` change per record it lists, all with the batch's
id, operation, time and actor.

On SQLite the payload is stored zlib-compressed (a blob; ``pack`` and ``unpack``): the snapshots
of a million imported contacts were the second-largest part of the database (240 bytes a
contact, 48 MB per 200k); packed they take a fifth of that, and written by column (each key's
values in one list) a seventh (6.2 MB per 200k contacts, against 8.7 MB by row). PostgreSQL keeps
the text.

Batch ids are taken from the ``change`` ids (``reserve_change_id``), so one id orders both logs:
a record's batch-logged creation comes before every later change of it, also within the
same operation.
"""

from __future__ import annotations

import json
import zlib

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from typing import Any

    from minicrm.services.kernel.context import Context
    from minicrm.store.db import Row

# one shared encoder (a new one per call costs as much as a small payload); no cycle check:
# the payload is plain lists, dicts, strings and numbers
_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str, check_circular=False)

BATCH_INSERT = (
    "INSERT INTO change_batch (id, op_id, at, actor, entity, first_id, last_id, after) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


#: zlib's level for the packed payloads: level 6 packs ~12 % smaller at twice the time
_ZLIB_LEVEL = 3


def pack(ctx: Context, text: str) -> str | bytes:
    """A payload as ``change_batch.after`` stores it: compressed on SQLite, text elsewhere."""
    return zlib.compress(text.encode(), _ZLIB_LEVEL) if ctx.db.is_sqlite else text


def unpack(value: object) -> str:
    """A stored payload's JSON text (packed or, as databases before packing hold it, text)."""
    if isinstance(value, bytes | memoryview):
        return zlib.decompress(value).decode()
    return str(value)


def _reserve_change_id(ctx: Context) -> int:
    """A fresh id from the ``change`` id sequence, used by no ``change`` row now or later.

    SQLite: ``change`` is AUTOINCREMENT, so raising its ``sqlite_sequence`` entry past the id
    keeps it from ever being handed out (the write transaction holds the lock). PostgreSQL:
    ``nextval`` of the table's sequence."""
    db = ctx.db
    if not db.is_sqlite:
        return int(db.scalar("SELECT nextval(pg_get_serial_sequence('change', 'id'))"))
    used = db.scalar(
        "SELECT max(coalesce((SELECT max(id) FROM change), 0), "
        "coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'change'), 0), "
        "coalesce((SELECT max(id) FROM change_batch), 0))"
    )
    new_id = int(used) + 1
    if db.scalar("SELECT 1 FROM sqlite_sequence WHERE name = 'change'"):
        db.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = 'change'", (new_id,))
    else:
        db.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('change', ?)", (new_id,))
    return new_id


def sync_change_sequence(ctx: Context) -> None:
    """After rows were loaded with their ids (``import json``): the next ``change`` id comes
    after every id either log holds."""
    db = ctx.db
    top = db.scalar(
        f"SELECT {'max' if db.is_sqlite else 'greatest'}(coalesce((SELECT max(id) FROM change), 0), "
        "coalesce((SELECT max(id) FROM change_batch), 0))"
    )
    if not top:
        return
    if not db.is_sqlite:
        db.execute("SELECT setval(pg_get_serial_sequence('change', 'id'), ?, true)", (int(top),))
    elif db.scalar("SELECT 1 FROM sqlite_sequence WHERE name = 'change'"):
        db.execute("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'change'", (int(top),))
    else:
        db.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('change', ?)", (int(top),))


def record_created(
    ctx: Context,
    op_id: int,
    at: str,
    actor: str | None,
    entity: str,
    keys: Sequence[str],
    ids: Sequence[int],
    rows: Sequence[Sequence[Any]],
    common: dict[str, Any] | None = None,
) -> None:
    """Log the creation of records ``ids`` (with values ``rows`` under ``keys``, in the same
    order, and the values ``common`` to all of them): one ``change_batch`` row per run of
    consecutive ids."""
    db = ctx.db
    if not ids:
        return
    start = 0
    for i in range(1, len(ids) + 1):
        if i == len(ids) or ids[i] != ids[i - 1] + 1:
            # by column: like values side by side (names, domains, times) pack ~30 % smaller
            columns = [list(column) for column in zip(*rows[start:i], strict=True)]
            payload = pack(
                ctx, _ENCODER.encode({"keys": list(keys), "common": common or {}, "columns": columns})
            )
            db.execute(
                BATCH_INSERT,
                (_reserve_change_id(ctx), op_id, at, actor, entity, ids[start], ids[i - 1], payload),
            )
            start = i


class Payload:
    """A batch row's ``after``: ``keys`` naming each row's values, the values ``common`` to every
    record, and ``rows`` (None where a record was scrubbed)."""

    def __init__(self, stored: object) -> None:
        data = json.loads(unpack(stored))
        self.keys: list[str] = list(data["keys"])
        self.common: dict[str, Any] = dict(data.get("common") or {})
        if "columns" in data:  # as ``record_created`` writes them: one list per key
            self.rows: list[list[Any] | None] = [list(row) for row in zip(*data["columns"], strict=True)]
        else:  # by row, as a scrubbed payload (``encode``) and older logs hold them
            self.rows = list(data["rows"])

    def snapshot(self, index: int) -> dict[str, Any] | None:
        """Record ``index``'s snapshot, as a change row's ``after`` would hold it."""
        row = self.rows[index]
        return None if row is None else {**self.common, **dict(zip(self.keys, row, strict=True))}

    def encode(self) -> str:
        """By row: a scrubbed record is one None."""
        return _ENCODER.encode({"keys": self.keys, "common": self.common, "rows": self.rows})


def created(ctx: Context, entity: str, entity_id: int) -> list[dict[str, Any]]:
    """The batch-logged creation of one record (none or one), as a change row would read:
    ``id, op_id, at, actor, entity, entity_id, action, before, after`` (``after`` decoded; None
    when scrubbed)."""
    db = ctx.db
    out = []
    for r in db.all(
        "SELECT id, op_id, at, actor, first_id, after FROM change_batch "
        "WHERE entity = ? AND last_id >= ? AND first_id <= ? ORDER BY id",
        (entity, entity_id, entity_id),
    ):
        payload = Payload(r["after"])
        out.append(
            {
                "id": int(r["id"]),
                "op_id": int(r["op_id"]),
                "at": r["at"],
                "actor": r["actor"],
                "entity": entity,
                "entity_id": entity_id,
                "action": "create",
                "before": None,
                "after": payload.snapshot(entity_id - int(r["first_id"])),
            }
        )
    return out


def created_count_sql(op_alias: str) -> str:
    """SQL for the number of records the batch rows of operation ``op_alias.id`` log."""
    return (
        f"(SELECT coalesce(sum(b.last_id - b.first_id + 1), 0) FROM change_batch b "
        f"WHERE b.op_id = {op_alias}.id)"
    )


def batches(ctx: Context, sql_where: str, params: Sequence[Any]) -> Iterator[Row]:
    """``change_batch`` rows matching ``sql_where`` in id order, read a few at a time (each
    holds up to thousands of records)."""
    db = ctx.db
    cursor = db.execute(f"SELECT * FROM change_batch b WHERE {sql_where} ORDER BY b.id", params)
    while True:
        chunk = cursor.fetchmany(16)
        if not chunk:
            return
        yield from chunk


def records(row: Row) -> Iterator[tuple[int, dict[str, Any] | None]]:
    """``(entity_id, snapshot)`` of every record one batch row lists (snapshot None: scrubbed)."""
    payload = Payload(row["after"])
    first = int(row["first_id"])
    for i in range(len(payload.rows)):
        yield first + i, payload.snapshot(i)


def scrub(ctx: Context, entity: str, ids: Sequence[int]) -> int:
    """Forget the logged values of records ``ids`` (a privacy erase); returns how many were
    scrubbed. The batch keeps listing them (their creation stays undoable, as a no-op)."""
    db = ctx.db
    scrubbed = 0
    wanted = set(ids)
    batch_ids: set[int] = set()
    for i in wanted:
        batch_ids.update(
            int(r["id"])
            for r in db.all(
                "SELECT id FROM change_batch WHERE entity = ? AND last_id >= ? AND first_id <= ?",
                (entity, i, i),
            )
        )
    for batch_id in sorted(batch_ids):
        r = db.one("SELECT first_id, after FROM change_batch WHERE id = ?", (batch_id,))
        assert r is not None
        payload = Payload(r["after"])
        first = int(r["first_id"])
        changed = 0
        for i, values in enumerate(payload.rows):
            if values is not None and first + i in wanted:
                payload.rows[i] = None
                changed += 1
        if changed:
            db.execute(
                "UPDATE change_batch SET after = ? WHERE id = ?", (pack(ctx, payload.encode()), batch_id)
            )
            scrubbed += changed
    return scrubbed


def redact(ctx: Context, substitute: Callable[[str], str], sql_where: str, params: Sequence[Any]) -> int:
    """Rewrite the payloads of the batch rows that ``substitute`` changes (a privacy erase
    redacting a person from records created in bulk, such as another contact's note); how
    many. ``sql_where`` (on ``after``) picks the text payloads to look at; packed ones are all
    read, since SQL cannot look inside them."""
    db = ctx.db
    where = f"typeof(after) = 'blob' OR {sql_where}" if db.is_sqlite else sql_where
    changed = []
    for r in batches(ctx, where, params):
        text = unpack(r["after"])
        new = substitute(text)
        if new != text:
            changed.append((pack(ctx, new), int(r["id"])))
    db.executemany("UPDATE change_batch SET after = ? WHERE id = ?", changed)
    return len(changed)
