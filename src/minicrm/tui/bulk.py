"""Many contacts at once: a selection (space marks one, shift+↑/↓ extends, ``*`` takes every
contact the list matches), then tags, owner or delete for all of them, after the count is
confirmed. Each bulk change is one operation: ``u`` undoes it whole.

"Every contact the list matches" is kept as that, not as a million ids: the ids are read in the
worker that makes the change, from the same filters the list shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from minicrm.core.words import counted

if TYPE_CHECKING:
    from minicrm.services.contacts.queries import ContactQuery
    from minicrm.services.kernel.context import Context


@dataclass
class Selection:
    """The marked contacts: some ids, or all that match the list (``everything``)."""

    ids: set[int] = field(default_factory=set)
    everything: bool = False
    #: with ``everything``: how many the list showed when it was taken
    total: int = 0

    def __bool__(self) -> bool:
        return self.everything or bool(self.ids)

    def __contains__(self, contact_id: object) -> bool:
        return self.everything or contact_id in self.ids

    @property
    def count(self) -> int:
        return self.total if self.everything else len(self.ids)

    def describe(self) -> str:
        return counted(self.count, "contact")

    def toggle(self, contact_id: int) -> None:
        if self.everything:  # from "all" to all but this one is not kept: start over with it
            self.everything = False
            self.ids = set()
        self.ids ^= {contact_id}

    def add(self, contact_id: int) -> None:
        if not self.everything:
            self.ids.add(contact_id)

    def take_all(self, total: int) -> None:
        self.everything, self.total, self.ids = True, total, set()

    def clear(self) -> None:
        self.everything, self.total, self.ids = False, 0, set()


@dataclass(frozen=True, slots=True)
class Target:
    """What a bulk change applies to, as a worker needs it: the ids, or the list's filters."""

    ids: tuple[int, ...] = ()
    search: str | None = None
    facets: ContactQuery | None = None
    everything: bool = False

    def resolve(self, ctx: Context) -> list[int]:
        from minicrm.services.contacts import browse

        if not self.everything:
            return sorted(self.ids)
        return browse.contact_ids(ctx, self.search, self.facets)


def bulk_tags(ctx: Context, target: Target, add: tuple[str, ...], remove: tuple[str, ...]) -> int:
    from minicrm.services.contacts import commands as contacts
    from minicrm.services.dto import ContactPatch

    ids = target.resolve(ctx)
    words = " ".join([*(f"+{t}" for t in add), *(f"-{t}" for t in remove)])
    return contacts.edit_many(
        ctx, ids, ContactPatch(add_tags=add, remove_tags=remove), f"contact tag {len(ids)} contacts {words}"
    )


def bulk_owner(ctx: Context, target: Target, owner: str | None) -> int:
    from minicrm.services.contacts import commands as contacts
    from minicrm.services.dto import ContactPatch

    ids = target.resolve(ctx)
    return contacts.edit_many(
        ctx, ids, ContactPatch(owner=owner), f"contact owner {len(ids)} contacts → {owner or 'nobody'}"
    )


def bulk_delete(ctx: Context, target: Target) -> int:
    from minicrm.services.contacts import commands as contacts

    return len(contacts.remove(ctx, target.resolve(ctx)))
