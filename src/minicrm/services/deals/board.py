"""The pipeline board (open deals by stage) and the list of configured stages.

Counts and totals come from one GROUP BY; each column then lists its most valuable deals.
Deals in a stage that is no longer configured get a column of their own, never disappear.
"""

from __future__ import annotations

from minicrm.services.deals import commands as deal_service
from minicrm.services.deals.report_dto import Board, BoardColumn, StageInfo, Totals, add_totals
from minicrm.services.deals.reports import UNKNOWN, StageSlot, stage_slots
from minicrm.services.kernel.context import Context

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any


def stages(ctx: Context) -> list[StageInfo]:
    """Every configured stage with its open deals, then stages found on open deals but no longer
    configured (a removed stage or pipeline)."""
    counts = {
        (r["pipeline"], r["stage"]): int(r["n"])
        for r in ctx.db.all(
            "SELECT pipeline, stage, count(*) AS n FROM deal WHERE status = 'open' GROUP BY pipeline, stage"
        )
    }
    out: list[StageInfo] = []
    for pipeline in ctx.config.pipelines:
        for position, stage in enumerate(pipeline.stages, 1):
            out.append(
                StageInfo(
                    pipeline.name,
                    stage.name,
                    position,
                    stage.probability,
                    stage.idle_days,
                    counts.pop((pipeline.name, stage.name), 0),
                    True,
                )
            )
    for (pipeline_name, stage_name), n in sorted(counts.items()):
        out.append(StageInfo(pipeline_name, stage_name, None, None, None, n, False))
    return out


def board(ctx: Context, *, pipeline: str | None = None, owner: str | None = None, limit: int = 10) -> Board:
    """Open deals of one pipeline by stage: count, total and weighted value per currency, stale
    count, and the ``limit`` most valuable deals of each stage."""
    chosen = ctx.config.pipeline(pipeline)
    where, params = ("d.owner = ?", [owner]) if owner else ("1 = 1", [])
    names = [s.name for s in chosen.stages]
    with ctx.db.snapshot():
        slots = stage_slots(ctx, chosen, where, params)
        columns = [
            _column(ctx, chosen.name, where, params, s.name, s.probability, slots.get(s.name), limit)
            for s in chosen.stages
        ]
        if UNKNOWN in slots:
            columns.append(
                _column(ctx, chosen.name, where, params, UNKNOWN, None, slots[UNKNOWN], limit, names)
            )
    total: Totals = {}
    weighted: Totals = {}
    for column in columns:
        add_totals(total, column.total)
        add_totals(weighted, column.weighted)
    return Board(chosen.name, tuple(columns), total, weighted)


def _column(
    ctx: Context,
    pipeline: str,
    where: str,
    params: list[Any],
    stage: str,
    probability: int | None,
    slot: StageSlot | None,
    limit: int,
    configured: list[str] | None = None,
) -> BoardColumn:
    slot = slot or StageSlot()
    listed: tuple[Any, ...] = ()
    if slot.count and limit > 0:
        if configured is None:
            stage_sql, stage_params = "d.stage = ?", [stage]
        else:
            stage_sql, stage_params = f"d.stage NOT IN ({','.join('?' * len(configured))})", list(configured)
        sql = f"{deal_service.SELECT} WHERE d.status = 'open' AND d.pipeline = ? AND {where} AND {stage_sql}"
        args = [pipeline, *params, *stage_params]
        # the most valuable first, then those without a value (two index-friendly queries)
        rows = ctx.db.all(
            f"{sql} AND d.value_minor IS NOT NULL ORDER BY d.value_minor DESC, d.id DESC LIMIT ?",
            [*args, limit],
        )
        if len(rows) < limit:
            rows += ctx.db.all(
                f"{sql} AND d.value_minor IS NULL ORDER BY d.id LIMIT ?", [*args, limit - len(rows)]
            )
        listed = tuple(deal_service.to_dto(ctx, r) for r in rows)
    return BoardColumn(
        stage=stage,
        known=configured is None,
        probability=probability,
        count=slot.count,
        total=slot.value,
        weighted=slot.weighted(),
        stale=slot.stale,
        deals=listed,
        more=slot.count - len(listed),
    )
