"""The pipeline board (open deals by stage) and the list of configured stages.

Counts and totals come from one GROUP BY; each column then lists its most valuable deals.
Deals in a stage that is no longer configured get a column of their own, never disappear.
"""

from __future__ import annotations

from typing import Any

from minicrm.services import deals as deal_service
from minicrm.services.context import Context
from minicrm.services.money import weighted_minor
from minicrm.services.pipelines import probability_sql, stale_sql
from minicrm.services.report_dto import Board, BoardColumn, StageInfo, Totals, add_totals

UNKNOWN = "(unknown stage)"


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
    db = ctx.db
    prob, prob_params = probability_sql(ctx.config)
    stale, stale_params = stale_sql(ctx.config, ctx.clock.now())
    where = "d.status = 'open' AND d.pipeline = ?"
    params: list[Any] = [chosen.name]
    if owner:
        where += " AND d.owner = ?"
        params.append(owner)
    with db.snapshot():
        groups = db.all(
            f"SELECT d.stage, d.currency, count(*) AS n, sum(d.value_minor) AS total, "
            f"sum(d.value_minor * {prob}) AS weighted, sum({stale}) AS stale "
            f"FROM deal d WHERE {where} GROUP BY d.stage, d.currency",
            [*prob_params, *stale_params, *params],
        )
        names = [s.name for s in chosen.stages]
        found: dict[str, dict[str, Any]] = {}
        for r in groups:
            key = r["stage"] if r["stage"] in names else UNKNOWN
            slot = found.setdefault(key, {"n": 0, "total": {}, "weighted": {}, "stale": 0})
            slot["n"] += int(r["n"])
            slot["stale"] += int(r["stale"] or 0)
            if r["total"] is not None:
                add_totals(slot["total"], {r["currency"]: int(r["total"])})
                add_totals(slot["weighted"], {r["currency"]: int(r["weighted"])})
        columns = [
            _column(ctx, where, params, s.name, s.probability, True, found.get(s.name), limit)
            for s in chosen.stages
        ]
        if UNKNOWN in found:
            columns.append(_column(ctx, where, params, UNKNOWN, None, False, found[UNKNOWN], limit, names))
    total: Totals = {}
    weighted: Totals = {}
    for column in columns:
        add_totals(total, column.total)
        add_totals(weighted, column.weighted)
    return Board(chosen.name, tuple(columns), total, weighted)


def _column(
    ctx: Context,
    where: str,
    params: list[Any],
    stage: str,
    probability: int | None,
    known: bool,
    slot: dict[str, Any] | None,
    limit: int,
    configured: list[str] | None = None,
) -> BoardColumn:
    slot = slot or {"n": 0, "total": {}, "weighted": {}, "stale": 0}
    listed: tuple[Any, ...] = ()
    if slot["n"] and limit > 0:
        if configured is None:
            stage_sql, stage_params = " AND d.stage = ?", [stage]
        else:
            stage_sql, stage_params = (
                f" AND d.stage NOT IN ({','.join('?' * len(configured))})",
                list(configured),
            )
        rows = ctx.db.all(
            f"{deal_service.SELECT} WHERE {where}{stage_sql} "
            "ORDER BY (CASE WHEN d.value_minor IS NULL THEN 1 ELSE 0 END), d.value_minor DESC, d.id LIMIT ?",
            [*params, *stage_params, limit],
        )
        listed = tuple(deal_service.to_dto(ctx, r) for r in rows)
    return BoardColumn(
        stage=stage,
        known=known,
        probability=probability,
        count=slot["n"],
        total=slot["total"],
        weighted={c: weighted_minor(v) for c, v in slot["weighted"].items()},
        stale=slot["stale"],
        deals=listed,
        more=slot["n"] - len(listed),
    )
