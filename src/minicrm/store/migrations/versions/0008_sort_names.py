"""Names sort as people read them: ``contact.sort_name`` and ``company.sort_name``.

The name without diacritics and case (``store.records.search_index.sort_key``: Élodie with the
E's, Łukasz with the L's, ``ana`` before ``Bruno``), kept beside the name and indexed, so that
``contact list``, ``company list`` and the TUI's lists sort by it from an index on SQLite and
PostgreSQL alike, and a one- or two-letter filter matches its start (``mu`` finds Müller).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 16:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_BATCH = 5000


def upgrade() -> None:
    from minicrm.store.records.search_index import sort_key

    conn = op.get_bind()
    for table in ("contact", "company"):
        # a plain ADD COLUMN: a batch copy of ``contact`` would cascade to its child rows
        op.add_column(table, sa.Column("sort_name", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        last = 0
        while True:
            rows = conn.execute(
                sa.text(f"SELECT id, name FROM {table} WHERE id > :last ORDER BY id LIMIT {_BATCH}"),
                {"last": last},
            ).fetchall()
            if not rows:
                break
            conn.execute(
                sa.text(f"UPDATE {table} SET sort_name = :key WHERE id = :id"),
                [{"key": sort_key(name), "id": row_id} for row_id, name in rows],
            )
            last = rows[-1][0]
        op.create_index(f"ix_{table}_sort_name", table, ["sort_name"], unique=False)


def downgrade() -> None:
    for table in ("company", "contact"):
        op.drop_index(f"ix_{table}_sort_name", table_name=table)
        op.drop_column(table, "sort_name")  # SQLite 3.35+ drops a column in place
