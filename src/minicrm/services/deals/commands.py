"""Deals: add, read, list, edit, move through the stages, win, lose, remove.

Every move, win, loss and reopening appends a ``deal_stage_change`` row (the stage history
from which time-in-stage and conversion are computed) and a ``stage-change`` interaction on the
deal's, its contact's and its company's timeline, in the same unit of work as the change itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from minicrm.core.clock import from_db
from minicrm.core.errors import Conflict, InvalidInput, NotFound
from minicrm.core.money import currency_code, major, parse_amount
from minicrm.services.deals.pipelines import (
    effective_probability,
    find_stage,
    is_stale,
    last_touch,
    require_stage,
    stale_sql,
)
from minicrm.services.dto import DEAL_STATUSES, UNSET, Deal, DealCreate, DealPatch, StageChange
from minicrm.services.history import interactions
from minicrm.services.history.versions import check_version, written
from minicrm.services.kernel.context import Context
from minicrm.services.kernel.refs import resolve_company, resolve_contact, resolve_deal
from minicrm.services.kernel.unit_of_work import UnitOfWork
from minicrm.services.kernel.validation import check_choice, optional_text, require_text
from minicrm.store.db import Row
from minicrm.store.records.deals import COLUMNS as _COLUMNS
from minicrm.store.records.deals import snapshot as snapshot

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any

CLEARABLE = ("contact", "company", "value", "close", "probability", "owner")


@dataclass(frozen=True, slots=True)
class DealQuery:
    """The filters of ``deal list``; ``status`` None means every status."""

    stage: str | None = None
    status: str | None = "open"
    pipeline: str | None = None
    owner: str | None = None
    contact: str | None = None
    company: str | None = None
    stale: bool = False
    limit: int | None = None


# -- reading ---------------------------------------------------------------------------------
def get(ctx: Context, deal_id: int) -> Deal:
    found = load(ctx, [deal_id])
    if not found:
        raise NotFound(f"no deal with id {deal_id}")
    return found[0]


def find(ctx: Context, ref: str) -> Deal:
    return get(ctx, resolve_deal(ctx, ref))


SELECT = (
    "SELECT d.*, c.name AS contact_name, co.name AS company_name FROM deal d "
    "LEFT JOIN contact c ON c.id = d.contact_id LEFT JOIN company co ON co.id = d.company_id"
)


def load(ctx: Context, ids: list[int]) -> list[Deal]:
    if not ids:
        return []
    rows = {int(r["id"]): r for r in ctx.db.all(f"{SELECT} WHERE d.id IN ({','.join('?' * len(ids))})", ids)}
    return [to_dto(ctx, rows[i]) for i in ids if i in rows]


def to_dto(ctx: Context, r: Row) -> Deal:
    config = ctx.config
    known = find_stage(config, r["pipeline"], r["stage"]) is not None
    return Deal(
        id=int(r["id"]),
        title=r["title"],
        value_minor=r["value_minor"],
        currency=r["currency"],
        pipeline=r["pipeline"],
        stage=r["stage"],
        probability=effective_probability(
            config, status=r["status"], pipeline=r["pipeline"], stage=r["stage"], own=r["probability"]
        ),
        probability_set=r["probability"],
        status=r["status"],
        contact=r["contact_name"],
        contact_id=r["contact_id"],
        company=r["company_name"],
        company_id=r["company_id"],
        close_date=date.fromisoformat(r["close_date"]) if r["close_date"] else None,
        owner=r["owner"],
        lost_reason=r["lost_reason"],
        closed_at=from_db(r["closed_at"]),
        stage_entered_at=from_db(r["stage_entered_at"]),  # type: ignore[arg-type]
        last_activity_at=from_db(r["last_activity_at"]),
        created_at=from_db(r["created_at"]),  # type: ignore[arg-type]
        updated_at=from_db(r["updated_at"]),  # type: ignore[arg-type]
        version=int(r["version"]),
        stale=is_stale(
            config,
            ctx.clock.now(),
            status=r["status"],
            pipeline=r["pipeline"],
            stage=r["stage"],
            touched=last_touch(r["stage_entered_at"], r["last_activity_at"]),
        ),
        stage_known=known,
    )


def list_deals(ctx: Context, query: DealQuery = DealQuery()) -> list[Deal]:
    where: list[str] = []
    params: list[Any] = []
    if query.status is not None:
        where.append("d.status = ?")
        params.append(check_choice(query.status, DEAL_STATUSES, "status"))
    if query.pipeline is not None:
        where.append("d.pipeline = ?")
        params.append(ctx.config.pipeline(query.pipeline).name)
    if query.stage is not None:
        where.append("lower(d.stage) = ?")
        params.append(query.stage.strip().lower())
    if query.owner:
        where.append("d.owner = ?")
        params.append(query.owner)
    if query.contact:
        where.append("d.contact_id = ?")
        params.append(resolve_contact(ctx, query.contact))
    if query.company:
        where.append("d.company_id = ?")
        params.append(resolve_company(ctx, query.company))
    if query.stale:
        stale_parts = []
        for pipeline in ctx.config.pipelines:
            stale, stale_params = stale_sql(pipeline, ctx.clock.now())
            stale_parts.append(f"(d.pipeline = ? AND {stale} = 1)")
            params.extend([pipeline.name, *stale_params])
        where.append(f"d.status = 'open' AND ({' OR '.join(stale_parts)})")
    sql = SELECT + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY d.id"
    if query.limit is not None:
        sql += " LIMIT ?"
        params.append(query.limit)
    return [to_dto(ctx, r) for r in ctx.db.all(sql, params)]


def stage_history(ctx: Context, deal_id: int) -> list[StageChange]:
    """Every entry of the deal's stage history, oldest first, each with when it was left."""
    rows = ctx.db.all("SELECT * FROM deal_stage_change WHERE deal_id = ? ORDER BY at, id", (deal_id,))
    out: list[StageChange] = []
    for r in rows:
        out.append(
            StageChange(
                id=int(r["id"]),
                deal_id=int(r["deal_id"]),
                from_stage=r["from_stage"],
                to_stage=r["to_stage"],
                status=r["status"],
                at=from_db(r["at"]),  # type: ignore[arg-type]
                actor=r["actor"],
                left_at=from_db(r["left_at"]),
            )
        )
    return out


# -- validation ------------------------------------------------------------------------------
def check_probability(value: int | None) -> int | None:
    if value is None:
        return None
    if not 0 <= int(value) <= 100:
        raise InvalidInput(f"invalid probability {value}: give a whole percentage from 0 to 100")
    return int(value)


def _value(text: object, currency: str) -> int | None:
    if text is None or not str(text).strip():
        return None
    return parse_amount(str(text), currency)


def _reason(ctx: Context, reason: str | None) -> str:
    offered = ctx.config.lost_reasons
    hint = f" (for example: {', '.join(offered)})" if offered else ""
    if reason is None or not reason.strip():
        raise InvalidInput(f"a lost deal needs a reason: --reason TEXT{hint}")
    text = require_text(reason, "the lost reason")
    for known in offered:  # the configured spelling wins, so that reports group them
        if known.lower() == text.lower():
            return known
    return text


# -- writing ---------------------------------------------------------------------------------
def add(ctx: Context, data: DealCreate) -> Deal:
    title = require_text(data.title, "deal title")
    pipeline = ctx.config.pipeline(data.pipeline)
    stage = require_stage(pipeline, data.stage) if data.stage else pipeline.stages[0].name
    currency = currency_code(data.currency or ctx.config.currency)
    value = _value(data.value, currency)
    probability = check_probability(data.probability)
    with UnitOfWork(ctx, f"deal add {title}") as uow:
        db = uow.db
        contact_id = resolve_contact(uow.ctx, data.contact) if data.contact else None
        company_id = resolve_company(uow.ctx, data.company) if data.company else None
        if contact_id is not None and company_id is None:
            company_id = db.scalar("SELECT company_id FROM contact WHERE id = ?", (contact_id,))
        values = {
            "title": title,
            "contact_id": contact_id,
            "company_id": company_id,
            "value_minor": value,
            "currency": currency,
            "pipeline": pipeline.name,
            "stage": stage,
            "probability": probability,
            "close_date": data.close_date.isoformat() if data.close_date else None,
            "owner": optional_text(data.owner) or ctx.user,
            "status": "open",
            "lost_reason": None,
            "closed_at": None,
            "stage_entered_at": uow.now,
            "last_activity_at": None,
            "created_at": uow.now,
            "updated_at": uow.now,
            "version": 1,
        }
        deal_id = uow.deals.insert(values)
        _stage_event(uow, deal_id, None, stage, "open", f"{title}: created in {stage}")
        uow.record("deal", deal_id, "create", None, uow.deals.snapshot(deal_id))
    return get(ctx, deal_id)


def edit(ctx: Context, deal_id: int, patch: DealPatch) -> Deal:
    with UnitOfWork(ctx, f"deal edit {deal_id}") as uow:
        before = _load_row(uow.ctx, deal_id)
        _check_version(uow, before, patch.expected_version)
        row = {k: before[k] for k in _COLUMNS}
        for name in patch.clear:
            key = name.strip().lower()
            if key not in CLEARABLE:
                raise InvalidInput(f"cannot clear {name!r} (clearable: {', '.join(CLEARABLE)})")
            row[
                {
                    "contact": "contact_id",
                    "company": "company_id",
                    "value": "value_minor",
                    "close": "close_date",
                }.get(key, key)
            ] = None
        if patch.title is not UNSET:
            row["title"] = require_text(patch.title, "deal title")
        if patch.contact is not UNSET:
            row["contact_id"] = resolve_contact(uow.ctx, patch.contact)
        if patch.company is not UNSET:
            row["company_id"] = resolve_company(uow.ctx, patch.company)
        if patch.currency is not UNSET:
            row["currency"] = currency_code(patch.currency)
            if (
                patch.value is UNSET
                and row["value_minor"] is not None
                and row["currency"] != before["currency"]
            ):
                row["value_minor"] = parse_amount(
                    str(major(row["value_minor"], before["currency"])), row["currency"]
                )
        if patch.value is not UNSET:
            row["value_minor"] = _value(patch.value, row["currency"])
        if patch.close_date is not UNSET:
            row["close_date"] = patch.close_date.isoformat() if patch.close_date else None
        if patch.probability is not UNSET:
            row["probability"] = check_probability(patch.probability)
        if patch.owner is not UNSET:
            row["owner"] = optional_text(patch.owner)
        if patch.lost_reason is not UNSET:
            if row["status"] != "lost":
                raise InvalidInput(f"deal {deal_id} is {row['status']}: only a lost deal has a lost reason")
            row["lost_reason"] = _reason(ctx, patch.lost_reason)
        if row == {k: before[k] for k in _COLUMNS}:
            return get(ctx, deal_id)
        _update(uow, deal_id, before, row)
        _record_update(uow, deal_id, before)
    return get(ctx, deal_id)


def move(
    ctx: Context,
    deal_id: int,
    stage: str,
    *,
    probability: int | None = None,
    expected_version: int | None = None,
) -> Deal:
    """Move a deal to another stage of its pipeline; a won or lost deal is reopened there.
    The deal's own probability is reset to the new stage's unless ``probability`` is given.
    ``expected_version``: the version the caller saw (a newer one is a Conflict)."""
    own = check_probability(probability)
    with UnitOfWork(ctx, f"deal move {deal_id} {stage}") as uow:
        before = _load_row(uow.ctx, deal_id)
        _check_version(uow, before, expected_version)
        target = require_stage(ctx.config.pipeline(before["pipeline"]), stage)
        if before["status"] == "open" and target == before["stage"]:
            raise Conflict(f"deal {deal_id} is already in stage {target!r}")
        reopened = before["status"] != "open"
        row = {
            **{k: before[k] for k in _COLUMNS},
            "stage": target,
            "stage_entered_at": uow.now,
            "status": "open",
            "closed_at": None,
            "lost_reason": None,
            "probability": own,
        }
        _update(uow, deal_id, before, row)
        body = (
            f"{before['title']}: reopened ({before['status']}) in {target}"
            if reopened
            else f"{before['title']}: {before['stage']} → {target}"
        )
        _stage_event(uow, deal_id, before["stage"], target, "open", body)
        _record_update(uow, deal_id, before)
    return get(ctx, deal_id)


def won(ctx: Context, deal_id: int, *, note: str | None = None, expected_version: int | None = None) -> Deal:
    """Mark a deal won; ``note`` (optional) goes on its timeline in the same transaction."""
    return _close(ctx, deal_id, "won", None, note, expected_version)


def lost(ctx: Context, deal_id: int, reason: str | None, *, expected_version: int | None = None) -> Deal:
    return _close(ctx, deal_id, "lost", _reason(ctx, reason), None, expected_version)


def _close(
    ctx: Context,
    deal_id: int,
    status: str,
    reason: str | None,
    note: str | None,
    expected_version: int | None,
) -> Deal:
    with UnitOfWork(ctx, f"deal {status} {deal_id}") as uow:
        before = _load_row(uow.ctx, deal_id)
        _check_version(uow, before, expected_version)
        if before["status"] == status:
            raise Conflict(f"deal {deal_id} is already {status}")
        if before["status"] != "open" and expected_version is None:
            _refuse_overturning(uow, before, status)
        row = {
            **{k: before[k] for k in _COLUMNS},
            "status": status,
            "closed_at": uow.now,
            "lost_reason": reason,
        }
        _update(uow, deal_id, before, row)
        body = f"{before['title']}: {status} in {before['stage']}" + (f" ({reason})" if reason else "")
        _stage_event(uow, deal_id, before["stage"], before["stage"], status, body)
        if note and note.strip():
            interactions.insert(
                uow, "note", note.strip(), uow.now, before["contact_id"], before["company_id"], deal_id
            )
        _record_update(uow, deal_id, before)
    return get(ctx, deal_id)


def remove(ctx: Context, ids: list[int]) -> list[Deal]:
    """Delete deals with their stage history; their timeline entries stay on the contact."""
    for deal_id in ids:
        resolve_deal(ctx, str(deal_id))
    victims = load(ctx, ids)
    with UnitOfWork(ctx, f"deal rm {', '.join(str(d.id) for d in victims)}") as uow:
        for deal in victims:
            before = uow.deals.snapshot(deal.id)
            history = uow.deals.stage_history(deal.id)
            uow.deals.delete(deal.id)
            uow.record("deal", deal.id, "delete", {**(before or {}), "stage_history": history}, None)
    return victims


# -- helpers ---------------------------------------------------------------------------------
def _load_row(ctx: Context, deal_id: int) -> dict[str, Any]:
    db = ctx.db
    found = snapshot(db, deal_id)
    if found is None:
        raise NotFound(f"no deal with id {deal_id}")
    return found


def _state(before: dict[str, Any]) -> str:
    """What a deal is now, for a conflict: its stage, or how it closed."""
    if before["status"] == "open":
        return f"it is now in {before['stage']}"
    reason = f": {before['lost_reason']}" if before["lost_reason"] else ""
    return f"it is now {before['status']}{reason}"


def _check_version(uow: UnitOfWork, before: dict[str, Any], expected: int | None) -> None:
    check_version(uow, "deal", int(before["id"]), before["version"], expected, state=_state(before))


def _refuse_overturning(uow: UnitOfWork, before: dict[str, Any], status: str) -> None:
    """Turning a deal someone else closed into the other outcome (lost → won) needs the version
    the user saw (``--if-version``): else a stale view would silently overturn their close and
    drop their reason. One's own close, or a deal without a recorded closer, may be overturned."""
    closer = uow.db.one(
        "SELECT actor, at FROM deal_stage_change WHERE deal_id = ? AND status = ? ORDER BY id DESC LIMIT 1",
        (before["id"], before["status"]),
    )
    if closer is None or closer["actor"] in (None, uow.ctx.user):
        return
    when = from_db(closer["at"])
    local = when.astimezone(uow.ctx.clock.tz).strftime("%Y-%m-%d %H:%M") if when else "?"
    reason = f" ({before['lost_reason']})" if before["lost_reason"] else ""
    raise Conflict(
        f"deal {before['id']} was marked {before['status']} by {closer['actor']} at {local}{reason}; "
        f"to mark it {status} anyway, give --if-version {before['version']}"
    )


def _update(uow: UnitOfWork, deal_id: int, before: dict[str, Any], row: dict[str, Any]) -> None:
    """Write ``row`` (every column) with a new version, only if the stored version is still the
    one read (else a conflict), and keep the search document current."""
    row = {**row, "updated_at": uow.now}
    new = uow.deals.update(deal_id, {c: row[c] for c in _COLUMNS}, base_version=before["version"])
    written(uow, "deal", deal_id, new, before["version"])


def _record_update(uow: UnitOfWork, deal_id: int, before: dict[str, Any]) -> None:
    """The change-log entry, taken last so that it includes what a stage event touched."""
    uow.record("deal", deal_id, "update", before, uow.deals.snapshot(deal_id))


def _stage_event(
    uow: UnitOfWork, deal_id: int, from_stage: str | None, to_stage: str, status: str, body: str
) -> None:
    """Append to the stage history (closing the current stay: when, to which stage, with which
    status) and to the timeline."""
    db = uow.db
    current = db.one(
        "SELECT * FROM deal_stage_change WHERE deal_id = ? AND status = 'open' AND left_at IS NULL "
        "ORDER BY id DESC LIMIT 1",
        (deal_id,),
    )
    if current is not None:
        entered = from_db(current["at"])
        assert entered is not None
        uow.deals.update_stage_change(
            int(current["id"]),
            {
                "left_at": uow.now,
                "left_to": to_stage,
                "left_status": status,
                "stay_seconds": _seconds(uow.now, entered),
            },
        )
        uow.record(
            "deal_stage_change",
            int(current["id"]),
            "update",
            dict(current),
            uow.deals.stage_row(int(current["id"])),
        )
    row = db.one("SELECT contact_id, company_id, pipeline FROM deal WHERE id = ?", (deal_id,))
    assert row is not None
    change_id = uow.deals.insert_stage_change(
        {
            "deal_id": deal_id,
            "from_stage": from_stage,
            "to_stage": to_stage,
            "status": status,
            "at": uow.now,
            "actor": uow.ctx.user,
            "pipeline": row["pipeline"],
        }
    )
    uow.record("deal_stage_change", change_id, "create", None, uow.deals.stage_row(change_id))
    interactions.insert(uow, "stage-change", body, uow.now, row["contact_id"], row["company_id"], deal_id)


def _seconds(now: str, since: datetime) -> int:
    moment = from_db(now)
    assert moment is not None
    return int((moment - since).total_seconds())
