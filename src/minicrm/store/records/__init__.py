"""The persistence layer: one module per aggregate, each the one home of its table's columns,
its change-log snapshot and its writes (insert, insert_many, replace_children, delete), with
the search re-index done inside them (``search_index``).

The unit of work owns them, in the style of *Architecture Patterns with Python*
("cosmicpython"): ``uow.contacts.insert(...)``, ``uow.companies.delete(...)``, … are record
stores bound to the unit of work's database, made on first use. ``Records(db)`` gives the same
stores for a bare database (undo's restorers, the read snapshots).

Run-time code never imports ``store/tables.py`` (SQLModel, SQLAlchemy: slow to import); the
``COLUMNS`` tuples here are plain, and a test proves they equal the tables'.
"""

from __future__ import annotations

from functools import cached_property

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from minicrm.store.db import Database
    from minicrm.store.records.companies import CompanyRecords
    from minicrm.store.records.contacts import ContactRecords
    from minicrm.store.records.deals import DealRecords
    from minicrm.store.records.followups import FollowUpRecords
    from minicrm.store.records.interactions import InteractionRecords
    from minicrm.store.records.mail_sources import MailSourceRecords
    from minicrm.store.records.requests import RequestRecords
    from minicrm.store.records.tags import TagRecords
    from minicrm.store.records.users import UserRecords


class Repositories:
    """The record stores of ``self.db``, each made on first use (mixed into the unit of work)."""

    db: Database

    @cached_property
    def tags(self) -> TagRecords:
        from minicrm.store.records.tags import TagRecords

        return TagRecords(self.db)

    @cached_property
    def contacts(self) -> ContactRecords:
        from minicrm.store.records.contacts import ContactRecords

        return ContactRecords(self.db, self.tags)

    @cached_property
    def companies(self) -> CompanyRecords:
        from minicrm.store.records.companies import CompanyRecords

        return CompanyRecords(self.db, self.tags)

    @cached_property
    def deals(self) -> DealRecords:
        from minicrm.store.records.deals import DealRecords

        return DealRecords(self.db, self.tags)

    @cached_property
    def interactions(self) -> InteractionRecords:
        from minicrm.store.records.interactions import InteractionRecords

        return InteractionRecords(self.db)

    @cached_property
    def mail_sources(self) -> MailSourceRecords:
        from minicrm.store.records.mail_sources import MailSourceRecords

        return MailSourceRecords(self.db)

    @cached_property
    def followups(self) -> FollowUpRecords:
        from minicrm.store.records.followups import FollowUpRecords

        return FollowUpRecords(self.db)

    @cached_property
    def requests(self) -> RequestRecords:
        from minicrm.store.records.requests import RequestRecords

        return RequestRecords(self.db)

    @cached_property
    def users(self) -> UserRecords:
        from minicrm.store.records.users import UserRecords

        return UserRecords(self.db)


class Records(Repositories):
    """The record stores of a bare database (no unit of work around them)."""

    def __init__(self, db: Database) -> None:
        self.db = db
