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

import bisect
import heapq
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
    """What an undo does: its first steps (up to a hundred), how many in all, and per action."""

    op: Operation
    steps: tuple[UndoStep, ...]
    total: int
    counts: tuple[tuple[tuple[str, str], int], ...] = ()

    def totals(self) -> list[str]:
        """``re-create 2000 contacts``-style lines, most frequent first."""
        counts = Counter(dict(self.counts))
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


def net_changes(ctx: Context, op_id: int) -> Iterator[_Net]:
    """The net effect of operation ``op_id`` on each record, last changed first (what undo
    reverts; an interrupted import's rollback reverts it too), read a page at a time: memory
    stays bounded whatever the size of the operation (a 1M-row import)."""
    log = _OpLog(ctx, op_id)
    return heapq.merge(log.changed(), log.created(), key=lambda n: n.last, reverse=True)


_ABOVE_EVERY_ID = 2**62  # where a descending keyset walk starts
#: change rows read per query, and batch rows' records decoded at a time (one batch row)
_PAGE = 500


class _OpLog:
    """The change log of one operation, read in pages (keyset pagination by id), never whole.

    A record's net effect is taken where its last change is: a ``change`` row with no later
    ``change`` row of the same record in the operation, or a record a ``change_batch`` row lists
    that no ``change`` row of the operation touches after. Its ``before`` is None when a batch
    row of the operation created it, else the ``before`` of its first ``change`` row."""

    def __init__(self, ctx: Context, op_id: int) -> None:
        self.ctx, self.op_id = ctx, op_id
        # the id ranges the operation's batch rows list (a few per import batch, no payloads)
        self._ranges: dict[str, tuple[list[int], list[int]]] = {}
        for r in ctx.db.all(
            "SELECT entity, first_id, last_id FROM change_batch WHERE op_id = ? ORDER BY entity, first_id",
            (op_id,),
        ):
            firsts, lasts = self._ranges.setdefault(str(r["entity"]), ([], []))
            firsts.append(int(r["first_id"]))
            lasts.append(int(r["last_id"]))

    def batch_created(self, entity: str, entity_id: int) -> bool:
        """True when one of the operation's batch rows lists record ``entity_id``."""
        found = self._ranges.get(entity)
        if found is None:
            return False
        firsts, lasts = found
        i = bisect.bisect_right(firsts, entity_id) - 1
        return i >= 0 and lasts[i] >= entity_id

    def changed(self) -> Iterator[_Net]:
        """The records whose last change is a ``change`` row, last first."""
        db, cursor = self.ctx.db, _ABOVE_EVERY_ID
        while True:
            page = db.all(
                "SELECT c.id, c.entity, c.entity_id, c.after, "
                "(SELECT f.before FROM change f WHERE f.entity = c.entity AND f.entity_id = c.entity_id "
                "AND f.op_id = c.op_id ORDER BY f.id LIMIT 1) AS first_before "
                "FROM change c WHERE c.op_id = ? AND c.id < ? AND NOT EXISTS ("
                "SELECT 1 FROM change l WHERE l.entity = c.entity AND l.entity_id = c.entity_id "
                "AND l.op_id = c.op_id AND l.id > c.id) ORDER BY c.id DESC LIMIT ?",
                (self.op_id, cursor, _PAGE),
            )
            for row in page:
                entity, entity_id = str(row["entity"]), int(row["entity_id"])
                first = row["first_before"]
                before = None if self.batch_created(entity, entity_id) or not first else json.loads(first)
                after = json.loads(row["after"]) if row["after"] else None
                yield _Net(entity, entity_id, before, after, (int(row["id"]), 0))
            if len(page) < _PAGE:
                return
            cursor = int(page[-1]["id"])

    def created(self) -> Iterator[_Net]:
        """The records batch rows created that no later ``change`` row of the operation touches,
        last first (a scrubbed, erased, record's creation nets to nothing)."""
        db, cursor = self.ctx.db, _ABOVE_EVERY_ID
        while True:
            batch = db.one(
                "SELECT id, entity, first_id, last_id, after FROM change_batch "
                "WHERE op_id = ? AND id < ? ORDER BY id DESC LIMIT 1",
                (self.op_id, cursor),
            )
            if batch is None:
                return
            cursor = batch_id = int(batch["id"])
            entity = str(batch["entity"])
            later = {
                int(r["entity_id"])
                for r in db.all(
                    "SELECT DISTINCT entity_id FROM change WHERE op_id = ? AND entity = ? "
                    "AND entity_id BETWEEN ? AND ?",
                    (self.op_id, entity, batch["first_id"], batch["last_id"]),
                )
            }
            listed = list(records(batch))
            del batch
            for index in range(len(listed) - 1, -1, -1):
                entity_id, after = listed.pop()
                if entity_id not in later:
                    yield _Net(entity, entity_id, None, after, (batch_id, index))

    def net_of(self, entity: str, entity_id: int) -> tuple[bool, bool] | None:
        """Whether the operation created and whether it deleted record ``entity_id`` (its net
        ``before`` and ``after`` are None), or None when it did not touch it."""
        rows = self.ctx.db.all(
            "SELECT before, after FROM change WHERE entity = ? AND entity_id = ? AND op_id = ? ORDER BY id",
            (entity, entity_id, self.op_id),
        )
        if self.batch_created(entity, entity_id):
            return True, bool(rows) and not rows[-1]["after"]
        if not rows:
            return None
        return not rows[0]["before"], not rows[-1]["after"]


# -- planning ------------------------------------------------------------------------------
def plan(ctx: Context, op_id: int | None = None) -> UndoPlan:
    """What undoing operation ``op_id`` (default: the latest) would do; refuses like ``undo``."""
    with ctx.db.snapshot():
        target = _latest_undoable(ctx, ctx.user) if op_id is None else op_id
        op = _get_operation(ctx, target)
        _check(ctx, op)
        tally = _Tally(op)
        for net in net_changes(ctx, op.id):
            tally.add(net)
        return tally.plan()


def _check(ctx: Context, op: Operation) -> None:
    """Refuse to undo ``op`` when it is undone already, an erase, a running import, or when a
    later operation depends on it."""
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
    _refuse_dependents(ctx, op, _OpLog(ctx, op.id))


#: steps an ``UndoPlan`` lists (the first ones); the rest are counted
_KEPT_STEPS = 100


class _Tally:
    """The plan of an undo, built one net change at a time: the first steps, and counts."""

    def __init__(self, op: Operation) -> None:
        self.op = op
        self.steps: list[UndoStep] = []
        self.counts: Counter[tuple[str, str]] = Counter()

    def add(self, net: _Net) -> None:
        step = _step(net)
        if step is None:
            return
        self.counts[(step.action, step.entity)] += 1
        if len(self.steps) < _KEPT_STEPS:
            self.steps.append(step)

    def plan(self) -> UndoPlan:
        return UndoPlan(self.op, tuple(self.steps), sum(self.counts.values()), tuple(self.counts.items()))


def _step(net: _Net) -> UndoStep | None:
    if net.before is None and net.after is None:
        return None
    if net.before is None:
        return UndoStep("delete", net.entity, net.entity_id, label(net.entity, net.entity_id, net.after))
    if net.after is None:
        return UndoStep("re-create", net.entity, net.entity_id, label(net.entity, net.entity_id, net.before))
    fields = tuple(
        k
        for k in sorted(set(net.before) & set(net.after))
        if k not in ("updated_at", "version") and _differs(k, net.before[k], net.after[k])
    )
    what = label(net.entity, net.entity_id, net.before)
    return UndoStep("restore", net.entity, net.entity_id, what, fields)


def _differs(key: str, a: Any, b: Any) -> bool:
    if key == "tags" and isinstance(a, list) and isinstance(b, list):
        return sorted(a) != sorted(b)
    return bool(a != b)


_IN_EFFECT_LATER = (
    "o.undone_by IS NULL AND NOT (o.undoes IS NOT NULL AND o.undoes > ?)"  # ? = the operation's id
)


def _refuse_dependents(ctx: Context, op: Operation, log: _OpLog) -> None:
    """Refuse when a later operation still in effect changed one of the same records, or refers
    (``contact_id``, ``company_id``, …) to a record this operation created or deleted.

    Reads the later change log a page at a time and asks the database about the records it
    names (nothing proportional to the size of either operation is held)."""
    db = ctx.db
    born_or_gone = _BornOrGone(log)
    cursor = 0
    while True:
        page = db.all(
            "SELECT c.id, c.op_id, c.entity, c.entity_id, c.before, c.after, "
            "CASE WHEN EXISTS (SELECT 1 FROM change m WHERE m.entity = c.entity "
            "AND m.entity_id = c.entity_id AND m.op_id = ?) OR EXISTS (SELECT 1 FROM change_batch b "
            "WHERE b.op_id = ? AND b.entity = c.entity AND b.first_id <= c.entity_id "
            "AND b.last_id >= c.entity_id) THEN 1 ELSE 0 END AS touched "
            "FROM change c JOIN operation o ON o.id = c.op_id "
            f"WHERE c.op_id > ? AND c.id > ? AND {_IN_EFFECT_LATER} ORDER BY c.id LIMIT ?",
            (op.id, op.id, op.id, cursor, op.id, _PAGE),
        )
        for row in page:
            key = (str(row["entity"]), int(row["entity_id"]))
            if row["touched"]:
                _refuse(ctx, op, int(row["op_id"]), f"it changed {key[0]} {key[1]} again")
            for side in (row["before"], row["after"]):
                if side and "_id" in side:
                    hit = born_or_gone.referred_by(json.loads(side))
                    if hit:
                        _refuse(ctx, op, int(row["op_id"]), f"its {key[0]} {key[1]} refers to {hit}")
                        break
        if len(page) < _PAGE:
            break
        cursor = int(page[-1]["id"])
    # records later operations created in bulk: new ids, so only their references can depend
    for batch in batches(
        ctx,
        f"b.op_id > ? AND b.op_id IN (SELECT o.id FROM operation o WHERE {_IN_EFFECT_LATER})",
        (op.id, op.id),
    ):
        if '_id"' not in unpack(batch["after"]):
            continue
        for entity_id, snap in records(batch):
            hit = born_or_gone.referred_by(snap) if snap else None
            if hit:
                _refuse(ctx, op, int(batch["op_id"]), f"its {batch['entity']} {entity_id} refers to {hit}")


class _BornOrGone:
    """Which records the operation created or deleted (its net ``before`` or ``after`` is None,
    not both), asked of the database record by record, the answers remembered a while."""

    def __init__(self, log: _OpLog) -> None:
        self.log = log
        self._known: dict[tuple[str, int], bool] = {}

    def __contains__(self, key: tuple[str, int]) -> bool:
        known = self._known.get(key)
        if known is None:
            net = self.log.net_of(*key)
            known = net is not None and net[0] != net[1]
            if len(self._known) >= 10_000:
                self._known.clear()
            self._known[key] = known
        return known

    def referred_by(self, data: dict[str, Any]) -> str | None:
        """``company 3`` when ``data`` refers (``company_id``, ``contact_ids``) to such a record."""
        for key, value in data.items():
            if key.endswith("_ids") and isinstance(value, list):
                entity, ids = key[:-4], value
            elif key.endswith("_id") and isinstance(value, int) and not isinstance(value, bool):
                entity, ids = key[:-3], [value]
            else:
                continue
            for entity_id in ids:
                if entity and isinstance(entity_id, int) and (entity, entity_id) in self:
                    return f"{entity} {entity_id}"
        return None


def _refuse(ctx: Context, op: Operation, later_id: int, blocker: str) -> None:
    later_op = _get_operation(ctx, later_id)
    raise Conflict(
        f"cannot undo #{op.id} ({op.summary}): later operation #{later_op.id} ({later_op.summary}) "
        f"depends on it: {blocker}; undo #{later_op.id} first"
    )


# -- applying ------------------------------------------------------------------------------
def undo(ctx: Context, op_id: int | None = None) -> tuple[Operation, UndoPlan]:
    """Revert operation ``op_id`` (default: the latest) in one transaction, a page of the change
    log at a time. Returns the new operation (``undo #N``) and the plan it carried out."""
    from minicrm.services.kernel.hooks import wanted

    target = _latest_undoable(ctx, ctx.user) if op_id is None else op_id
    original = _get_operation(ctx, target)
    with UnitOfWork(ctx, f"undo #{target}") as uow:
        op = _get_operation(uow.ctx, target)  # again, inside the transaction: the authoritative check
        _check(uow.ctx, op)
        tally = _Tally(op)
        tables = Tables(uow.db)
        hooked = wanted(uow.ctx)
        for net in net_changes(uow.ctx, op.id):
            tally.add(net)
            _apply(uow, tables, net)
            if not hooked and len(uow.events) > _PAGE:
                del uow.events[:-1]  # no hook will read them: keep memory bounded
        new_id = uow.operation()
        uow.db.execute("UPDATE operation SET undoes = ? WHERE id = ?", (target, new_id))
        _mark_undone(uow.ctx, original, new_id)
    return _get_operation(ctx, new_id), tally.plan()


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
