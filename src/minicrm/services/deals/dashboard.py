"""What the TUI's Today and Pipeline screens read about deals, and the two board moves.

The deals service is written in parallel (issue: pipeline); until it lands, the board reads the
``deal`` table here with portable SQL. ``move_deal`` and ``close_deal`` are the board's writes:
one unit of work each, with the ``deal_stage_change`` row, a ``stage-change`` interaction and
the change-log entry. When ``services/deals/commands.py`` exists they should delegate to it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from minicrm.core.clock import from_db
from minicrm.core.config import Pipeline
from minicrm.core.errors import NotFound
from minicrm.services.dto.board import Board, BoardDeal, StageTotal, Today
from minicrm.services.kernel.context import Context
from minicrm.store.db import Row

#: deals shown per board column (the header counts them all)
COLUMN_LIMIT = 200

_DEAL_SQL = (
    "SELECT d.id, d.title, d.stage, d.status, d.value_minor, d.currency, d.close_date, d.probability, "
    "d.contact_id, c.name AS contact_name, d.stage_entered_at, d.last_activity_at, d.pipeline, d.version "
    "FROM deal d LEFT JOIN contact c ON c.id = d.contact_id"
)


def _to_deal(r: Row, pipeline: Pipeline, now: datetime) -> BoardDeal:
    last = from_db(r["last_activity_at"]) or from_db(r["stage_entered_at"]) or now
    since = from_db(r["stage_entered_at"]) or now
    quiet_since = max(last, since)
    idle = max(0, (now - quiet_since).days)
    stage = pipeline.stage(r["stage"])
    limit = stage.idle_days if stage else None
    return BoardDeal(
        id=int(r["id"]),
        title=r["title"],
        stage=r["stage"],
        status=r["status"],
        value_minor=r["value_minor"],
        currency=r["currency"],
        close_date=date.fromisoformat(r["close_date"]) if r["close_date"] else None,
        probability={"won": 100, "lost": 0}.get(
            r["status"],
            r["probability"] if r["probability"] is not None else (stage.probability if stage else None),
        ),
        contact_id=r["contact_id"],
        contact=r["contact_name"],
        idle_days=idle,
        stale=r["status"] == "open" and limit is not None and idle > int(limit),
        version=int(r["version"]),
    )


def _deals(
    ctx: Context, where: str, params: list[Any], order: str, limit: int | None = None
) -> list[BoardDeal]:
    pipeline = ctx.config.pipeline()
    sql = f"{_DEAL_SQL} WHERE {where} ORDER BY {order}"
    if limit is not None:
        sql += " LIMIT ?"
        params = [*params, limit]
    now = ctx.clock.now()
    return [_to_deal(r, pipeline, now) for r in ctx.db.all(sql, params)]


def get_deal(ctx: Context, deal_id: int) -> BoardDeal:
    found = _deals(ctx, "d.id = ?", [deal_id], "d.id")
    if not found:
        raise NotFound(f"no deal with id {deal_id}")
    return found[0]


def closing_soon(ctx: Context, days: int = 14) -> list[BoardDeal]:
    """Open deals whose close date falls within ``days`` (past close dates included)."""
    until = (ctx.clock.today() + timedelta(days=days)).isoformat()
    return _deals(
        ctx,
        "d.status = 'open' AND d.close_date IS NOT NULL AND d.close_date <= ?",
        [until],
        "d.close_date, d.id",
        100,
    )


def stage_totals(ctx: Context) -> list[StageTotal]:
    """Open deals of the default pipeline per stage: count and value per currency."""
    pipeline = ctx.config.pipeline()
    rows = ctx.db.all(
        "SELECT stage, currency, count(*) AS n, coalesce(sum(value_minor), 0) AS total FROM deal "
        "WHERE status = 'open' AND pipeline = ? GROUP BY stage, currency ORDER BY stage, currency",
        (pipeline.name,),
    )
    counts: dict[str, int] = {}
    money: dict[str, list[tuple[str, int]]] = {}
    for r in rows:
        counts[r["stage"]] = counts.get(r["stage"], 0) + int(r["n"])
        money.setdefault(r["stage"], []).append((r["currency"], int(r["total"])))
    names = [s.name for s in pipeline.stages] + sorted(set(counts) - {s.name for s in pipeline.stages})
    return [StageTotal(n, counts.get(n, 0), tuple(money.get(n, ()))) for n in names]


def board(ctx: Context, *, closed: bool = False) -> Board:
    """The open deals of the default pipeline, one column per stage (best value first); with
    ``closed``, the won and the lost deals too (the most recently closed first)."""
    pipeline = ctx.config.pipeline()
    with ctx.db.snapshot():
        totals = stage_totals(ctx)
        columns = {
            t.stage: tuple(
                _deals(
                    ctx,
                    "d.status = 'open' AND d.pipeline = ? AND d.stage = ?",
                    [pipeline.name, t.stage],
                    "d.value_minor DESC, d.id",
                    COLUMN_LIMIT,
                )
            )
            for t in totals
        }
        done = tuple(
            (
                status,
                tuple(
                    _deals(
                        ctx,
                        "d.status = ? AND d.pipeline = ?",
                        [status, pipeline.name],
                        "d.closed_at DESC, d.id DESC",
                        COLUMN_LIMIT,
                    )
                ),
            )
            for status in (("won", "lost") if closed else ())
        )
    return Board(pipeline.name, tuple(t.stage for t in totals), tuple(totals), columns, done)


def today(ctx: Context, *, closing_within: int = 14) -> Today:
    """The Today screen: what is due, the deals closing within ``closing_within`` days and the
    pipeline totals, read in one snapshot."""
    from minicrm.services.followups.queries import due

    with ctx.db.snapshot():
        return Today(
            due(ctx),
            tuple(closing_soon(ctx, closing_within)),
            tuple(stage_totals(ctx)),
            ctx.clock.today(),
        )


# -- writing: the pipeline screen's moves, through the deals service ------------------------
def move_deal(ctx: Context, deal_id: int, stage: str, *, expected_version: int | None = None) -> BoardDeal:
    """Move a deal to another stage of its pipeline (a closed one is reopened); a deal changed
    since the board showed ``expected_version`` is a Conflict, nothing written."""
    from minicrm.services.deals import commands as deals

    deals.move(ctx, deal_id, stage, expected_version=expected_version)
    return get_deal(ctx, deal_id)


def close_deal(
    ctx: Context,
    deal_id: int,
    won: bool,
    reason: str | None = None,
    *,
    note: str | None = None,
    expected_version: int | None = None,
) -> BoardDeal:
    """Mark a deal won (with an optional ``note``, kept on its timeline), or lost with a reason;
    a deal changed since ``expected_version`` is a Conflict, nothing written."""
    from minicrm.services.deals import commands as deals

    if won:
        deals.won(ctx, deal_id, note=note, expected_version=expected_version)
    else:
        deals.lost(ctx, deal_id, reason, expected_version=expected_version)
    return get_deal(ctx, deal_id)
