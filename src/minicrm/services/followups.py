"""Follow-ups (reminders) and the ``due`` report that cron mails.

A follow-up is due at a moment (``all_day`` when only a date was given: then it is overdue
from the next local day on). Snoozed ones stay hidden until their snooze ends. Marking a
recurring one done schedules the next occurrence after today, so missed occurrences never
pile up: one open item per series.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from minicrm.clock import Clock, from_db, to_db
from minicrm.dates import Duration, When, parse_duration
from minicrm.errors import Conflict, InvalidInput, NotFound
from minicrm.services.context import Context
from minicrm.services.dto import UNSET, CadenceDue, DueReport, FollowUp
from minicrm.services.history import conflict_message
from minicrm.services.interactions import Links, resolve_links
from minicrm.services.unit_of_work import UnitOfWork
from minicrm.services.validation import require_text
from minicrm.store.db import Database, Row

Window = Literal["open", "overdue", "today", "week", "all", "done"]
_COLUMNS = ("title", "due_at", "all_day", "contact_id", "company_id", "deal_id", "owner", "done_at", "snoozed_until",
            "every", "rrule", "until", "from_done", "series_id", "origin", "created_at", "updated_at", "version")


@dataclass(frozen=True, slots=True)
class FollowUpPatch:
    title: Any = UNSET
    due: Any = UNSET  # When
    every: Any = UNSET  # Duration | None
    owner: Any = UNSET
    expected_version: int | None = None


# -- reading ---------------------------------------------------------------------------------
def _select(ctx: Context, where: str, params: list[Any], order: str = "f.due_at, f.id", limit: int | None = None) -> list[FollowUp]:
    sql = (
        "SELECT f.*, c.name AS contact_name, d.title AS deal_title FROM followup f "
        "LEFT JOIN contact c ON c.id = f.contact_id LEFT JOIN deal d ON d.id = f.deal_id "
        f"WHERE {where} ORDER BY {order}"
    )
    if limit is not None:
        sql += " LIMIT ?"
        params = [*params, limit]
    return [_to_dto(r, ctx.clock) for r in ctx.db.all(sql, params)]


def is_overdue(due_at: datetime, all_day: bool, clock: Clock) -> bool:
    if all_day:
        return due_at < clock.start_of_day(clock.today())
    return due_at < clock.now()


def _to_dto(r: Row, clock: Clock) -> FollowUp:
    due_at = from_db(r["due_at"])
    assert due_at is not None
    done_at = from_db(r["done_at"])
    return FollowUp(
        id=int(r["id"]), title=r["title"], due_at=due_at, all_day=bool(r["all_day"]), done_at=done_at,
        snoozed_until=from_db(r["snoozed_until"]), every=r["every"], rrule=r["rrule"], until=from_db(r["until"]),
        contact=r["contact_name"], contact_id=r["contact_id"], deal_id=r["deal_id"], company_id=r["company_id"],
        owner=r["owner"], overdue=done_at is None and is_overdue(due_at, bool(r["all_day"]), clock),
        origin=r["origin"], created_at=from_db(r["created_at"]),  # type: ignore[arg-type]
        version=int(r["version"]), deal=r["deal_title"],
    )


def get(ctx: Context, followup_id: int) -> FollowUp:
    found = _select(ctx, "f.id = ?", [followup_id])
    if not found:
        raise NotFound(f"no follow-up with id {followup_id}")
    return found[0]


def list_followups(ctx: Context, window: Window = "open", *, owner: str | None = None,
                   contact: str | None = None, limit: int | None = None) -> list[FollowUp]:
    """``open``: everything not done (snoozed included); ``overdue``, ``today`` (through the end
    of today, overdue included) and ``week`` (the next 7 days) hide snoozed ones; ``done``;
    ``all``: everything."""
    clock = ctx.clock
    where, params = ["1 = 1"], []
    now = to_db(clock.now())
    if window != "all":
        where.append("f.done_at IS NOT NULL" if window == "done" else "f.done_at IS NULL")
    if window in ("overdue", "today", "week"):
        where.append("(f.snoozed_until IS NULL OR f.snoozed_until <= ?)")
        params.append(now)
        ends = {
            "overdue": clock.start_of_day(clock.today()),
            "today": clock.end_of_today(),
            "week": clock.start_of_day(clock.today() + timedelta(days=8)),
        }
        where.append("f.due_at < ?")
        params.append(to_db(ends[window]))
    if owner:
        where.append("f.owner = ?")
        params.append(owner)
    if contact:
        from minicrm.services.refs import resolve_contact

        where.append("f.contact_id = ?")
        params.append(resolve_contact(ctx.db, contact))
    order = "f.done_at DESC, f.id DESC" if window == "done" else "f.due_at, f.id"
    items = _select(ctx, " AND ".join(where), params, order, limit)
    if window == "overdue":
        items = [f for f in items if f.overdue]
    return items


def due(ctx: Context, *, within: Duration | None = None, owner: str | None = None) -> DueReport:
    """What cron mails: overdue follow-ups, then those due in the window (default: through the
    end of today), then contacts whose keep-in-touch cadence has passed."""
    clock = ctx.clock
    end = clock.end_of_today()
    if within is not None:
        later = within.add_to(clock.local_now())
        end = max(end, clock.start_of_day(later.date() + timedelta(days=1)) if within.unit not in ("minutes", "hours") else later)
    where = ["f.done_at IS NULL", "f.due_at < ?", "(f.snoozed_until IS NULL OR f.snoozed_until <= ?)"]
    params: list[Any] = [to_db(end), to_db(clock.now())]
    if owner:
        where.append("f.owner = ?")
        params.append(owner)
    with ctx.db.snapshot():
        items = _select(ctx, " AND ".join(where), params)
        cadence = cadence_due(ctx, owner=owner)
    return DueReport(
        overdue=tuple(f for f in items if f.overdue),
        due=tuple(f for f in items if not f.overdue),
        cadence=tuple(cadence),
    )


def cadence_due(ctx: Context, *, owner: str | None = None) -> list[CadenceDue]:
    """Contacts whose own keep-in-touch cadence has passed since their last interaction
    (or since they were added, when nobody has been in touch yet)."""
    now = ctx.clock.now()
    sql = ("SELECT id, name, owner, cadence_days, last_interaction_at, created_at FROM contact "
           "WHERE cadence_days > 0")  # > 0 (always true when set) lets SQLite use the index
    params: list[Any] = []
    if owner:
        sql += " AND owner = ?"
        params.append(owner)
    found = []
    for r in ctx.db.all(sql, params):
        last = from_db(r["last_interaction_at"])
        since = last or from_db(r["created_at"])
        assert since is not None
        if since + timedelta(days=int(r["cadence_days"])) <= now:
            days = (now - last).days if last else None
            found.append(CadenceDue(int(r["id"]), r["name"], int(r["cadence_days"]), last, days, False, r["owner"]))
    found.sort(key=lambda c: (c.last_interaction_at is not None, c.last_interaction_at or now, c.name))
    return found


# -- writing ---------------------------------------------------------------------------------
def add(ctx: Context, links: Links, title: str, when: When, *, every: Duration | None = None,
        owner: str | None = None, origin: str = "manual") -> FollowUp:
    text = require_text(title, "follow-up text")
    with UnitOfWork(ctx, f"followup add {text[:40]}") as uow:
        db = uow.db
        contact_id, company_id, deal_id = resolve_links(db, links)
        new_id = _insert(uow, {
            "title": text, "due_at": to_db(when.at), "all_day": when.all_day, "contact_id": contact_id,
            "company_id": company_id, "deal_id": deal_id, "owner": owner or ctx.user, "done_at": None,
            "snoozed_until": None, "every": str(every) if every else None, "rrule": None, "until": None,
            "from_done": False, "series_id": None, "origin": origin,
        })
    return get(ctx, new_id)


def _insert(uow: UnitOfWork, values: dict[str, Any]) -> int:
    values = {**values, "created_at": uow.now, "updated_at": uow.now, "version": 1}
    new_id = uow.db.insert(
        f"INSERT INTO followup ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})",
        [values[c] for c in _COLUMNS],
    )
    if values.get("series_id") is None and (values.get("every") or values.get("rrule")):
        uow.db.execute("UPDATE followup SET series_id = ? WHERE id = ?", (new_id, new_id))
    uow.record("followup", new_id, "create", None, _snapshot(uow.db, new_id))
    return new_id


def _snapshot(db: Database, followup_id: int) -> dict[str, Any] | None:
    row = db.one("SELECT * FROM followup WHERE id = ?", (followup_id,))
    return {k: (bool(row[k]) if k in ("all_day", "from_done") else row[k]) for k in row.keys()} if row else None


def _load_open(db: Database, followup_id: int) -> dict[str, Any]:
    snap = _snapshot(db, followup_id)
    if snap is None:
        raise NotFound(f"no follow-up with id {followup_id}")
    return snap


def _update(uow: UnitOfWork, followup_id: int, before: dict[str, Any], changes: dict[str, Any]) -> None:
    changes = {**changes, "updated_at": uow.now, "version": before["version"] + 1}
    uow.db.execute(
        f"UPDATE followup SET {', '.join(f'{k} = ?' for k in changes)} WHERE id = ?", [*changes.values(), followup_id]
    )
    uow.record("followup", followup_id, "update", before, _snapshot(uow.db, followup_id))


def next_occurrence(due_at: datetime, all_day: bool, every: Duration, clock: Clock) -> datetime:
    """The first occurrence after today (all-day) or after now (timed), stepping from ``due_at``
    in local time so that a 9:00 reminder stays at 9:00 across DST changes."""
    local = due_at.astimezone(clock.tz)
    threshold = clock.end_of_today() if all_day else clock.now()
    step = 1
    candidate = every.add_to(local)
    while candidate.astimezone(clock.tz) < threshold.astimezone(clock.tz):
        step += 1
        candidate = Duration(every.count * step, every.unit).add_to(local)
    if all_day:
        return clock.start_of_day(candidate.date())
    return candidate.astimezone(UTC)


def done(ctx: Context, ids: list[int]) -> list[FollowUp]:
    """Mark follow-ups done; a recurring one gets its next occurrence. Returns the done items
    (and the newly scheduled occurrences after them)."""
    scheduled: list[int] = []
    with UnitOfWork(ctx, f"followup done {' '.join(map(str, ids))}") as uow:
        for followup_id in ids:
            before = _load_open(uow.db, followup_id)
            if before["done_at"] is not None:
                raise Conflict(f"follow-up {followup_id} is already done")
            _update(uow, followup_id, before, {"done_at": uow.now, "snoozed_until": None})
            if before["every"]:
                every = parse_duration(before["every"])
                due_at = from_db(before["due_at"])
                assert due_at is not None
                nxt = next_occurrence(due_at, bool(before["all_day"]), every, ctx.clock)
                until = from_db(before["until"])
                if until is None or nxt <= until:
                    values = {k: before[k] for k in _COLUMNS if k not in ("created_at", "updated_at", "version")}
                    values.update(due_at=to_db(nxt), done_at=None, snoozed_until=None,
                                  series_id=before["series_id"] or followup_id)
                    scheduled.append(_insert(uow, values))
    return [get(ctx, i) for i in [*ids, *scheduled]]


def snooze(ctx: Context, followup_id: int, until: When) -> FollowUp:
    with UnitOfWork(ctx, f"followup snooze {followup_id}") as uow:
        before = _load_open(uow.db, followup_id)
        if before["done_at"] is not None:
            raise Conflict(f"follow-up {followup_id} is done; snoozing it would change nothing")
        if until.at <= ctx.clock.now():
            raise InvalidInput("snooze until a moment in the future")
        _update(uow, followup_id, before, {"snoozed_until": to_db(until.at)})
    return get(ctx, followup_id)


def edit(ctx: Context, followup_id: int, patch: FollowUpPatch) -> FollowUp:
    with UnitOfWork(ctx, f"followup edit {followup_id}") as uow:
        before = _load_open(uow.db, followup_id)
        if patch.expected_version is not None and patch.expected_version != before["version"]:
            raise Conflict(conflict_message(ctx, "followup", followup_id))
        changes: dict[str, Any] = {}
        if patch.title is not UNSET:
            changes["title"] = require_text(patch.title, "follow-up text")
        if patch.due is not UNSET:
            changes.update(due_at=to_db(patch.due.at), all_day=patch.due.all_day, snoozed_until=None)
        if patch.every is not UNSET:
            changes["every"] = str(patch.every) if patch.every else None
            if patch.every and not before["series_id"]:
                changes["series_id"] = followup_id
        if patch.owner is not UNSET:
            changes["owner"] = patch.owner
        if changes:
            _update(uow, followup_id, before, changes)
    return get(ctx, followup_id)


def remove(ctx: Context, ids: list[int]) -> list[FollowUp]:
    victims = [get(ctx, i) for i in ids]
    with UnitOfWork(ctx, f"followup rm {' '.join(map(str, ids))}") as uow:
        for followup_id in ids:
            before = _snapshot(uow.db, followup_id)
            uow.db.execute("DELETE FROM followup WHERE id = ?", (followup_id,))
            uow.record("followup", followup_id, "delete", before, None)
    return victims
