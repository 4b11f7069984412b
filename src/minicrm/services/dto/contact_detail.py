"""What ``contact show`` and the TUI's contact pane show: one contact with its deals, open
follow-ups, timeline, service requests and purchases, read in one snapshot by
``services.customer.profile.contact_detail``.

A module of its own so that ``contact show`` (a hot command) creates these two classes only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, tzinfo

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from typing import Any

    from minicrm.services.dto.contacts import Contact
    from minicrm.services.dto.customer import PurchaseSummary, ServiceRequest
    from minicrm.services.dto.followups import FollowUp
    from minicrm.services.dto.interactions import Interaction


@dataclass(frozen=True, slots=True)
class DealSummary:
    """A deal as a line of its contact's detail."""

    id: int
    title: str
    stage: str
    status: str
    value_minor: int | None
    currency: str
    close_date: date | None
    contact: str | None = None

    def to_dict(self) -> dict[str, Any]:
        from minicrm.core.money import json_number

        return {
            "id": self.id,
            "title": self.title,
            "stage": self.stage,
            "status": self.status,
            "value_minor": self.value_minor,
            "currency": self.currency,
            "value": json_number(self.value_minor, self.currency),
        }


@dataclass(frozen=True, slots=True)
class ContactDetail:
    contact: Contact
    #: every deal of the contact, by id
    deals: tuple[DealSummary, ...]
    #: open follow-ups, soonest first
    followups: tuple[FollowUp, ...]
    #: newest first
    timeline: tuple[Interaction, ...]
    requests: tuple[ServiceRequest, ...]
    purchases: PurchaseSummary

    def to_dict(self, tz: tzinfo) -> dict[str, Any]:
        data = self.contact.to_dict(tz)
        data["followups"] = [f.to_dict(tz) for f in self.followups]
        data["timeline"] = [i.to_dict(tz) for i in self.timeline]
        data["deals"] = [d.to_dict() for d in self.deals]
        data["requests"] = [r.to_dict(tz) for r in self.requests]
        data["purchases"] = self.purchases.to_dict()
        return data
