"""Company records: the ``company`` row with its tags and custom fields.

The one place that writes a company's child rows and keeps its search document (and those of
its people, whose documents name it) current.
"""

from __future__ import annotations

from minicrm.store.records import search_index
from minicrm.store.records.base import deleted, insert_sql, update_row
from minicrm.store.records.tags import TagRecords, tags_of

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import Any

    from minicrm.store.db import Database

#: the ``company`` table's columns after ``id``, in table order
#: what a user fills in about a company besides its name (edits clear them, merges fill them)
DETAILS = ("domain", "industry", "size", "street", "city", "region", "postcode", "country", "owner")
COLUMNS = ("name", *DETAILS, "created_at", "updated_at", "version", "sort_name")
ALL_COLUMNS = ("id", *COLUMNS)
FIELD_COLUMNS = ("company_id", "key", "value")
CHILDREN = ("tags", "fields")

_INSERT_FIELD = insert_sql("company_field", FIELD_COLUMNS)


def snapshot(db: Database, company_id: int) -> dict[str, Any] | None:
    """The full stored state of one company, as recorded in the change log."""
    row = db.one("SELECT * FROM company WHERE id = ?", (company_id,))
    if row is None:
        return None
    data = {k: row[k] for k in ALL_COLUMNS}
    data["tags"] = list(tags_of(db, "company", [company_id]).get(company_id, ()))
    data["fields"] = fields_of(db, company_id)
    return data


def fields_of(db: Database, company_id: int) -> dict[str, str]:
    return {
        r["key"]: r["value"]
        for r in db.all(
            "SELECT key, value FROM company_field WHERE company_id = ? ORDER BY key", (company_id,)
        )
    }


class CompanyRecords:
    """Writes of companies, bound to one database (``uow.companies``)."""

    def __init__(self, db: Database, tags: TagRecords | None = None) -> None:
        self.db = db
        self.tags = tags or TagRecords(db)

    def snapshot(self, company_id: int) -> dict[str, Any] | None:
        return snapshot(self.db, company_id)

    def insert(
        self, values: Mapping[str, Any], *, tags: Iterable[str] = (), fields: Mapping[str, str] | None = None
    ) -> int:
        """A new company (``values`` holds every column of ``COLUMNS``) with its child rows."""
        values = {**values, "sort_name": search_index.sort_key(values["name"])}
        company_id = self.db.insert(insert_sql("company", COLUMNS), [values[c] for c in COLUMNS])
        if fields:
            self.db.executemany(_INSERT_FIELD, [(company_id, k, v) for k, v in fields.items()])
        self.tags.replace("company", company_id, tags)
        search_index.reindex_company(self.db, company_id)
        return company_id

    def insert_many(self, rows: list[list[Any]]) -> None:
        """New companies without tags or fields, ids allocated: each row the ``ALL_COLUMNS``
        values (the importer's companies named by its contacts)."""
        self.db.executemany(insert_sql("company", ALL_COLUMNS), rows)
        name = ALL_COLUMNS.index("name")
        search_index.insert_docs(
            self.db, [("company", int(r[0]), search_index.company_search_body(r[name])) for r in rows]
        )

    def update(
        self, company_id: int, values: Mapping[str, Any], *, base_version: int | None = None
    ) -> int | None:
        """Set columns of one company; re-index it and, when its name changed, its people.
        With ``base_version`` only if the stored version is still that one: returns the new
        version, or None when it moved on (nothing written)."""
        renamed = (
            "name" in values
            and self.db.scalar("SELECT name FROM company WHERE id = ?", (company_id,)) != values["name"]
        )
        changes = dict(values)
        if "name" in changes:
            changes["sort_name"] = search_index.sort_key(changes["name"])
        version = update_row(self.db, "company", company_id, changes, base_version)
        if base_version is None or version is not None:
            search_index.reindex_company(self.db, company_id, with_contacts=bool(renamed))
        return version

    def replace_children(
        self,
        company_id: int,
        *,
        tags: Iterable[str] | None = None,
        fields: Mapping[str, str] | None = None,
    ) -> None:
        """Replace the child lists given (None: left as they are)."""
        if fields is not None:
            self.db.execute("DELETE FROM company_field WHERE company_id = ?", (company_id,))
            if fields:
                self.db.executemany(_INSERT_FIELD, [(company_id, k, v) for k, v in fields.items()])
        if tags is not None:
            self.tags.replace("company", company_id, tags)

    def reindex(self, company_id: int, *, with_contacts: bool = False) -> None:
        """Rebuild the company's search document (``with_contacts``: its people's too)."""
        search_index.reindex_company(self.db, company_id, with_contacts=with_contacts)

    def delete(self, company_id: int) -> list[int]:
        """Delete the company; its people and deals stay, unlinked (ON DELETE SET NULL), and
        the documents of both no longer name it. Returns the ids of the people unlinked."""
        db = self.db
        linked = [int(r["id"]) for r in db.all("SELECT id FROM contact WHERE company_id = ?", (company_id,))]
        deals = [int(r["id"]) for r in db.all("SELECT id FROM deal WHERE company_id = ?", (company_id,))]
        deleted(db.execute("DELETE FROM company WHERE id = ?", (company_id,)), "company", company_id)
        search_index.unindex(db, "company", company_id)
        for contact_id in linked:
            search_index.reindex_contact(db, contact_id)
        for deal_id in deals:
            search_index.reindex_deal(db, deal_id)
        return linked
