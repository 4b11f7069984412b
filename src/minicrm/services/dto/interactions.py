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

    @property
    def is_reply(self) -> bool:
        """A captured message that answers an earlier one of its thread."""
        return bool(self.thread_id and self.details and self.thread_id != self.details.get("message_id"))

    def participants(self) -> list[str]:
        """The other people on a captured message, by address: its To and Cc when it was sent,
        its From when it was received (empty for anything else)."""
        d = self.details
        if self.kind != "email" or not d:
            return []
        if self.direction == "sent":
            return [address_only(p) for p in (*d.get("to", []), *d.get("cc", []))]
        return [address_only(str(d.get("from", "")))]

    def kind_label(self) -> str:
        """The kind, and for captured mail its direction and the other people on it:
        ``email → ana@lima.pt, bruno@dias.pt`` (sent), ``email ← ana@lima.pt`` (received); a
        reply in a thread is marked ``↳``. The CLI's timeline and the TUI's show this."""
        if self.kind != "email" or not self.details:
            return self.kind
        arrow = "→" if self.direction == "sent" else "←"
        text = f"email {arrow} " + ", ".join(self.participants())
        return "↳ " + text if self.is_reply else text

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


def address_only(person: str) -> str:
    """``Ana Lima <ana@lima.pt>`` → ``ana@lima.pt``; a bare address stays as it is."""
    return person.rsplit("<", 1)[-1].rstrip(">") if "<" in person else person
