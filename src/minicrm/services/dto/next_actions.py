"""What to do next (``minicrm next``): scored actions and the parts of their scores."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any


@dataclass(frozen=True, slots=True)
class ScorePart:
    """One part of an urgency score: ``weight × amount`` points, and why."""

    name: str  # due, overdue, deal_value, closing, stale, cadence, lapsed
    weight: float
    amount: float
    detail: str

    @property
    def points(self) -> float:
        return round(self.weight * self.amount, 2)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "weight": self.weight,
            "amount": self.amount,
            "points": self.points,
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True)
class NextAction:
    """Something to do now (``minicrm next``): a follow-up, a deal to move on, or a contact."""

    kind: str  # followup, deal, contact
    id: int
    title: str
    contact: str | None
    contact_id: int | None
    deal_id: int | None
    score: float
    parts: tuple[ScorePart, ...]
    sort_due: datetime | None = None

    def why(self) -> str:
        return "; ".join(p.detail for p in sorted(self.parts, key=lambda p: -p.points))

    def to_dict(self, tz: tzinfo) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "title": self.title,
            "contact": self.contact,
            "contact_id": self.contact_id,
            "deal_id": self.deal_id,
            "score": self.score,
            "parts": [p.to_dict() for p in self.parts],
        }
