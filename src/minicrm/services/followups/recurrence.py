"""Recurring follow-ups: ``every`` durations, RFC 5545 RRULEs, and their next occurrence.

All stepping happens in the user's local time, so that a 9:00 reminder stays at 9:00 across a
DST change, and from the series' *anchor* (its first occurrence) rather than from the previous
one, so that Jan 31 + 1m, + 2m gives Feb 28, Mar 31 (not Mar 28) and a yearly Feb 29 comes back
on Feb 29 in leap years. The next occurrence is always after today (all-day) or after now
(timed): missed occurrences are skipped, never piled up.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

from minicrm.core.clock import Clock
from minicrm.core.dates import Duration
from minicrm.core.errors import InvalidInput

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any

_FIXED = {
    "minutes": timedelta(minutes=1),
    "hours": timedelta(hours=1),
    "days": timedelta(days=1),
    "weeks": timedelta(weeks=1),
}
_UNTIL_RE = re.compile(r"UNTIL=(\d{8})(T\d{6})?(Z?)")
_FREQ = {
    "days": "DAILY",
    "weeks": "WEEKLY",
    "months": "MONTHLY",
    "years": "YEARLY",
    "hours": "HOURLY",
    "minutes": "MINUTELY",
}


# -- RRULE text ------------------------------------------------------------------------------
def normalize_rrule(text: str, clock: Clock) -> str:
    """Validate an RRULE (with or without the ``RRULE:`` prefix) and return its canonical body,
    e.g. ``FREQ=MONTHLY;BYDAY=-1FR``. A floating or date-only UNTIL is read in the user's zone
    and stored in UTC, as RFC 5545 requires. Anything malformed is an ``InvalidInput``."""
    body = " ".join(text.split()).upper()
    body = body.removeprefix("RRULE:").strip().strip(";")
    if not body:
        raise InvalidInput("empty RRULE: give one such as FREQ=MONTHLY;BYDAY=-1FR")
    if ":" in body or "\n" in text.strip():
        raise InvalidInput(
            f"invalid RRULE {text!r}: give a single rule such as FREQ=WEEKLY;BYDAY=MO "
            "(the start is --due, the end --until)"
        )
    body = _UNTIL_RE.sub(lambda m: "UNTIL=" + _until_utc(m, clock), body)
    parse(body, datetime(2026, 1, 1, 9, 0, tzinfo=clock.tz), original=text)
    return body


def _until_utc(match: re.Match[str], clock: Clock) -> str:
    day, clock_time, zulu = match.group(1), match.group(2), match.group(3)
    if zulu:
        return f"{day}{clock_time or 'T000000'}Z"
    try:
        if clock_time:
            local = datetime.strptime(day + clock_time, "%Y%m%dT%H%M%S").replace(tzinfo=clock.tz)
        else:  # a date: through the end of that local day
            local = datetime.strptime(day, "%Y%m%d").replace(tzinfo=clock.tz) + timedelta(days=1, seconds=-1)
    except ValueError as exc:
        raise InvalidInput(f"invalid UNTIL {day}{clock_time or ''} in RRULE") from exc
    return local.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def parse(body: str, dtstart: datetime, *, original: str | None = None) -> Any:
    """The dateutil ``rrule`` for ``body`` starting at the aware local ``dtstart``."""
    from dateutil.rrule import rrule, rrulestr  # imported only where rules are used

    try:
        rule = rrulestr(body, dtstart=dtstart)
    except TypeError as exc:  # dateutil says "missing ... 'freq'" for a rule without FREQ
        raise InvalidInput(f"invalid RRULE {original or body!r}: FREQ is required") from exc
    except (ValueError, OverflowError) as exc:
        raise InvalidInput(f"invalid RRULE {original or body!r}: {exc}") from exc
    if not isinstance(rule, rrule):
        raise InvalidInput(f"invalid RRULE {original or body!r}: give a single rule")
    return rule


def every_as_rrule(every: str) -> str:
    """An ``every`` duration (``2w``) as the equivalent RRULE body (``FREQ=WEEKLY;INTERVAL=2``),
    for calendars that only speak RFC 5545."""
    from minicrm.core.dates import parse_duration

    duration = parse_duration(every)
    freq = _FREQ[duration.unit]
    return f"FREQ={freq}" if duration.count == 1 else f"FREQ={freq};INTERVAL={duration.count}"


def calendar_rule(
    *,
    every: str | None,
    rrule: str | None,
    from_done: bool,
    until: datetime | None,
    all_day: bool,
    anchor: datetime,
    start: datetime,
    clock: Clock,
) -> str | None:
    """The RRULE a calendar must be given, with ``DTSTART`` = ``start`` (the open occurrence), so
    that its expansion by any RFC 5545 library gives exactly the dates minicrm itself will
    schedule; None when the follow-up does not repeat on the calendar.

    * ``every 1m`` from Jan 31 steps from the series' anchor and keeps the month's end (Feb 28,
      Mar 31, Apr 30), where a plain ``FREQ=MONTHLY`` from Jan 31 would skip the short months:
      days 29–31 become ``BYMONTHDAY=28,…,D;BYSETPOS=-1`` (the latest of those the month has),
      and a yearly Feb 29 ``BYMONTH=2;BYMONTHDAY=28,29;BYSETPOS=-1``.
    * A rule's ``COUNT`` counts from the anchor: the occurrences before ``start`` are taken off.
    * ``--from-done`` repeats after each completion, which no calendar rule can say: None.
    """
    if from_done:
        return None
    if rrule:
        rule = rrule.strip().removeprefix("RRULE:")
        rule = _remaining_count(rule, anchor, start, all_day, clock)
    elif every:
        from minicrm.core.dates import parse_duration

        rule = every_as_rrule(every)
        duration = parse_duration(every)
        local = anchor.astimezone(clock.tz)
        day, month = local.day, local.month
        if duration.unit == "months" and day > 28:
            rule += f";BYMONTHDAY={','.join(str(d) for d in range(28, day + 1))};BYSETPOS=-1"
        elif duration.unit == "years" and month == 2 and day == 29:
            rule += ";BYMONTH=2;BYMONTHDAY=28,29;BYSETPOS=-1"
    else:
        return None
    upper = rule.upper()
    if until is not None and "UNTIL=" not in upper and "COUNT=" not in upper:
        if all_day:
            rule += f";UNTIL={until.astimezone(clock.tz).strftime('%Y%m%d')}"
        else:
            rule += f";UNTIL={until.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}"
    return rule


def _remaining_count(rule: str, anchor: datetime, start: datetime, all_day: bool, clock: Clock) -> str:
    match = re.search(r"(?i)\bCOUNT=(\d+)", rule)
    if match is None:
        return rule
    first, here = _local_start(anchor, all_day, clock), _local_start(start, all_day, clock)
    occurrences = parse(rule, first)
    used = len(occurrences.between(first, here, inc=True)) - (1 if here in occurrences else 0)
    left = max(1, int(match.group(1)) - used)
    return rule[: match.start(1)] + str(left) + rule[match.end(1) :]


# -- next occurrences ------------------------------------------------------------------------
def _threshold(all_day: bool, due_at: datetime, clock: Clock) -> datetime:
    """The next occurrence must come after this moment (UTC): after today for all-day items,
    after now for timed ones, and in any case after the occurrence being completed."""
    floor = clock.end_of_today() - timedelta(microseconds=1) if all_day else clock.now()
    return max(floor, due_at)


def next_every(anchor: datetime, due_at: datetime, all_day: bool, every: Duration, clock: Clock) -> datetime:
    """The first ``anchor + k × every`` (k ≥ 1, local wall time) after the threshold."""
    local = anchor.astimezone(clock.tz)
    threshold = _threshold(all_day, due_at, clock)
    step = 1
    unit = _FIXED.get(every.unit)
    if unit is not None:  # jump close to the threshold instead of stepping through years of misses
        gap = threshold.astimezone(clock.tz).replace(tzinfo=None) - local.replace(tzinfo=None)
        step = max(1, int(gap / (unit * every.count)) - 1)
    while True:
        candidate = Duration(every.count * step, every.unit).add_to(local)
        if candidate.tzinfo is not None:
            candidate = candidate.replace(tzinfo=clock.tz)
        if candidate.astimezone(UTC) > threshold:
            break
        step += 1
    if all_day:
        return clock.start_of_day(candidate.date())
    return candidate.astimezone(UTC)


def next_from_done(
    done_at: datetime, due_at: datetime, all_day: bool, every: Duration, clock: Clock
) -> datetime:
    """``every`` after the completion: the completion day plus the duration (keeping the item's
    time of day), or the completion instant plus minutes/hours."""
    if every.unit in ("minutes", "hours"):
        return every.add_to(done_at).astimezone(UTC)
    done_day = done_at.astimezone(clock.tz).date()
    if all_day:
        return clock.start_of_day(every.add_to(datetime.combine(done_day, time())).date())
    at = due_at.astimezone(clock.tz).time()
    start = datetime.combine(done_day, at, tzinfo=clock.tz)
    return every.add_to(start).replace(tzinfo=clock.tz).astimezone(UTC)


def next_by_rule(
    body: str, anchor: datetime, due_at: datetime, all_day: bool, clock: Clock
) -> datetime | None:
    """The rule's first occurrence (counted from ``anchor``) after the threshold; None when the
    rule has ended (COUNT or UNTIL)."""
    rule = parse(body, _local_start(anchor, all_day, clock))
    found = rule.after(_threshold(all_day, due_at, clock).astimezone(clock.tz), inc=False)
    return _stored(found, all_day, clock)


def first_by_rule(body: str, start: datetime, all_day: bool, clock: Clock) -> datetime | None:
    """The rule's first occurrence on or after ``start`` (the typed due date)."""
    local = _local_start(start, all_day, clock)
    return _stored(parse(body, local).after(local, inc=True), all_day, clock)


def _local_start(moment: datetime, all_day: bool, clock: Clock) -> datetime:
    local = moment.astimezone(clock.tz)
    if all_day:
        return datetime.combine(local.date(), time(), tzinfo=clock.tz)
    return local


def _stored(found: datetime | None, all_day: bool, clock: Clock) -> datetime | None:
    if found is None:
        return None
    if all_day:
        return clock.start_of_day(found.date())
    return found.replace(tzinfo=clock.tz).astimezone(UTC)
