"""Tags: names shared by contacts, companies and deals (many-to-many link tables)."""

from __future__ import annotations

from minicrm.core.tags import tag_key
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


def _by_key(db: Database) -> dict[str, tuple[int, str]]:
    """Every tag's (id, stored spelling) by its key (``core.tags``)."""
    found: dict[str, tuple[int, str]] = {}
    for row in db.all("SELECT id, name FROM tag ORDER BY id"):
        found.setdefault(tag_key(row["name"]), (int(row["id"]), row["name"]))
    return found


def find_tag(db: Database, name: str) -> tuple[int, str] | None:
    """The tag that ``name`` spells (``My Contacts`` finds ``my-contacts``): id and stored name."""
    row = db.one("SELECT id, name FROM tag WHERE name = ?", (name,))
    if row is not None:
        return int(row["id"]), row["name"]
    return _by_key(db).get(tag_key(name))


def stored_tag(db: Database, name: str) -> str:
    """The stored spelling of the tag ``name`` spells, or ``name`` for a tag that does not exist."""
    found = find_tag(db, name)
    return found[1] if found else name


def tag_id(db: Database, name: str) -> int:
    """The id of the tag ``name`` spells, created (spelt so) when new."""
    found = find_tag(db, name)
    if found is not None:
        return found[0]
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
        #: every tag's id by key, read at the first name not seen yet
        self.keys: dict[str, int] | None = None

    def id(self, name: str) -> int:
        found = self.ids.get(name)
        if found is None:
            if self.keys is None:
                self.keys = {key: found for key, (found, _) in _by_key(self.db).items()}
            key = tag_key(name)
            found = self.keys.get(key)
            if found is None:
                found = self.keys[key] = self.db.insert("INSERT INTO tag (name) VALUES (?)", (name,))
            self.ids[name] = found
        return found

    def replace(self, entity: str, entity_id: int, names: Iterable[str]) -> None:
        """The record's tags become ``names`` (each tag once, whatever its spellings)."""
        table, column = LINKS[entity]
        self.db.execute(f"DELETE FROM {table} WHERE {column} = ?", (entity_id,))
        self.link_many(entity, [(entity_id, i) for i in dict.fromkeys(self.id(name) for name in names)])

    def link_many(self, entity: str, rows: list[tuple[int, int]]) -> None:
        """Insert ``(record id, tag id)`` links of records that have none of them yet."""
        if rows:
            table, column = LINKS[entity]
            self.db.executemany(f"INSERT INTO {table} ({column}, tag_id) VALUES (?, ?)", rows)

    def of(self, entity: str, ids: list[int]) -> dict[int, tuple[str, ...]]:
        return tags_of(self.db, entity, ids)
