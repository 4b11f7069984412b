"""Follow-ups (reminders) and the ``due`` report that cron mails.

A follow-up is due at a moment (``all_day`` when only a date was given: then it is overdue
from the next local day on). Snoozed ones stay hidden until their snooze ends. A follow-up may
repeat (``every 2w``, or an RFC 5545 RRULE, optionally ``until`` a moment): marking it done
records the completion and schedules the next occurrence after today from the rule (or, with
``from_done``, ``every`` after the completion), so missed occurrences never pile up: one open
item per series. The stepping itself lives in ``minicrm.services.followups.recurrence``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from minicrm.core.clock import Clock, from_db, to_db
from minicrm.core.dates import Duration, When, parse_duration
from minicrm.core.errors import Conflict, InvalidInput, NotFound
from minicrm.services.dto import UNSET, FollowUp
from minicrm.services.followups import recurrence

# the read side, re-exported: ``followups.due`` and friends stay where callers expect them
from minicrm.services.followups.queries import Window as Window
from minicrm.services.followups.queries import cadence_due as cadence_due
from minicrm.services.followups.queries import due as due
from minicrm.services.followups.queries import get as get
from minicrm.services.followups.queries import is_overdue as is_overdue
from minicrm.services.followups.queries import list_followups as list_followups
from minicrm.services.history.interactions import Links, resolve_links
from minicrm.services.history.versions import check_version, update_versioned
from minicrm.services.kernel.unit_of_work import UnitOfWork
from minicrm.services.kernel.users import check_owner
from minicrm.services.kernel.validation import require_text
from minicrm.store.records.followups import COLUMNS as _COLUMNS
from minicrm.store.records.followups import snapshot as _snapshot

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from minicrm.services.dto import Unset
    from minicrm.services.kernel.context import Context


@dataclass(frozen=True, slots=True)
class FollowUpPatch:
    title: str | Unset = UNSET
    due: When | Unset = UNSET
    every: Duration | Unset | None = UNSET
    owner: str | Unset | None = UNSET
    expected_version: int | None = None
    rrule: str | Unset | None = UNSET  # RRULE text
    until: When | Unset | None = UNSET
    from_done: bool | Unset = UNSET


# -- writing ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Repeat:
    """A validated repetition, as stored: ``due_at`` may have moved onto the rule's first day."""

    due_at: datetime
    every: str | None
    rrule: str | None
    until: datetime | None
    from_done: bool


def until_moment(when: When, clock: Clock) -> datetime:
    """``--until 2027-03-31`` includes that whole local day; a date-time is taken as given."""
    if when.all_day:
        return clock.start_of_day(when.local_date(clock) + timedelta(days=1)) - timedelta(seconds=1)
    return when.at


def _repeat(
    ctx: Context,
    due_at: datetime,
    all_day: bool,
    every: Duration | None,
    rrule: str | None,
    until: datetime | None,
    from_done: bool,
) -> _Repeat:
    clock = ctx.clock
    if every and rrule is not None:
        raise InvalidInput("choose --every or --rrule, not both")
    if until is not None and not (every or rrule is not None):
        raise InvalidInput("--until needs a repetition (--every or --rrule)")
    if from_done and not every:
        raise InvalidInput("--from-done needs --every (e.g. --every 2w --from-done)")
    body = recurrence.normalize_rrule(rrule, clock) if rrule is not None else None
    if body:
        first = recurrence.first_by_rule(body, due_at, all_day, clock)
        if first is None:
            raise InvalidInput(f"the rule {body} has no occurrence on or after the due date")
        due_at = first
    if until is not None and until < due_at:
        raise InvalidInput(
            f"--until ({to_local_text(until, clock)}) is before the due date "
            f"({to_local_text(due_at, clock, all_day)})"
        )
    return _Repeat(due_at, str(every) if every else None, body, until, bool(from_done and every))


def to_local_text(moment: datetime, clock: Clock, date_only: bool = False) -> str:
    local = moment.astimezone(clock.tz)
    return local.strftime("%Y-%m-%d") if date_only else local.strftime("%Y-%m-%d %H:%M")


def add(
    ctx: Context,
    links: Links,
    title: str,
    when: When,
    *,
    every: Duration | None = None,
    owner: str | None = None,
    origin: str = "manual",
    rrule: str | None = None,
    until: When | datetime | None = None,
    from_done: bool = False,
) -> FollowUp:
    """A new follow-up; ``every``/``rrule`` make it repeat (``until`` a moment, an all-day
    ``When`` meaning through that day), ``from_done`` counts ``every`` from each completion."""
    text = require_text(title, "follow-up text")
    end = until_moment(until, ctx.clock) if isinstance(until, When) else until
    repeat = _repeat(ctx, when.at, when.all_day, every, rrule, end, from_done)
    with UnitOfWork(ctx, f"followup add {text[:40]}") as uow:
        contact_id, company_id, deal_id = resolve_links(uow.ctx, links)
        new_id = _insert(
            uow,
            {
                "title": text,
                "due_at": to_db(repeat.due_at),
                "all_day": when.all_day,
                "contact_id": contact_id,
                "company_id": company_id,
                "deal_id": deal_id,
                "owner": check_owner(uow.ctx, owner) or ctx.user,
                "done_at": None,
                "snoozed_until": None,
                "every": repeat.every,
                "rrule": repeat.rrule,
                "until": to_db(repeat.until) if repeat.until else None,
                "from_done": repeat.from_done,
                "series_id": None,
                "origin": origin,
            },
        )
    return get(ctx, new_id)


def _insert(uow: UnitOfWork, values: dict[str, Any]) -> int:
    values = {**values, "created_at": uow.now, "updated_at": uow.now, "version": 1}
    new_id = uow.followups.insert(values)
    if values.get("series_id") is None and (values.get("every") or values.get("rrule")):
        uow.followups.update(new_id, {"series_id": new_id})
    uow.record("followup", new_id, "create", None, uow.followups.snapshot(new_id))
    return new_id


def _load_open(ctx: Context, followup_id: int) -> dict[str, Any]:
    db = ctx.db
    snap = _snapshot(db, followup_id)
    if snap is None:
        raise NotFound(f"no follow-up with id {followup_id}")
    return snap


def _update(uow: UnitOfWork, followup_id: int, before: dict[str, Any], changes: dict[str, Any]) -> None:
    update_versioned(
        uow, "followup", "followup", followup_id, before["version"], {**changes, "updated_at": uow.now}
    )
    uow.record("followup", followup_id, "update", before, uow.followups.snapshot(followup_id))


def next_occurrence(due_at: datetime, all_day: bool, every: Duration, clock: Clock) -> datetime:
    """The first occurrence after today (all-day) or after now (timed), stepping from ``due_at``
    in local time so that a 9:00 reminder stays at 9:00 across DST changes."""
    return recurrence.next_every(due_at, due_at, all_day, every, clock)


def _anchor(ctx: Context, item: dict[str, Any]) -> datetime:
    """The series' first occurrence: repetition steps from it, so month ends and leap days do
    not drift (falls back to this occurrence when the first one was deleted)."""
    db = ctx.db
    due_at = from_db(item["due_at"])
    assert due_at is not None
    series = item["series_id"]
    if series is None or series == item["id"]:
        return due_at
    first = from_db(db.scalar("SELECT due_at FROM followup WHERE id = ?", (series,)))
    return first if first is not None and first <= due_at else due_at


def _following(ctx: Context, item: dict[str, Any], done_at: datetime, clock: Clock) -> datetime | None:
    """When the occurrence after ``item`` (completed at ``done_at``) is due; None when the
    series has ended (its UNTIL, COUNT or ``until``)."""
    due_at = from_db(item["due_at"])
    assert due_at is not None
    all_day = bool(item["all_day"])
    if item["rrule"]:
        nxt = recurrence.next_by_rule(item["rrule"], _anchor(ctx, item), due_at, all_day, clock)
    elif item["every"]:
        every = parse_duration(item["every"])
        if item["from_done"]:
            nxt = recurrence.next_from_done(done_at, due_at, all_day, every, clock)
        else:
            nxt = recurrence.next_every(_anchor(ctx, item), due_at, all_day, every, clock)
    else:
        return None
    until = from_db(item["until"])
    if nxt is None or (until is not None and nxt > until):
        return None
    return nxt


def _check_version(uow: UnitOfWork, before: dict[str, Any], expected: int | None) -> None:
    state = "it is now done" if before["done_at"] is not None else None
    check_version(uow, "followup", int(before["id"]), before["version"], expected, state=state)


def done(
    ctx: Context, ids: list[int], *, expected_versions: Mapping[int, int] | None = None
) -> list[FollowUp]:
    """Mark follow-ups done; a recurring one gets its next occurrence (unless its series
    already has an open one). Returns the done items, then the newly scheduled occurrences.
    ``expected_versions`` (id → the version shown) refuses all of them if one moved on."""
    scheduled: list[int] = []
    expected = expected_versions or {}
    with UnitOfWork(ctx, f"followup done {' '.join(map(str, ids))}") as uow:
        for followup_id in ids:
            before = _load_open(uow.ctx, followup_id)
            _check_version(uow, before, expected.get(followup_id))
            if before["done_at"] is not None:
                raise Conflict(f"follow-up {followup_id} is already done")
            _update(uow, followup_id, before, {"done_at": uow.now, "snoozed_until": None})
            nxt = _following(uow.ctx, before, ctx.clock.now(), ctx.clock)
            if nxt is None:
                continue
            series = before["series_id"] or followup_id
            if uow.db.scalar("SELECT 1 FROM followup WHERE series_id = ? AND done_at IS NULL", (series,)):
                continue
            values = {k: before[k] for k in _COLUMNS if k not in ("created_at", "updated_at", "version")}
            values.update(due_at=to_db(nxt), done_at=None, snoozed_until=None, series_id=series)
            scheduled.append(_insert(uow, values))
    return [get(ctx, i) for i in [*ids, *scheduled]]


def snooze(ctx: Context, followup_id: int, until: When, *, expected_version: int | None = None) -> FollowUp:
    with UnitOfWork(ctx, f"followup snooze {followup_id}") as uow:
        before = _load_open(uow.ctx, followup_id)
        _check_version(uow, before, expected_version)
        if before["done_at"] is not None:
            raise Conflict(f"follow-up {followup_id} is done; snoozing it would change nothing")
        if until.at <= ctx.clock.now():
            raise InvalidInput("snooze until a moment in the future")
        _update(uow, followup_id, before, {"snoozed_until": to_db(until.at)})
    return get(ctx, followup_id)


def edit(ctx: Context, followup_id: int, patch: FollowUpPatch) -> FollowUp:
    """Change what the patch names. A new due date on a repeating follow-up restarts its
    series from there (later occurrences step from the new date)."""
    with UnitOfWork(ctx, f"followup edit {followup_id}") as uow:
        before = _load_open(uow.ctx, followup_id)
        _check_version(uow, before, patch.expected_version)
        changes: dict[str, Any] = {}
        if patch.title is not UNSET:
            changes["title"] = require_text(patch.title, "follow-up text")
        if patch.owner is not UNSET:
            changes["owner"] = check_owner(uow.ctx, patch.owner)
        due_at, all_day = from_db(before["due_at"]), bool(before["all_day"])
        if patch.due is not UNSET:
            due_at, all_day = patch.due.at, patch.due.all_day
            changes.update(all_day=all_day, snoozed_until=None)
        every, rrule = before["every"], before["rrule"]
        if patch.every is not UNSET:
            every, rrule = (str(patch.every) if patch.every else None), (None if patch.every else rrule)
        if patch.rrule is not UNSET:
            rrule, every = patch.rrule, (None if patch.rrule is not None else every)
        until = from_db(before["until"])
        if patch.until is not UNSET:
            until = until_moment(patch.until, ctx.clock) if isinstance(patch.until, When) else patch.until
        # an explicit --from-done is checked; a kept one lapses when the repetition stops being --every
        kept = bool(before["from_done"] and every)
        from_done = bool(patch.from_done) if patch.from_done is not UNSET else kept
        if not (every or rrule) and patch.until is UNSET:
            until = None
        assert due_at is not None
        duration = parse_duration(every) if every else None
        repeat = _repeat(ctx, due_at, all_day, duration, rrule, until, from_done)
        changes.update(
            every=repeat.every,
            rrule=repeat.rrule,
            until=to_db(repeat.until) if repeat.until else None,
            from_done=repeat.from_done,
        )
        if patch.due is not UNSET or repeat.due_at != from_db(before["due_at"]):
            changes["due_at"] = to_db(repeat.due_at)
        restarts = (
            "due_at" in changes
            or (repeat.rrule or None) != before["rrule"]
            or repeat.every != before["every"]
        )
        if (repeat.every or repeat.rrule) and (restarts or not before["series_id"]):
            changes["series_id"] = followup_id
        changes = {k: v for k, v in changes.items() if before.get(k) != v}
        if changes:
            _update(uow, followup_id, before, changes)
    return get(ctx, followup_id)


def remove(ctx: Context, ids: list[int]) -> list[FollowUp]:
    victims = [get(ctx, i) for i in ids]
    with UnitOfWork(ctx, f"followup rm {' '.join(map(str, ids))}") as uow:
        for followup_id in ids:
            before = uow.followups.snapshot(followup_id)
            uow.followups.delete(followup_id)
            uow.record("followup", followup_id, "delete", before, None)
    return victims
