"""Tags: names shared by contacts, companies and deals (many-to-many)."""

from __future__ import annotations

# the tag records live in the store; re-exported for the readers that import them from here
from minicrm.store.records.tags import set_tags as set_tags
from minicrm.store.records.tags import tag_id as tag_id
from minicrm.store.records.tags import tags_of as tags_of

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from minicrm.store.db import Database


def all_tags(db: Database) -> list[tuple[str, int]]:
    """Every tag with the number of contacts carrying it."""
    rows = db.all(
        "SELECT t.name, count(ct.contact_id) AS n FROM tag t LEFT JOIN contact_tag ct ON ct.tag_id = t.id "
        "GROUP BY t.name ORDER BY t.name"
    )
    return [(r["name"], int(r["n"])) for r in rows]
