"""A leaner search index: FTS5 keeps which documents hold a trigram, not where.

SQLite's trigram index (``search_fts``) kept every trigram's position in every document
(``detail=full``) so that FTS5 could match a word as a phrase of trigrams: 69 MB per 200k
imported contacts, the largest object of the database (the documents themselves are 21 MB).
It is rebuilt with ``detail=none`` (13 MB per 200k, and an import writes it about twice as
fast): a lookup finds the documents that hold all of a word's trigrams, and the search then
checks each of them for the whole word (``services/search.py``), as it already did past the
indexed prefix of a long word.

FTS5 without positions has no column filters either, so the index has one column. Each
document of a kind other than contact starts with a mark of its kind, one trigram no text of
a user's holds (``char(31)`` and the kind's first two letters: ``\\x1fco`` for a company), so a
search for companies, deals or notes is still kept to them by the index. Before, the kind was
a column of its own, and ``entity:"company"`` read the trigrams ``com``, ``omp``, … of every
contact's ``Company N`` to keep the thousand companies: 40-70 ms a search at 200k contacts;
the one-trigram mark takes a fraction of a millisecond. What FTS5 indexes for a document is
the view ``search_fts_text`` (the index's content), so a rebuild or an integrity check reads
what the triggers wrote.

PostgreSQL's trigram index (pg_trgm) is unchanged: nothing to do there.

On both backends ``import_run`` gets ``set_aside``: the indexes an import into an empty contact
table dropped, to build them once at its end (``services/transfer/import_runs.py``), so that
the rollback of an import that never got there builds them again.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 13:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_TRIGGERS = ("search_fts_ai", "search_fts_ad", "search_fts_au")


def _text(row: str) -> str:
    """What the index holds for a ``search_doc`` row (``new``, ``old``, or the view's table)."""
    return (
        f"CASE WHEN {row}.entity = 'contact' THEN {row}.body "
        f"ELSE char(31) || substr({row}.entity, 1, 2) || ' ' || {row}.body END"
    )


def upgrade() -> None:
    op.add_column("import_run", sa.Column("set_aside", sa.Text(), nullable=True))
    if op.get_bind().dialect.name != "sqlite":
        return
    _drop()
    op.execute(f"CREATE VIEW search_fts_text AS SELECT d.id AS id, {_text('d')} AS body FROM search_doc d")
    op.execute(
        "CREATE VIRTUAL TABLE search_fts USING fts5(body, content='search_fts_text', content_rowid='id', "
        "columnsize=0, detail=none, tokenize='trigram')"
    )
    op.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
    new, old = _text("new"), _text("old")
    op.execute(
        "CREATE TRIGGER search_fts_ai AFTER INSERT ON search_doc BEGIN "
        f"INSERT INTO search_fts(rowid, body) VALUES (new.id, {new}); END"
    )
    op.execute(
        "CREATE TRIGGER search_fts_ad AFTER DELETE ON search_doc BEGIN "
        f"INSERT INTO search_fts(search_fts, rowid, body) VALUES ('delete', old.id, {old}); END"
    )
    op.execute(
        "CREATE TRIGGER search_fts_au AFTER UPDATE ON search_doc BEGIN "
        f"INSERT INTO search_fts(search_fts, rowid, body) VALUES ('delete', old.id, {old}); "
        f"INSERT INTO search_fts(rowid, body) VALUES (new.id, {new}); END"
    )


def downgrade() -> None:
    """The 0003 index again: two columns (entity, body), positions kept."""
    op.drop_column("import_run", "set_aside")  # SQLite 3.35+ drops a column in place
    if op.get_bind().dialect.name != "sqlite":
        return
    _drop()
    op.execute(
        "CREATE VIRTUAL TABLE search_fts USING fts5(entity, body, content='search_doc', content_rowid='id', "
        "columnsize=0, tokenize='trigram')"
    )
    op.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
    op.execute(
        "CREATE TRIGGER search_fts_ai AFTER INSERT ON search_doc BEGIN "
        "INSERT INTO search_fts(rowid, entity, body) VALUES (new.id, new.entity, new.body); END"
    )
    op.execute(
        "CREATE TRIGGER search_fts_ad AFTER DELETE ON search_doc BEGIN "
        "INSERT INTO search_fts(search_fts, rowid, entity, body) "
        "VALUES ('delete', old.id, old.entity, old.body); END"
    )
    op.execute(
        "CREATE TRIGGER search_fts_au AFTER UPDATE ON search_doc BEGIN "
        "INSERT INTO search_fts(search_fts, rowid, entity, body) "
        "VALUES ('delete', old.id, old.entity, old.body); "
        "INSERT INTO search_fts(rowid, entity, body) VALUES (new.id, new.entity, new.body); END"
    )


def _drop() -> None:
    for name in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS search_fts")
    op.execute("DROP VIEW IF EXISTS search_fts_text")
