"""Leaner contact indexes: the keep-in-touch index holds only the contacts with a cadence.

``ix_contact_keep_in_touch`` (cadence, last interaction, creation time) had an entry for every
contact, though the keep-in-touch check reads only the few with a cadence of their own
(``cadence_days = ?``, ``cadence_days IS NOT NULL``): 8.6 MB per 200k imported contacts, and
kept current row by row through an import. It is now partial (``WHERE cadence_days IS NOT
NULL``), which those queries still use on SQLite and PostgreSQL alike; ``ix_contact_cadence_days``,
the first column of the same index, goes (2 MB per 200k).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 19:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_COLUMNS = ["cadence_days", "last_interaction_at", "created_at"]


def upgrade() -> None:
    op.drop_index("ix_contact_keep_in_touch", table_name="contact")
    op.drop_index("ix_contact_cadence_days", table_name="contact")
    where = sa.text("cadence_days IS NOT NULL")
    op.create_index(
        "ix_contact_keep_in_touch", "contact", _COLUMNS, sqlite_where=where, postgresql_where=where
    )


def downgrade() -> None:
    op.drop_index("ix_contact_keep_in_touch", table_name="contact")
    op.create_index("ix_contact_cadence_days", "contact", ["cadence_days"], unique=False)
    op.create_index("ix_contact_keep_in_touch", "contact", _COLUMNS, unique=False)
