"""Shared pieces of the DTOs: the UNSET marker, enumerations, timestamps, addresses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up
if TYPE_CHECKING:
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
