"""Reading follow-ups: lists, ``due`` (what cron mails) and the cadence report.

The read side of ``minicrm.services.followups.commands``, kept apart so that ``due`` does not load the
write machinery (unit of work, hooks, recurrence); ``followups`` re-exports all of it.
"""

from __future__ import annotations

from datetime import timedelta

from minicrm.core.clock import from_db, to_db
from minicrm.core.errors import NotFound
from minicrm.services.dto.followups import FollowUp

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up
if TYPE_CHECKING:
    from datetime import datetime
    from typing import Any, Literal

    from minicrm.core.clock import Clock
    from minicrm.core.dates import Duration
    from minicrm.services.dto.due import CadenceDue, DueReport
    from minicrm.services.kernel.context import Context
    from minicrm.store.db import Row

if TYPE_CHECKING:
    Window = Literal["open", "overdue", "today", "week", "all", "done"]
else:  # the same name at run time, where annotations are never evaluated
    Window = str


def _select(
    ctx: Context, where: str, params: list[Any], order: str = "f.due_at, f.id", limit: int | None = None
) -> list[FollowUp]:
    sql = (
        "SELECT f.*, c.name AS contact_name, d.title AS deal_title FROM followup f "
        "LEFT JOIN contact c ON c.id = f.contact_id LEFT JOIN deal d ON d.id = f.deal_id "
        f"WHERE {where} ORDER BY {order}"
    )
    if limit is not None:
        sql += " LIMIT ?"
        params = [*params, limit]
    clock = ctx.clock
    day_start, now = clock.start_of_day(clock.today()), clock.now()  # once, not per row
    return [_to_dto(r, clock, day_start, now) for r in ctx.db.all(sql, params)]


def is_overdue(due_at: datetime, all_day: bool, clock: Clock) -> bool:
    if all_day:
        return due_at < clock.start_of_day(clock.today())
    return due_at < clock.now()


def _to_dto(r: Row, clock: Clock, day_start: datetime | None = None, now: datetime | None = None) -> FollowUp:
    due_at = from_db(r["due_at"])
    assert due_at is not None
    done_at = from_db(r["done_at"])
    snoozed_until = from_db(r["snoozed_until"])
    # a snoozed follow-up is not overdue until its snooze ends
    snoozed = done_at is None and snoozed_until is not None and snoozed_until > (now or clock.now())
    if day_start is None or now is None:
        overdue = done_at is None and not snoozed and is_overdue(due_at, bool(r["all_day"]), clock)
    else:
        overdue = done_at is None and not snoozed and due_at < (day_start if r["all_day"] else now)
    return FollowUp(
        id=int(r["id"]),
        title=r["title"],
        due_at=due_at,
        all_day=bool(r["all_day"]),
        done_at=done_at,
        snoozed_until=snoozed_until,
        every=r["every"],
        rrule=r["rrule"],
        until=from_db(r["until"]),
        contact=r["contact_name"],
        contact_id=r["contact_id"],
        deal_id=r["deal_id"],
        company_id=r["company_id"],
        owner=r["owner"],
        overdue=overdue,
        origin=r["origin"],
        created_at=from_db(r["created_at"]),  # type: ignore[arg-type]
        version=int(r["version"]),
        deal=r["deal_title"],
        from_done=bool(r["from_done"]),
        series_id=r["series_id"],
        snoozed=snoozed,
    )


def get(ctx: Context, followup_id: int) -> FollowUp:
    found = _select(ctx, "f.id = ?", [followup_id])
    if not found:
        raise NotFound(f"no follow-up with id {followup_id}")
    return found[0]


def list_followups(
    ctx: Context,
    window: Window = "open",
    *,
    owner: str | None = None,
    contact: str | None = None,
    limit: int | None = None,
) -> list[FollowUp]:
    """``open``: everything not done (snoozed included); ``overdue`` and ``today`` (through the
    end of today, overdue included) hide snoozed ones; ``week`` (the next 7 days) looks ahead:
    it shows those whose snooze ends in it; ``done``; ``all``: everything."""
    clock = ctx.clock
    where: list[str] = ["1 = 1"]
    params: list[Any] = []
    if window != "all":
        where.append("f.done_at IS NOT NULL" if window == "done" else "f.done_at IS NULL")
    if window in ("overdue", "today", "week"):
        ends = {
            "overdue": clock.start_of_day(clock.today()),
            "today": clock.end_of_today(),
            "week": clock.start_of_day(clock.today() + timedelta(days=8)),
        }
        where.append("(f.snoozed_until IS NULL OR f.snoozed_until <= ?)")
        params.append(to_db(ends["week"] if window == "week" else clock.now()))
        where.append("f.due_at < ?")
        params.append(to_db(ends[window]))
    if owner:
        where.append("f.owner = ?")
        params.append(owner)
    if contact:
        from minicrm.services.kernel.refs import resolve_contact

        where.append("f.contact_id = ?")
        params.append(resolve_contact(ctx, contact))
    order = "f.done_at DESC, f.id DESC" if window == "done" else "f.due_at, f.id"
    items = _select(ctx, " AND ".join(where), params, order, limit)
    if window == "overdue":
        items = [f for f in items if f.overdue]
    elif window == "week":
        items.sort(key=_comes_back)
    return items


def _comes_back(f: FollowUp) -> tuple[datetime, int]:
    """When a follow-up is next in front of its user: its due moment, or the end of its snooze."""
    if f.snoozed and f.snoozed_until is not None:
        return max(f.due_at, f.snoozed_until), f.id
    return f.due_at, f.id


def due(
    ctx: Context, *, within: Duration | None = None, owner: str | None = None, since_last_run: bool = False
) -> DueReport:
    """What cron mails: overdue follow-ups, then those due in the window (default: through the
    end of today), then contacts due for contact (keep-in-touch cadence, lapsed ones first).

    ``since_last_run`` also tells what fell due since the previous ``due`` run, i.e. what that
    run could not have shown: follow-ups due after the end of its day (or whose snooze ended
    since), and contacts whose window passed since. Never run before: everything is new.
    Recording this run is the caller's job (``runs.record_run``), after the report is out."""
    from minicrm.services.dto.due import DueReport
    from minicrm.services.followups import cadence as cadence_service
    from minicrm.services.followups import runs

    clock = ctx.clock
    end = clock.end_of_today()
    if within is not None:
        later = within.add_to(clock.local_now())
        end = max(
            end,
            clock.start_of_day(later.date() + timedelta(days=1))
            if within.unit not in ("minutes", "hours")
            else later,
        )
    # a look-ahead shows what comes back in it: follow-ups whose snooze ends before its end
    snooze_end = end if within is not None else clock.now()
    where = ["f.done_at IS NULL", "f.due_at < ?", "(f.snoozed_until IS NULL OR f.snoozed_until <= ?)"]
    params: list[Any] = [to_db(end), to_db(snooze_end)]
    if owner:
        where.append("f.owner = ?")
        params.append(owner)
    with ctx.db.snapshot():
        items = _select(ctx, " AND ".join(where), params)
        cadence = cadence_service.due_contacts(ctx, owner=owner)
        previous = runs.last_run(ctx) if since_last_run else None
    report = DueReport(
        overdue=tuple(f for f in items if f.overdue),
        due=tuple(sorted((f for f in items if not f.overdue), key=_comes_back)),
        cadence=tuple(cadence),
    )
    if not since_last_run:
        return report
    if previous is None:
        fell, fell_cadence = items, cadence
    else:
        seen_until = clock.start_of_day(previous.astimezone(clock.tz).date() + timedelta(days=1))
        fell = [
            f
            for f in items
            if f.due_at >= seen_until or (f.snoozed_until is not None and f.snoozed_until > previous)
        ]
        fell_cadence = [c for c in cadence if c.due_since is not None and c.due_since > previous]
    return DueReport(
        report.overdue,
        report.due,
        report.cadence,
        since_last_run=True,
        previous_run=previous,
        fell_due=tuple(fell),
        cadence_fell_due=tuple(fell_cadence),
    )


def cadence_due(ctx: Context, *, owner: str | None = None) -> list[CadenceDue]:
    """Contacts due for contact: their own cadence, else the shortest of their tags' rules
    (see ``minicrm.services.followups.cadence``)."""
    from minicrm.services.followups import cadence as cadence_service

    return cadence_service.due_contacts(ctx, owner=owner)
