"""User records (team mode)."""

from __future__ import annotations

from minicrm.store.records.base import insert_sql

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from minicrm.store.db import Database

#: the ``user_account`` table's columns after ``id``, in table order
COLUMNS = ("name", "email", "created_at")
ALL_COLUMNS = ("id", *COLUMNS)


class UserRecords:
    """Writes of users, bound to one database (``uow.users``)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def snapshot(self, user_id: int) -> dict[str, Any] | None:
        row = self.db.one(f"SELECT {', '.join(ALL_COLUMNS)} FROM user_account WHERE id = ?", (user_id,))
        return dict(row) if row else None

    def insert(self, values: Mapping[str, Any]) -> int:
        return self.db.insert(insert_sql("user_account", COLUMNS), [values[c] for c in COLUMNS])
