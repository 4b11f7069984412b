"""Full-text search: one document per record in ``search_doc``, indexed by FTS5 trigram on
SQLite and pg_trgm on PostgreSQL. Queries are literal: every word must appear as a substring,
ignoring case and diacritics (the documents are folded, the queries too: ``muller`` finds
Müller);
FTS syntax (quotes, ``*``, ``AND``, ``NEAR(``) is just text. Words of one or two letters, too
short for a trigram, are matched by LIKE (``sa`` finds São Paulo as it finds Sara).

This is the query side; the documents are written by ``minicrm.store.records.search_index``.
"""

from __future__ import annotations

# the write side, kept importable from here for scripts and tests; services never call it (the
# record modules do, inside their writes)
from minicrm.store.records.search_index import fold_query as fold_query
from minicrm.store.records.search_index import index as index
from minicrm.store.records.search_index import kind_mark
from minicrm.store.records.search_index import reindex_company as reindex_company
from minicrm.store.records.search_index import reindex_contact as reindex_contact
from minicrm.store.records.search_index import reindex_interaction as reindex_interaction
from minicrm.store.records.search_index import unindex as unindex

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from collections.abc import Iterable

    from minicrm.services.dto import SearchHit
    from minicrm.services.kernel.context import Context

ENTITIES = ("contact", "company", "deal", "note")


def _words(query: str) -> list[str]:
    """The query's words, folded as the documents are (case and diacritics). Text that is not
    UTF-8 (an argument in another locale) is refused as typed, before it becomes index syntax."""
    try:
        query.encode("utf-8")
    except UnicodeEncodeError as exc:
        from minicrm.core.errors import InvalidInput
        from minicrm.core.text import not_utf8

        raise InvalidInput(not_utf8(exc)) from None
    return [w for w in fold_query(query.replace("\x00", "")).split() if w]


def like_pattern(word: str) -> str:
    """``LIKE`` for ``word`` anywhere in the text, taken literally (``%`` and ``_`` too)."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


#: A word longer than this is looked up in the index by its first ``INDEXED_PREFIX``
#: characters, and each document the index finds is then checked for the whole word by a
#: substring search, linear in the document (``store.db``'s ``minicrm_contains``; PostgreSQL's
#: ``strpos``). Matching the whole word in the index or with ``LIKE`` costs the word's length
#: times the document's: a 30,000-character word against a 60,000-character name took minutes.
INDEXED_PREFIX = 32


def _lookup(entity: str, grams: list[str]) -> tuple[str, list[object]]:
    """SQLite: the ``entity`` documents whose index holds every trigram of ``grams``. The index
    (migration 0010) knows which documents hold a trigram, not where. For the kinds that are few
    beside the contacts, the kind's own trigram keeps the lookup to them: otherwise a word in
    every contact's email makes the company search walk all those contacts to keep none.
    Contacts are most documents: their mark would only slow the contact search down, and the
    filter on d.entity is enough for them."""
    marks = [] if entity == "contact" else [kind_mark(entity)]
    fts = " AND ".join('"' + g.replace('"', '""') + '"' for g in dict.fromkeys([*marks, *grams]))
    sql = (
        "SELECT d.entity_id FROM search_fts f CROSS JOIN search_doc d ON d.id = f.rowid "
        "WHERE search_fts MATCH ? AND d.entity = ?"
    )
    return sql, [fts, entity]


def word_start_sql(ctx: Context, letters: str, entity: str) -> tuple[str, list[object]] | None:
    """SQLite: the ``entity`` documents with a word that starts with two ``letters`` (they hold
    the one trigram of a blank and the letters), for a caller to check; None on PostgreSQL."""
    if not ctx.db.is_sqlite:
        return None
    return _lookup(entity, [" " + fold_query(letters)])


def match_sql(ctx: Context, query: str, entity: str) -> tuple[str, list[object]]:
    """SQL selecting ``entity_id`` of the ``entity`` docs matching ``query`` (and its params).
    An empty query matches nothing."""
    db = ctx.db
    words = _words(query)
    if not words:
        return "SELECT entity_id FROM search_doc WHERE 1 = 0", []
    params: list[object] = [entity]
    if db.is_sqlite:
        indexed = [w for w in words if len(w) >= 3]
        short = [w for w in words if len(w) < 3]
        if indexed:
            # each document the index finds for a word's trigrams (of its first INDEXED_PREFIX
            # letters) is checked for the whole word below
            grams: list[str] = []
            for word in indexed:
                prefix = word[:INDEXED_PREFIX]
                grams.extend(prefix[i : i + 3] for i in range(len(prefix) - 2))
            sql, params = _lookup(entity, grams)
        else:
            sql = "SELECT d.entity_id FROM search_doc d WHERE d.entity = ?"
        for word in short:
            sql += " AND d.body LIKE ? ESCAPE '\\'"
            params.append(like_pattern(word))
        for word in indexed:
            if len(word) <= 3:  # a word of three letters is its one trigram: the index matched it
                continue
            if len(word) <= INDEXED_PREFIX and word.isascii():
                # SQLite's LIKE, in C, ignores the case of ASCII letters only, as is enough here
                sql += " AND d.body LIKE ? ESCAPE '\\'"
                params.append(like_pattern(word))
            else:
                sql += " AND minicrm_contains(d.body, ?)"
                params.append(word.lower())
        return sql, params
    sql = "SELECT d.entity_id FROM search_doc d WHERE d.entity = ?"
    for word in words:
        sql += " AND lower(d.body) LIKE ? ESCAPE '\\'"
        params.append(like_pattern(word[:INDEXED_PREFIX]))
    for word in (w.lower() for w in words if len(w) > INDEXED_PREFIX):
        sql += " AND strpos(lower(d.body), ?) > 0"
        params.append(word)
    return sql, params


def search(
    ctx: Context, query: str, *, limit: int = 50, entities: Iterable[str] = ENTITIES
) -> list[SearchHit]:
    """The best ``limit`` records matching ``query``: names that start with it first."""
    db = ctx.db
    hits: list[SearchHit] = []
    for entity in entities:
        sql, params = match_sql(ctx, query, entity)
        ids = [int(r["entity_id"]) for r in db.all(f"{sql} LIMIT ?", [*params, limit])]
        if ids:
            hits.extend(_describe(ctx, entity, ids))
    needle = fold_query(query.strip())
    kind_rank = {e: i for i, e in enumerate(ENTITIES)}
    last = len(ENTITIES) - 1  # interactions: notes, calls, emails, meetings… rank together
    hits.sort(
        key=lambda h: (
            not fold_query(h.label).startswith(needle),
            kind_rank.get(h.entity, last),
            h.label.lower(),
            h.id,
        )
    )
    return hits[:limit]


def _describe(ctx: Context, entity: str, ids: list[int]) -> list[SearchHit]:
    db = ctx.db
    from minicrm.services.dto import SearchHit  # here: the writers import this module to index

    marks = ",".join("?" * len(ids))
    if entity == "contact":
        rows = db.all(
            "SELECT c.id, c.name, co.name AS company, "
            "(SELECT e.email FROM contact_email e WHERE e.contact_id = c.id ORDER BY e.position LIMIT 1) AS "
            "email "
            f"FROM contact c LEFT JOIN company co ON co.id = c.company_id WHERE c.id IN ({marks})",
            ids,
        )
        return [
            SearchHit(
                "contact", r["id"], r["name"], " · ".join(x for x in (r["email"], r["company"]) if x), r["id"]
            )
            for r in rows
        ]
    if entity == "company":
        rows = db.all(f"SELECT id, name, domain FROM company WHERE id IN ({marks})", ids)
        return [SearchHit("company", r["id"], r["name"], r["domain"] or "") for r in rows]
    if entity == "deal":
        rows = db.all(f"SELECT id, title, stage, status, contact_id FROM deal WHERE id IN ({marks})", ids)
        return [
            SearchHit("deal", r["id"], r["title"], f"{r['stage']} ({r['status']})", r["contact_id"])
            for r in rows
        ]
    rows = db.all(
        "SELECT i.id, i.kind, i.body, i.contact_id, c.name AS contact FROM interaction i "
        f"LEFT JOIN contact c ON c.id = i.contact_id WHERE i.id IN ({marks})",
        ids,
    )
    # the "note" documents index every interaction; a hit says which kind it is (call, email…)
    return [
        SearchHit(
            r["kind"], r["id"], r["contact"] or f"{r['kind']} {r['id']}", _snippet(r["body"]), r["contact_id"]
        )
        for r in rows
    ]


def _snippet(body: str, width: int = 80) -> str:
    flat = " ".join(body.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"
