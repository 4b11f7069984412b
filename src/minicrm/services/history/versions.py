"""No silent overwrites: every editable record carries a ``version``, bumped by each write.

An edit may name the version it was based on (``expected_version``: the TUI's loaded record,
``--if-version N`` in scripts); a different stored version is a conflict naming who changed the
record and when. The UPDATE itself also requires the version it read (``WHERE id = ? AND
version = ?``), so that two writers can never both succeed from the same base version, whatever
the isolation level.
"""

from __future__ import annotations

from collections.abc import Mapping

from minicrm.core.errors import Conflict, Refused
from minicrm.services.history.history import conflict_message
from minicrm.services.kernel.unit_of_work import UnitOfWork

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any


def check_version(
    uow: UnitOfWork,
    entity: str,
    entity_id: int,
    stored: int,
    expected: int | None,
    *,
    state: str | None = None,
) -> None:
    """Refuse an edit based on another version than the stored one. ``state`` says what the
    record is now, where that matters to the one who saw an older version ("it is now lost")."""
    if expected is not None and int(stored) != int(expected):
        raise Conflict(conflict_message(uow.ctx, entity, entity_id, state=state))


def written(uow: UnitOfWork, entity: str, entity_id: int, new_version: int | None, base_version: int) -> int:
    """The new version a record module's versioned update returned; None (the row moved on
    between the read and the UPDATE) is the same conflict as a stale ``expected_version``."""
    if new_version is None:
        _refuse_if_not_allowed(uow, entity, entity_id, base_version)
        raise Conflict(conflict_message(uow.ctx, entity, entity_id))
    return new_version


_TABLES = {"request": "service_request"}


def _refuse_if_not_allowed(uow: UnitOfWork, entity: str, entity_id: int, base_version: int) -> None:
    """The versioned UPDATE changed nothing though no one else changed the record meanwhile
    (we hold the write lock): a row-level security policy kept it (``minicrm team secure``)."""
    if uow.db.is_sqlite:
        return
    table = _TABLES.get(entity, entity)
    row = uow.db.one(f"SELECT * FROM {table} WHERE id = ?", (entity_id,))
    if row is None or int(row["version"]) != int(base_version):
        return  # gone, or changed meanwhile: a conflict
    owner = row.get("owner")
    whose = f"{owner}'s" if owner else "not yours"
    raise Refused(f"not allowed: {entity} {entity_id} is {whose}: only its owner or an admin can change it")


def update_versioned(
    uow: UnitOfWork, table: str, entity: str, entity_id: int, base_version: int, values: Mapping[str, Any]
) -> int:
    """``UPDATE table SET values, version = base + 1 WHERE id = ? AND version = base``; returns the
    new version, or raises Conflict when the row moved on meanwhile (nothing is written)."""
    from minicrm.store.records.base import update_row

    new_version = update_row(uow.db, table, entity_id, dict(values), int(base_version))
    return written(uow, entity, entity_id, new_version, int(base_version))
