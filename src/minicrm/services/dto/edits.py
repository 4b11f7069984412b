"""What the user asks to create or change: Create/Patch pairs for contacts, companies and deals."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from minicrm.services.dto.common import UNSET, Address, Unset


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
    nickname: str | None = None
    name_prefix: str | None = None
    middle_name: str | None = None
    name_suffix: str | None = None
    department: str | None = None


@dataclass(frozen=True, slots=True)
class ContactPatch:
    """A partial edit. UNSET leaves a field alone; ``clear`` names fields to empty."""

    name: str | Unset = UNSET
    emails: tuple[str, ...] | Unset = UNSET  # replaces the list
    phones: tuple[str, ...] | Unset = UNSET
    add_emails: tuple[str, ...] = ()
    add_phones: tuple[str, ...] = ()
    company: str | Unset | None = UNSET
    title: str | Unset | None = UNSET
    tags: tuple[str, ...] | Unset = UNSET
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()
    status: str | Unset = UNSET
    source: str | Unset | None = UNSET
    owner: str | Unset | None = UNSET
    cadence_days: int | Unset | None = UNSET
    fields: dict[str, str] = field(default_factory=dict)
    given_name: str | Unset | None = UNSET
    family_name: str | Unset | None = UNSET
    street: str | Unset | None = UNSET
    city: str | Unset | None = UNSET
    region: str | Unset | None = UNSET
    postcode: str | Unset | None = UNSET
    country: str | Unset | None = UNSET
    do_not_contact: bool | Unset = UNSET
    preferred_channel: str | Unset | None = UNSET
    nickname: str | Unset | None = UNSET
    name_prefix: str | Unset | None = UNSET
    middle_name: str | Unset | None = UNSET
    name_suffix: str | Unset | None = UNSET
    department: str | Unset | None = UNSET
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
    name: str | Unset = UNSET
    domain: str | Unset | None = UNSET
    industry: str | Unset | None = UNSET
    size: str | Unset | None = UNSET
    tags: tuple[str, ...] | Unset = UNSET
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()
    owner: str | Unset | None = UNSET
    fields: dict[str, str] = field(default_factory=dict)
    street: str | Unset | None = UNSET
    city: str | Unset | None = UNSET
    region: str | Unset | None = UNSET
    postcode: str | Unset | None = UNSET
    country: str | Unset | None = UNSET
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

    title: str | Unset = UNSET
    contact: str | Unset = UNSET  # cleared with clear=("contact",)
    company: str | Unset = UNSET
    value: str | Unset | None = UNSET
    currency: str | Unset = UNSET
    close_date: date | Unset | None = UNSET
    probability: int | Unset | None = UNSET
    owner: str | Unset | None = UNSET
    lost_reason: str | Unset | None = UNSET
    clear: tuple[str, ...] = ()
    expected_version: int | None = None
