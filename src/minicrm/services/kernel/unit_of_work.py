"""The unit of work: one transaction per operation, with its change-log entries.

    with UnitOfWork(ctx, "contact add Ana") as uow:
        new_id = uow.db.insert(...)
        uow.record("contact", new_id, "create", None, snapshot)

Leaving the block commits; an exception rolls everything back, change log included. The
operation row (what ``undo`` reverts) is created with the first recorded change; a nested unit
of work records into the outer one's operation, so that ``undo`` reverts the whole.

The unit of work owns the record stores (``minicrm.store.records``): ``uow.contacts``,
``uow.companies``, ``uow.deals``, ``uow.interactions``, ``uow.followups``, ``uow.requests``,
``uow.tags``, ``uow.users``, bound to its database; services write through them.

Recorded changes are also events for the hooks (``minicrm.services.kernel.hooks``): ``pre-…`` hooks run
just before COMMIT (a veto rolls back), ``on-…`` hooks after it. A unit of work opened inside
another one on the same database hands its events to the outer one, which runs the hooks once
(the outermost one is kept on the Database, ``db.work``, so that every Context sharing the
connection sees it). A unit of work cannot open inside a read-only ``db.snapshot()``: that
raises StorageError before anything is written or any hook runs.
"""

from __future__ import annotations

from minicrm.core.clock import to_db
from minicrm.store.records import Repositories

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from types import TracebackType
    from typing import Any

    from minicrm.services.kernel.context import Context
    from minicrm.services.kernel.hooks import ChangeEvent
    from minicrm.store.db import Database


class UnitOfWork(Repositories):
    def __init__(self, ctx: Context, summary: str) -> None:
        self.ctx = ctx
        self.db: Database = ctx.db
        self.summary = summary
        self.now = to_db(ctx.clock.now())
        self.op_id: int | None = None
        self._tx: Any = None
        self.events: list[ChangeEvent] = []
        self._outer: UnitOfWork | None = None

    def __enter__(self) -> UnitOfWork:
        outer = self.db.work
        assert outer is None or isinstance(outer, UnitOfWork)
        tx = self.db.transaction()
        tx.__enter__()  # raises inside a read-only snapshot, before anything is recorded
        self._tx = tx
        self._outer = outer
        if outer is None:
            self.db.work = self
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._outer is not None:
            self._tx.__exit__(exc_type, exc, tb)
            return
        # the hooks module is loaded by the first write, not by every command that may write
        from minicrm.services.kernel.hooks import active, run_on_hooks, run_pre_hooks

        hooks = active(self.ctx) if exc_type is None and self.events else []  # one scandir
        try:
            if hooks:
                try:
                    run_pre_hooks(self.ctx, self.events, self.summary, hooks)
                except BaseException as veto:
                    self._tx.__exit__(type(veto), veto, veto.__traceback__)
                    raise
            self._tx.__exit__(exc_type, exc, tb)
        finally:
            self.db.work = None
        if hooks:
            run_on_hooks(self.ctx, self.events, self.summary, hooks)

    def operation(self) -> int:
        """The operation row of this unit of work; a nested one records into the outer one's."""
        if self.op_id is None and self._outer is not None:
            self.op_id = self._outer.operation()
        if self.op_id is None:
            self.op_id = self.db.insert(
                "INSERT INTO operation (at, actor, summary, role) VALUES (?, ?, ?, ?)",
                (self.now, self.ctx.user, self.summary[:500], self.ctx.role),
            )
        return self.op_id

    def record(
        self,
        entity: str,
        entity_id: int,
        action: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        """Append one change-log entry (full before/after snapshots as JSON)."""
        self.db.execute(
            "INSERT INTO change (op_id, at, actor, entity, entity_id, action, before, after) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                self.operation(),
                self.now,
                self.ctx.user,
                entity,
                entity_id,
                action,
                _dump(before),
                _dump(after),
            ),
        )
        from minicrm.services.kernel.hooks import ChangeEvent

        (self._outer or self).events.append(ChangeEvent(entity, entity_id, action, before, after))


def _dump(value: dict[str, Any] | None) -> str | None:
    if value is None:
        return None
    import json  # loaded by the first write

    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
