"""Paging through contacts and companies for a scrolling list, at any size.

A list never loads every row: it asks for one page at a time. The next page after a known row
is found by keyset (``(sort value, id) > (?, ?)``: an index seek, as fast at row 900,000 as at
row 0); a jump to a far page falls back to ``OFFSET``. Totals come from a count query.

Filtering uses the search index (FTS5 trigram on SQLite). One or two typed letters are too short
for trigrams, so they match names *starting* with them through the name index instead of
scanning every document.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from minicrm.clock import from_db
from minicrm.errors import InvalidInput
from minicrm.services import search as search_index
from minicrm.services.context import Context

#: sort name -> (column, whether it can be NULL: then keyset is not used)
CONTACT_SORTS: dict[str, tuple[str, bool]] = {
    "name": ("c.name", False),
    "created": ("c.created_at", False),
    "updated": ("c.updated_at", False),
    "last-interaction": ("c.last_interaction_at", True),
}


@dataclass(frozen=True, slots=True)
class ContactRow:
    """One line of the contact list (the detail pane loads the full record)."""

    id: int
    name: str
    email: str | None
    company: str | None
    status: str
    last_interaction_at: datetime | None
    sort_key: Any


@dataclass(frozen=True, slots=True)
class CompanyRow:
    id: int
    name: str
    domain: str | None
    industry: str | None
    contacts: int
    sort_key: Any


def _name_prefix(column: str, text: str) -> tuple[str, list[Any]]:
    variants = list(dict.fromkeys((text, text.lower(), text.upper(), text.capitalize(), text.title())))
    clause = " OR ".join(f"({column} >= ? AND {column} < ?)" for _ in variants)
    params: list[Any] = []
    for v in variants:
        params += [v, v + "\U0010ffff"]
    return f"({clause})", params


def _filter(ctx: Context, search: str | None, entity: str, alias: str) -> tuple[str, list[Any]]:
    text = (search or "").strip()
    if not text:
        return "1 = 1", []
    if len(text) < 3:
        return _name_prefix(f"{alias}.name", text)
    sub, params = search_index.match_sql(ctx.db, text, entity)
    return f"{alias}.id IN ({sub})", list(params)


def contact_count(ctx: Context, search: str | None = None) -> int:
    where, params = _filter(ctx, search, "contact", "c")
    return int(ctx.db.scalar(f"SELECT count(*) FROM contact c WHERE {where}", params))


def contact_page(
    ctx: Context,
    search: str | None = None,
    *,
    sort: str = "name",
    descending: bool = False,
    offset: int = 0,
    limit: int = 100,
    after: ContactRow | None = None,
) -> list[ContactRow]:
    """``limit`` rows of the filtered, sorted list: after the row ``after`` when given (keyset),
    else from ``offset``."""
    if sort not in CONTACT_SORTS:
        raise InvalidInput(f"invalid sort {sort!r} (choose from {', '.join(CONTACT_SORTS)})")
    column, nullable = CONTACT_SORTS[sort]
    where, params = _filter(ctx, search, "contact", "c")
    direction, cmp = ("DESC", "<") if descending else ("ASC", ">")
    if after is not None and not nullable:
        where += f" AND ({column}, c.id) {cmp} (?, ?)"
        params += [after.sort_key, after.id]
        offset = 0
    sql = (
        f"SELECT c.id, c.name, c.status, c.last_interaction_at, co.name AS company, {column} AS sort_key, "
        "(SELECT e.email FROM contact_email e WHERE e.contact_id = c.id "
        "ORDER BY e.position, e.id LIMIT 1) AS email "
        f"FROM contact c LEFT JOIN company co ON co.id = c.company_id WHERE {where} "
        f"ORDER BY {column} {direction}, c.id {direction} LIMIT ? OFFSET ?"
    )
    return [
        ContactRow(
            int(r["id"]),
            r["name"],
            r["email"],
            r["company"],
            r["status"],
            from_db(r["last_interaction_at"]),
            r["sort_key"],
        )
        for r in ctx.db.all(sql, [*params, limit, offset])
    ]


def company_count(ctx: Context, search: str | None = None) -> int:
    where, params = _filter(ctx, search, "company", "co")
    return int(ctx.db.scalar(f"SELECT count(*) FROM company co WHERE {where}", params))


def company_page(
    ctx: Context,
    search: str | None = None,
    *,
    offset: int = 0,
    limit: int = 100,
    after: CompanyRow | None = None,
) -> list[CompanyRow]:
    where, params = _filter(ctx, search, "company", "co")
    if after is not None:
        where += " AND (co.name, co.id) > (?, ?)"
        params += [after.sort_key, after.id]
        offset = 0
    sql = (
        "SELECT co.id, co.name, co.domain, co.industry, "
        "(SELECT count(*) FROM contact c WHERE c.company_id = co.id) AS contacts "
        f"FROM company co WHERE {where} ORDER BY co.name, co.id LIMIT ? OFFSET ?"
    )
    return [
        CompanyRow(int(r["id"]), r["name"], r["domain"], r["industry"], int(r["contacts"]), r["name"])
        for r in ctx.db.all(sql, [*params, limit, offset])
    ]
