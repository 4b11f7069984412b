"""What the board and the sales reports return: frozen dataclasses with ``to_dict()``.

Money is a ``Totals`` mapping currency → integer minor units: amounts in different currencies
are never added together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, tzinfo

from minicrm.core.money import json_number

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:  # the reports' fast path does not load the record DTOs
    from typing import Any

    from minicrm.services.dto import Deal

Totals = dict[str, int]


def totals_json(totals: Totals) -> dict[str, Any]:
    return {currency: json_number(minor, currency) for currency, minor in sorted(totals.items())}


def add_totals(into: Totals, more: Totals) -> None:
    for currency, minor in more.items():
        into[currency] = into.get(currency, 0) + minor


@dataclass(frozen=True)
class ReportFilter:
    """``start``/``end`` are inclusive local dates; what they bound depends on the report."""

    start: date | None = None
    end: date | None = None
    owner: str | None = None
    pipeline: str | None = None


# -- pipeline stages and the board ------------------------------------------------------------
@dataclass(frozen=True)
class StageInfo:
    pipeline: str
    stage: str
    position: int | None  # 1-based; None when the stage is no longer configured
    probability: int | None
    idle_days: int | None
    open_deals: int
    known: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "pipeline": self.pipeline,
            "stage": self.stage,
            "position": self.position,
            "probability": self.probability,
            "idle_days": self.idle_days,
            "open_deals": self.open_deals,
            "in_config": self.known,
        }


@dataclass(frozen=True)
class BoardColumn:
    stage: str
    known: bool
    probability: int | None
    count: int
    total: Totals
    weighted: Totals
    stale: int
    deals: tuple[Deal, ...]
    more: int  # deals in this column not listed (beyond the limit)

    def to_dict(self, tz: tzinfo) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "in_config": self.known,
            "probability": self.probability,
            "count": self.count,
            "total": totals_json(self.total),
            "weighted": totals_json(self.weighted),
            "stale": self.stale,
            "deals": [d.to_dict(tz) for d in self.deals],
            "more": self.more,
        }


@dataclass(frozen=True)
class Board:
    pipeline: str
    columns: tuple[BoardColumn, ...]
    total: Totals = field(default_factory=dict)
    weighted: Totals = field(default_factory=dict)

    def to_dict(self, tz: tzinfo) -> dict[str, Any]:
        return {
            "pipeline": self.pipeline,
            "count": sum(c.count for c in self.columns),
            "total": totals_json(self.total),
            "weighted": totals_json(self.weighted),
            "stages": [c.to_dict(tz) for c in self.columns],
        }


# -- reports ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class PipelineRow:
    stage: str
    known: bool
    count: int
    value: Totals
    weighted: Totals
    average_age_days: float | None
    stale: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "in_config": self.known,
            "count": self.count,
            "value": totals_json(self.value),
            "weighted": totals_json(self.weighted),
            "average_age_days": self.average_age_days,
            "stale": self.stale,
        }


@dataclass(frozen=True)
class PipelineReport:
    pipeline: str
    rows: tuple[PipelineRow, ...]
    total: PipelineRow

    def to_dict(self) -> dict[str, Any]:
        return {
            "pipeline": self.pipeline,
            "stages": [r.to_dict() for r in self.rows],
            "total": self.total.to_dict(),
        }


@dataclass(frozen=True)
class ForecastRow:
    month: str | None  # YYYY-MM of the expected close; None: no close date
    currency: str
    count: int
    best_case: int
    weighted: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "month": self.month,
            "currency": self.currency,
            "count": self.count,
            "best_case": json_number(self.best_case, self.currency),
            "weighted": json_number(self.weighted, self.currency),
        }


@dataclass(frozen=True)
class ForecastReport:
    rows: tuple[ForecastRow, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"months": [r.to_dict() for r in self.rows]}


@dataclass(frozen=True)
class LostReason:
    reason: str
    count: int
    value: Totals

    def to_dict(self) -> dict[str, Any]:
        return {"reason": self.reason, "count": self.count, "value": totals_json(self.value)}


@dataclass(frozen=True)
class WinrateReport:
    won: int
    lost: int
    won_value: Totals
    lost_value: Totals
    win_rate: float | None  # percent of closed deals that were won
    average_cycle_days: float | None  # creation to win
    lost_reasons: tuple[LostReason, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "won": self.won,
            "lost": self.lost,
            "won_value": totals_json(self.won_value),
            "lost_value": totals_json(self.lost_value),
            "win_rate": self.win_rate,
            "average_cycle_days": self.average_cycle_days,
            "lost_reasons": [r.to_dict() for r in self.lost_reasons],
        }


@dataclass(frozen=True)
class ConversionRow:
    stage: str
    entered: int  # times deals entered the stage
    advanced: int  # of those stays, the ones that ended in a later stage or a win
    conversion: float | None  # percent
    average_days: float | None  # average completed stay in the stage

    def to_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "entered": self.entered,
            "advanced": self.advanced,
            "conversion": self.conversion,
            "average_days": self.average_days,
        }


@dataclass(frozen=True)
class ConversionReport:
    pipeline: str
    rows: tuple[ConversionRow, ...]
    deals: int
    won: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "pipeline": self.pipeline,
            "stages": [r.to_dict() for r in self.rows],
            "deals": self.deals,
            "won": self.won,
        }


@dataclass(frozen=True)
class ActivityReport:
    kinds: tuple[str, ...]
    #: ISO week (``2026-W48``) → kind → count, weeks in order
    weeks: tuple[tuple[str, dict[str, int]], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "kinds": list(self.kinds),
            "weeks": [{"week": w, "counts": dict(c), "total": sum(c.values())} for w, c in self.weeks],
        }
