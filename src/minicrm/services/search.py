"""Full-text search: one document per record in ``search_doc``, indexed by FTS5 trigram on
SQLite and pg_trgm on PostgreSQL. Queries are literal: every word must appear as a substring,
case-insensitively; FTS syntax (quotes, ``*``, ``AND``, ``NEAR(``) is just text.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from collections.abc import Iterable

    from minicrm.services.context import Context
    from minicrm.services.dto import SearchHit
    from minicrm.store.db import Database

ENTITIES = ("contact", "company", "deal", "note")


def _words(query: str) -> list[str]:
    return [w for w in query.replace("\x00", "").split() if w]


def _like_pattern(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def match_sql(db: Database, query: str, entity: str) -> tuple[str, list[object]]:
    """SQL selecting ``entity_id`` of the ``entity`` docs matching ``query`` (and its params).
    An empty query matches nothing."""
    words = _words(query)
    if not words:
        return "SELECT entity_id FROM search_doc WHERE 1 = 0", []
    params: list[object] = [entity]
    if db.is_sqlite:
        long_words = [w for w in words if len(w) >= 3]
        short = [w for w in words if len(w) < 3]
        if long_words:
            fts = " AND ".join('body:"' + w.replace('"', '""') + '"' for w in long_words)
            if entity != "contact":
                # The entity is indexed too. For the kinds that are few beside the contacts, the
                # index keeps to that kind: otherwise a word in every contact's email makes the
                # company search walk all those contacts to keep none (80 ms at 100k, 1.2 ms so).
                # Contacts are most documents: matching their entity phrase would only slow the
                # contact search down (2-7x at 1M), and the filter below is enough for them.
                fts = f'entity:"{entity}" AND {fts}'
            sql = (
                "SELECT d.entity_id FROM search_fts f CROSS JOIN search_doc d ON d.id = f.rowid "
                "WHERE search_fts MATCH ? AND d.entity = ?"
            )
            params = [fts, entity]
        else:
            sql = "SELECT d.entity_id FROM search_doc d WHERE d.entity = ?"
        for word in short:
            sql += " AND d.body LIKE ? ESCAPE '\\'"
            params.append(_like_pattern(word))
        return sql, params
    sql = "SELECT d.entity_id FROM search_doc d WHERE d.entity = ?"
    for word in words:
        sql += " AND lower(d.body) LIKE ? ESCAPE '\\'"
        params.append(_like_pattern(word))
    return sql, params


def search(
    ctx: Context, query: str, *, limit: int = 50, entities: Iterable[str] = ENTITIES
) -> list[SearchHit]:
    """The best ``limit`` records matching ``query``: names that start with it first."""
    db = ctx.db
    hits: list[SearchHit] = []
    for entity in entities:
        sql, params = match_sql(db, query, entity)
        ids = [int(r["entity_id"]) for r in db.all(f"{sql} LIMIT ?", [*params, limit])]
        if ids:
            hits.extend(_describe(db, entity, ids))
    needle = query.strip().lower()
    kind_rank = {e: i for i, e in enumerate(ENTITIES)}
    last = len(ENTITIES) - 1  # interactions: notes, calls, emails, meetings… rank together
    hits.sort(
        key=lambda h: (
            not h.label.lower().startswith(needle),
            kind_rank.get(h.entity, last),
            h.label.lower(),
            h.id,
        )
    )
    return hits[:limit]


def _describe(db: Database, entity: str, ids: list[int]) -> list[SearchHit]:
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


# -- keeping the index current (called inside the writer's transaction) ---------------------
def index(db: Database, entity: str, entity_id: int, body: str) -> None:
    """Insert or replace the search document of one record."""
    db.execute("DELETE FROM search_doc WHERE entity = ? AND entity_id = ?", (entity, entity_id))
    if body.strip():
        db.execute(
            "INSERT INTO search_doc (entity, entity_id, body) VALUES (?, ?, ?)", (entity, entity_id, body)
        )


def unindex(db: Database, entity: str, entity_id: int) -> None:
    db.execute("DELETE FROM search_doc WHERE entity = ? AND entity_id = ?", (entity, entity_id))


def contact_body(db: Database, contact_id: int) -> str:
    row = db.one(
        "SELECT c.name, c.title, co.name AS company FROM contact c "
        "LEFT JOIN company co ON co.id = c.company_id WHERE c.id = ?",
        (contact_id,),
    )
    if row is None:
        return ""
    emails = [
        r["email"] for r in db.all("SELECT email FROM contact_email WHERE contact_id = ?", (contact_id,))
    ]
    phones = [
        r["phone"] for r in db.all("SELECT phone FROM contact_phone WHERE contact_id = ?", (contact_id,))
    ]
    return " | ".join(x for x in (row["name"], *emails, *phones, row["company"], row["title"]) if x)


def reindex_contact(db: Database, contact_id: int) -> None:
    index(db, "contact", contact_id, contact_body(db, contact_id))


def reindex_company(db: Database, company_id: int, *, with_contacts: bool = False) -> None:
    row = db.one("SELECT name, domain, industry FROM company WHERE id = ?", (company_id,))
    if row is None:
        unindex(db, "company", company_id)
        return
    index(
        db, "company", company_id, " | ".join(x for x in (row["name"], row["domain"], row["industry"]) if x)
    )
    if with_contacts:
        for r in db.all("SELECT id FROM contact WHERE company_id = ?", (company_id,)):
            reindex_contact(db, r["id"])


def reindex_interaction(db: Database, interaction_id: int, body: str) -> None:
    index(db, "note", interaction_id, body)
