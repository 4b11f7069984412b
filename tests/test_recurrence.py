"""Recurring follow-ups through the services, with a pinned clock: month ends, leap days, a DST
change, a year boundary, RRULEs, --until, --from-done, and no piling up of missed occurrences."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from minicrm.core.clock import Clock
from minicrm.core.dates import parse_duration, parse_when
from minicrm.core.errors import Conflict, InvalidInput
from minicrm.services.contacts import commands as contacts
from minicrm.services.dto import ContactCreate
from minicrm.services.followups import commands as followups
from minicrm.services.history.interactions import Links
from minicrm.services.kernel.context import Context, open_context

LISBON = ZoneInfo("Europe/Lisbon")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture(autouse=True)
def ana(ctx: Context) -> None:
    contacts.add(ctx, ContactCreate(name="Ana"))


@pytest.fixture
def at() -> Iterator[Callable[..., Context]]:
    """``at("2027-01-31 10:00")``: a Context on the test database whose clock is pinned there."""
    opened: list[Context] = []

    def make(moment: str, tz: Any = LISBON) -> Context:
        local = datetime.fromisoformat(moment).replace(tzinfo=tz)
        context = open_context(clock=Clock(fixed=local.astimezone(ZoneInfo("UTC")), tz=tz))
        opened.append(context)
        return context

    yield make
    for context in opened:
        context.close()


def local_due(item: Any, tz: Any = LISBON) -> str:
    moment = item.due_at.astimezone(tz)
    return moment.strftime("%Y-%m-%d") if item.all_day else moment.strftime("%Y-%m-%d %H:%M %Z")


def add(ctx: Context, due: str, **kw: Any) -> Any:
    return followups.add(ctx, Links(contact="Ana"), "report", parse_when(due, ctx.clock), **kw)


def complete(ctx: Context, followup_id: int) -> Any:
    """Mark done; return the newly scheduled occurrence (or None when the series ended)."""
    result = followups.done(ctx, [followup_id])
    assert result[0].done_at is not None
    return result[1] if len(result) > 1 else None


def test_monthly_from_jan_31_keeps_the_month_end_without_drifting(at) -> None:
    first = add(at("2027-01-31 08:00"), "2027-01-31", every=parse_duration("1m"))
    feb = complete(at("2027-01-31 18:00"), first.id)
    assert local_due(feb) == "2027-02-28"
    mar = complete(at("2027-02-28 18:00"), feb.id)
    assert local_due(mar) == "2027-03-31"  # stepped from the anchor (Jan 31), not from Feb 28
    apr = complete(at("2027-03-31 18:00"), mar.id)
    assert local_due(apr) == "2027-04-30"


def test_yearly_feb_29_falls_on_feb_28_then_comes_back_in_a_leap_year(at) -> None:
    first = add(at("2028-02-29 08:00"), "2028-02-29", every=parse_duration("1y"))
    nxt = complete(at("2028-02-29 09:00"), first.id)
    assert local_due(nxt) == "2029-02-28"
    for moment in ("2029-02-28 09:00", "2030-02-28 09:00", "2031-02-28 09:00"):
        nxt = complete(at(moment), nxt.id)
    assert local_due(nxt) == "2032-02-29"


def test_weekly_9am_stays_9am_local_across_the_dst_change(at) -> None:
    # Lisbon leaves summer time on 2026-10-25: UTC offset +01:00 → +00:00
    first = add(at("2026-10-19 08:00"), "2026-10-19 09:00", every=parse_duration("1w"))
    assert first.due_at.astimezone(LISBON).utcoffset().total_seconds() == 3600
    nxt = complete(at("2026-10-19 09:30"), first.id)
    assert local_due(nxt) == "2026-10-26 09:00 WET"
    assert nxt.due_at.hour == 9  # 9:00 local is now 9:00 UTC (it was 8:00 UTC a week before)


def test_spring_forward_in_new_york_keeps_the_local_hour(at) -> None:
    first = add(at("2027-03-13 08:00", NEW_YORK), "2027-03-13 09:00", every=parse_duration("1d"))
    nxt = complete(at("2027-03-13 10:00", NEW_YORK), first.id)
    assert local_due(nxt, NEW_YORK) == "2027-03-14 09:00 EDT"


def test_year_boundary(at) -> None:
    first = add(at("2026-12-31 08:00"), "2026-12-31 17:00", every=parse_duration("1d"))
    nxt = complete(at("2026-12-31 17:30"), first.id)
    assert local_due(nxt) == "2027-01-01 17:00 WET"
    monthly = add(at("2026-12-15 08:00"), "2026-12-15", every=parse_duration("1m"))
    assert local_due(complete(at("2026-12-15 09:00"), monthly.id)) == "2027-01-15"


def test_missed_occurrences_do_not_pile_up(at, ctx) -> None:
    first = add(at("2026-11-02 08:00"), "2026-11-02", every=parse_duration("1w"))
    # five weeks later, one overdue item, not five; done schedules the next one after today
    later = at("2026-12-09 10:00")
    assert [f.id for f in followups.list_followups(later, "open")] == [first.id]
    nxt = complete(later, first.id)
    assert local_due(nxt) == "2026-12-14"
    assert [f.id for f in followups.list_followups(later, "open")] == [nxt.id]
    assert nxt.series_id == first.id


def test_done_early_schedules_the_occurrence_after_the_current_one(at) -> None:
    first = add(at("2026-11-23 08:00"), "2026-11-30", every=parse_duration("1w"))
    assert local_due(complete(at("2026-11-25 10:00"), first.id)) == "2026-12-07"


def test_from_done_counts_from_the_completion(at) -> None:
    first = add(at("2026-11-01 08:00"), "2026-11-02", every=parse_duration("10d"), from_done=True)
    assert first.recurrence == "every 10d after done"
    nxt = complete(at("2026-11-20 15:00"), first.id)
    assert local_due(nxt) == "2026-11-30"
    timed = add(at("2026-11-01 08:00"), "2026-11-02 09:00", every=parse_duration("1w"), from_done=True)
    assert local_due(complete(at("2026-11-05 18:00"), timed.id)) == "2026-11-12 09:00 WET"


def test_rrule_last_friday_of_the_month_snaps_the_first_due_date(at) -> None:
    ctx = at("2026-11-23 08:00")
    first = add(ctx, "2026-11-23", rrule="rrule:freq=monthly;byday=-1fr")
    assert first.rrule == "FREQ=MONTHLY;BYDAY=-1FR"
    assert first.recurrence == "RRULE:FREQ=MONTHLY;BYDAY=-1FR"
    assert local_due(first) == "2026-11-27"
    dec = complete(at("2026-11-27 12:00"), first.id)
    assert local_due(dec) == "2026-12-25"
    jan = complete(at("2026-12-26 12:00"), dec.id)
    assert local_due(jan) == "2027-01-29"


def test_rrule_count_ends_the_series(at) -> None:
    first = add(at("2026-11-23 08:00"), "2026-11-23 09:00", rrule="FREQ=DAILY;COUNT=2")
    second = complete(at("2026-11-23 10:00"), first.id)
    assert local_due(second) == "2026-11-24 09:00 WET"
    assert complete(at("2026-11-24 10:00"), second.id) is None


def test_rrule_floating_until_is_read_in_the_users_zone(at) -> None:
    item = add(at("2026-11-23 08:00"), "2026-11-23", rrule="FREQ=WEEKLY;UNTIL=20261207")
    assert item.rrule == "FREQ=WEEKLY;UNTIL=20261207T235959Z"


def test_until_ends_the_series_and_includes_its_whole_day(at) -> None:
    ctx = at("2026-11-23 08:00")
    first = add(ctx, "2026-11-23", every=parse_duration("1w"), until=parse_when("2026-11-30", ctx.clock))
    assert (
        first.until is not None
        and first.until.astimezone(LISBON).strftime("%Y-%m-%d %H:%M") == "2026-11-30 23:59"
    )
    second = complete(at("2026-11-23 12:00"), first.id)
    assert local_due(second) == "2026-11-30"
    assert complete(at("2026-11-30 12:00"), second.id) is None


def test_every_and_rrule_stepping_helpers_agree_on_a_simple_weekly_series(at) -> None:
    from minicrm.services.followups import recurrence

    ctx = at("2026-11-23 08:00")
    due = parse_when("2026-11-23 09:00", ctx.clock).at
    by_every = recurrence.next_every(due, due, False, parse_duration("1w"), ctx.clock)
    by_rule = recurrence.next_by_rule("FREQ=WEEKLY", due, due, False, ctx.clock)
    assert by_every == by_rule
    assert recurrence.every_as_rrule("2w") == "FREQ=WEEKLY;INTERVAL=2"
    assert recurrence.every_as_rrule("1m") == "FREQ=MONTHLY"


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=FOO",
        "BYDAY=MO",
        "FREQ=MONTHLY;BYDAY=-1XX",
        "",
        "RRULE:",
        "FREQ=DAILY;COUNT=x",
        "DTSTART:20260101T000000Z",
        "FREQ=WEEKLY;UNTIL=20261345",
    ],
)
def test_malformed_rrule_is_invalid_input(ctx, rule: str) -> None:
    with pytest.raises(InvalidInput):
        add(ctx, "2026-11-23", rrule=rule)
    assert followups.list_followups(ctx, "all") == []


def test_repetition_combinations_that_make_no_sense_are_refused(ctx) -> None:
    when = parse_when("2026-12-01", ctx.clock)
    for kw in (
        {"every": parse_duration("1w"), "rrule": "FREQ=WEEKLY"},
        {"until": parse_when("2026-12-31", ctx.clock)},
        {"from_done": True},
        {"rrule": "FREQ=WEEKLY", "from_done": True},
        {"every": parse_duration("1w"), "until": parse_when("2026-11-30", ctx.clock)},
        {"rrule": "FREQ=WEEKLY;UNTIL=20261101T000000Z"},
    ):
        with pytest.raises(InvalidInput):
            followups.add(ctx, Links(contact="Ana"), "x", when, **kw)
    assert followups.list_followups(ctx, "all") == []


def test_done_twice_is_a_conflict_and_schedules_nothing_more(at) -> None:
    first = add(at("2026-11-23 08:00"), "2026-11-23", every=parse_duration("1w"))
    ctx = at("2026-11-23 09:00")
    complete(ctx, first.id)
    with pytest.raises(Conflict):
        followups.done(ctx, [first.id])
    assert len(followups.list_followups(ctx, "open")) == 1


def test_edit_due_restarts_the_series_from_the_new_date(at) -> None:
    first = add(at("2027-01-31 08:00"), "2027-01-31", every=parse_duration("1m"))
    feb = complete(at("2027-01-31 09:00"), first.id)
    ctx = at("2027-02-01 09:00")
    moved = followups.edit(ctx, feb.id, followups.FollowUpPatch(due=parse_when("2027-02-15", ctx.clock)))
    assert moved.series_id == feb.id
    assert local_due(complete(at("2027-02-15 09:00"), moved.id)) == "2027-03-15"


def test_edit_switches_to_an_rrule_and_back_to_no_repetition(ctx) -> None:
    item = add(ctx, "2026-11-23", every=parse_duration("1w"), from_done=True)
    ruled = followups.edit(ctx, item.id, followups.FollowUpPatch(rrule="FREQ=MONTHLY;BYMONTHDAY=1"))
    assert (ruled.every, ruled.rrule, ruled.from_done) == (None, "FREQ=MONTHLY;BYMONTHDAY=1", False)
    assert local_due(ruled) == "2026-12-01"  # moved onto the rule's first day
    plain = followups.edit(ctx, item.id, followups.FollowUpPatch(every=None, rrule=None, until=None))
    assert (plain.every, plain.rrule, plain.until, plain.recurrence) == (None, None, None, None)
    assert followups.done(ctx, [item.id])[-1].id == item.id  # nothing scheduled after it


def test_edit_until_before_due_is_refused_and_changes_nothing(ctx) -> None:
    item = add(ctx, "2026-12-10", every=parse_duration("1w"))
    with pytest.raises(InvalidInput):
        followups.edit(ctx, item.id, followups.FollowUpPatch(until=parse_when("2026-12-01", ctx.clock)))
    assert followups.get(ctx, item.id).version == item.version
