"""Which columns and fields deals show in table, plain and csv output."""

from __future__ import annotations

from datetime import datetime, tzinfo

from minicrm.cli.output import Column, money_column, show_moment
from minicrm.core.money import format_amount
from minicrm.services.dto import Deal, StageChange


def deal_state(d: Deal) -> str:
    if d.status != "open":
        return d.status
    if not d.stage_known:
        return "stage not in config"
    return "stale" if d.stale else ""


def deal_columns() -> list[Column]:
    return [
        Column("ID", lambda d: d.id, keep=True),
        Column("Title", lambda d: d.title, wrap=True, keep=True),
        Column("Stage", lambda d: d.stage, rank=2),
        money_column("Value", lambda d: d.value_minor, lambda d: d.currency, rank=1),
        Column("Prob", lambda d: f"{d.probability}%", rank=6),
        Column("Close", lambda d: d.close_date.isoformat() if d.close_date else "", rank=5),
        Column("Contact", lambda d: d.contact or d.company, rank=3),
        Column("Owner", lambda d: d.owner, rank=7),
        Column("State", deal_state, rank=4),
    ]


def _days_since(moment: datetime, now: datetime) -> str:
    days = (now - moment).days
    return f"{days} day{'s' if days != 1 else ''}"


def deal_fields(d: Deal, tz: tzinfo, now: datetime) -> list[tuple[str, object]]:
    probability = f"{d.probability}%"
    if d.status == "open":
        probability += " (set on the deal)" if d.probability_set is not None else " (stage default)"
    stage = d.stage + ("" if d.stage_known else " (no longer in the config)")
    since = (
        f"{show_moment(d.stage_entered_at, tz)} ({_days_since(d.stage_entered_at, now)})"
        if d.status == "open"
        else None
    )
    return [
        ("ID", d.id),
        ("Title", d.title),
        ("Pipeline", d.pipeline),
        ("Stage", stage),
        ("Status", d.status),
        ("Value", d.amount()),
        ("Probability", probability),
        ("Weighted", format_amount(d.weighted_minor, d.currency) if d.status == "open" else None),
        ("Close date", d.close_date.isoformat() if d.close_date else None),
        ("Contact", d.contact),
        ("Company", d.company),
        ("Owner", d.owner),
        ("Lost reason", d.lost_reason),
        ("In stage since", since),
        ("Last activity", show_moment(d.last_activity_at, tz)),
        ("Stale", "yes: no move or activity for longer than the stage allows" if d.stale else None),
        ("Closed", show_moment(d.closed_at, tz)),
        ("Created", show_moment(d.created_at, tz)),
        ("Updated", show_moment(d.updated_at, tz)),
    ]


def _stay(change: StageChange, now: datetime, is_last: bool) -> str:
    if change.status != "open":
        return ""
    end = change.left_at or (now if is_last else None)
    if end is None:
        return ""
    days = (end - change.at).total_seconds() / 86400
    return f"{days:.1f}d" + ("" if change.left_at else " so far")


def stage_history_columns(tz: tzinfo, now: datetime, last_id: int | None) -> list[Column]:
    def what(c: StageChange) -> str:
        if c.status != "open":
            return c.status
        if c.from_stage is None:
            return f"created in {c.to_stage}"
        return f"{c.from_stage} → {c.to_stage}"

    return [
        Column("When", lambda c: show_moment(c.at, tz)),
        Column("Change", what),
        Column("Time in stage", lambda c: _stay(c, now, c.id == last_id)),
        Column("By", lambda c: c.actor),
    ]
