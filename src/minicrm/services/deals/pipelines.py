"""Pipelines and stages from the config, applied to stored deals.

The config may change under existing deals: a deal whose pipeline or stage is no longer
configured keeps its stored stage, is reported as such, and counts with probability 0 (or its
own) and never as stale. ``stale_sql`` lets the reports count stale deals inside the database
(a portable CASE expression, no SQLite-only functions).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from minicrm.core.clock import to_db
from minicrm.core.config import Config, Pipeline, Stage
from minicrm.core.errors import InvalidInput


def find_stage(config: Config, pipeline: str, stage: str) -> Stage | None:
    for candidate in config.pipelines:
        if candidate.name == pipeline:
            return candidate.stage(stage)
    return None


def require_stage(pipeline: Pipeline, name: str) -> str:
    """The stage called ``name`` (case-insensitive) in ``pipeline``, or InvalidInput naming the choices."""
    text = name.strip()
    for stage in pipeline.stages:
        if stage.name == text or stage.name.lower() == text.lower():
            return stage.name
    choices = ", ".join(s.name for s in pipeline.stages)
    raise InvalidInput(
        f"unknown stage {name!r} in pipeline {pipeline.name!r} (stages: {choices}; "
        "close a deal with `deal won` or `deal lost`)"
    )


def effective_probability(config: Config, *, status: str, pipeline: str, stage: str, own: int | None) -> int:
    if status == "won":
        return 100
    if status == "lost":
        return 0
    if own is not None:
        return own
    found = find_stage(config, pipeline, stage)
    return found.probability if found else 0


def last_touch(stage_entered_at: str, last_activity_at: str | None) -> str:
    return max(stage_entered_at, last_activity_at or "")


def is_stale(config: Config, now: datetime, *, status: str, pipeline: str, stage: str, touched: str) -> bool:
    """Open and not moved or touched for longer than the stage's ``idle_days``."""
    if status != "open":
        return False
    found = find_stage(config, pipeline, stage)
    if found is None or not found.idle_days:
        return False
    return touched < to_db(now - timedelta(days=found.idle_days))


def stale_sql(pipeline: Pipeline, now: datetime, alias: str = "d") -> tuple[str, list[object]]:
    """SQL that is 1 for a stale open deal ``alias`` of ``pipeline``, else 0."""
    whens: list[str] = []
    cutoffs: list[object] = []
    for stage in pipeline.stages:
        if stage.idle_days:
            whens.append("WHEN ? THEN ?")
            cutoffs.extend([stage.name, to_db(now - timedelta(days=stage.idle_days))])
    if not whens:
        return "0", []
    touched = (
        f"(CASE WHEN {alias}.last_activity_at > {alias}.stage_entered_at THEN {alias}.last_activity_at "
        f"ELSE {alias}.stage_entered_at END)"
    )
    sql = f"(CASE WHEN {touched} < (CASE {alias}.stage {' '.join(whens)} END) THEN 1 ELSE 0 END)"
    return sql, cutoffs
