"""Deal records: the ``deal`` row, its stage history rows and its search document."""

from __future__ import annotations

from minicrm.store.records import search_index
from minicrm.store.records.base import deleted, insert_sql, update_row
from minicrm.store.records.tags import TagRecords

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import Any

    from minicrm.store.db import Database

#: the ``deal`` table's columns after ``id``, in table order
#: lifetime value in one currency per contact, as a derived table ``(contact_id, total)``;
#: its one parameter is the currency
WON_TOTALS_SQL = (
    "(SELECT d.contact_id AS contact_id, SUM(d.value_minor) AS total FROM deal d "
    "WHERE d.status = 'won' AND d.currency = ? AND d.contact_id IS NOT NULL GROUP BY d.contact_id)"
)

COLUMNS = (
    "title", "contact_id", "company_id", "value_minor", "currency", "pipeline", "stage", "probability",
    "close_date", "owner", "status", "lost_reason", "closed_at", "stage_entered_at", "last_activity_at",
    "created_at", "updated_at", "version",
)  # fmt: skip
ALL_COLUMNS = ("id", *COLUMNS)
#: the ``deal_stage_change`` table's columns after ``id``
STAGE_COLUMNS = (
    "deal_id", "from_stage", "to_stage", "status", "at", "actor", "pipeline", "left_at", "left_to",
    "left_status", "stay_seconds",
)  # fmt: skip
#: what a new entry of the stage history is given (the rest is filled when the stay ends)
_NEW_STAGE = ("deal_id", "from_stage", "to_stage", "status", "at", "actor", "pipeline")


def snapshot(db: Database, deal_id: int) -> dict[str, Any] | None:
    """The full stored state of one deal, as recorded in the change log."""
    row = db.one("SELECT * FROM deal WHERE id = ?", (deal_id,))
    if row is None:
        return None
    return {k: row[k] for k in ALL_COLUMNS}


def stage_row(db: Database, change_id: int) -> dict[str, Any] | None:
    found = db.one("SELECT * FROM deal_stage_change WHERE id = ?", (change_id,))
    return dict(found) if found is not None else None


class DealRecords:
    """Writes of deals, bound to one database (``uow.deals``)."""

    def __init__(self, db: Database, tags: TagRecords | None = None) -> None:
        self.db = db
        self.tags = tags or TagRecords(db)

    def snapshot(self, deal_id: int) -> dict[str, Any] | None:
        return snapshot(self.db, deal_id)

    def insert(self, values: Mapping[str, Any]) -> int:
        """A new deal (``values`` holds every column of ``COLUMNS``), indexed."""
        deal_id = self.db.insert(insert_sql("deal", COLUMNS), [values[c] for c in COLUMNS])
        self.reindex(deal_id)
        return deal_id

    def update(
        self, deal_id: int, values: Mapping[str, Any], *, base_version: int | None = None
    ) -> int | None:
        """Set columns of one deal and keep its search document current. With ``base_version``
        only if the stored version is still that one: returns the new version, or None when it
        moved on (nothing written)."""
        version = update_row(self.db, "deal", deal_id, dict(values), base_version)
        if base_version is None or version is not None:
            self.reindex(deal_id)
        return version

    def replace_children(self, deal_id: int, *, tags: Iterable[str] | None = None) -> None:
        if tags is not None:
            self.tags.replace("deal", deal_id, tags)

    def reindex(self, deal_id: int) -> None:
        """Rebuild the deal's search document: title, contact and company names."""
        search_index.reindex_deal(self.db, deal_id)

    def delete(self, deal_id: int) -> None:
        """Delete the deal with its stage history (ON DELETE CASCADE) and its document."""
        deleted(self.db.execute("DELETE FROM deal WHERE id = ?", (deal_id,)), "deal", deal_id)
        search_index.unindex(self.db, "deal", deal_id)

    # -- the stage history ----------------------------------------------------------------
    def stage_history(self, deal_id: int) -> list[dict[str, Any]]:
        return [
            dict(r)
            for r in self.db.all("SELECT * FROM deal_stage_change WHERE deal_id = ? ORDER BY id", (deal_id,))
        ]

    def insert_stage_change(self, values: Mapping[str, Any]) -> int:
        """A new entry of the stage history (``deal_id`` … ``pipeline``)."""
        return self.db.insert(insert_sql("deal_stage_change", _NEW_STAGE), [values[c] for c in _NEW_STAGE])

    def update_stage_change(self, change_id: int, values: Mapping[str, Any]) -> None:
        update_row(self.db, "deal_stage_change", change_id, dict(values))

    def stage_row(self, change_id: int) -> dict[str, Any] | None:
        return stage_row(self.db, change_id)
