"""Service requests: a customer's open issues, from opening to resolution.

Opening, closing and reopening one also writes an interaction of kind ``request`` on the
contact's timeline ("Opened request #4: printer jams"), in the same transaction. Every write is
one unit of work with full before/after snapshots under the entity name ``request``.
"""

from __future__ import annotations

from dataclasses import dataclass

from minicrm.core.clock import from_db
from minicrm.core.errors import Conflict, InvalidInput, NotFound
from minicrm.services.dto import REQUEST_PRIORITIES, UNSET, ServiceRequest
from minicrm.services.history.interactions import insert as insert_interaction
from minicrm.services.kernel.refs import resolve_contact, resolve_deal
from minicrm.services.kernel.unit_of_work import UnitOfWork
from minicrm.services.kernel.validation import TEXT_MAX, check_choice, require_text
from minicrm.store.records.requests import COLUMNS as _COLUMNS
from minicrm.store.records.requests import snapshot as _snapshot

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from datetime import datetime
    from typing import Any

    from minicrm.services.dto import ServiceReport, Unset
    from minicrm.services.kernel.context import Context
    from minicrm.store.db import Row

ENTITY = "request"
_PRIORITY_ORDER = "CASE r.priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END"


@dataclass(frozen=True, slots=True)
class RequestPatch:
    title: str | Unset = UNSET
    priority: str | Unset = UNSET
    expected_version: int | None = None


# -- reading ---------------------------------------------------------------------------------
def _select(ctx: Context, where: str, params: list[Any]) -> list[ServiceRequest]:
    db = ctx.db
    rows = db.all(
        "SELECT r.*, c.name AS contact_name FROM service_request r "
        f"LEFT JOIN contact c ON c.id = r.contact_id WHERE {where} "
        f"ORDER BY CASE WHEN r.status = 'open' THEN 0 ELSE 1 END, {_PRIORITY_ORDER}, r.opened_at, r.id",
        params,
    )
    return [_to_dto(r) for r in rows]


def _to_dto(r: Row) -> ServiceRequest:
    return ServiceRequest(
        id=int(r["id"]),
        title=r["title"],
        priority=r["priority"],
        status=r["status"],
        resolution=r["resolution"],
        contact_id=r["contact_id"],
        contact=r["contact_name"],
        deal_id=r["deal_id"],
        owner=r["owner"],
        opened_at=_moment(r["opened_at"]),
        closed_at=from_db(r["closed_at"]),
        created_at=_moment(r["created_at"]),
        updated_at=_moment(r["updated_at"]),
        version=int(r["version"]),
    )


def _moment(text: str) -> datetime:
    moment = from_db(text)
    assert moment is not None, "a required timestamp is missing"
    return moment


def get(ctx: Context, request_id: int) -> ServiceRequest:
    found = _select(ctx, "r.id = ?", [request_id])
    if not found:
        raise NotFound(f"no service request with id {request_id}")
    return found[0]


def list_requests(
    ctx: Context, *, open_only: bool = False, contact: str | None = None, priority: str | None = None
) -> list[ServiceRequest]:
    """Open ones first, most urgent first, then oldest first."""
    where: list[str] = ["1 = 1"]
    params: list[Any] = []
    if open_only:
        where.append("r.status = 'open'")
    if contact:
        where.append("r.contact_id = ?")
        params.append(resolve_contact(ctx, contact))
    if priority:
        where.append("r.priority = ?")
        params.append(check_choice(priority, REQUEST_PRIORITIES, "priority"))
    return _select(ctx, " AND ".join(where), params)


def service_report(ctx: Context) -> ServiceReport:
    """Open requests per priority (all four listed) and the median time from open to close."""
    from statistics import median  # ~2 ms to import: not for contact show, which lists requests

    from minicrm.services.dto import ServiceReport

    with ctx.db.snapshot() as db:
        counts = {
            r["priority"]: int(r["n"])
            for r in db.all(
                "SELECT priority, COUNT(*) AS n FROM service_request WHERE status = 'open' GROUP BY priority"
            )
        }
        closed = db.all(
            "SELECT opened_at, closed_at FROM service_request WHERE status = 'closed' "
            "AND closed_at IS NOT NULL"
        )
    hours = []
    for r in closed:
        opened, done = from_db(r["opened_at"]), from_db(r["closed_at"])
        if opened and done:
            hours.append((done - opened).total_seconds() / 3600)
    by_priority = {p: counts.get(p, 0) for p in reversed(REQUEST_PRIORITIES)}
    return ServiceReport(
        open_by_priority=by_priority,
        open_total=sum(counts.values()),
        closed_total=len(closed),
        median_hours_to_close=round(median(hours), 2) if hours else None,
    )


# -- writing ---------------------------------------------------------------------------------
def add(
    ctx: Context, ref: str, title: str, *, priority: str = "normal", deal: str | None = None
) -> ServiceRequest:
    text = require_text(title, "request title")
    level = check_choice(priority, REQUEST_PRIORITIES, "priority")
    with UnitOfWork(ctx, f"request add {text[:40]}") as uow:
        contact_id = resolve_contact(uow.ctx, ref)
        deal_id = resolve_deal(uow.ctx, deal) if deal else None
        values = {
            "title": text,
            "priority": level,
            "status": "open",
            "resolution": None,
            "contact_id": contact_id,
            "deal_id": deal_id,
            "owner": ctx.user,
            "opened_at": uow.now,
            "closed_at": None,
            "created_at": uow.now,
            "updated_at": uow.now,
            "version": 1,
        }
        new_id = uow.requests.insert({c: values[c] for c in _COLUMNS})
        uow.record(ENTITY, new_id, "create", None, uow.requests.snapshot(new_id))
        _log(uow, contact_id, deal_id, f"Opened request #{new_id}: {text}")
    return get(ctx, new_id)


def edit(ctx: Context, request_id: int, patch: RequestPatch) -> ServiceRequest:
    with UnitOfWork(ctx, f"request edit {request_id}") as uow:
        before = _load(uow.ctx, request_id)
        _check_version(uow, before, patch.expected_version)
        changes: dict[str, Any] = {}
        if patch.title is not UNSET:
            changes["title"] = require_text(patch.title, "request title")
        if patch.priority is not UNSET:
            changes["priority"] = check_choice(patch.priority, REQUEST_PRIORITIES, "priority")
        if any(before[k] != v for k, v in changes.items()):
            _update(uow, request_id, before, changes)
    return get(ctx, request_id)


def close(
    ctx: Context, request_id: int, resolution: str, *, expected_version: int | None = None
) -> ServiceRequest:
    text = require_text(resolution, "resolution", limit=TEXT_MAX)
    with UnitOfWork(ctx, f"request close {request_id}") as uow:
        before = _load(uow.ctx, request_id)
        _check_version(uow, before, expected_version)
        if before["status"] == "closed":
            raise Conflict(f"request #{request_id} is already closed")
        _update(uow, request_id, before, {"status": "closed", "resolution": text, "closed_at": uow.now})
        _log(uow, before["contact_id"], before["deal_id"], f"Closed request #{request_id}: {text}")
    return get(ctx, request_id)


def reopen(ctx: Context, request_id: int, *, expected_version: int | None = None) -> ServiceRequest:
    with UnitOfWork(ctx, f"request reopen {request_id}") as uow:
        before = _load(uow.ctx, request_id)
        _check_version(uow, before, expected_version)
        if before["status"] == "open":
            raise Conflict(f"request #{request_id} is already open")
        _update(uow, request_id, before, {"status": "open", "resolution": None, "closed_at": None})
        _log(
            uow, before["contact_id"], before["deal_id"], f"Reopened request #{request_id}: {before['title']}"
        )
    return get(ctx, request_id)


def _load(ctx: Context, request_id: int) -> dict[str, Any]:
    db = ctx.db
    snap = _snapshot(db, request_id)
    if snap is None:
        raise NotFound(f"no service request with id {request_id}")
    return snap


def _check_version(uow: UnitOfWork, before: dict[str, Any], expected: int | None) -> None:
    from minicrm.services.history.versions import check_version  # imports json: writes only

    state = f"it is now {before['status']}"
    check_version(uow, ENTITY, int(before["id"]), before["version"], expected, state=state)


def _update(uow: UnitOfWork, request_id: int, before: dict[str, Any], changes: dict[str, Any]) -> None:
    from minicrm.services.history.versions import update_versioned

    changes = {**changes, "updated_at": uow.now}
    update_versioned(uow, "service_request", ENTITY, request_id, before["version"], changes)
    uow.record(ENTITY, request_id, "update", before, uow.requests.snapshot(request_id))


def _log(uow: UnitOfWork, contact_id: int | None, deal_id: int | None, body: str) -> None:
    """The request's line on the contact's timeline (kind ``request``: it does not count as
    being in touch with the person)."""
    company_id = (
        uow.db.scalar("SELECT company_id FROM contact WHERE id = ?", (contact_id,)) if contact_id else None
    )
    insert_interaction(uow, "request", body, uow.now, contact_id, company_id, deal_id)


def parse_id(text: str) -> int:
    value = text.strip().lstrip("#")
    if not value.isdigit():
        raise InvalidInput(f"a service request is referenced by its id, not {text!r}")
    return int(value)
