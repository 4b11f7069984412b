"""Report speed: the stage-flow summary behind ``report conversion``, and the interaction
index ``report activity`` counts from.

- ``stage_flow`` holds, per pipeline, entered stage and how the stay ended (``left_status`` and
  ``left_to``, '' while the deal is still in the stage), the number of entries, the seconds of
  the completed stays and their number: the unfiltered conversion report reads a few rows
  instead of grouping the whole stage history. Triggers on ``deal_stage_change`` keep it
  current in the same transaction as every write (moves, wins, losses, deletes, undo, import);
  a row that drops to no entries is deleted, so the table holds exactly what a GROUP BY over the
  history would give.
- ``ix_interaction_kind_at`` (kind, at) replaces ``ix_interaction_kind``: counting one kind in
  one week is a range of that index. ``ix_interaction_at`` goes: ``ix_interaction_at_kind``
  starts with ``at``.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 04:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_KEY = (
    "pipeline = OLD.pipeline AND to_stage = OLD.to_stage AND left_status = coalesce(OLD.left_status, '') "
    "AND left_to = coalesce(OLD.left_to, '')"
)
_REMOVE_OLD = (
    "UPDATE stage_flow SET entries = entries - 1, seconds = seconds - coalesce(OLD.stay_seconds, 0), "
    f"stays = stays - (CASE WHEN OLD.stay_seconds IS NULL THEN 0 ELSE 1 END) WHERE {_KEY}; "
    f"DELETE FROM stage_flow WHERE {_KEY} AND entries = 0;"
)
_ADD_NEW = (
    "INSERT INTO stage_flow (pipeline, to_stage, left_status, left_to, entries, seconds, stays) "
    "SELECT NEW.pipeline, NEW.to_stage, coalesce(NEW.left_status, ''), coalesce(NEW.left_to, ''), 1, "
    "coalesce(NEW.stay_seconds, 0), CASE WHEN NEW.stay_seconds IS NULL THEN 0 ELSE 1 END "
    "WHERE NEW.status = 'open' "
    "ON CONFLICT (pipeline, to_stage, left_status, left_to) DO UPDATE SET entries = stage_flow.entries + 1, "
    "seconds = stage_flow.seconds + excluded.seconds, stays = stage_flow.stays + excluded.stays;"
)
_BACKFILL = (
    "INSERT INTO stage_flow (pipeline, to_stage, left_status, left_to, entries, seconds, stays) "
    "SELECT pipeline, to_stage, coalesce(left_status, ''), coalesce(left_to, ''), count(*), "
    "coalesce(sum(stay_seconds), 0), count(stay_seconds) FROM deal_stage_change WHERE status = 'open' "
    "GROUP BY pipeline, to_stage, coalesce(left_status, ''), coalesce(left_to, '')"
)


def upgrade() -> None:
    op.create_table(
        "stage_flow",
        sa.Column("pipeline", sa.Text(), nullable=False),
        sa.Column("to_stage", sa.Text(), nullable=False),
        sa.Column("left_status", sa.Text(), nullable=False),
        sa.Column("left_to", sa.Text(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.BigInteger(), nullable=False),
        sa.Column("stays", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("pipeline", "to_stage", "left_status", "left_to"),
    )
    op.execute(_BACKFILL)
    if op.get_bind().dialect.name == "sqlite":
        old_open = _REMOVE_OLD.replace("WHERE pipeline", "WHERE OLD.status = 'open' AND pipeline")
        op.execute(f"CREATE TRIGGER stage_flow_ai AFTER INSERT ON deal_stage_change BEGIN {_ADD_NEW} END")
        op.execute(f"CREATE TRIGGER stage_flow_ad AFTER DELETE ON deal_stage_change BEGIN {old_open} END")
        op.execute(
            f"CREATE TRIGGER stage_flow_au AFTER UPDATE ON deal_stage_change BEGIN {old_open} {_ADD_NEW} END"
        )
    else:
        op.execute(
            "CREATE FUNCTION stage_flow_sync() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP <> 'INSERT' AND OLD.status = 'open' THEN {_REMOVE_OLD} END IF; "
            f"IF TG_OP <> 'DELETE' THEN {_ADD_NEW} END IF; "
            "RETURN NULL; END $$"
        )
        op.execute(
            "CREATE TRIGGER stage_flow_sync AFTER INSERT OR UPDATE OR DELETE ON deal_stage_change "
            "FOR EACH ROW EXECUTE FUNCTION stage_flow_sync()"
        )
    with op.batch_alter_table("interaction", schema=None) as batch_op:
        batch_op.drop_index("ix_interaction_kind")
        batch_op.drop_index("ix_interaction_at")
        batch_op.create_index("ix_interaction_kind_at", ["kind", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("interaction", schema=None) as batch_op:
        batch_op.drop_index("ix_interaction_kind_at")
        batch_op.create_index("ix_interaction_at", ["at"], unique=False)
        batch_op.create_index("ix_interaction_kind", ["kind"], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        for name in ("stage_flow_ai", "stage_flow_ad", "stage_flow_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        op.execute("DROP TRIGGER IF EXISTS stage_flow_sync ON deal_stage_change")
        op.execute("DROP FUNCTION IF EXISTS stage_flow_sync()")
    op.drop_table("stage_flow")
