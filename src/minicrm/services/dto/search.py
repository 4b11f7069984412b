"""A search hit."""

from __future__ import annotations

from dataclasses import dataclass

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any


@dataclass(frozen=True, slots=True)
class SearchHit:
    entity: str  # contact, company, deal, or the interaction's kind (note, call, email, meeting…)
    id: int
    label: str
    detail: str
    contact_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.entity,
            "id": self.id,
            "label": self.label,
            "detail": self.detail,
            "contact_id": self.contact_id,
        }
