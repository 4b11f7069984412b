"""What ``due`` reports: follow-ups due and the contacts due for contact."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from minicrm.services.dto.common import iso

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from typing import Any

    from minicrm.services.dto.followups import FollowUp


@dataclass(slots=True, unsafe_hash=True)
class CadenceDue:
    """A contact whose keep-in-touch window has passed. Not frozen, for the reason given on
    ``FollowUp``: ``due`` builds one per late contact."""

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
