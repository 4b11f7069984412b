"""Paging through contacts and companies for a scrolling list, at any size.

A list never loads every row: it asks for one page at a time. The next page after a known row
is found by keyset (``(sort value, id) > (?, ?)``: an index seek, as fast at row 900,000 as at
row 0); a jump to a far page falls back to ``OFFSET``. Totals come from a count query.

Filtering uses the search index (FTS5 trigram on SQLite), capped at ``MATCH_CAP`` matches so
that a broad filter costs no more than a narrow one. One typed letter is too short for trigrams:
it matches names *starting* with it through the name index instead of scanning every document;
two letters match the start of any word of a name (the trigram of a blank and the two letters).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from minicrm.core.clock import from_db
from minicrm.core.errors import InvalidInput
from minicrm.services import search as search_index
from minicrm.services.kernel.context import Context
from minicrm.store.records.search_index import sort_key

if TYPE_CHECKING:
    from minicrm.services.contacts.queries import ContactQuery

#: a text filter shows at most this many matches (type more to narrow it): each keystroke
#: gathers and sorts up to this many rows, ~40 ms at 10,000 over a million contacts, ~9 ms at 1,000
MATCH_CAP = 1_000

#: sort name -> (column, whether it can be NULL: then keyset is not used)
CONTACT_SORTS: dict[str, tuple[str, bool]] = {
    "name": ("c.sort_name", False),  # the name as people sort it (search_index.sort_key)
    "created": ("c.created_at", False),
    "updated": ("c.updated_at", False),
    "last-interaction": ("c.last_interaction_at", True),
    # the list's other columns: each page sorts the list afresh (no index), so these cost more
    "email": (
        "(SELECT e.email_lower FROM contact_email e WHERE e.contact_id = c.id "
        "ORDER BY e.position, e.id LIMIT 1)",
        True,
    ),
    "company": ("(SELECT co.name FROM company co WHERE co.id = c.company_id)", True),
    "status": ("c.status", False),
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
    """Names that start with ``text``, whatever their case and accents (``mu`` finds Müller):
    a range of the indexed sort key."""
    key = sort_key(text)
    return f"({column} >= ? AND {column} < ?)", [key, key + "\U0010ffff"]


def _name_word_start(ctx: Context, entity: str, alias: str, text: str) -> tuple[str, list[Any]]:
    """Names with a word that starts with two typed letters (``co`` finds Bruno Costa, ``mu``
    Ana Müller): the name's start through the sort-name index, or a later word through the
    search index (``search.word_start_sql``), kept to names (``co`` in a company or an email is
    no match) and capped like any filter."""
    start, params = _name_prefix(f"{alias}.sort_name", text)
    like = search_index.like_pattern(" " + sort_key(text))
    lookup = search_index.word_start_sql(ctx, text, entity)
    later_params: list[Any]
    if lookup is None:
        later, later_params = f"SELECT n.id FROM {entity} n WHERE n.sort_name LIKE ? ESCAPE '\\'", [like]
    else:
        later = (
            f"{lookup[0]} AND EXISTS (SELECT 1 FROM {entity} n WHERE n.id = d.entity_id "
            "AND n.sort_name LIKE ? ESCAPE '\\')"
        )
        later_params = [*lookup[1], like]
    return f"({start} OR {alias}.id IN ({later} LIMIT {MATCH_CAP}))", [*params, *later_params]


def _filter(ctx: Context, search: str | None, entity: str, alias: str) -> tuple[str, list[Any]] | None:
    """The WHERE clause of a typed filter (None: no filter)."""
    text = (search or "").strip()
    if not text:
        return None
    if len(text) == 2 and " " not in text:
        return _name_word_start(ctx, entity, alias, text)
    if len(text) < 3:
        return _name_prefix(f"{alias}.sort_name", text)
    sub, params = search_index.match_sql(ctx, text, entity)
    # the cap goes inside: the index stops after MATCH_CAP matches instead of listing them all
    return f"{alias}.id IN ({sub} LIMIT {MATCH_CAP})", list(params)


def _facets(ctx: Context, facets: ContactQuery | None) -> tuple[str, list[Any]] | None:
    """The WHERE clause of the list's filters (tag, status, owner, company, a segment's): the
    filters of ``contact list``, from the one place that turns them into SQL."""
    if facets is None:
        return None
    from minicrm.services.contacts.queries import ContactQuery, query_sql

    if facets == ContactQuery(sort=facets.sort, descending=facets.descending):
        return None
    sql, params = query_sql(ctx, facets)
    return f"c.id IN ({sql})", params


def _both(
    first: tuple[str, list[Any]] | None, second: tuple[str, list[Any]] | None
) -> tuple[str, list[Any]] | None:
    if first is None or second is None:
        return first or second
    return f"{first[0]} AND {second[0]}", [*first[1], *second[1]]


def contact_count(ctx: Context, search: str | None = None, facets: ContactQuery | None = None) -> int:
    """How many contacts the list shows (at most ``MATCH_CAP`` when filtered by text)."""
    found = _filter(ctx, search, "contact", "c")
    chosen = _facets(ctx, facets)
    if found is None:
        if chosen is not None:
            return int(ctx.db.scalar(f"SELECT count(*) FROM contact c WHERE {chosen[0]}", chosen[1]))
        return int(ctx.db.scalar("SELECT count(*) FROM contact"))
    where, params = _both(found, chosen) or found
    return int(
        ctx.db.scalar(
            f"SELECT count(*) FROM (SELECT c.id FROM contact c WHERE {where} LIMIT {MATCH_CAP}) AS m", params
        )
    )


def contact_page(
    ctx: Context,
    search: str | None = None,
    *,
    sort: str = "name",
    descending: bool = False,
    offset: int = 0,
    limit: int = 100,
    after: ContactRow | None = None,
    facets: ContactQuery | None = None,
) -> list[ContactRow]:
    """``limit`` rows of the filtered, sorted list: after the row ``after`` when given (keyset),
    else from ``offset``."""
    return contact_window(
        ctx, search, sort=sort, descending=descending, offset=offset, limit=limit, after=after, facets=facets
    )[1]


def contact_window(
    ctx: Context,
    search: str | None = None,
    *,
    sort: str = "name",
    descending: bool = False,
    offset: int = 0,
    limit: int = 100,
    after: ContactRow | None = None,
    facets: ContactQuery | None = None,
) -> tuple[int | None, list[ContactRow]]:
    """One page and, for a list filtered by text, the number of matches (from the same query: one
    pass per keystroke). The ids are found first, then only those rows are read. ``facets``: the
    filters of ``contact list`` besides the text (its sort and page do not apply)."""
    if sort not in CONTACT_SORTS:
        raise InvalidInput(f"invalid sort {sort!r} (choose from {', '.join(CONTACT_SORTS)})")
    column, nullable = CONTACT_SORTS[sort]
    direction, cmp = ("DESC", "<") if descending else ("ASC", ">")
    found = _filter(ctx, search, "contact", "c")
    chosen = _facets(ctx, facets)
    keyset = after is not None and not nullable
    params: list[Any] = []
    if found is None:
        where, params = chosen or ("1 = 1", [])
        if keyset:
            assert after is not None
            where += f" AND ({column}, c.id) {cmp} (?, ?)"
            params = [*params, after.sort_key, after.id]
        sql = (
            f"SELECT c.id, NULL AS total FROM contact c WHERE {where} "
            f"ORDER BY {column} {direction}, c.id {direction} LIMIT ? OFFSET ?"
        )
    else:
        # the matches (capped) are gathered once, then sorted: a filter matching a million rows
        # costs no more than one matching ten thousand
        match_where, params = _both(found, chosen) or found
        outer = ""
        if keyset:
            assert after is not None
            outer = f"WHERE (m.k, m.id) {cmp} (?, ?)"
            params = [*params, after.sort_key, after.id]
        sql = (
            f"WITH m AS MATERIALIZED (SELECT c.id, {column} AS k FROM contact c WHERE {match_where} "
            f"LIMIT {MATCH_CAP}) SELECT m.id, count(*) OVER () AS total FROM m {outer} "
            f"ORDER BY m.k {direction}, m.id {direction} LIMIT ? OFFSET ?"
        )
    picked = ctx.db.all(sql, [*params, limit, 0 if keyset else offset])
    ids = [int(r["id"]) for r in picked]
    total = None if found is None else (int(picked[0]["total"]) if picked else 0)
    if keyset and found is not None:
        total = None  # counted after the cursor: not the list's size
    return total, _contact_rows(ctx, ids, column)


def contact_ids(ctx: Context, search: str | None = None, facets: ContactQuery | None = None) -> list[int]:
    """The ids of every contact the list shows (what "all matching" selects), ascending."""
    where, params = _both(_filter(ctx, search, "contact", "c"), _facets(ctx, facets)) or ("1 = 1", [])
    return [
        int(r["id"]) for r in ctx.db.all(f"SELECT c.id FROM contact c WHERE {where} ORDER BY c.id", params)
    ]


def _contact_rows(ctx: Context, ids: list[int], column: str) -> list[ContactRow]:
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    rows = {
        int(r["id"]): r
        for r in ctx.db.all(
            f"SELECT c.id, c.name, c.status, c.last_interaction_at, co.name AS company, "
            f"{column} AS sort_key, (SELECT e.email FROM contact_email e WHERE e.contact_id = c.id "
            "ORDER BY e.position, e.id LIMIT 1) AS email "
            f"FROM contact c LEFT JOIN company co ON co.id = c.company_id WHERE c.id IN ({marks})",
            ids,
        )
    }
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
        for i in ids
        if (r := rows.get(i)) is not None
    ]


def company_count(ctx: Context, search: str | None = None) -> int:
    found = _filter(ctx, search, "company", "co")
    if found is None:
        return int(ctx.db.scalar("SELECT count(*) FROM company"))
    where, params = found
    return int(
        ctx.db.scalar(
            f"SELECT count(*) FROM (SELECT co.id FROM company co WHERE {where} LIMIT {MATCH_CAP}) AS m",
            params,
        )
    )


def company_page(
    ctx: Context,
    search: str | None = None,
    *,
    offset: int = 0,
    limit: int = 100,
    after: CompanyRow | None = None,
) -> list[CompanyRow]:
    where, params = _filter(ctx, search, "company", "co") or ("1 = 1", [])
    if after is not None:
        where += " AND (co.sort_name, co.id) > (?, ?)"
        params += [after.sort_key, after.id]
        offset = 0
    sql = (
        "SELECT co.id, co.name, co.sort_name, co.domain, co.industry, "
        "(SELECT count(*) FROM contact c WHERE c.company_id = co.id) AS contacts "
        f"FROM company co WHERE co.id IN (SELECT co.id FROM company co WHERE {where} "
        "ORDER BY co.sort_name, co.id LIMIT ? OFFSET ?) ORDER BY co.sort_name, co.id"
    )
    return [
        CompanyRow(int(r["id"]), r["name"], r["domain"], r["industry"], int(r["contacts"]), r["sort_name"])
        for r in ctx.db.all(sql, [*params, limit, offset])
    ]
