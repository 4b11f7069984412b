"""Captured mail and meetings (issue 18).

- ``interaction`` gains ``external_id`` (the Message-ID or iCalendar UID a captured message or
  meeting came from; unique per contact, so importing the same mailbox again adds nothing),
  ``thread_id`` (timelines group a thread's messages), ``direction`` (sent, received) and
  ``details`` (JSON: subject, participants, attachments; a meeting's end, location, attendees).
- ``mail_source``: each mailbox or calendar read, when it was last read (``doctor`` reports one
  left unread too long), and an IMAP folder's UIDVALIDITY and last UID.
- ``mail_seen``: a hash of each message an import has read, so that reading a mailbox again
  skips them without parsing them.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ADD COLUMN on both backends: nullable columns, no table rebuild
    op.add_column("interaction", sa.Column("external_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    op.add_column("interaction", sa.Column("thread_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    op.add_column("interaction", sa.Column("direction", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    op.add_column("interaction", sa.Column("details", sa.Text(), nullable=True))
    op.create_index("ux_interaction_external", "interaction", ["external_id", "contact_id"], unique=True)
    op.create_index("ix_interaction_thread", "interaction", ["thread_id"], unique=False)
    op.create_table(
        "mail_source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=True),
        sa.Column("last_uid", sa.BigInteger(), nullable=True),
        sa.Column("last_read_at", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("imported", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source"),
    )
    op.create_table(
        "mail_seen",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("seen_at", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("mail_seen")
    op.drop_table("mail_source")
    op.drop_index("ix_interaction_thread", table_name="interaction")
    op.drop_index("ux_interaction_external", table_name="interaction")
    with op.batch_alter_table("interaction") as batch:
        batch.drop_column("details")
        batch.drop_column("direction")
        batch.drop_column("thread_id")
        batch.drop_column("external_id")
