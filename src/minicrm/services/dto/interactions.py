"""The interaction read model: notes, calls, emails, meetings, stage changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from minicrm.services.dto.common import iso

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any


@dataclass(frozen=True, slots=True)
class Interaction:
    id: int
    kind: str
    body: str
    at: datetime
    author: str | None
    contact_id: int | None
    company_id: int | None
    deal_id: int | None
    contact: str | None = None
    #: captured mail and meetings (``services/capture``); None for what was logged by hand
    external_id: str | None = None
    thread_id: str | None = None
    direction: str | None = None
    details: dict[str, Any] | None = None

    def to_dict(self, tz: tzinfo) -> dict[str, Any]:
        doc = {
            "id": self.id,
            "kind": self.kind,
            "body": self.body,
            "at": iso(self.at, tz),
            "contact_id": self.contact_id,
            "company_id": self.company_id,
            "deal_id": self.deal_id,
            "author": self.author,
            "contact": self.contact,
        }
        if self.external_id is not None:
            doc.update(
                external_id=self.external_id,
                thread_id=self.thread_id,
                direction=self.direction,
                details=self.details,
            )
        return doc
