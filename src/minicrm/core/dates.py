"""Dates and durations as people type them.

``parse_when`` accepts ISO dates and times and English phrases (``today``, ``next friday``,
``in 3 days``, ``end of month``, ``tomorrow 14:30``); anything it cannot read is an
``InvalidInput``, never a guess. ``parse_duration`` reads ``90min``, ``4h``, ``3d``, ``2w``,
``6m`` (months), ``1y``. dateparser is imported only for phrases the fast rules do not cover.

Numbers are never guessed either (``parse_numeric_date``, which imports use too): a date that
looks like ISO (``2026-13-01``) but is not a real one is an error, and a date written with the
day and month as numbers (``01/02/2027``, ``1.2.2027``) is read in the order of the configured
region (``region = "PT"``: day first; ``US``: month first), or refused as ambiguous when the
region has no such order (or none is configured) and both numbers could be the month.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from minicrm.core.errors import InvalidInput

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from minicrm.core.clock import Clock

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_ABBR = {name[:3]: i for i, name in enumerate(_WEEKDAYS)}
# Patterns: ``re`` compiles (and caches) each on first use, not at start-up.
_TIME_RE = (
    r"(?:\s+at)?\s+(?P<h>\d{1,2})(?::(?P<m>\d{2}))?\s*(?P<ampm>am|pm)?$|(?:\s+at)?\s+(?P<word>noon|midnight)$"
)
_HAS_TIME_RE = r"\d{1,2}:\d{2}|\b\d{1,2}\s*(am|pm)\b|\b(noon|midnight|hours?|minutes?|mins?)\b"
_DURATION_RE = r"^\s*(\d+)\s*([a-z]+)\s*$"
_UNITS = {
    "min": "minutes",
    "mins": "minutes",
    "minute": "minutes",
    "minutes": "minutes",
    "h": "hours",
    "hr": "hours",
    "hrs": "hours",
    "hour": "hours",
    "hours": "hours",
    "d": "days",
    "day": "days",
    "days": "days",
    "w": "weeks",
    "wk": "weeks",
    "week": "weeks",
    "weeks": "weeks",
    "m": "months",
    "mo": "months",
    "month": "months",
    "months": "months",
    "y": "years",
    "yr": "years",
    "year": "years",
    "years": "years",
}
#: longer durations make no sense in a CRM, and would step dates past year 9999
MAX_DURATION_DAYS = 36_525
_SHORT = {"minutes": "min", "hours": "h", "days": "d", "weeks": "w", "months": "m", "years": "y"}


def _month_days(year: int, month: int) -> int:
    import calendar  # here: it imports locale, ~3 ms that most commands never need

    return calendar.monthrange(year, month)[1]


#: regions whose numeric dates put the month first (CLDR's short date patterns); a small table
#: instead of a locale library, for the only fact about a region's dates minicrm needs
_MONTH_FIRST = frozenset({"US", "PR", "PH", "FM", "MH", "PW", "GU", "AS", "MP", "VI", "UM"})
#: regions that write the year first (2027/02/01) or mix orders: a numeric date with the year
#: last has no order there, so it must be unambiguous
_NO_DAY_MONTH_ORDER = frozenset({"CA", "CN", "JP", "KR", "KP", "TW", "HU", "LT", "MN", "IR"})
_ISO_LIKE_RE = r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:(?:[Tt ])(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
_NUMERIC_RE = r"(\d{1,2})([/.-])(\d{1,2})(?:\2(\d{4}|\d{2}))?(?:(?:,? |[Tt])(\d{1,2}):(\d{2}))?"
_DIGITS_DATE_RE = r"\d+\s*[/.-]\s*\d+"  # 1/2, 1.2.27, 2026-13-01: dateparser would guess


def day_first(region: str | None) -> bool | None:
    """Whether numeric dates in ``region`` put the day first (True), the month first (False), or
    the region has no such order or is not configured (None)."""
    if not region:
        return None
    region = region.upper()
    if region in _NO_DAY_MONTH_ORDER:
        return None
    return region not in _MONTH_FIRST


def _real_date(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise InvalidInput(f"invalid date {text!r}: {exc}") from None


def parse_numeric_date(
    text: str, region: str | None, today: date | None = None
) -> tuple[date, tuple[int, int] | None] | None:
    """A date written in numbers, with an optional ``HH:MM``: ``2026-12-01``, ``2026/12/1``,
    ``01/02/2027``, ``1.2.27 14:30``, ``1/2`` (with ``today``: the next such day, this year or
    the next). Year-first dates are year-month-day; others are read in
    ``region``'s order (``day_first``); with no order, ``3/4/2027`` is ambiguous and an error,
    while ``13/4/2027`` (only one reading) is not. A date that does not exist
    (``2026-13-01``, ``31/02/2027``) is an error. None when ``text`` is not such a date."""
    text = text.strip()
    hm: tuple[int, int] | None = None
    match = re.fullmatch(_ISO_LIKE_RE, text)
    if match:
        year, month, day = (int(g) for g in match.groups()[:3])
        if match.group(4) is not None:
            hm = _checked_time(int(match.group(4)), int(match.group(5)), int(match.group(6) or 0), text)
        return _real_date(year, month, day, text), hm
    match = re.fullmatch(_NUMERIC_RE, text)
    if not match:
        return None
    first, second = int(match.group(1)), int(match.group(3))
    if match.group(4) is None and (today is None or match.group(2) == "-"):
        return None  # 1-2 is no date; 1/2 is one only where there is a today to place it
    year = int(match.group(4) or (today.year if today else 0))
    if match.group(4) is not None and len(match.group(4)) == 2:
        year += 2000
    if match.group(5) is not None:
        hm = _checked_time(int(match.group(5)), int(match.group(6)), 0, text)
    order = day_first(region)
    if order is None:
        if first <= 12 and second <= 12 and first != second:
            where = f"region {region.upper()} has no day/month order" if region else "no region is configured"
            raise InvalidInput(
                f"ambiguous date {text!r}: day/month or month/day? ({where}; write it as "
                f"{year:04d}-{second:02d}-{first:02d} or {year:04d}-{first:02d}-{second:02d})"
            )
        order = first > 12
    day, month = (first, second) if order else (second, first)
    if match.group(4) is not None or today is None:
        return _real_date(year, month, day, text), hm
    _real_date(2000, month, day, text)  # a day that exists in some year (Feb 29 in leap years)
    for ahead in range(9):  # the next such day: this year's, else a later one
        try:
            found = date(year + ahead, month, day)
        except ValueError:
            continue
        if found >= today:
            return found, hm
    raise InvalidInput(f"invalid date {text!r}")  # unreachable: a leap year comes within 8


def parse_date(text: str, region: str | None) -> date:
    """A calendar date in an imported file (a close date, a birthday): ISO 8601 (a time after
    it is ignored), else numbers in ``region``'s order as ``parse_numeric_date`` reads them;
    anything else, an ambiguous or an impossible date, is an error."""
    stripped = text.strip()
    try:
        return (
            date.fromisoformat(stripped) if len(stripped) == 10 else datetime.fromisoformat(stripped).date()
        )
    except ValueError:
        pass
    found = parse_numeric_date(stripped.split("T")[0] if "T" in stripped else stripped, region)
    if found is None:
        raise InvalidInput(f"invalid date {text!r} (write it as YYYY-MM-DD)")
    return found[0]


def looks_numeric_date(text: str) -> bool:
    """Whether ``text`` is written like a date in numbers (``1/2/2027``, ``2026-13-01``)."""
    return re.search(_DIGITS_DATE_RE, text) is not None


def _checked_time(hour: int, minute: int, second: int, text: str) -> tuple[int, int]:
    if hour > 23 or minute > 59 or second > 59:
        raise InvalidInput(f"invalid time in {text!r}")
    return hour, minute


@dataclass(frozen=True)
class When:
    """A parsed moment: ``at`` in UTC; ``all_day`` when only a date was given (then ``at`` is
    the start of that local day)."""

    at: datetime
    all_day: bool

    def local_date(self, clock: Clock) -> date:
        return self.at.astimezone(clock.tz).date()


@dataclass(frozen=True)
class Duration:
    count: int
    unit: str  # minutes, hours, days, weeks, months, years

    def __str__(self) -> str:
        return f"{self.count}{_SHORT[self.unit]}"

    def add_to(self, moment: datetime) -> datetime:
        """``moment`` plus this duration; months and years keep the day where they can
        (Jan 31 + 1m = Feb 28/29), in the moment's own time zone."""
        if self.unit in ("months", "years"):
            months = self.count * (12 if self.unit == "years" else 1)
            return add_months(moment, months)
        return moment + timedelta(**{self.unit: self.count})

    def subtract_from(self, moment: datetime) -> datetime:
        if self.unit in ("months", "years"):
            months = self.count * (12 if self.unit == "years" else 1)
            return add_months(moment, -months)
        return moment - timedelta(**{self.unit: self.count})

    def approx_days(self) -> int:
        """Whole days, for cadences stored in days."""
        per = {"minutes": 1 / 1440, "hours": 1 / 24, "days": 1, "weeks": 7, "months": 30, "years": 365}
        return max(1, round(self.count * per[self.unit]))


def add_months(moment: datetime, months: int) -> datetime:
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, _month_days(year, month))
    return moment.replace(year=year, month=month, day=day)


def parse_duration(text: str) -> Duration:
    match = re.match(_DURATION_RE, text.lower())
    if not match or match.group(2) not in _UNITS:
        raise InvalidInput(
            f"invalid duration {text!r}: use a number and a unit, e.g. 90min, 4h, 3d, 2w, 6m, 1y"
        )
    count = int(match.group(1))
    if count <= 0:
        raise InvalidInput(f"invalid duration {text!r}: it must be positive")
    duration = Duration(count, _UNITS[match.group(2)])
    if count > 10**6 or duration.approx_days() > MAX_DURATION_DAYS:
        raise InvalidInput(f"invalid duration {text!r}: at most 100 years")
    return duration


def parse_when(text: str, clock: Clock) -> When:
    """Parse a date or date-time typed by a person, relative to ``clock``."""
    raw = " ".join(text.strip().lower().split())
    if not raw:
        raise InvalidInput("empty date")
    try:
        result = (
            _parse_iso(text.strip(), clock)
            or _parse_numeric(" ".join(text.split()), clock)
            or _parse_phrase(raw, clock)
            or _parse_with_dateparser(raw, clock)
        )
    except (ValueError, OverflowError) as exc:  # "in 10000 years": past what a date can hold
        raise InvalidInput(f"the date {text!r} is out of range") from exc
    if result is None:
        raise InvalidInput(
            f"cannot understand the date {text!r} (try 2026-12-01, tomorrow, next friday, in 3 days)"
        )
    return result


def _parse_iso(text: str, clock: Clock) -> When | None:
    try:
        if len(text) == 10:
            return _day(date.fromisoformat(text), clock)
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=clock.tz)
    return When(moment.astimezone(UTC), False)


def _parse_numeric(text: str, clock: Clock) -> When | None:
    found = parse_numeric_date(text, clock.region, clock.today())
    if found is None:
        if looks_numeric_date(text):  # digits and separators that are no date: no guessing
            raise InvalidInput(
                f"cannot understand the date {text!r} (write it as YYYY-MM-DD, e.g. 2026-12-01)"
            )
        return None
    day, hm = found
    return _at_time(day, *hm, clock) if hm else _day(day, clock)


def _day(day: date, clock: Clock) -> When:
    return When(clock.start_of_day(day), True)


def _at_time(day: date, hour: int, minute: int, clock: Clock) -> When:
    local = datetime.combine(day, time(hour, minute), tzinfo=clock.tz)
    return When(local.astimezone(UTC), False)


def _split_time(raw: str) -> tuple[str, tuple[int, int] | None]:
    """Split a trailing time of day (``14:30``, ``3pm``, ``at noon``) off a phrase."""
    match = re.search(_TIME_RE, " " + raw)
    if not match:
        return raw, None
    head = (" " + raw)[: match.start()].strip()
    if match.group("word"):
        return head, (12, 0) if match.group("word") == "noon" else (0, 0)
    hour, minute = int(match.group("h")), int(match.group("m") or 0)
    ampm = match.group("ampm")
    if not ampm and match.group("m") is None:
        return raw, None  # a bare number is not a time of day
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return raw, None
    return head, (hour, minute)


def _parse_phrase(raw: str, clock: Clock) -> When | None:
    head, hm = _split_time(raw)
    today = clock.today()
    day = _phrase_day(head, today, clock)
    if isinstance(day, When):
        return day
    if day is None:
        return None
    return _at_time(day, *hm, clock) if hm else _day(day, clock)


def _phrase_day(head: str, today: date, clock: Clock) -> date | When | None:
    if head in ("today", "tonight", "now") or head == "":
        if head == "now":
            return When(clock.now(), False)
        return today if head else None
    if head == "tomorrow":
        return today + timedelta(days=1)
    if head == "yesterday":
        return today - timedelta(days=1)
    if head in ("end of month", "end of the month", "eom"):
        return today.replace(day=_month_days(today.year, today.month))
    if head in ("end of week", "end of the week", "eow"):
        return today + timedelta(days=(4 - today.weekday()) % 7)
    if head in ("end of year", "end of the year", "eoy"):
        return date(today.year, 12, 31)
    if head in ("next week",):
        return today + timedelta(days=7 - today.weekday())
    if head in ("next month",):
        return add_months(datetime.combine(today, time()), 1).date().replace(day=1)
    match = re.fullmatch(r"in (\d+|a|an|one) ([a-z]+)", head) or re.fullmatch(
        r"(\d+) ([a-z]+) from now", head
    )
    if match:
        count = 1 if match.group(1) in ("a", "an", "one") else int(match.group(1))
        unit = _UNITS.get(match.group(2))
        if unit is None:
            return None
        if unit in ("minutes", "hours"):
            return When(Duration(count, unit).add_to(clock.now()), False)
        moment = Duration(count, unit).add_to(datetime.combine(today, time()))
        return moment.date()
    match = re.fullmatch(r"(next |this |on )?([a-z]+)", head)
    if match:
        name = match.group(2)
        index = _DAY_ABBR.get(name[:3]) if (name in _WEEKDAYS or name in _DAY_ABBR) else None
        if index is None:
            return None
        ahead = (index - today.weekday()) % 7
        if ahead == 0 and match.group(1) == "next ":
            ahead = 7
        if ahead == 0 and match.group(1) != "this ":
            ahead = 7
        return today + timedelta(days=ahead)
    return None


def _parse_with_dateparser(raw: str, clock: Clock) -> When | None:
    if not re.search(r"[a-z0-9]", raw):
        return None
    import dateparser  # slow import: only for phrases the rules above do not cover

    base = clock.local_now().replace(tzinfo=None)
    settings = {
        "RELATIVE_BASE": base,
        "PREFER_DATES_FROM": "future",
        "RETURN_AS_TIMEZONE_AWARE": False,
        "PREFER_DAY_OF_MONTH": "first",
    }
    try:
        parsed = dateparser.parse(raw, languages=["en"], settings=settings)
    except (ValueError, OverflowError, TypeError):
        return None
    if parsed is None:
        return None
    if re.search(_HAS_TIME_RE, raw):
        return When(parsed.replace(tzinfo=clock.tz).astimezone(UTC), False)
    return _day(parsed.date(), clock)
