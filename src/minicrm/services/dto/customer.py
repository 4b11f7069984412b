"""Customer 360: purchases and service requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from minicrm.services.dto.common import iso

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any


@dataclass(frozen=True, slots=True)
class CurrencyTotal:
    """Won deals in one currency: lifetime value (minor units), count, first and last day."""

    currency: str
    value_minor: int
    count: int
    first: date | None
    last: date | None

    def to_dict(self) -> dict[str, Any]:
        from minicrm.core.money import json_number  # a value module, not a service

        return {
            "currency": self.currency,
            "value": json_number(self.value_minor, self.currency),
            "count": self.count,
            "first": self.first.isoformat() if self.first else None,
            "last": self.last.isoformat() if self.last else None,
        }


@dataclass(frozen=True, slots=True)
class PurchaseSummary:
    """The purchase history of a contact or company (won deals)."""

    count: int
    first: date | None
    last: date | None
    totals: tuple[CurrencyTotal, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "first": self.first.isoformat() if self.first else None,
            "last": self.last.isoformat() if self.last else None,
            "lifetime_value": [t.to_dict() for t in self.totals],
        }


REQUEST_PRIORITIES = ("low", "normal", "high", "urgent")


@dataclass(frozen=True, slots=True)
class ServiceRequest:
    id: int
    title: str
    priority: str
    status: str  # open, closed
    resolution: str | None
    contact_id: int | None
    contact: str | None
    deal_id: int | None
    owner: str | None
    opened_at: datetime
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int

    def to_dict(self, tz: tzinfo) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "priority": self.priority,
            "status": self.status,
            "resolution": self.resolution,
            "contact": self.contact,
            "contact_id": self.contact_id,
            "deal_id": self.deal_id,
            "owner": self.owner,
            "opened_at": iso(self.opened_at, tz),
            "closed_at": iso(self.closed_at, tz),
            "created_at": iso(self.created_at, tz),
            "updated_at": iso(self.updated_at, tz),
            "version": self.version,
        }
