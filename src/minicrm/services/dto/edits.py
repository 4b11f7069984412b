"""What the user asks to create or change: Create/Patch pairs for contacts, companies and deals."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from minicrm.services.dto.common import UNSET, Address

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any


@dataclass(frozen=True, slots=True)
class ContactCreate:
    name: str
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    company: str | None = None
    title: str | None = None
    tags: tuple[str, ...] = ()
    status: str = "lead"
    source: str | None = None
    owner: str | None = None
    cadence_days: int | None = None
    fields: dict[str, str] = field(default_factory=dict)
    given_name: str | None = None
    family_name: str | None = None
    address: Address = Address()
    do_not_contact: bool = False
    preferred_channel: str | None = None


@dataclass(frozen=True, slots=True)
class ContactPatch:
    """A partial edit. UNSET leaves a field alone; ``clear`` names fields to empty."""

    name: Any = UNSET
    emails: Any = UNSET  # tuple[str, ...]: replaces the list
    phones: Any = UNSET
    add_emails: tuple[str, ...] = ()
    add_phones: tuple[str, ...] = ()
    company: Any = UNSET
    title: Any = UNSET
    tags: Any = UNSET
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()
    status: Any = UNSET
    source: Any = UNSET
    owner: Any = UNSET
    cadence_days: Any = UNSET
    fields: dict[str, str] = field(default_factory=dict)
    given_name: Any = UNSET
    family_name: Any = UNSET
    street: Any = UNSET
    city: Any = UNSET
    region: Any = UNSET
    postcode: Any = UNSET
    country: Any = UNSET
    do_not_contact: Any = UNSET
    preferred_channel: Any = UNSET
    clear: tuple[str, ...] = ()
    expected_version: int | None = None


@dataclass(frozen=True, slots=True)
class CompanyCreate:
    name: str
    domain: str | None = None
    industry: str | None = None
    size: str | None = None
    tags: tuple[str, ...] = ()
    owner: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    address: Address = Address()


@dataclass(frozen=True, slots=True)
class CompanyPatch:
    name: Any = UNSET
    domain: Any = UNSET
    industry: Any = UNSET
    size: Any = UNSET
    tags: Any = UNSET
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()
    owner: Any = UNSET
    fields: dict[str, str] = field(default_factory=dict)
    street: Any = UNSET
    city: Any = UNSET
    region: Any = UNSET
    postcode: Any = UNSET
    country: Any = UNSET
    clear: tuple[str, ...] = ()
    expected_version: int | None = None


@dataclass(frozen=True, slots=True)
class DealCreate:
    """A new deal as the user typed it: ``value`` is text (``"1200.50"``) parsed exactly with the
    currency's minor unit; ``currency`` defaults to the configured one, ``stage`` to the first
    stage of the pipeline, ``probability`` to the stage's."""

    title: str
    contact: str | None = None
    company: str | None = None
    value: str | None = None
    currency: str | None = None
    stage: str | None = None
    pipeline: str | None = None
    close_date: date | None = None
    probability: int | None = None
    owner: str | None = None


@dataclass(frozen=True, slots=True)
class DealPatch:
    """A partial edit of a deal (stage and status change through move/won/lost)."""

    title: Any = UNSET
    contact: Any = UNSET
    company: Any = UNSET
    value: Any = UNSET
    currency: Any = UNSET
    close_date: Any = UNSET
    probability: Any = UNSET
    owner: Any = UNSET
    lost_reason: Any = UNSET
    clear: tuple[str, ...] = ()
    expected_version: int | None = None
