"""Saved contact segments, and the service-request report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from minicrm.services.dto.common import iso


@dataclass(frozen=True, slots=True)
class ServiceReport:
    """Open requests by priority and how long closing takes (median over closed requests)."""

    open_by_priority: dict[str, int]
    open_total: int
    closed_total: int
    median_hours_to_close: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "open_by_priority": dict(self.open_by_priority),
            "open": self.open_total,
            "closed": self.closed_total,
            "median_hours_to_close": self.median_hours_to_close,
        }


@dataclass(frozen=True, slots=True)
class Segment:
    """A saved contact filter: ``filters`` is the stored JSON object (with its ``version``)."""

    id: int
    name: str
    filters: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    count: int | None = None

    def to_dict(self, tz: tzinfo) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "filters": dict(self.filters),
            "count": self.count,
            "created_at": iso(self.created_at, tz),
            "updated_at": iso(self.updated_at, tz),
        }
