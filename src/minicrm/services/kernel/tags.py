"""Tags: names shared by contacts, companies and deals (many-to-many)."""

from __future__ import annotations

# the tag records live in the store (``uow.tags`` writes them); re-exported for the readers
from minicrm.store.records.tags import stored_tag as stored_tag
from minicrm.store.records.tags import tags_of as tags_of

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from minicrm.services.kernel.context import Context


def all_tags(ctx: Context) -> list[tuple[str, int]]:
    """Every tag with the number of contacts carrying it."""
    db = ctx.db
    rows = db.all(
        "SELECT t.name, count(ct.contact_id) AS n FROM tag t LEFT JOIN contact_tag ct ON ct.tag_id = t.id "
        "GROUP BY t.name ORDER BY t.name"
    )
    return [(r["name"], int(r["n"])) for r in rows]
