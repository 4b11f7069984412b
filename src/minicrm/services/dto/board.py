"""The pipeline board and the Today summary (the TUI's Pipeline and Today screens), as read by
``minicrm.services.deals.dashboard``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from minicrm.services.dto.due import DueReport


@dataclass(frozen=True, slots=True)
class BoardDeal:
    id: int
    title: str
    stage: str
    status: str
    value_minor: int | None
    currency: str
    close_date: date | None
    probability: int | None
    contact_id: int | None
    contact: str | None
    idle_days: int
    stale: bool
    version: int  # what the board showed: its moves pass it back (no silent overwrites)


@dataclass(frozen=True, slots=True)
class StageTotal:
    stage: str
    count: int
    totals: tuple[tuple[str, int], ...]  # (currency, value_minor), by currency


@dataclass(frozen=True, slots=True)
class Board:
    pipeline: str
    stages: tuple[str, ...]
    totals: tuple[StageTotal, ...]
    columns: dict[str, tuple[BoardDeal, ...]]
    #: on request: ("won", deals), ("lost", deals), the most recently closed first
    closed: tuple[tuple[str, tuple[BoardDeal, ...]], ...] = ()


@dataclass(frozen=True, slots=True)
class Today:
    """What is waiting today: the due report, the open deals closing soon, the open pipeline per
    stage, and the local day all of it was read on."""

    due: DueReport
    closing: tuple[BoardDeal, ...]
    totals: tuple[StageTotal, ...]
    today: date
