"""Interaction records: notes, calls, emails, meetings, stage changes… and their documents
(every interaction is searchable as a ``note``)."""

from __future__ import annotations

from minicrm.store.records import search_index
from minicrm.store.records.base import insert_sql

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from minicrm.store.db import Database

#: the ``interaction`` table's columns after ``id``, in table order
COLUMNS = (
    "kind", "body", "at", "author", "contact_id", "company_id", "deal_id", "created_at",
    "external_id", "thread_id", "direction", "details",
)  # fmt: skip
ALL_COLUMNS = ("id", *COLUMNS)


def snapshot(db: Database, interaction_id: int) -> dict[str, Any] | None:
    row = db.one("SELECT * FROM interaction WHERE id = ?", (interaction_id,))
    return dict(row) if row is not None else None


class InteractionRecords:
    """Writes of interactions, bound to one database (``uow.interactions``)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def snapshot(self, interaction_id: int) -> dict[str, Any] | None:
        return snapshot(self.db, interaction_id)

    def insert(self, values: Mapping[str, Any]) -> int:
        """A new interaction (the columns of ``COLUMNS``; a missing one is NULL), indexed."""
        columns = tuple(c for c in COLUMNS if c in values)
        new_id = self.db.insert(insert_sql("interaction", columns), [values[c] for c in columns])
        search_index.reindex_interaction(self.db, new_id, str(values["body"]))
        return new_id

    def insert_many(self, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        """New interactions in bulk, ids allocated: ``rows`` hold ``columns`` (``id`` and
        ``body`` among them)."""
        self.db.executemany(insert_sql("interaction", columns), rows)
        at_id, at_body = columns.index("id"), columns.index("body")
        search_index.insert_docs(self.db, [("note", int(r[at_id]), str(r[at_body])) for r in rows])

    def update(self, interaction_id: int, values: Mapping[str, Any]) -> None:
        """Change some of ``COLUMNS`` (a captured meeting moved or renamed), and its document."""
        columns = [c for c in COLUMNS if c in values]
        if not columns:
            return
        self.db.execute(
            f"UPDATE interaction SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?",
            [*(values[c] for c in columns), interaction_id],
        )
        if "body" in values:
            search_index.reindex_interaction(self.db, interaction_id, str(values["body"]))

    def set_body(self, interaction_id: int, body: str) -> None:
        """Replace the text (privacy redaction) and its document."""
        self.db.execute("UPDATE interaction SET body = ? WHERE id = ?", (body, interaction_id))
        search_index.reindex_interaction(self.db, interaction_id, body)

    def reindex(self, interaction_id: int) -> None:
        body = self.db.scalar("SELECT body FROM interaction WHERE id = ?", (interaction_id,))
        if body is None:
            search_index.unindex(self.db, "note", interaction_id)
        else:
            search_index.reindex_interaction(self.db, interaction_id, str(body))

    def delete(self, interaction_id: int) -> None:
        self.db.execute("DELETE FROM interaction WHERE id = ?", (interaction_id,))
        search_index.unindex(self.db, "note", interaction_id)

    def unindex(self, interaction_id: int) -> None:
        """Drop the document of an interaction deleted by a cascade (its contact's deletion)."""
        search_index.unindex(self.db, "note", interaction_id)
