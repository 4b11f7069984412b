"""Service request records; they have no search document."""

from __future__ import annotations

from minicrm.store.records.base import insert_sql, update_row

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from minicrm.store.db import Database

#: the ``service_request`` table's columns after ``id``, in table order
COLUMNS = (
    "title", "priority", "status", "resolution", "contact_id", "deal_id", "owner", "opened_at",
    "closed_at", "created_at", "updated_at", "version",
)  # fmt: skip
ALL_COLUMNS = ("id", *COLUMNS)


def snapshot(db: Database, request_id: int) -> dict[str, Any] | None:
    row = db.one("SELECT * FROM service_request WHERE id = ?", (request_id,))
    return dict(row) if row else None


class RequestRecords:
    """Writes of service requests, bound to one database (``uow.requests``)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def snapshot(self, request_id: int) -> dict[str, Any] | None:
        return snapshot(self.db, request_id)

    def insert(self, values: Mapping[str, Any]) -> int:
        return self.db.insert(insert_sql("service_request", COLUMNS), [values[c] for c in COLUMNS])

    def update(self, request_id: int, values: Mapping[str, Any]) -> None:
        update_row(self.db, "service_request", request_id, dict(values))

    def delete(self, request_id: int) -> None:
        self.db.execute("DELETE FROM service_request WHERE id = ?", (request_id,))
