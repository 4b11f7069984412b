"""Keeping the search documents current: one ``search_doc`` row per record, written in the
same transaction as the record itself.

This is the write side of full-text search (``minicrm.services.search`` holds the queries).
Only the record modules of this package call it: a service that writes a contact, company,
deal or interaction through ``uow.contacts``, ``uow.companies``, … never indexes by hand.
What a document says (which fields, in which order) is decided here, once per kind.
"""

from __future__ import annotations

import contextlib

from minicrm.store.records.base import allocate_ids

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from minicrm.store.db import Database

#: FTS5's default ``automerge``
_FTS_AUTOMERGE = 4
#: pages one step of ``merge_index`` writes (~0.1 s): a step is the most a writer waits for
_MERGE_PAGES = 1000

#: letters that are not a base letter with a combining mark (NFKD keeps them whole), spelled
#: as a search would type them
_LETTERS = str.maketrans(
    {
        "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th",
        "Þ": "Th", "æ": "ae", "Æ": "Ae", "œ": "oe", "Œ": "Oe", "ß": "ss", "ẞ": "SS", "ı": "i",
        "ħ": "h", "Ħ": "H", "ŧ": "t", "Ŧ": "T",
    }
)  # fmt: skip


def fold(text: str) -> str:
    """Text without diacritics, as the search index holds it (``Gonçalves``, ``Müller``,
    ``São``, ``Søren`` → ``Goncalves``, ``Muller``, ``Sao``, ``Soren``); case is left to the
    index (FTS5 and ``lower()`` ignore it). A query goes through ``fold_query``, so SQLite
    (whose FTS5 trigram tokenizer folds no accents before SQLite 3.45) and PostgreSQL match
    alike. ASCII text, most of it, is returned as it is."""
    if text.isascii():
        return text
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def sort_key(name: str | None) -> str:
    """How a name sorts: without diacritics and case (Élodie with the E's, Łukasz with the L's,
    ``ana`` before ``Bruno``), stored beside the name (``sort_name``) so that the list's order
    has an index on both backends; a short filter matches its start."""
    return fold(name or "").casefold()


def fill_sort_names(db: Database) -> None:
    """Give every contact and company without one its ``sort_name`` (rows an archive of an
    older minicrm brought in)."""
    for table in ("contact", "company"):
        rows = db.all(f"SELECT id, name FROM {table} WHERE sort_name IS NULL")
        db.executemany(
            f"UPDATE {table} SET sort_name = ? WHERE id = ?", [(sort_key(r["name"]), r["id"]) for r in rows]
        )


def kind_mark(entity: str) -> str:
    """The trigram a document of ``entity`` (other than a contact) starts with in the FTS5 index
    (migration 0010's ``search_fts_text``): ``char(31)`` and the kind's first two letters, which no
    text a user types holds, so that a search for companies, deals or notes reads only theirs."""
    return "\x1f" + entity[:2]


def fold_query(text: str) -> str:
    """A query as it is matched against the folded documents: folded and lower-case."""
    return fold(text).lower()


def index(db: Database, entity: str, entity_id: int, body: str) -> None:
    """Insert or replace the search document of one record."""
    db.execute("DELETE FROM search_doc WHERE entity = ? AND entity_id = ?", (entity, entity_id))
    if body.strip():
        db.execute(
            "INSERT INTO search_doc (entity, entity_id, body) VALUES (?, ?, ?)",
            (entity, entity_id, fold(body)),
        )


def unindex(db: Database, entity: str, entity_id: int) -> None:
    db.execute("DELETE FROM search_doc WHERE entity = ? AND entity_id = ?", (entity, entity_id))


# -- what each kind's document says ------------------------------------------------------------
def contact_search_body(
    name: str, emails: Iterable[str], phones: Iterable[str], company: str | None, title: str | None
) -> str:
    """A contact's document: name, emails, phones, company name, title (the empty ones left out)."""
    return " | ".join(filter(None, (name, *emails, *phones, company, title)))


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
    return contact_search_body(row["name"], emails, phones, row["company"], row["title"])


def company_search_body(name: str, domain: str | None = None, industry: str | None = None) -> str:
    return " | ".join(x for x in (name, domain, industry) if x)


def deal_search_body(title: str, contact: str | None = None, company: str | None = None) -> str:
    return " | ".join(x for x in (title, contact, company) if x)


# -- re-indexing one record from what is stored -----------------------------------------------
def reindex_contact(db: Database, contact_id: int) -> None:
    index(db, "contact", contact_id, contact_body(db, contact_id))


def reindex_company(db: Database, company_id: int, *, with_contacts: bool = False) -> None:
    """The company's document; ``with_contacts`` also its people's and deals' (their documents
    name it)."""
    row = db.one("SELECT name, domain, industry FROM company WHERE id = ?", (company_id,))
    if row is None:
        unindex(db, "company", company_id)
        return
    index(db, "company", company_id, company_search_body(row["name"], row["domain"], row["industry"]))
    if with_contacts:
        for r in db.all("SELECT id FROM contact WHERE company_id = ?", (company_id,)):
            reindex_contact(db, r["id"])
        reindex_deals_of(db, "company_id", company_id)


def reindex_deal(db: Database, deal_id: int) -> None:
    row = db.one(
        "SELECT d.title, c.name AS contact, co.name AS company FROM deal d "
        "LEFT JOIN contact c ON c.id = d.contact_id LEFT JOIN company co ON co.id = d.company_id "
        "WHERE d.id = ?",
        (deal_id,),
    )
    if row is None:
        unindex(db, "deal", deal_id)
        return
    index(db, "deal", deal_id, deal_search_body(row["title"], row["contact"], row["company"]))


def reindex_deals_of(db: Database, column: str, record_id: int) -> None:
    """Rebuild the documents of the deals whose ``column`` (``contact_id`` or ``company_id``)
    is ``record_id``: a deal's document names its contact and company."""
    assert column in ("contact_id", "company_id")
    for r in db.all(f"SELECT id FROM deal WHERE {column} = ?", (record_id,)):
        reindex_deal(db, int(r["id"]))


def reindex_interaction(db: Database, interaction_id: int, body: str) -> None:
    """Every interaction (note, call, email, meeting, stage change…) is a ``note`` document."""
    index(db, "note", interaction_id, body)


def unindex_notes_of(db: Database, contact_id: int) -> None:
    """Drop the documents of a contact's interactions (deleted with the contact by cascade)."""
    db.execute(
        "DELETE FROM search_doc WHERE entity = 'note' AND entity_id IN "
        "(SELECT id FROM interaction WHERE contact_id = ?)",
        (contact_id,),
    )


# -- many at once ------------------------------------------------------------------------------
def insert_docs(db: Database, docs: list[tuple[str, int, str]]) -> None:
    """Insert many ``(entity, entity_id, body)`` search documents of records just created.

    On SQLite the FTS5 index is normally fed row by row by a trigger on ``search_doc``; that is
    ~10x slower than one ``INSERT … SELECT`` into the index, so for a batch the trigger is set
    aside (inside the caller's transaction: a rollback brings it back) and the new documents
    are indexed in one statement. While it runs, FTS5's automatic merging is off: merging the
    index segments after every batch cost an import of a million contacts 13 µs a document
    instead of 8. The segments a batch adds are still bounded (FTS5's ``crisismerge`` merges a
    level once it has 16 of them), so searches stay as fast; later writes merge as usual."""
    if not docs:
        return
    docs = [(entity, entity_id, fold(body)) for entity, entity_id, body in docs]
    if not db.is_sqlite:
        db.executemany("INSERT INTO search_doc (entity, entity_id, body) VALUES (?, ?, ?)", docs)
        return
    trigger = db.scalar("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'search_fts_ai'")
    ids = allocate_ids(db, "search_doc", len(docs))
    if trigger:
        db.execute("DROP TRIGGER search_fts_ai")
    failed = True
    try:
        db.executemany(
            "INSERT INTO search_doc (id, entity, entity_id, body) VALUES (?, ?, ?, ?)",
            [(i, *doc) for i, doc in zip(ids, docs, strict=True)],
        )
        if trigger:
            automerge = db.scalar("SELECT v FROM search_fts_config WHERE k = 'automerge'")
            db.execute("INSERT INTO search_fts (search_fts, rank) VALUES ('automerge', 0)")
            db.execute(
                "INSERT INTO search_fts (rowid, body) "
                "SELECT id, body FROM search_fts_text WHERE id BETWEEN ? AND ?",
                (ids[0], ids[-1]),
            )
            db.execute(
                "INSERT INTO search_fts (search_fts, rank) VALUES ('automerge', ?)",
                (_FTS_AUTOMERGE if automerge is None else int(automerge),),
            )
        failed = False
    finally:
        if trigger and not failed:
            db.execute(str(trigger))
        elif trigger:
            _restore_trigger(db, str(trigger))


def _restore_trigger(db: Database, sql: str) -> None:
    """Put the trigger back after a failed batch, if it is still gone, and never raise: the
    error that stopped the batch is the one to report. A failure such as a full disk has
    already rolled the transaction back, and the trigger with it; creating it again then failed
    ("trigger search_fts_ai already exists") and hid "database or disk is full"."""
    with contextlib.suppress(Exception):
        if not db.scalar("SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = 'search_fts_ai'"):
            db.execute(sql)


def merge_index(db: Database, *, full: bool, between: Callable[[], None]) -> int:
    """Merge the FTS5 index segments a bulk load left (``insert_docs`` turns automatic merging
    off), in steps of ``_MERGE_PAGES`` pages with ``between()`` after each (an import commits
    its batch there, so other writers wait one step, not the whole merge); the steps taken.

    ``full``: into one segment (FTS5's ``merge`` with a negative page count), for an import
    that wrote much of the index. Left to the writes after it, the ~20 segments of a million
    contacts were merged in one go by FTS5's ``crisismerge``, which stalled a ``contact add``
    for 2.5-6 s, and searches read every segment until then (20-29 ms for an exact email).
    Otherwise only the levels FTS5 would merge anyway (positive count): what a few batches
    added is merged without rewriting the whole index. PostgreSQL's trigram index has no
    segments: nothing to do."""
    if not db.is_sqlite:
        return 0
    conn = db.raw
    pages = -_MERGE_PAGES if full else _MERGE_PAGES
    steps = 0
    while True:
        # FTS5: a 'merge' that changed fewer than 2 rows found nothing to merge
        before = conn.total_changes
        db.execute("INSERT INTO search_fts (search_fts, rank) VALUES ('merge', ?)", (pages,))
        if conn.total_changes - before < 2:
            return steps
        steps += 1
        between()


def index_segments(db: Database) -> int:
    """How many segments the FTS5 index has (0 on PostgreSQL), from its structure record
    (``search_fts_data`` row 10: a 4-byte cookie, then varints: levels, segments, …)."""
    if not db.is_sqlite:
        return 0
    blob = db.scalar("SELECT block FROM search_fts_data WHERE id = 10")
    if not blob:
        return 0
    values, value, shift = [], 0, 0
    for byte in bytes(blob)[4:]:
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            values.append(value)
            value, shift = 0, 0
            if len(values) == 2:
                break
    return values[1]
