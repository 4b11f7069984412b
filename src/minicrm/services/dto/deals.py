"""Deals, their stage history, and the detail ``deal show`` prints."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from minicrm.services.dto.common import iso

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from typing import Any

    from minicrm.services.dto.interactions import Interaction


DEAL_STATUSES = ("open", "won", "lost")


@dataclass(frozen=True, slots=True)
class Deal:
    id: int
    title: str
    value_minor: int | None
    currency: str
    pipeline: str
    stage: str
    #: the effective probability: 100 won, 0 lost, else the deal's own or its stage's default
    probability: int
    #: the probability set on the deal itself (None: the stage's default applies)
    probability_set: int | None
    status: str
    contact: str | None
    contact_id: int | None
    company: str | None
    company_id: int | None
    close_date: date | None
    owner: str | None
    lost_reason: str | None
    closed_at: datetime | None
    stage_entered_at: datetime
    last_activity_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int
    #: open and untouched for longer than its stage's idle_days ("rotting")
    stale: bool
    #: False when the deal's pipeline or stage is no longer in the config
    stage_known: bool

    @property
    def weighted_minor(self) -> int | None:
        from minicrm.core.money import weighted_minor

        return None if self.value_minor is None else weighted_minor(self.value_minor * self.probability)

    def amount(self) -> str:
        from minicrm.core.money import format_amount

        return format_amount(self.value_minor, self.currency)

    def to_dict(self, tz: tzinfo) -> dict[str, Any]:
        from minicrm.core.money import json_number

        return {
            "id": self.id,
            "title": self.title,
            "value": json_number(self.value_minor, self.currency),
            "currency": self.currency,
            "stage": self.stage,
            "pipeline": self.pipeline,
            "probability": self.probability,
            "status": self.status,
            "contact": self.contact,
            "contact_id": self.contact_id,
            "company": self.company,
            "company_id": self.company_id,
            "close_date": self.close_date.isoformat() if self.close_date else None,
            "owner": self.owner,
            "lost_reason": self.lost_reason,
            "created_at": iso(self.created_at, tz),
            "updated_at": iso(self.updated_at, tz),
            "closed_at": iso(self.closed_at, tz),
            "stage_entered_at": iso(self.stage_entered_at, tz),
            "last_activity_at": iso(self.last_activity_at, tz),
            "weighted_value": json_number(self.weighted_minor, self.currency),
            "stale": self.stale,
            "stage_known": self.stage_known,
            "version": self.version,
        }


@dataclass(frozen=True, slots=True)
class StageChange:
    """One entry of a deal's stage history: entering a stage (status open), winning or losing."""

    id: int
    deal_id: int
    from_stage: str | None
    to_stage: str
    status: str
    at: datetime
    actor: str | None
    #: until the next entry (None for the last one)
    left_at: datetime | None

    def to_dict(self, tz: tzinfo) -> dict[str, Any]:
        return {
            "id": self.id,
            "deal_id": self.deal_id,
            "from_stage": self.from_stage,
            "to_stage": self.to_stage,
            "status": self.status,
            "at": iso(self.at, tz),
            "left_at": iso(self.left_at, tz),
            "actor": self.actor,
        }


@dataclass(frozen=True, slots=True)
class DealDetail:
    """A deal with its stage history (oldest first) and its timeline (newest first)."""

    deal: Deal
    stage_history: tuple[StageChange, ...]
    timeline: tuple[Interaction, ...]

    def to_dict(self, tz: tzinfo) -> dict[str, Any]:
        data = self.deal.to_dict(tz)
        data["stage_history"] = [c.to_dict(tz) for c in self.stage_history]
        data["timeline"] = [i.to_dict(tz) for i in self.timeline]
        return data
