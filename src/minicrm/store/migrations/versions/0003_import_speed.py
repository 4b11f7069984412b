"""Import speed: the change log of records created in bulk, and a leaner search index.

- ``change_batch``: an import of a million contacts wrote a million ``change`` rows with a full
  JSON snapshot each (over 40 % of the database, and about a quarter of the import's time).
  ``change_batch`` holds the same snapshots packed: one row per run of consecutive ids of one
  kind of record, the values as JSON arrays under one list of keys (and the values they all
  share, such as the creation time, once). Its ids are taken from the
  ``change`` ids, so history, undo and privacy export order both logs by one id. Nothing
  existing is rewritten.
- SQLite's FTS5 index is rebuilt with ``columnsize=0``: it no longer keeps the size of every
  document (``search_fts_docsize``, one row per document), which only ranking functions such as
  ``bm25()`` read, and minicrm ranks hits itself. Indexing gets ~1 µs a document cheaper; what
  a search finds is unchanged. PostgreSQL's trigram index has no such table: nothing to do.
- The FTS5 index also indexes each document's ``entity`` (contact, company, deal, note), so a
  search for companies, deals or notes is kept to them by the index (``services/search.py``
  says why not for contacts): ``example`` in every contact's email
  made the search for companies, deals and notes walk all 100k matching contacts (27 ms each at
  100k, ten times that at 1M) to keep none; ``entity:"company" AND body:"example"`` takes 0.2 ms.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 05:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "change_batch",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("op_id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("entity", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("first_id", sa.Integer(), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("after", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["op_id"], ["operation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_change_batch_entity", "change_batch", ["entity", "last_id"], unique=False)
    op.create_index(op.f("ix_change_batch_op_id"), "change_batch", ["op_id"], unique=False)
    _recreate_fts(("entity", "body"), "columnsize=0, ")


def downgrade() -> None:
    _recreate_fts(("body",), "")
    op.drop_index(op.f("ix_change_batch_op_id"), table_name="change_batch")
    op.drop_index("ix_change_batch_entity", table_name="change_batch")
    op.drop_table("change_batch")


def _recreate_fts(columns: tuple[str, ...], options: str) -> None:
    """SQLite: the FTS5 index over ``search_doc`` again, on ``columns`` with ``options``, filled
    from the documents, and the triggers that keep it current (they list its columns)."""
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in ("search_fts_ai", "search_fts_ad", "search_fts_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE search_fts")
    names = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    op.execute(
        f"CREATE VIRTUAL TABLE search_fts USING fts5("
        f"{names}, content='search_doc', content_rowid='id', {options}tokenize='trigram')"
    )
    op.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
    op.execute(
        "CREATE TRIGGER search_fts_ai AFTER INSERT ON search_doc BEGIN "
        f"INSERT INTO search_fts(rowid, {names}) VALUES (new.id, {new}); END"
    )
    op.execute(
        "CREATE TRIGGER search_fts_ad AFTER DELETE ON search_doc BEGIN "
        f"INSERT INTO search_fts(search_fts, rowid, {names}) VALUES ('delete', old.id, {old}); END"
    )
    op.execute(
        "CREATE TRIGGER search_fts_au AFTER UPDATE ON search_doc BEGIN "
        f"INSERT INTO search_fts(search_fts, rowid, {names}) VALUES ('delete', old.id, {old}); "
        f"INSERT INTO search_fts(rowid, {names}) VALUES (new.id, {new}); END"
    )
