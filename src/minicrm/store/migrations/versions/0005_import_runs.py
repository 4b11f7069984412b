"""Imports that commit in batches (``import_run``), and the real role of each operation.

A long import commits every batch (other writers wait at most one batch, not the whole file),
so a killed import leaves its committed batches behind. ``import_run`` holds one row per import
in progress: written and committed before its first batch, deleted in the same transaction as
its last one. A row whose process is gone (its lock is free) is an interrupted import: the next
open rolls its operation back (the records in the id ranges its change log recorded, and the
records it updated) and deletes the operation, as a rollback would have
(``services/transfer/import_runs.py``).

``operation.role``: on PostgreSQL with a role per rep, the role that did the operation (the
connection's ``current_user``); it differs from ``actor`` when an admin acted for that user.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 15:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_run",
        sa.Column("op_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("started_at", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("host", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["op_id"], ["operation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("op_id"),
    )
    # a plain ADD COLUMN (SQLite has it): a batch copy of ``operation`` would cascade to the log
    op.add_column("operation", sa.Column("role", sqlmodel.sql.sqltypes.AutoString(), nullable=True))


def downgrade() -> None:
    op.drop_column("operation", "role")  # SQLite 3.35+ drops a column in place
    op.drop_table("import_run")
