"""Shared pieces of the DTOs: the UNSET marker, enumerations, timestamps, addresses."""

from __future__ import annotations

import enum  # loaded anyway: dataclasses imports inspect, which imports enum
from dataclasses import dataclass
from datetime import datetime, tzinfo

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Final, Literal, TypeVar

    T = TypeVar("T")


class Unset(enum.Enum):
    """The type of ``UNSET``, which marks a patch field the user did not mention (distinct from
    ``None``, which clears it): a patch field is typed ``str | Unset | None``. A one-member enum,
    so that the type checker narrows ``if patch.title is not UNSET:`` to ``str | None``."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> Literal[False]:
        return False


UNSET: Final = Unset.UNSET


def or_unset(value: T | None) -> T | Unset:
    """``value``, or UNSET for None: an option the user did not give leaves its field alone."""
    return UNSET if value is None else value


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
    #: work, home, or the source's own label (a contact's addresses carry one)
    label: str | None = None

    def as_text(self) -> str:
        parts = [self.street, " ".join(p for p in (self.postcode, self.city) if p), self.region, self.country]
        return ", ".join(p for p in parts if p)
