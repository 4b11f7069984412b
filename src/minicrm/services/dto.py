"""Data transfer objects: what the services take and return.

Plain frozen dataclasses, cheap to import (the CLI's read path never loads pydantic or
SQLAlchemy). Input DTOs come in Create/Patch pairs, read DTOs carry ``to_dict()`` with the JSON
shape of SPEC §3. Timestamps are aware UTC datetimes; ``to_dict`` renders them in ``tz``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any


class _Unset:
    """Marks a patch field the user did not mention (distinct from ``None`` = clear it)."""

    _instance: _Unset | None = None

    def __new__(cls) -> _Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Any = _Unset()

CONTACT_STATUSES = ("lead", "prospect", "customer", "inactive")
CHANNELS = ("email", "phone", "none")
INTERACTION_KINDS = ("note", "call", "email", "meeting", "stage-change", "request")


def iso(moment: datetime | None, tz: tzinfo) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(tz).replace(microsecond=0).isoformat()


@dataclass(frozen=True, slots=True)
class Address:
    street: str | None = None
    city: str | None = None
    region: str | None = None
    postcode: str | None = None
    country: str | None = None

    def as_text(self) -> str:
        parts = [self.street, " ".join(p for p in (self.postcode, self.city) if p), self.region, self.country]
        return ", ".join(p for p in parts if p)


# -- contacts -------------------------------------------------------------------------------
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
        }


# -- companies ------------------------------------------------------------------------------
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


# -- interactions ---------------------------------------------------------------------------
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

    def to_dict(self, tz: tzinfo) -> dict[str, Any]:
        return {
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


# -- users (team mode) ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str
    email: str | None
    created_at: datetime

    def to_dict(self, tz: tzinfo) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "email": self.email, "created_at": iso(self.created_at, tz)}


# -- follow-ups -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class FollowUp:
    id: int
    title: str
    due_at: datetime
    all_day: bool
    done_at: datetime | None
    snoozed_until: datetime | None
    every: str | None
    rrule: str | None
    until: datetime | None
    contact: str | None
    contact_id: int | None
    deal_id: int | None
    company_id: int | None
    owner: str | None
    overdue: bool
    origin: str
    created_at: datetime
    version: int
    deal: str | None = None
    from_done: bool = False
    series_id: int | None = None

    @property
    def recurrence(self) -> str | None:
        """``every 2w``, ``every 3d after done`` or ``RRULE:FREQ=MONTHLY;BYDAY=-1FR``."""
        if self.rrule:
            return f"RRULE:{self.rrule}"
        if not self.every:
            return None
        return f"every {self.every} after done" if self.from_done else f"every {self.every}"

    def due_local(self, tz: tzinfo) -> date | datetime:
        local = self.due_at.astimezone(tz)
        return local.date() if self.all_day else local

    def to_dict(self, tz: tzinfo) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "due": self.due_local(tz).isoformat() if self.all_day else iso(self.due_at, tz),
            "done_at": iso(self.done_at, tz),
            "snoozed_until": iso(self.snoozed_until, tz),
            "recurrence": self.recurrence,
            "contact": self.contact,
            "contact_id": self.contact_id,
            "deal_id": self.deal_id,
            "company_id": self.company_id,
            "owner": self.owner,
            "overdue": self.overdue,
            "all_day": self.all_day,
            "until": iso(self.until, tz),
            "every": self.every,
            "rrule": self.rrule,
            "from_done": self.from_done,
            "series_id": self.series_id,
            "origin": self.origin,
            "version": self.version,
        }


@dataclass(frozen=True, slots=True)
class CadenceDue:
    """A contact whose keep-in-touch window has passed."""

    contact_id: int
    name: str
    cadence_days: int
    last_interaction_at: datetime | None
    days_since: int | None
    lapsed: bool
    owner: str | None
    #: past this many days the contact has lapsed (a tag rule's --max, else twice the window)
    max_days: int | None = None
    #: where the cadence comes from: ``contact`` (its own) or ``tag:NAME`` (a cadence rule)
    source: str = "contact"
    #: when the ideal window passed (the contact fell due for contact)
    due_since: datetime | None = None

    def to_dict(self, tz: tzinfo) -> dict[str, Any]:
        return {
            "contact_id": self.contact_id,
            "contact": self.name,
            "cadence_days": self.cadence_days,
            "last_interaction_at": iso(self.last_interaction_at, tz),
            "days_since": self.days_since,
            "lapsed": self.lapsed,
            "owner": self.owner,
            "max_days": self.max_days,
            "source": self.source,
            "due_since": iso(self.due_since, tz),
        }


@dataclass(frozen=True, slots=True)
class CadenceRule:
    """A keep-in-touch rule for every contact carrying a tag."""

    tag: str
    ideal_days: int
    max_days: int | None
    contacts: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "tag": self.tag,
            "ideal_days": self.ideal_days,
            "max_days": self.max_days,
            "contacts": self.contacts,
        }


@dataclass(frozen=True, slots=True)
class DueReport:
    overdue: tuple[FollowUp, ...]
    due: tuple[FollowUp, ...]
    cadence: tuple[CadenceDue, ...]
    #: with ``due --since-last-run``: when ``due`` ran before (None: never), and what fell due since
    since_last_run: bool = False
    previous_run: datetime | None = None
    fell_due: tuple[FollowUp, ...] = ()
    cadence_fell_due: tuple[CadenceDue, ...] = ()

    def is_empty(self) -> bool:
        return not (self.overdue or self.due or self.cadence)


# -- what next ------------------------------------------------------------------------------
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


# -- deals (summary; the pipeline module has the full record) -------------------------------
@dataclass(frozen=True, slots=True)
class DealSummary:
    id: int
    title: str
    stage: str
    status: str
    value_minor: int | None
    currency: str


# -- search and history ---------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SearchHit:
    entity: str  # contact, company, deal, note
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


@dataclass(frozen=True, slots=True)
class ContactDetail:
    contact: Contact
    deals: tuple[DealSummary, ...]
    followups: tuple[FollowUp, ...]
    timeline: tuple[Interaction, ...]


# -- customer 360: purchases, service requests, segments ------------------------------------
@dataclass(frozen=True, slots=True)
class CurrencyTotal:
    """Won deals in one currency: lifetime value (minor units), count, first and last day."""

    currency: str
    value_minor: int
    count: int
    first: date | None
    last: date | None

    def to_dict(self) -> dict[str, Any]:
        from minicrm.services.purchases import major

        return {
            "currency": self.currency,
            "value": major(self.value_minor, self.currency),
            "count": self.count,
            "first": self.first.isoformat() if self.first else None,
            "last": self.last.isoformat() if self.last else None,
        }


@dataclass(frozen=True, slots=True)
class PurchaseSummary:
    """The purchase history of a contact or company (won deals)."""

    count: int
    first: date | None
    last: date | None
    totals: tuple[CurrencyTotal, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "first": self.first.isoformat() if self.first else None,
            "last": self.last.isoformat() if self.last else None,
            "lifetime_value": [t.to_dict() for t in self.totals],
        }


REQUEST_PRIORITIES = ("low", "normal", "high", "urgent")


@dataclass(frozen=True, slots=True)
class ServiceRequest:
    id: int
    title: str
    priority: str
    status: str  # open, closed
    resolution: str | None
    contact_id: int | None
    contact: str | None
    deal_id: int | None
    owner: str | None
    opened_at: datetime
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int

    def to_dict(self, tz: tzinfo) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "priority": self.priority,
            "status": self.status,
            "resolution": self.resolution,
            "contact": self.contact,
            "contact_id": self.contact_id,
            "deal_id": self.deal_id,
            "owner": self.owner,
            "opened_at": iso(self.opened_at, tz),
            "closed_at": iso(self.closed_at, tz),
            "created_at": iso(self.created_at, tz),
            "updated_at": iso(self.updated_at, tz),
            "version": self.version,
        }


# -- deals ----------------------------------------------------------------------------------
DEAL_STATUSES = ("open", "won", "lost")


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


@dataclass(frozen=True, slots=True)
class Deal:
    id: int
    title: str
    value_minor: int | None
    currency: str
    pipeline: str
    stage: str
    #: the effective probability: 100 won, 0 lost, else the deal's own or its stage's default
    probability: int
    #: the probability set on the deal itself (None: the stage's default applies)
    probability_set: int | None
    status: str
    contact: str | None
    contact_id: int | None
    company: str | None
    company_id: int | None
    close_date: date | None
    owner: str | None
    lost_reason: str | None
    closed_at: datetime | None
    stage_entered_at: datetime
    last_activity_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int
    #: open and untouched for longer than its stage's idle_days ("rotting")
    stale: bool
    #: False when the deal's pipeline or stage is no longer in the config
    stage_known: bool

    @property
    def weighted_minor(self) -> int | None:
        from minicrm.services.money import weighted_minor

        return None if self.value_minor is None else weighted_minor(self.value_minor * self.probability)

    def amount(self) -> str:
        from minicrm.services.money import format_amount

        return format_amount(self.value_minor, self.currency)

    def to_dict(self, tz: tzinfo) -> dict[str, Any]:
        from minicrm.services.money import json_number

        return {
            "id": self.id,
            "title": self.title,
            "value": json_number(self.value_minor, self.currency),
            "currency": self.currency,
            "stage": self.stage,
            "pipeline": self.pipeline,
            "probability": self.probability,
            "status": self.status,
            "contact": self.contact,
            "contact_id": self.contact_id,
            "company": self.company,
            "company_id": self.company_id,
            "close_date": self.close_date.isoformat() if self.close_date else None,
            "owner": self.owner,
            "lost_reason": self.lost_reason,
            "created_at": iso(self.created_at, tz),
            "updated_at": iso(self.updated_at, tz),
            "closed_at": iso(self.closed_at, tz),
            "stage_entered_at": iso(self.stage_entered_at, tz),
            "last_activity_at": iso(self.last_activity_at, tz),
            "weighted_value": json_number(self.weighted_minor, self.currency),
            "stale": self.stale,
            "stage_known": self.stage_known,
            "version": self.version,
        }


@dataclass(frozen=True, slots=True)
class ServiceReport:
    """Open requests by priority and how long closing takes (median over closed requests)."""

    open_by_priority: dict[str, int]
    open_total: int
    closed_total: int
    median_hours_to_close: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "open_by_priority": dict(self.open_by_priority),
            "open": self.open_total,
            "closed": self.closed_total,
            "median_hours_to_close": self.median_hours_to_close,
        }


@dataclass(frozen=True, slots=True)
class Segment:
    """A saved contact filter: ``filters`` is the stored JSON object (with its ``version``)."""

    id: int
    name: str
    filters: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    count: int | None = None

    def to_dict(self, tz: tzinfo) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "filters": dict(self.filters),
            "count": self.count,
            "created_at": iso(self.created_at, tz),
            "updated_at": iso(self.updated_at, tz),
        }


@dataclass(frozen=True, slots=True)
class StageChange:
    """One entry of a deal's stage history: entering a stage (status open), winning or losing."""

    id: int
    deal_id: int
    from_stage: str | None
    to_stage: str
    status: str
    at: datetime
    actor: str | None
    #: until the next entry (None for the last one)
    left_at: datetime | None

    def to_dict(self, tz: tzinfo) -> dict[str, Any]:
        return {
            "id": self.id,
            "deal_id": self.deal_id,
            "from_stage": self.from_stage,
            "to_stage": self.to_stage,
            "status": self.status,
            "at": iso(self.at, tz),
            "left_at": iso(self.left_at, tz),
            "actor": self.actor,
        }
