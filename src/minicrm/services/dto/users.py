"""Users (team mode)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from minicrm.services.dto.common import iso


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str
    email: str | None
    created_at: datetime

    def to_dict(self, tz: tzinfo) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "email": self.email, "created_at": iso(self.created_at, tz)}
