"""A change-log entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from minicrm.services.dto.common import iso


@dataclass(frozen=True, slots=True)
class ChangeEntry:
    id: int
    op_id: int
    at: datetime
    actor: str | None
    entity: str
    entity_id: int
    action: str
    changes: dict[str, tuple[Any, Any]]  # field -> (before, after)
    #: the record's currency (a deal's), to show its amounts
    currency: str | None = None

    def to_dict(self, tz: tzinfo) -> dict[str, Any]:
        return {
            "id": self.id,
            "op_id": self.op_id,
            "at": iso(self.at, tz),
            "user": self.actor,
            "entity": self.entity,
            "entity_id": self.entity_id,
            "action": self.action,
            "changes": {k: {"before": b, "after": a} for k, (b, a) in self.changes.items()},
        }
