"""Tags: names shared by contacts, companies and deals (many-to-many link tables)."""

from __future__ import annotations

from minicrm.store import db as db_layer

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from collections.abc import Iterable

    from minicrm.store.db import Database

COLUMNS = ("name",)
#: the link table and its owner column, per kind of record that carries tags
LINKS = {
    "contact": ("contact_tag", "contact_id"),
    "company": ("company_tag", "company_id"),
    "deal": ("deal_tag", "deal_id"),
}
LINK_COLUMNS = {entity: (column, "tag_id") for entity, (_, column) in LINKS.items()}


def tag_id(db: Database, name: str) -> int:
    """The id of the tag ``name``, created when new."""
    found = db.scalar("SELECT id FROM tag WHERE name = ?", (name,))
    if found is not None:
        return int(found)
    return db.insert("INSERT INTO tag (name) VALUES (?)", (name,))


def tags_of(db: Database, entity: str, ids: list[int]) -> dict[int, tuple[str, ...]]:
    """Each record's tag names, sorted (records without tags left out)."""
    if not ids:
        return {}
    if len(ids) > db_layer.ID_BATCH:
        merged: dict[int, tuple[str, ...]] = {}
        for batch in db_layer.id_batches(ids):
            merged.update(tags_of(db, entity, batch))
        return merged
    table, column = LINKS[entity]
    marks = ",".join("?" * len(ids))
    found: dict[int, list[str]] = {}
    for row in db.all(
        f"SELECT l.{column} AS owner_id, t.name FROM {table} l JOIN tag t ON t.id = l.tag_id "
        f"WHERE l.{column} IN ({marks}) ORDER BY t.name",
        ids,
    ):
        found.setdefault(int(row["owner_id"]), []).append(row["name"])
    return {k: tuple(v) for k, v in found.items()}


class TagRecords:
    """Tag ids by name (cached for the unit of work: tags are never deleted), and the links."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.ids: dict[str, int] = {}

    def id(self, name: str) -> int:
        found = self.ids.get(name)
        if found is None:
            found = self.ids[name] = tag_id(self.db, name)
        return found

    def replace(self, entity: str, entity_id: int, names: Iterable[str]) -> None:
        """The record's tags become ``names`` (duplicates once)."""
        table, column = LINKS[entity]
        self.db.execute(f"DELETE FROM {table} WHERE {column} = ?", (entity_id,))
        self.link_many(entity, [(entity_id, self.id(name)) for name in dict.fromkeys(names)])

    def link_many(self, entity: str, rows: list[tuple[int, int]]) -> None:
        """Insert ``(record id, tag id)`` links of records that have none of them yet."""
        if rows:
            table, column = LINKS[entity]
            self.db.executemany(f"INSERT INTO {table} ({column}, tag_id) VALUES (?, ?)", rows)

    def of(self, entity: str, ids: list[int]) -> dict[int, tuple[str, ...]]:
        return tags_of(self.db, entity, ids)
