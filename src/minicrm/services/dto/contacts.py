"""The contact read model."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from minicrm.services.dto.common import Address, iso

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any


@dataclass(frozen=True, slots=True)
class Contact:
    id: int
    name: str
    emails: tuple[str, ...]
    phones: tuple[str, ...]
    company: str | None
    company_id: int | None
    title: str | None
    tags: tuple[str, ...]
    status: str
    source: str | None
    owner: str | None
    cadence_days: int | None
    last_interaction_at: datetime | None
    created_at: datetime
    updated_at: datetime
    fields: dict[str, str]
    given_name: str | None
    family_name: str | None
    address: Address
    do_not_contact: bool
    preferred_channel: str | None
    version: int
    nickname: str | None = None
    name_prefix: str | None = None
    middle_name: str | None = None
    name_suffix: str | None = None
    department: str | None = None
    #: the second and later addresses (``address`` is the first), each with its label
    more_addresses: tuple[Address, ...] = ()
    #: labels by email address and by phone number, extensions by number
    email_labels: dict[str, str] = field(default_factory=dict)
    phone_labels: dict[str, str] = field(default_factory=dict)
    phone_exts: dict[str, str] = field(default_factory=dict)
    #: a photo (``data:`` URI or link): kept for the vCard, never shown
    photo: str | None = None
    #: the vCard properties minicrm has no field for, as they came (``PROP;PARAM=x:value``)
    card_extra: tuple[str, ...] = ()
    #: the stable identifier of its vCard (UID)
    uid: str | None = None

    def email_texts(self) -> tuple[str, ...]:
        """Each email with its label: ``ana@x.pt (work)``."""
        return tuple(_labelled(e, self.email_labels.get(e)) for e in self.emails)

    def phone_texts(self) -> tuple[str, ...]:
        """Each phone with its extension and label: ``+351211234567 ext. 102 (work)``."""
        return tuple(
            _labelled(
                f"{p} ext. {self.phone_exts[p]}" if p in self.phone_exts else p, self.phone_labels.get(p)
            )
            for p in self.phones
        )

    @property
    def addresses(self) -> tuple[Address, ...]:
        """Every address, the first one first (none when the first is empty)."""
        first = (self.address,) if self.address.as_text() else ()
        return (*first, *self.more_addresses)

    @property
    def email(self) -> str | None:
        return self.emails[0] if self.emails else None

    @property
    def phone(self) -> str | None:
        return self.phones[0] if self.phones else None

    def label(self) -> str:
        return f"{self.name} <{self.email}>" if self.email else self.name

    def to_dict(self, tz: tzinfo) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "email": self.email,
            "emails": list(self.emails),
            "phone": self.phone,
            "phones": list(self.phones),
            "company": self.company,
            "company_id": self.company_id,
            "title": self.title,
            "tags": list(self.tags),
            "status": self.status,
            "source": self.source,
            "owner": self.owner,
            "cadence_days": self.cadence_days,
            "last_interaction_at": iso(self.last_interaction_at, tz),
            "created_at": iso(self.created_at, tz),
            "updated_at": iso(self.updated_at, tz),
            "fields": dict(self.fields),
            "given_name": self.given_name,
            "family_name": self.family_name,
            "address": {
                k: getattr(self.address, k) for k in ("street", "city", "region", "postcode", "country")
            },
            "do_not_contact": self.do_not_contact,
            "preferred_channel": self.preferred_channel,
            "version": self.version,
            "nickname": self.nickname,
            "name_prefix": self.name_prefix,
            "middle_name": self.middle_name,
            "name_suffix": self.name_suffix,
            "department": self.department,
            "email_details": [{"email": e, "label": self.email_labels.get(e)} for e in self.emails],
            "phone_details": [
                {"phone": p, "label": self.phone_labels.get(p), "ext": self.phone_exts.get(p)}
                for p in self.phones
            ],
            "addresses": [
                {k: getattr(a, k) for k in ("label", "street", "city", "region", "postcode", "country")}
                for a in self.addresses
            ],
            "has_photo": self.photo is not None,
            "card_extra": list(self.card_extra),
        }


def _labelled(text: str, label: str | None) -> str:
    return f"{text} ({label})" if label else text
