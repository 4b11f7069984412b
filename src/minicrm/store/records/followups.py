"""Follow-up records (reminders); they have no search document."""

from __future__ import annotations

from minicrm.store.records.base import deleted, insert_sql, update_row

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from minicrm.store.db import Database

#: the ``followup`` table's columns after ``id``, in table order
COLUMNS = (
    "title", "due_at", "all_day", "contact_id", "company_id", "deal_id", "owner", "done_at",
    "snoozed_until", "every", "rrule", "until", "from_done", "series_id", "origin", "created_at",
    "updated_at", "version",
)  # fmt: skip
ALL_COLUMNS = ("id", *COLUMNS)
_FLAGS = ("all_day", "from_done")


def snapshot(db: Database, followup_id: int) -> dict[str, Any] | None:
    """The stored row as the change log records it (the flags as booleans)."""
    row = db.one("SELECT * FROM followup WHERE id = ?", (followup_id,))
    if row is None:
        return None
    # keys(): iterating an sqlite3.Row yields its values, not its column names
    return {k: (bool(row[k]) if k in _FLAGS else row[k]) for k in row.keys()}  # noqa: SIM118


class FollowUpRecords:
    """Writes of follow-ups, bound to one database (``uow.followups``)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def snapshot(self, followup_id: int) -> dict[str, Any] | None:
        return snapshot(self.db, followup_id)

    def insert(self, values: Mapping[str, Any]) -> int:
        """A new follow-up (every column of ``COLUMNS``)."""
        return self.db.insert(insert_sql("followup", COLUMNS), [values[c] for c in COLUMNS])

    def update(self, followup_id: int, values: Mapping[str, Any]) -> None:
        update_row(self.db, "followup", followup_id, dict(values))

    def delete(self, followup_id: int) -> None:
        deleted(self.db.execute("DELETE FROM followup WHERE id = ?", (followup_id,)), "followup", followup_id)
