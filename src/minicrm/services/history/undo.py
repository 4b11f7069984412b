"""Undo: revert one recorded operation as a whole, as a new operation that can be undone too.

An operation is what one command wrote (a single edit, a delete with its notes, a merge, a bulk
edit, an entire import). Its change rows hold full before/after snapshots; undo nets them per
record (first ``before`` → last ``after``) and applies the inverse in reverse order: a created
record is deleted, a deleted one re-created with its original id and child rows, an updated one
gets back the fields that operation changed.

Undoing an older operation is allowed only when nothing later depends on it: a later operation
still in effect that changed one of the same records, or that refers to a record this operation
created or deleted (a note on a contact it added), makes undo refuse and name that operation.

``undo`` with no id picks the latest operation still in effect that is not a plain undo (in team
mode: the acting user's), so repeated ``undo`` walks back through history; ``undo ID`` of an
undo operation is a redo. A privacy erase is never undone.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from minicrm.core.clock import from_db
from minicrm.core.errors import Conflict, NotFound
from minicrm.services.dto import iso
from minicrm.services.history.changelog import batches, created_count_sql, records, unpack
from minicrm.services.history.restorers import Restorer, Snapshot, Tables, label, restorer_for
from minicrm.services.kernel.context import Context
from minicrm.services.kernel.unit_of_work import UnitOfWork
from minicrm.store.db import Row
from minicrm.store.records.base import unlinked_rows


@dataclass(frozen=True, slots=True)
class Operation:
    id: int
    at: datetime
    actor: str | None
    summary: str
    changes: int
    undone_by: int | None = None
    undoes: int | None = None
    role: str | None = None  # the PostgreSQL role that did it (a role per rep), if recorded

    @property
    def by(self) -> str:
        """Who did it: the user, and the role that acted for them when that was someone else."""
        who = self.actor or ""
        return f"{who} (by {self.role})" if self.role and self.role != self.actor else who

    @property
    def state(self) -> str:
        if self.undone_by is not None:
            return f"undone by #{self.undone_by}"
        if self.undoes is not None:
            return f"undid #{self.undoes}"
        return ""

    def to_dict(self, tz: tzinfo) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": iso(self.at, tz),
            "user": self.actor,
            "summary": self.summary,
            "changes": self.changes,
            "undone": self.undone_by is not None,
            "undone_by": self.undone_by,
            "undoes": self.undoes,
            "role": self.role,
        }


@dataclass(frozen=True, slots=True)
class UndoStep:
    """One record undo will touch: ``re-create``, ``delete`` or ``restore`` (some fields)."""

    action: str
    entity: str
    entity_id: int
    label: str
    fields: tuple[str, ...] = ()

    def describe(self) -> str:
        what = f"{self.action} {self.label}"
        return what + (f" ({', '.join(self.fields)})" if self.fields else "")


@dataclass(frozen=True, slots=True)
class UndoPlan:
    op: Operation
    steps: tuple[UndoStep, ...]

    def totals(self) -> list[str]:
        """``re-create 2000 contacts``-style lines, most frequent first."""
        counts = Counter((s.action, s.entity) for s in self.steps)
        return [
            f"{action} {n} {entity}{'s' if n != 1 else ''}" for (action, entity), n in counts.most_common()
        ]


@dataclass
class _Net:
    """The net effect of one operation on one record."""

    entity: str
    entity_id: int
    before: Snapshot | None
    after: Snapshot | None
    last: tuple[int, int]  # position of its last change in the operation: (change id, index)


# -- reading -------------------------------------------------------------------------------
_OP_SQL = (
    "SELECT o.id, o.at, o.actor, o.summary, o.undone_by, o.undoes, o.role, "
    f"(SELECT count(*) FROM change c WHERE c.op_id = o.id) + {created_count_sql('o')} AS changes "
    "FROM operation o"
)


def _operation(row: Row) -> Operation:
    return Operation(
        id=int(row["id"]),
        at=from_db(row["at"]),  # type: ignore[arg-type]
        actor=row["actor"],
        summary=row["summary"],
        changes=int(row["changes"]),
        undone_by=row["undone_by"],
        undoes=row["undoes"],
        role=row["role"],
    )


def recent(ctx: Context, limit: int = 20) -> list[Operation]:
    """The latest operations, newest first."""
    return [_operation(r) for r in ctx.db.all(f"{_OP_SQL} ORDER BY o.id DESC LIMIT ?", (limit,))]


def _get_operation(ctx: Context, op_id: int) -> Operation:
    db = ctx.db
    row = db.one(f"{_OP_SQL} WHERE o.id = ?", (op_id,))
    if row is None:
        raise NotFound(f"no operation #{op_id}")
    return _operation(row)


_UNDOABLE_SQL = (
    "SELECT o.id, o.actor FROM operation o LEFT JOIN operation t ON t.id = o.undoes "
    "WHERE o.undone_by IS NULL AND (o.undoes IS NULL OR t.undoes IS NOT NULL) "
    "AND o.id NOT IN (SELECT op_id FROM import_run)"  # an import still running (or killed)
)


def _latest_undoable(ctx: Context, actor: str | None = None) -> int:
    """The latest operation in effect that is not a plain undo (an undo of an undo, a redo,
    counts: undoing it undoes the original again).

    In team mode (the database has users) a bare ``undo`` is the acting user's: ``actor`` keeps
    to their operations; a teammate's needs its id (the refusal names it and whose it is)."""
    db = ctx.db
    from minicrm.services.kernel.users import team_mode

    if actor is not None and team_mode(ctx):
        own = db.one(f"{_UNDOABLE_SQL} AND o.actor = ? ORDER BY o.id DESC LIMIT 1", (actor,))
        if own is not None:
            return int(own["id"])
        other = db.one(f"{_UNDOABLE_SQL} ORDER BY o.id DESC LIMIT 1")
        if other is None:
            raise NotFound("nothing to undo")
        whose = other["actor"] or "no user"
        raise NotFound(
            f"nothing of yours ({actor}) to undo; the latest operation, #{other['id']}, is {whose}'s: "
            f"`minicrm undo {other['id']}` undoes it"
        )
    row = db.one(f"{_UNDOABLE_SQL} ORDER BY o.id DESC LIMIT 1")
    if row is None:
        raise NotFound("nothing to undo")
    return int(row["id"])


def is_erase(ctx: Context, op_id: int) -> bool:
    """True when operation ``op_id`` is a privacy erase (which is never undone)."""
    db = ctx.db
    return bool(db.scalar("SELECT 1 FROM change WHERE op_id = ? AND action = 'erase' LIMIT 1", (op_id,)))


def net_changes(ctx: Context, op_id: int) -> list[_Net]:
    """The net effect of operation ``op_id`` on each record, last changed first (what undo
    reverts; an interrupted import's rollback reverts it too)."""
    return _changes(ctx, op_id)


def _changes(ctx: Context, op_id: int) -> list[_Net]:
    db = ctx.db
    nets: dict[tuple[str, int], _Net] = {}
    # records created in bulk first: a batch row's id comes before every later change of them
    # (one id orders both logs), and nothing happens to a record before its creation
    for batch in batches(ctx, "b.op_id = ?", (op_id,)):
        entity, batch_id = str(batch["entity"]), int(batch["id"])
        for index, (entity_id, after) in enumerate(records(batch)):
            # a scrubbed (erased) record's creation nets to nothing, as a scrubbed change row
            nets[(entity, entity_id)] = _Net(entity, entity_id, None, after, (batch_id, index))
    cursor = db.execute(
        "SELECT id, entity, entity_id, before, after FROM change WHERE op_id = ? ORDER BY id", (op_id,)
    )
    for row in _rows(cursor):
        key = (str(row["entity"]), int(row["entity_id"]))
        before = json.loads(row["before"]) if row["before"] else None
        after = json.loads(row["after"]) if row["after"] else None
        position = (int(row["id"]), 0)
        net = nets.get(key)
        if net is None:
            nets[key] = _Net(key[0], key[1], before, after, position)
        else:
            net.after, net.last = after, position
    return sorted(nets.values(), key=lambda n: n.last, reverse=True)


def _rows(cursor: Any) -> Iterator[Row]:
    while True:
        batch = cursor.fetchmany(1000)
        if not batch:
            return
        yield from batch


# -- planning ------------------------------------------------------------------------------
def plan(ctx: Context, op_id: int | None = None) -> UndoPlan:
    """What undoing operation ``op_id`` (default: the latest) would do; refuses like ``undo``."""
    with ctx.db.snapshot():
        target = _latest_undoable(ctx, ctx.user) if op_id is None else op_id
        return _plan(ctx, _get_operation(ctx, target))[0]


def _plan(ctx: Context, op: Operation) -> tuple[UndoPlan, list[_Net]]:
    if op.undone_by is not None:
        raise Conflict(
            f"operation #{op.id} is already undone (by #{op.undone_by}); "
            f"`minicrm undo {op.undone_by}` redoes it"
        )
    if is_erase(ctx, op.id):
        raise Conflict(
            f"cannot undo #{op.id} ({op.summary}): a privacy erase is final, the erased data is gone"
        )
    if ctx.db.scalar("SELECT 1 FROM import_run WHERE op_id = ?", (op.id,)):
        raise Conflict(f"operation #{op.id} ({op.summary}) is an import still running; undo it once it ends")
    nets = _changes(ctx, op.id)
    _refuse_dependents(ctx, op, nets)
    steps = []
    for net in nets:
        if net.before is None and net.after is None:
            continue
        if net.before is None:
            steps.append(
                UndoStep("delete", net.entity, net.entity_id, label(net.entity, net.entity_id, net.after))
            )
        elif net.after is None:
            steps.append(
                UndoStep("re-create", net.entity, net.entity_id, label(net.entity, net.entity_id, net.before))
            )
        else:
            fields = tuple(
                k
                for k in sorted(set(net.before) & set(net.after))
                if k not in ("updated_at", "version") and _differs(k, net.before[k], net.after[k])
            )
            steps.append(
                UndoStep(
                    "restore", net.entity, net.entity_id, label(net.entity, net.entity_id, net.before), fields
                )
            )
    return UndoPlan(op, tuple(steps)), nets


def _differs(key: str, a: Any, b: Any) -> bool:
    if key == "tags" and isinstance(a, list) and isinstance(b, list):
        return sorted(a) != sorted(b)
    return bool(a != b)


def _refuse_dependents(ctx: Context, op: Operation, nets: list[_Net]) -> None:
    """Refuse when a later operation still in effect changed one of the same records, or refers
    (``contact_id``, ``company_id``, …) to a record this operation created or deleted."""
    db = ctx.db
    touched = {(n.entity, n.entity_id) for n in nets}
    born_or_gone = {(n.entity, n.entity_id) for n in nets if (n.before is None) != (n.after is None)}
    references = {(f"{entity}_id", entity_id) for entity, entity_id in born_or_gone}
    later = db.execute(
        "SELECT c.op_id, c.entity, c.entity_id, c.before, c.after FROM change c "
        "JOIN operation o ON o.id = c.op_id "
        "WHERE c.op_id > ? AND o.undone_by IS NULL AND NOT (o.undoes IS NOT NULL AND o.undoes > ?) "
        "ORDER BY c.id",
        (op.id, op.id),
    )
    for row in _rows(later):
        key = (str(row["entity"]), int(row["entity_id"]))
        blocker: str | None = None
        if key in touched:
            blocker = f"it changed {key[0]} {key[1]} again"
        elif references:
            for side in (row["before"], row["after"]):
                hit = _refers(side, references)
                if hit:
                    blocker = f"its {key[0]} {key[1]} refers to {hit}"
                    break
        if blocker:
            _refuse(ctx, op, int(row["op_id"]), blocker)
    # records later operations created in bulk: new ids, so only their references can depend
    by_key: dict[str, set[int]] = {}
    for column, entity_id in references:
        by_key.setdefault(column, set()).add(entity_id)
    if references:
        for batch in batches(
            ctx,
            "b.op_id > ? AND b.op_id IN (SELECT o.id FROM operation o WHERE o.undone_by IS NULL "
            "AND NOT (o.undoes IS NOT NULL AND o.undoes > ?))",
            (op.id, op.id),
        ):
            text = unpack(batch["after"])
            if not any(f'"{key}"' in text for key in by_key):
                continue
            for entity_id, snap in records(batch):
                hit = _refers_by_key(snap, by_key) if snap else None
                if hit:
                    _refuse(
                        ctx, op, int(batch["op_id"]), f"its {batch['entity']} {entity_id} refers to {hit}"
                    )


def _refuse(ctx: Context, op: Operation, later_id: int, blocker: str) -> None:
    later_op = _get_operation(ctx, later_id)
    raise Conflict(
        f"cannot undo #{op.id} ({op.summary}): later operation #{later_op.id} ({later_op.summary}) "
        f"depends on it: {blocker}; undo #{later_op.id} first"
    )


def _refers(text: str | None, references: set[tuple[str, int]]) -> str | None:
    if not text:
        return None
    if not any(f'"{key}": ' in text for key, _ in references):
        return None
    return _refers_to(json.loads(text), references)


def _refers_to(data: dict[str, Any], references: set[tuple[str, int]]) -> str | None:
    for key, entity_id in references:
        if data.get(key) == entity_id:
            return f"{key.removesuffix('_id')} {entity_id}"
        plural = data.get(key + "s")
        if isinstance(plural, list) and entity_id in plural:
            return f"{key.removesuffix('_id')} {entity_id}"
    return None


def _refers_by_key(data: dict[str, Any], by_key: dict[str, set[int]]) -> str | None:
    """``_refers_to`` for a record's own columns, with the references grouped by column."""
    for key, ids in by_key.items():
        value = data.get(key)
        if isinstance(value, int) and value in ids:
            return f"{key.removesuffix('_id')} {value}"
    return None


# -- applying ------------------------------------------------------------------------------
def undo(ctx: Context, op_id: int | None = None) -> tuple[Operation, UndoPlan]:
    """Revert operation ``op_id`` (default: the latest) in one transaction. Returns the new
    operation (``undo #N``) and the plan it carried out."""
    target = _latest_undoable(ctx, ctx.user) if op_id is None else op_id
    original = _get_operation(ctx, target)
    with UnitOfWork(ctx, f"undo #{target}") as uow:
        op = _get_operation(uow.ctx, target)  # again, inside the transaction: the authoritative check
        plan_, nets = _plan(uow.ctx, op)
        tables = Tables(uow.db)
        for net in nets:
            _apply(uow, tables, net)
        new_id = uow.operation()
        uow.db.execute("UPDATE operation SET undoes = ? WHERE id = ?", (target, new_id))
        _mark_undone(uow.ctx, original, new_id)
    return _get_operation(ctx, new_id), plan_


def _apply(uow: UnitOfWork, tables: Tables, net: _Net) -> None:
    restorer = restorer_for(tables, net.entity)
    current = restorer.snapshot(tables, net.entity_id)
    if net.before is None and net.after is None:
        return
    if net.before is None:
        if current is None:
            return  # already gone
        # what the delete unlinks (a contact's deals), so that undoing this undo links it back
        unlinked = unlinked_rows(uow.db, restorer.table, net.entity_id)
        if unlinked:
            current = {**current, "unlinked": unlinked}
        restorer.delete(tables, net.entity_id, current)
        uow.record(net.entity, net.entity_id, "delete", current, None)
    elif net.after is None:
        _recreate(uow, tables, restorer, net)
    else:
        if current is None:
            raise Conflict(f"cannot undo: {label(net.entity, net.entity_id, net.before)} no longer exists")
        try:
            reverted = restorer.revert(tables, net.entity_id, net.before, net.after, uow.now)
        except Conflict as exc:
            what = label(net.entity, net.entity_id, net.before)
            raise Conflict(f"cannot restore {what}: {exc} (a record it linked to is gone)") from None
        if reverted:
            uow.record(net.entity, net.entity_id, "update", current, restorer.snapshot(tables, net.entity_id))


def _recreate(uow: UnitOfWork, tables: Tables, restorer: Restorer, net: _Net) -> None:
    assert net.before is not None
    try:
        restorer.create(tables, net.before)
    except Conflict as exc:
        raise Conflict(f"cannot re-create {label(net.entity, net.entity_id, net.before)}: {exc}") from None
    uow.record(net.entity, net.entity_id, "create", None, restorer.snapshot(tables, net.entity_id))


def _mark_undone(ctx: Context, original: Operation, new_id: int) -> None:
    """``original`` is undone by ``new_id``. If it was itself an undo, the operation it undid is
    back in effect, the one that one undid is undone again, and so on down the chain."""
    db = ctx.db
    db.execute("UPDATE operation SET undone_by = ? WHERE id = ?", (new_id, original.id))
    previous, target = original.id, original.undoes
    in_effect = True
    while target is not None:
        db.execute(
            "UPDATE operation SET undone_by = ? WHERE id = ?", (None if in_effect else previous, target)
        )
        previous, target = target, db.scalar("SELECT undoes FROM operation WHERE id = ?", (target,))
        in_effect = not in_effect
