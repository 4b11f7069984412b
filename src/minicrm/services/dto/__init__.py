"""Data transfer objects: what the services take and return.

Plain frozen dataclasses. Input DTOs come in Create/Patch pairs (``edits``), read DTOs carry
``to_dict()`` with the JSON shape of SPEC §3. Timestamps are aware UTC datetimes; ``to_dict``
renders them in ``tz``.

Creating a dataclass costs about 2 ms at start-up (Python 3.11 compiles each of its methods), so
the classes live in small modules loaded on first use: ``from minicrm.services.dto import Contact``
loads ``dto.contacts`` only, and a read command creates the few classes it prints.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from typing import Any

    from minicrm.services.dto.board import Board, BoardDeal, StageTotal, Today
    from minicrm.services.dto.cadence import CadenceReport, CadenceRule, CadenceSummary
    from minicrm.services.dto.common import (
        CHANNELS,
        CONTACT_STATUSES,
        INTERACTION_KINDS,
        UNSET,
        Address,
        Unset,
        iso,
        or_unset,
    )
    from minicrm.services.dto.companies import Company, CompanyDetail
    from minicrm.services.dto.contact_detail import ContactDetail, DealSummary
    from minicrm.services.dto.contacts import Contact
    from minicrm.services.dto.customer import (
        REQUEST_PRIORITIES,
        CurrencyTotal,
        PurchaseSummary,
        ServiceRequest,
    )
    from minicrm.services.dto.deals import DEAL_STATUSES, Deal, DealDetail, StageChange
    from minicrm.services.dto.due import CadenceDue, DueReport
    from minicrm.services.dto.edits import (
        CompanyCreate,
        CompanyPatch,
        ContactCreate,
        ContactPatch,
        DealCreate,
        DealPatch,
    )
    from minicrm.services.dto.followups import FollowUp
    from minicrm.services.dto.history import ChangeEntry
    from minicrm.services.dto.interactions import Interaction
    from minicrm.services.dto.next_actions import NextAction, ScorePart
    from minicrm.services.dto.search import SearchHit
    from minicrm.services.dto.segments import Segment, ServiceReport
    from minicrm.services.dto.users import User

#: which module defines each name
_MODULES: dict[str, str] = {
    "Address": "common",
    "Board": "board",
    "BoardDeal": "board",
    "CHANNELS": "common",
    "CONTACT_STATUSES": "common",
    "CadenceDue": "due",
    "CadenceReport": "cadence",
    "CadenceSummary": "cadence",
    "CadenceRule": "cadence",
    "ChangeEntry": "history",
    "Company": "companies",
    "CompanyCreate": "edits",
    "CompanyDetail": "companies",
    "CompanyPatch": "edits",
    "Contact": "contacts",
    "ContactCreate": "edits",
    "ContactDetail": "contact_detail",
    "ContactPatch": "edits",
    "CurrencyTotal": "customer",
    "DEAL_STATUSES": "deals",
    "Deal": "deals",
    "DealCreate": "edits",
    "DealDetail": "deals",
    "DealPatch": "edits",
    "DealSummary": "contact_detail",
    "DueReport": "due",
    "FollowUp": "followups",
    "INTERACTION_KINDS": "common",
    "Interaction": "interactions",
    "NextAction": "next_actions",
    "PurchaseSummary": "customer",
    "REQUEST_PRIORITIES": "customer",
    "ScorePart": "next_actions",
    "SearchHit": "search",
    "Segment": "segments",
    "ServiceReport": "segments",
    "ServiceRequest": "customer",
    "StageChange": "deals",
    "StageTotal": "board",
    "Today": "board",
    "UNSET": "common",
    "Unset": "common",
    "User": "users",
    "iso": "common",
    "or_unset": "common",
}

__all__ = [
    "CHANNELS",
    "CONTACT_STATUSES",
    "DEAL_STATUSES",
    "INTERACTION_KINDS",
    "REQUEST_PRIORITIES",
    "UNSET",
    "Address",
    "Board",
    "BoardDeal",
    "CadenceDue",
    "CadenceReport",
    "CadenceRule",
    "CadenceSummary",
    "ChangeEntry",
    "Company",
    "CompanyCreate",
    "CompanyDetail",
    "CompanyPatch",
    "Contact",
    "ContactCreate",
    "ContactDetail",
    "ContactPatch",
    "CurrencyTotal",
    "Deal",
    "DealCreate",
    "DealDetail",
    "DealPatch",
    "DealSummary",
    "DueReport",
    "FollowUp",
    "Interaction",
    "NextAction",
    "PurchaseSummary",
    "ScorePart",
    "SearchHit",
    "Segment",
    "ServiceReport",
    "ServiceRequest",
    "StageChange",
    "StageTotal",
    "Today",
    "Unset",
    "User",
    "iso",
    "or_unset",
]


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
