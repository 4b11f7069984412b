"""Follow-ups, and the ``due`` report with the contacts due for contact."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from minicrm.services.dto.common import iso


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
