"""Tags: names shared by contacts, companies and deals (many-to-many)."""

from __future__ import annotations

from minicrm.store import db as db_layer

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from collections.abc import Iterable

    from minicrm.store.db import Database

_LINKS = {
    "contact": ("contact_tag", "contact_id"),
    "company": ("company_tag", "company_id"),
    "deal": ("deal_tag", "deal_id"),
}


def tag_id(db: Database, name: str) -> int:
    found = db.scalar("SELECT id FROM tag WHERE name = ?", (name,))
    if found is not None:
        return int(found)
    return db.insert("INSERT INTO tag (name) VALUES (?)", (name,))


def set_tags(db: Database, entity: str, entity_id: int, names: Iterable[str]) -> None:
    table, column = _LINKS[entity]
    db.execute(f"DELETE FROM {table} WHERE {column} = ?", (entity_id,))
    for name in dict.fromkeys(names):
        db.execute(f"INSERT INTO {table} ({column}, tag_id) VALUES (?, ?)", (entity_id, tag_id(db, name)))


def tags_of(db: Database, entity: str, ids: list[int]) -> dict[int, tuple[str, ...]]:
    if not ids:
        return {}
    if len(ids) > db_layer.ID_BATCH:
        merged: dict[int, tuple[str, ...]] = {}
        for batch in db_layer.id_batches(ids):
            merged.update(tags_of(db, entity, batch))
        return merged
    table, column = _LINKS[entity]
    marks = ",".join("?" * len(ids))
    found: dict[int, list[str]] = {}
    for row in db.all(
        f"SELECT l.{column} AS owner_id, t.name FROM {table} l JOIN tag t ON t.id = l.tag_id "
        f"WHERE l.{column} IN ({marks}) ORDER BY t.name",
        ids,
    ):
        found.setdefault(int(row["owner_id"]), []).append(row["name"])
    return {k: tuple(v) for k, v in found.items()}


def all_tags(db: Database) -> list[tuple[str, int]]:
    """Every tag with the number of contacts carrying it."""
    rows = db.all(
        "SELECT t.name, count(ct.contact_id) AS n FROM tag t LEFT JOIN contact_tag ct ON ct.tag_id = t.id "
        "GROUP BY t.name ORDER BY t.name"
    )
    return [(r["name"], int(r["n"])) for r in rows]
