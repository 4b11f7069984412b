"""The company read model."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from minicrm.services.dto.common import Address, iso

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from minicrm.services.dto.contact_detail import DealSummary
    from minicrm.services.dto.contacts import Contact
    from minicrm.services.dto.customer import PurchaseSummary
    from minicrm.services.dto.interactions import Interaction


@dataclass(frozen=True, slots=True)
class Company:
    id: int
    name: str
    domain: str | None
    industry: str | None
    size: str | None
    tags: tuple[str, ...]
    owner: str | None
    contacts_count: int
    created_at: datetime
    updated_at: datetime
    fields: dict[str, str]
    address: Address
    version: int

    def to_dict(self, tz: tzinfo) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "domain": self.domain,
            "industry": self.industry,
            "size": self.size,
            "tags": list(self.tags),
            "owner": self.owner,
            "contacts_count": self.contacts_count,
            "created_at": iso(self.created_at, tz),
            "updated_at": iso(self.updated_at, tz),
            "fields": dict(self.fields),
            "address": {
                k: getattr(self.address, k) for k in ("street", "city", "region", "postcode", "country")
            },
            "version": self.version,
        }


@dataclass(frozen=True, slots=True)
class CompanyDetail:
    """What ``company show`` and the TUI's company pane show: the company, its people (by
    name), its timeline (newest first) and its purchases, read in one snapshot."""

    company: Company
    people: tuple[Contact, ...]
    timeline: tuple[Interaction, ...]
    purchases: PurchaseSummary
    #: its deals and its people's, by id
    deals: tuple[DealSummary, ...] = ()

    def to_dict(self, tz: tzinfo) -> dict[str, Any]:
        data = self.company.to_dict(tz)
        data["contacts"] = [
            {"id": p.id, "name": p.name, "email": p.email, "title": p.title} for p in self.people
        ]
        data["timeline"] = [i.to_dict(tz) for i in self.timeline]
        data["purchases"] = self.purchases.to_dict()
        data["deals"] = [{**d.to_dict(), "contact": d.contact} for d in self.deals]
        return data
