"""Sales reports: pipeline, forecast, win rate, stage conversion and activity.

The aggregation runs in the database (GROUP BY, window functions) so that 100k deals and 500k
stage changes report in well under a second; Python only rounds and arranges the few rows that
come back. The SQL is portable: day arithmetic is the one dialect-specific piece (``_days``).

What ``--from/--to`` (``ReportFilter.start/end``, inclusive local dates) bound:
pipeline and forecast: the expected close date · winrate: the closing date · conversion: the
deal's creation date · activity: when the interaction happened.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from minicrm.core.clock import from_db, to_db
from minicrm.core.config import Pipeline
from minicrm.core.money import weighted_minor
from minicrm.services.deals.pipelines import find_stage, stale_sql
from minicrm.services.deals.report_dto import (
    ActivityReport,
    ConversionReport,
    ConversionRow,
    ForecastReport,
    ForecastRow,
    LostReason,
    PipelineReport,
    PipelineRow,
    ReportFilter,
    Totals,
    WinrateReport,
    add_totals,
)
from minicrm.services.kernel.context import Context

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any

UNKNOWN = "(unknown stage)"
ACTIVITY_WEEKS = 12  # the activity report's default window


# -- day arithmetic ---------------------------------------------------------------------------
def _days(ctx: Context, expr: str) -> str:
    """SQL: the stored UTC timestamp ``expr`` as a number of days (fractional)."""
    db = ctx.db
    if db.is_sqlite:
        return f"julianday({expr})"
    return f"(EXTRACT(EPOCH FROM CAST({expr} AS timestamptz)) / 86400.0)"


def _days_of(ctx: Context, moment: datetime) -> float:
    """``moment`` on the same scale as ``_days``."""
    db = ctx.db
    epoch_days = moment.timestamp() / 86400
    return epoch_days + 2440587.5 if db.is_sqlite else epoch_days


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 1)


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


class _Where:
    """Conditions joined with AND, with their parameters in order."""

    def __init__(self, *conditions: str, params: tuple[Any, ...] = ()) -> None:
        self.conditions = list(conditions)
        self.params = list(params)

    def add(self, condition: str, *params: Any) -> _Where:
        self.conditions.append(condition)
        self.params.extend(params)
        return self

    def instants(self, ctx: Context, f: ReportFilter, column: str) -> _Where:
        """Bound a stored timestamp column by the filter's local dates."""
        if f.start:
            self.add(f"{column} >= ?", to_db(ctx.clock.start_of_day(f.start)))
        if f.end:
            self.add(f"{column} < ?", to_db(ctx.clock.start_of_day(f.end + timedelta(days=1))))
        return self

    def dates(self, f: ReportFilter, column: str) -> _Where:
        if f.start:
            self.add(f"{column} >= ?", f.start.isoformat())
        if f.end:
            self.add(f"{column} <= ?", f.end.isoformat())
        return self

    def owner(self, f: ReportFilter, column: str = "d.owner") -> _Where:
        return self.add(f"{column} = ?", f.owner) if f.owner else self

    def pipeline(self, ctx: Context, f: ReportFilter) -> _Where:
        return self.add("d.pipeline = ?", ctx.config.pipeline(f.pipeline).name) if f.pipeline else self

    @property
    def sql(self) -> str:
        return " AND ".join(self.conditions) or "1 = 1"


def _stage_order(pipeline: Pipeline) -> dict[str, int]:
    return {s.name: i for i, s in enumerate(pipeline.stages)}


# -- open deals by stage (the pipeline report and the board) ------------------------------------
@dataclass
class StageSlot:
    """Open deals of one stage (or of every stage no longer configured)."""

    count: int = 0
    value: Totals = field(default_factory=dict)
    value_times_percent: Totals = field(default_factory=dict)  # Σ value × probability, per currency
    stale: int = 0
    created_days: float = 0.0  # Σ creation instants, on the ``_days`` scale

    def merge(self, other: StageSlot) -> None:
        self.count += other.count
        self.stale += other.stale
        self.created_days += other.created_days
        add_totals(self.value, other.value)
        add_totals(self.value_times_percent, other.value_times_percent)

    def weighted(self) -> Totals:
        return {c: weighted_minor(v) for c, v in self.value_times_percent.items()}


#: per group: count, value, and the value weighted by the deals' own probabilities plus the value of
#: the deals that take their stage's (multiplied in Python: no config in the SQL, one index scan)
_MONEY = (
    "count(*) AS n, sum(d.value_minor) AS total, sum(d.value_minor * d.probability) AS own, "
    "sum(CASE WHEN d.probability IS NULL THEN d.value_minor END) AS by_stage"
)


def _value_times_percent(row: Any, stage_probability: int) -> int:
    return int(row["own"] or 0) + stage_probability * int(row["by_stage"] or 0)


def stage_slots(ctx: Context, chosen: Pipeline, where: str, params: list[Any]) -> dict[str, StageSlot]:
    """One GROUP BY over the open deals of ``chosen`` matching ``where`` (on ``deal d``): a slot per
    configured stage that has deals, and ``UNKNOWN`` for stages no longer configured."""
    db = ctx.db
    stale, stale_params = stale_sql(chosen, ctx.clock.now())
    rows = db.all(
        f"SELECT d.stage, d.currency, {_MONEY}, sum({stale}) AS stale, "
        f"sum({_days(ctx, 'd.created_at')}) AS created_days "
        f"FROM deal d WHERE d.status = 'open' AND d.pipeline = ? AND {where} GROUP BY d.stage, d.currency",
        [*stale_params, chosen.name, *params],
    )
    slots: dict[str, StageSlot] = {}
    for r in rows:
        stage = chosen.stage(r["stage"])
        money, weighted = {}, {}
        if r["total"] is not None:
            money = {r["currency"]: int(r["total"])}
            weighted = {r["currency"]: _value_times_percent(r, stage.probability if stage else 0)}
        slots.setdefault(stage.name if stage else UNKNOWN, StageSlot()).merge(
            StageSlot(int(r["n"]), money, weighted, int(r["stale"] or 0), float(r["created_days"]))
        )
    return slots


def pipeline(ctx: Context, f: ReportFilter = ReportFilter()) -> PipelineReport:
    """Open deals of one pipeline by stage: count, value, weighted value, average age, stale."""
    chosen = ctx.config.pipeline(f.pipeline)
    where = _Where().dates(f, "d.close_date").owner(f)
    slots = stage_slots(ctx, chosen, where.sql, where.params)
    now_days = _days_of(ctx, ctx.clock.now())
    names = [s.name for s in chosen.stages] + ([UNKNOWN] if UNKNOWN in slots else [])
    grand = StageSlot()
    for slot in slots.values():
        grand.merge(slot)
    rows = tuple(
        _pipeline_row(name, name != UNKNOWN, slots.get(name, StageSlot()), now_days) for name in names
    )
    return PipelineReport(chosen.name, rows, _pipeline_row("total", True, grand, now_days))


def _pipeline_row(stage: str, known: bool, slot: StageSlot, now_days: float) -> PipelineRow:
    if not slot.count:
        return PipelineRow(stage, known, 0, {}, {}, None, 0)
    age = _round(now_days - slot.created_days / slot.count)
    return PipelineRow(stage, known, slot.count, slot.value, slot.weighted(), age, slot.stale)


# -- forecast ---------------------------------------------------------------------------------
def forecast(ctx: Context, f: ReportFilter = ReportFilter()) -> ForecastReport:
    """Open deals by month of expected close and currency: best case (all of them close) and
    weighted by probability. Deals without a close date come last (month None)."""
    where = _Where("d.status = 'open'", "d.value_minor IS NOT NULL").pipeline(ctx, f).dates(f, "d.close_date")
    # grouped in the order of ix_deal_status_stage (no sort); months are folded here
    rows = ctx.db.all(
        f"SELECT d.pipeline, d.stage, d.currency, d.close_date, {_MONEY} FROM deal d "
        f"WHERE {where.owner(f).sql} GROUP BY d.pipeline, d.stage, d.currency, d.close_date",
        where.params,
    )
    months: dict[tuple[str | None, str], list[int]] = {}
    probabilities: dict[tuple[str, str], int] = {}
    for r in rows:
        key = (r["pipeline"], r["stage"])
        if key not in probabilities:
            stage = find_stage(ctx.config, *key)
            probabilities[key] = stage.probability if stage else 0
        month = r["close_date"][:7] if r["close_date"] else None
        slot = months.setdefault((month, r["currency"]), [0, 0, 0])
        slot[0] += int(r["n"])
        slot[1] += int(r["total"])
        slot[2] += _value_times_percent(r, probabilities[key])
    out = [
        ForecastRow(month, currency, n, best, weighted_minor(weighted))
        for (month, currency), (n, best, weighted) in months.items()
    ]
    out.sort(key=lambda r: (r.month is None, r.month or "", r.currency))
    return ForecastReport(tuple(out))


# -- win rate ---------------------------------------------------------------------------------
def winrate(ctx: Context, f: ReportFilter = ReportFilter()) -> WinrateReport:
    """Deals closed in the period: won and lost counts and values, win rate (by count), average
    sales cycle of the won ones (creation to win, days; unknown for deals imported already won),
    and the lost reasons, most frequent first."""
    db = ctx.db
    where = _Where("d.status IN ('won', 'lost')").pipeline(ctx, f).instants(ctx, f, "d.closed_at").owner(f)
    cond, params = where.sql, where.params
    with db.snapshot():
        rows = db.all(
            f"SELECT d.status, d.currency, count(*) AS n, sum(d.value_minor) AS total, "
            # a deal imported closed was closed before minicrm knew it: its cycle is unknown
            f"sum(CASE WHEN d.closed_at >= d.created_at THEN {_days(ctx, 'd.closed_at')} - "
            f"{_days(ctx, 'd.created_at')} END) AS cycle, "
            "sum(CASE WHEN d.closed_at >= d.created_at THEN 1 ELSE 0 END) AS cycled "
            f"FROM deal d WHERE {cond} GROUP BY d.status, d.pipeline, d.stage, d.currency",  # index order
            params,
        )
        reasons = db.all(
            f"SELECT d.lost_reason AS reason, d.currency, count(*) AS n, sum(d.value_minor) AS total "
            f"FROM deal d WHERE {cond} AND d.status = 'lost' GROUP BY d.lost_reason, d.currency",
            params,
        )
    counts = {"won": 0, "lost": 0}
    values: dict[str, Totals] = {"won": {}, "lost": {}}
    cycle, cycled = 0.0, 0
    for r in rows:
        counts[r["status"]] += int(r["n"])
        if r["total"] is not None:
            add_totals(values[r["status"]], {r["currency"]: int(r["total"])})
        if r["status"] == "won" and r["cycled"]:
            cycle += float(r["cycle"])
            cycled += int(r["cycled"])
    by_reason: dict[str, dict[str, Any]] = {}
    for r in reasons:
        slot = by_reason.setdefault(r["reason"] or "(no reason)", {"n": 0, "value": {}})
        slot["n"] += int(r["n"])
        if r["total"] is not None:
            add_totals(slot["value"], {r["currency"]: int(r["total"])})
    ranked = sorted(by_reason.items(), key=lambda item: (-item[1]["n"], item[0].lower()))
    return WinrateReport(
        won=counts["won"],
        lost=counts["lost"],
        won_value=values["won"],
        lost_value=values["lost"],
        win_rate=_percent(counts["won"], counts["won"] + counts["lost"]),
        average_cycle_days=_round(cycle / cycled) if cycled else None,
        lost_reasons=tuple(LostReason(reason, slot["n"], slot["value"]) for reason, slot in ranked),
    )


# -- conversion -------------------------------------------------------------------------------
def conversion(ctx: Context, f: ReportFilter = ReportFilter()) -> ConversionReport:
    """From the stage history of one pipeline: per stage, how many times deals entered it, how many
    of those stays ended by moving on to a later stage or winning, and the average completed stay.

    Each entry row of ``deal_stage_change`` records how it ended, so this is one GROUP BY over an
    index; over every deal, the ``stage_flow`` summary already holds that GROUP BY."""
    db = ctx.db
    chosen = ctx.config.pipeline(f.pipeline)
    order = _stage_order(chosen)
    where = _Where("h.pipeline = ?", "h.status = 'open'", params=(chosen.name,))
    cohort = _Where("d.pipeline = ?", params=(chosen.name,)).instants(ctx, f, "d.created_at").owner(f)
    with db.snapshot():
        if len(cohort.conditions) > 1:  # some deals only: group their history
            where.add(f"h.deal_id IN (SELECT d.id FROM deal d WHERE {cohort.sql})", *cohort.params)
            rows = db.all(
                "SELECT h.to_stage, h.left_status, h.left_to, count(*) AS n, sum(h.stay_seconds) AS seconds, "
                f"count(h.stay_seconds) AS stays FROM deal_stage_change h WHERE {where.sql} "
                "GROUP BY h.to_stage, h.left_status, h.left_to",
                where.params,
            )
        else:  # every deal: the same figures, kept by triggers in stage_flow (migration 0002)
            rows = db.all(
                "SELECT to_stage, left_status, left_to, entries AS n, seconds, stays FROM stage_flow "
                "WHERE pipeline = ?",
                (chosen.name,),
            )
        totals = db.one(
            f"SELECT count(*) AS n, sum(CASE WHEN d.status = 'won' THEN 1 ELSE 0 END) AS won FROM deal d "
            f"WHERE {cohort.sql}",
            cohort.params,
        )
    slots = {name: [0, 0, 0, 0] for name in order}  # entered, advanced, seconds, completed stays
    for r in rows:
        slot = slots.get(r["to_stage"])
        if slot is None:
            continue  # a stage no longer configured
        forward = r["left_status"] == "won" or (
            r["left_status"] == "open" and order.get(r["left_to"], -1) > order[r["to_stage"]]
        )
        slot[0] += int(r["n"])
        slot[1] += int(r["n"]) if forward else 0
        slot[2] += int(r["seconds"] or 0)
        slot[3] += int(r["stays"])
    out = tuple(
        ConversionRow(
            name,
            entered,
            advanced,
            _percent(advanced, entered),
            _round(seconds / 86400 / stays) if stays else None,
        )
        for name, (entered, advanced, seconds, stays) in slots.items()
    )
    assert totals is not None
    return ConversionReport(chosen.name, out, int(totals["n"]), int(totals["won"] or 0))


# -- activity ---------------------------------------------------------------------------------
def activity(ctx: Context, f: ReportFilter = ReportFilter()) -> ActivityReport:
    """Interactions by ISO week (local time) and kind. Without ``start``: the last 12 weeks."""
    db = ctx.db
    start = f.start
    if start is None:
        today = ctx.clock.today()
        start = today - timedelta(days=today.weekday(), weeks=ACTIVITY_WEEKS - 1)
    where = _Where().instants(ctx, ReportFilter(start, f.end), "i.at").owner(f, "i.author")
    if f.pipeline:
        where.add(
            "i.deal_id IN (SELECT id FROM deal WHERE pipeline = ?)", ctx.config.pipeline(f.pipeline).name
        )
    # A count per kind and local week, each a range of the (kind, at) index: grouping every row
    # by week instead needs a temporary B-tree, ~3x slower over 100k interactions.
    clock = ctx.clock
    weeks: dict[str, dict[str, int]] = {}
    kinds: set[str] = set()
    with db.snapshot():
        if f.end is not None:
            last_day = f.end
        else:  # through the week of the latest interaction
            newest = db.scalar(f"SELECT max(i.at) FROM interaction i WHERE {where.sql}", where.params)
            latest = from_db(newest)
            last_day = latest.astimezone(clock.tz).date() if latest is not None else start
        mondays = []
        monday = start - timedelta(days=start.weekday())
        while monday <= last_day:
            mondays.append(monday)
            monday += timedelta(days=7)
        bounds = [to_db(clock.start_of_day(m)) for m in [*mondays, monday]]
        for kind in _interaction_kinds(ctx):
            for i, week_start in enumerate(mondays):
                n = int(
                    db.scalar(
                        f"SELECT count(*) FROM interaction i WHERE i.kind = ? AND i.at >= ? AND i.at < ? "
                        f"AND {where.sql}",
                        [kind, bounds[i], bounds[i + 1], *where.params],
                    )
                )
                if n:
                    weeks.setdefault(_iso_week(week_start), {})[kind] = n
                    kinds.add(kind)
    return ActivityReport(tuple(sorted(kinds)), tuple(sorted(weeks.items())))


def _interaction_kinds(ctx: Context) -> list[str]:
    """The kinds present, each found by one seek of the (kind, at) index (a loose index scan)."""
    db = ctx.db
    rows = db.all(
        "WITH RECURSIVE k(kind) AS (SELECT min(kind) FROM interaction UNION ALL "
        "SELECT (SELECT min(i.kind) FROM interaction i WHERE i.kind > k.kind) FROM k "
        "WHERE k.kind IS NOT NULL) "
        "SELECT kind FROM k WHERE kind IS NOT NULL"
    )
    return [r["kind"] for r in rows]


def _iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"
