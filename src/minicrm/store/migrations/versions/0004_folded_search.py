"""Search without diacritics: the search documents are folded.

``search Gonçalves`` found Gonçalves but ``goncalves``, ``muller`` and ``sao`` found nothing on
SQLite (FTS5's trigram tokenizer folds case, and accents only from SQLite 3.45 on). Documents
are now written folded (``minicrm.store.records.search_index.fold``: no diacritics, ``ø`` as
``o``, ``ß`` as ``ss``; case is left to the index) and queries are folded the same way, on
SQLite and PostgreSQL alike. This rewrites the existing documents that have non-ASCII text (the
FTS5 triggers re-index them); ASCII documents, most of them, are left as they are. The
downgrade keeps the folded documents: the older code finds them as it found ASCII text.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 15:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from minicrm.store.records.search_index import fold

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_BATCH = 5000


def upgrade() -> None:
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(
            sa.text("SELECT id, body FROM search_doc WHERE id > :last ORDER BY id LIMIT :n"),
            {"last": last, "n": _BATCH},
        ).fetchall()
        if not rows:
            return
        last = int(rows[-1][0])
        changed = []
        for doc_id, body in rows:
            folded = fold(body)
            if folded != body:
                changed.append({"id": int(doc_id), "body": folded})
        if changed:
            bind.execute(sa.text("UPDATE search_doc SET body = :body WHERE id = :id"), changed)


def downgrade() -> None:
    """Nothing to undo: folded documents are still documents."""
