"""The unit of work: one transaction per operation, with its change-log entries.

    with UnitOfWork(ctx, "contact add Ana") as uow:
        new_id = uow.db.insert(...)
        uow.record("contact", new_id, "create", None, snapshot)

Leaving the block commits; an exception rolls everything back, change log included. The
operation row (what ``undo`` reverts) is created with the first recorded change.
"""

from __future__ import annotations

import json
from types import TracebackType
from typing import Any

from minicrm.clock import to_db
from minicrm.services.context import Context
from minicrm.store.db import Database


class UnitOfWork:
    def __init__(self, ctx: Context, summary: str) -> None:
        self.ctx = ctx
        self.db: Database = ctx.db
        self.summary = summary
        self.now = to_db(ctx.clock.now())
        self.op_id: int | None = None
        self._tx: Any = None

    def __enter__(self) -> UnitOfWork:
        self._tx = self.db.transaction()
        self._tx.__enter__()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._tx.__exit__(exc_type, exc, tb)

    def operation(self) -> int:
        if self.op_id is None:
            self.op_id = self.db.insert(
                "INSERT INTO operation (at, actor, summary) VALUES (?, ?, ?)",
                (self.now, self.ctx.user, self.summary[:500]),
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


def _dump(value: dict[str, Any] | None) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
