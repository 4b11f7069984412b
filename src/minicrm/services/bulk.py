"""Fast building blocks for writing many contacts in one transaction.

One ORM-style call per row manages a few thousand rows a second; these helpers validate with
cached fast paths and write with ``executemany`` so an import reaches tens of thousands.
"""

from __future__ import annotations

import hashlib
import os
import re
from functools import lru_cache

from minicrm.errors import InvalidInput
from minicrm.services.validation import normalize_email, normalize_phone
from minicrm.store.db import Database

# An ASCII address already in email-validator's normal form (lower-case domain): checking it
# with the regex alone gives the same answer, ~50x faster. (It is more lenient than
# email-validator in corners it has always been: special-use domains such as ``.invalid``,
# role mailboxes it lower-cases, the 254-byte limit; imports keep giving the same results.)
_SIMPLE_EMAIL = re.compile(
    r"(?=[^@]{1,64}@)[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
)
# The same with precomposed Latin letters in the local part (U+00C0-U+024F: letters and the
# symbols × ÷, all NFC-stable and never composing with a neighbour), as in ``joão@…``. These
# went through email-validator before, so this path gives exactly its answer: the domain is
# validated for real once (cached), the length limit is checked here.
_LATIN = r"A-Za-z0-9!#$%&'*+/=?^_`{|}~\u00c0-\u024f-"
_LATIN_EMAIL = re.compile(
    rf"(?=[^@]{{1,64}}@)[{_LATIN}]+(?:\.[{_LATIN}]+)*"
    r"@((?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63})"
)
_EMAIL_MAX_BYTES = 254
# Already E.164: parsing and formatting it again gives it back unchanged (valid or not).
_E164 = re.compile(r"\+[1-9]\d{6,14}")

CONTACT_COLUMNS = (
    "id", "name", "given_name", "family_name", "title", "company_id", "street", "city", "region", "postcode",
    "country", "status", "source", "owner", "do_not_contact", "preferred_channel", "cadence_days",
    "last_interaction_at", "created_at", "updated_at", "version", "uid",
)  # fmt: skip


def fast_email(value: str) -> str:
    """``normalize_email`` with regex fast paths; raises InvalidInput like it."""
    text = value.strip()
    if _SIMPLE_EMAIL.fullmatch(text):
        return text
    latin = _LATIN_EMAIL.fullmatch(text)
    if latin is not None and _plain_domain(latin[1]) and len(text.encode()) <= _EMAIL_MAX_BYTES:
        return text
    return _cached_email(text)


@lru_cache(maxsize=4096)
def _cached_email(text: str) -> str:
    return normalize_email(text)


@lru_cache(maxsize=65536)
def _plain_domain(domain: str) -> bool:
    """Whether email-validator accepts ``domain`` as it is (not special-use, not reserved)."""
    try:
        return normalize_email(f"a@{domain}") == f"a@{domain}"
    except InvalidInput:
        return False


def fast_phone(value: str, region: str | None) -> str:
    """``normalize_phone`` with fast paths and a cache for repeated numbers.

    Without a default region, phonenumbers parses only numbers written with a plus sign (it
    looks for one, ``+`` or fullwidth ``＋``, also in a ``phone-context``); any other number
    with a digit is kept as typed, so that answer needs no parsing."""
    text = value.strip()
    if _E164.fullmatch(text):
        return text
    if (
        region is None
        and "+" not in text
        and "\uff0b" not in text
        and "\x00" not in text
        and any(ch.isdigit() for ch in text)
    ):
        return " ".join(text.split())
    return _cached_phone(text, region)


@lru_cache(maxsize=65536)
def _cached_phone(text: str, region: str | None) -> str:
    return normalize_phone(text, region)


def identity_hash(kind: str, value: str) -> str:
    """The tombstone hash of an email (case-insensitive) or a normalised phone."""
    key = value.strip().lower() if kind == "email" else value.strip()
    return hashlib.sha256(f"{kind}:{key}".encode()).hexdigest()


def allocate_ids(db: Database, table: str, count: int) -> list[int]:
    """``count`` fresh primary keys for rows inserted with executemany (which returns none).

    SQLite: the write transaction holds the database lock, so the next ids are safe to take; past
    the largest id ever used (``sqlite_sequence``) for the tables that never reuse the id of a
    deleted record, or a new contact would inherit a deleted one's history. PostgreSQL: taken
    from the table's sequence."""
    if count <= 0:
        return []
    if db.is_sqlite:
        used = db.scalar(
            f"SELECT max(coalesce((SELECT max(id) FROM {table}), 0), "
            "coalesce((SELECT seq FROM sqlite_sequence WHERE name = ?), 0))",
            (table,),
        )
        start = int(used) + 1
        return list(range(start, start + count))
    rows = db.all(
        f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) AS id FROM generate_series(1, ?)", (count,)
    )
    return [int(r["id"]) for r in rows]


def new_uid() -> str:
    """A random (version 4) UUID as text, without building a ``uuid.UUID`` object."""
    return new_uids(1)[0]


def new_uids(count: int) -> list[str]:
    """``count`` random (version 4) UUIDs from one ``os.urandom`` call (one syscall per batch):
    the hex digits of 16 random bytes each, with the version nibble set to 4 and the variant
    nibble to 8-b (its two high bits 10), as ``str(uuid.uuid4())`` gives them."""
    digits = os.urandom(16 * count).hex()
    out = []
    for i in range(0, 32 * count, 32):
        h = digits[i : i + 32]
        out.append(f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}")
    return out


#: a random hex digit with its two high bits set to 10 (the RFC 4122 variant)
_VARIANT = {d: "89ab"[int(d, 16) & 3] for d in "0123456789abcdef"}


def contact_search_body(
    name: str, emails: list[str], phones: list[str], company: str | None, title: str | None
) -> str:
    """The same text ``search.contact_body`` builds, without reading it back."""
    return " | ".join(filter(None, (name, *emails, *phones, company, title)))


class TagCache:
    """Tag ids by name, creating missing tags on first use."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.ids: dict[str, int] = {}

    def id(self, name: str) -> int:
        found = self.ids.get(name)
        if found is None:
            existing = self.db.scalar("SELECT id FROM tag WHERE name = ?", (name,))
            found = (
                int(existing)
                if existing is not None
                else self.db.insert("INSERT INTO tag (name) VALUES (?)", (name,))
            )
            self.ids[name] = found
        return found


def insert_search_docs(db: Database, docs: list[tuple[str, int, str]]) -> None:
    """Insert many ``(entity, entity_id, body)`` search documents.

    On SQLite the FTS5 index is normally fed row by row by a trigger on ``search_doc``; that is
    ~10x slower than one ``INSERT … SELECT`` into the index, so for a batch the trigger is set
    aside (inside the caller's transaction: a rollback brings it back) and the new documents
    are indexed in one statement. While it runs, FTS5's automatic merging is off: merging the
    index segments after every batch cost an import of a million contacts 13 µs a document
    instead of 8. The segments a batch adds are still bounded (FTS5's ``crisismerge`` merges a
    level once it has 16 of them), so searches stay as fast; later writes merge as usual."""
    if not docs:
        return
    if not db.is_sqlite:
        db.executemany("INSERT INTO search_doc (entity, entity_id, body) VALUES (?, ?, ?)", docs)
        return
    trigger = db.scalar("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'search_fts_ai'")
    ids = allocate_ids(db, "search_doc", len(docs))
    if trigger:
        db.execute("DROP TRIGGER search_fts_ai")
    try:
        db.executemany(
            "INSERT INTO search_doc (id, entity, entity_id, body) VALUES (?, ?, ?, ?)",
            [(i, *doc) for i, doc in zip(ids, docs, strict=True)],
        )
        if trigger:
            automerge = db.scalar("SELECT v FROM search_fts_config WHERE k = 'automerge'")
            db.execute("INSERT INTO search_fts (search_fts, rank) VALUES ('automerge', 0)")
            db.execute(
                "INSERT INTO search_fts (rowid, entity, body) "
                "SELECT id, entity, body FROM search_doc WHERE id BETWEEN ? AND ?",
                (ids[0], ids[-1]),
            )
            db.execute(
                "INSERT INTO search_fts (search_fts, rank) VALUES ('automerge', ?)",
                (_FTS_AUTOMERGE if automerge is None else int(automerge),),
            )
    finally:
        if trigger:
            db.execute(str(trigger))


#: FTS5's default ``automerge``
_FTS_AUTOMERGE = 4


def drop_secondary_indexes(db: Database, table: str) -> list[str]:
    """Drop ``table``'s secondary indexes (SQLite) and return the statements that recreate them.

    Keeping eight indexes current row by row costs an import about as much as writing the rows;
    building each once from the finished table is a sort, several times cheaper. Done inside
    the caller's transaction, so a rollback (an interrupted import) brings them back unchanged.
    Indexes SQLite made for constraints (``sqlite_autoindex_…``) have no SQL and stay."""
    if not db.is_sqlite:
        return []
    rows = db.all(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL "
        "ORDER BY name",
        (table,),
    )
    for r in rows:
        db.execute(f'DROP INDEX "{r["name"]}"')
    return [str(r["sql"]) for r in rows]


def create_indexes(db: Database, statements: list[str]) -> None:
    """Recreate indexes that ``drop_secondary_indexes`` set aside."""
    for sql in statements:
        db.execute(sql)
