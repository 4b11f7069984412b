"""Keep-in-touch cadences: who is due for contact, the rules per tag, ``report cadence``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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
class CadenceSummary:
    """How well one keep-in-touch source is kept: ``source`` is ``contact`` (contacts' own
    cadences) or ``tag:NAME`` (a rule); every contact counts under the source that sets its
    window, as in ``due``."""

    source: str
    ideal_days: int | None  # None for contacts' own cadences (each has its own)
    contacts: int
    due: int  # past the window, not lapsed yet
    lapsed: int

    @property
    def in_touch(self) -> int:
        return self.contacts - self.due - self.lapsed

    @property
    def in_touch_pct(self) -> float | None:
        return round(100 * self.in_touch / self.contacts, 1) if self.contacts else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "ideal_days": self.ideal_days,
            "contacts": self.contacts,
            "in_touch": self.in_touch,
            "due": self.due,
            "lapsed": self.lapsed,
            "in_touch_pct": self.in_touch_pct,
        }


@dataclass(frozen=True, slots=True)
class CadenceReport:
    """``report cadence``: per source, then the total (do-not-contact people left out)."""

    sources: tuple[CadenceSummary, ...]
    total: CadenceSummary

    def to_dict(self) -> dict[str, Any]:
        return {"sources": [s.to_dict() for s in self.sources], "total": self.total.to_dict()}
