"""Interactions: the timeline of notes, calls, emails and meetings.

Logging one touches the linked contact's ``last_interaction_at``, which resets its
keep-in-touch clock.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from minicrm.core.clock import from_db, to_db
from minicrm.core.errors import InvalidInput, NotFound
from minicrm.services.dto import Interaction
from minicrm.services.kernel.refs import resolve_company, resolve_contact, resolve_deal
from minicrm.services.kernel.unit_of_work import UnitOfWork
from minicrm.services.kernel.validation import TEXT_MAX, check_length

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime
    from typing import Any

    from minicrm.services.kernel.context import Context
    from minicrm.store.db import Row

LOGGABLE = ("note", "call", "email", "meeting")
#: kinds that count as touching the person (they reset the keep-in-touch clock)
TOUCHES = ("note", "call", "email", "meeting")


@dataclass(frozen=True, slots=True)
class Links:
    """What an interaction or follow-up is attached to: references as the user typed them."""

    contact: str | None = None
    company: str | None = None
    deal: str | None = None


def resolve_links(ctx: Context, links: Links) -> tuple[int | None, int | None, int | None]:
    db = ctx.db
    contact_id = resolve_contact(ctx, links.contact) if links.contact else None
    company_id = resolve_company(ctx, links.company) if links.company else None
    deal_id = resolve_deal(ctx, links.deal) if links.deal else None
    if contact_id is None and company_id is None and deal_id is None:
        raise InvalidInput("say what this is about: a contact, --company or --deal")
    if deal_id is not None and contact_id is None:
        row = db.one("SELECT contact_id, company_id FROM deal WHERE id = ?", (deal_id,))
        if row is not None:
            contact_id = row["contact_id"]
            company_id = company_id or row["company_id"]
    if contact_id is not None and company_id is None:
        company_id = db.scalar("SELECT company_id FROM contact WHERE id = ?", (contact_id,))
    return contact_id, company_id, deal_id


def add(ctx: Context, kind: str, links: Links, body: str, *, at: datetime | None = None) -> Interaction:
    if kind not in LOGGABLE:
        raise InvalidInput(f"invalid kind {kind!r} (choose from {', '.join(LOGGABLE)})")
    text = body.strip("\n") if body else ""
    if kind == "note" and not text.strip():
        raise InvalidInput("the note is empty")
    if "\x00" in text:
        raise InvalidInput("the text cannot contain a NUL byte")
    check_length(text, "the note" if kind == "note" else "the summary", TEXT_MAX)
    with UnitOfWork(ctx, f"{'note add' if kind == 'note' else 'log ' + kind}") as uow:
        contact_id, company_id, deal_id = resolve_links(uow.ctx, links)
        when = to_db(at) if at else uow.now
        new_id = insert(uow, kind, text or kind, when, contact_id, company_id, deal_id)
    return get(ctx, new_id)


def insert(
    uow: UnitOfWork,
    kind: str,
    body: str,
    at: str,
    contact_id: int | None,
    company_id: int | None,
    deal_id: int | None,
    captured: Mapping[str, Any] | None = None,
) -> int:
    """Insert one interaction inside an open unit of work (also used for stage changes);
    ``captured``: a captured message's or meeting's ``external_id``, ``details``, …"""
    db = uow.db
    new_id = uow.interactions.insert(
        {
            "kind": kind,
            "body": body,
            "at": at,
            "author": uow.ctx.user,
            "contact_id": contact_id,
            "company_id": company_id,
            "deal_id": deal_id,
            "created_at": uow.now,
            **(captured or {}),
        }
    )
    if kind in TOUCHES and contact_id is not None:
        db.execute(
            "UPDATE contact SET last_interaction_at = ? WHERE id = ? "
            "AND (last_interaction_at IS NULL OR last_interaction_at < ?)",
            (at, contact_id, at),
        )
    if deal_id is not None:
        db.execute("UPDATE deal SET last_activity_at = ? WHERE id = ?", (at, deal_id))
    uow.record("interaction", new_id, "create", None, uow.interactions.snapshot(new_id))
    return new_id


def get(ctx: Context, interaction_id: int) -> Interaction:
    rows = _select(ctx, "i.id = ?", [interaction_id], None)
    if not rows:
        raise NotFound(f"no interaction with id {interaction_id}")
    return rows[0]


def timeline(
    ctx: Context, links: Links, *, limit: int | None = None, kinds: tuple[str, ...] = ()
) -> list[Interaction]:
    """Everything that happened with a contact, company or deal, newest first."""
    where: list[str] = []
    params: list[object] = []
    if links.contact:
        where.append("i.contact_id = ?")
        params.append(resolve_contact(ctx, links.contact))
    if links.company:
        where.append("i.company_id = ?")
        params.append(resolve_company(ctx, links.company))
    if links.deal:
        where.append("i.deal_id = ?")
        params.append(resolve_deal(ctx, links.deal))
    if not where:
        raise InvalidInput("say whose timeline: a contact, --company or --deal")
    if kinds:
        where.append(f"i.kind IN ({','.join('?' * len(kinds))})")
        params.extend(kinds)
    return _select(ctx, " AND ".join(where), params, limit)


def group_threads(items: list[Interaction]) -> list[Interaction]:
    """A timeline (newest first) with each mail thread's messages together, at the place of its
    newest one, newest first within it; a message captured on several contacts of one company
    or deal is shown once, with their names joined."""
    from dataclasses import replace

    if not any(i.thread_id for i in items):
        return items
    merged: dict[str, int] = {}  # external id -> position in ``unique``
    unique: list[Interaction] = []
    for item in items:
        if item.external_id is None:
            unique.append(item)
            continue
        at = merged.get(item.external_id)
        if at is None:
            merged[item.external_id] = len(unique)
            unique.append(item)
        elif item.contact and item.contact not in (unique[at].contact or "").split(", "):
            first = unique[at]
            names = sorted({*(first.contact or "").split(", "), item.contact} - {""})
            unique[at] = replace(first, contact=", ".join(names))
    threads: dict[str, list[Interaction]] = {}
    order: list[list[Interaction]] = []
    for item in unique:
        key = item.thread_id if item.kind == "email" else None
        if key is None:
            order.append([item])
        elif key in threads:
            threads[key].append(item)
        else:
            threads[key] = [item]
            order.append(threads[key])
    return [item for group in order for item in group]


def _select(ctx: Context, where: str, params: list[object], limit: int | None) -> list[Interaction]:
    db = ctx.db
    sql = (
        "SELECT i.*, c.name AS contact_name FROM interaction i LEFT JOIN contact c ON c.id = i.contact_id "
        f"WHERE {where} ORDER BY i.at DESC, i.id DESC"
    )
    if limit is not None:
        sql += " LIMIT ?"
        params = [*params, limit]
    return [_to_dto(r) for r in db.all(sql, params)]


def _to_dto(r: Row) -> Interaction:
    return Interaction(
        id=int(r["id"]),
        kind=r["kind"],
        body=r["body"],
        at=from_db(r["at"]),  # type: ignore[arg-type]
        author=r["author"],
        contact_id=r["contact_id"],
        company_id=r["company_id"],
        deal_id=r["deal_id"],
        contact=r["contact_name"],
        external_id=r["external_id"],
        thread_id=r["thread_id"],
        direction=r["direction"],
        details=json.loads(r["details"]) if r["details"] else None,
    )
