"""Time: an injectable clock, the user's time zone, and the storage format of timestamps.

Timestamps are stored as fixed-width UTC text (``2026-11-23T17:55:01.123456Z``) so that they
sort and compare as strings in SQLite and PostgreSQL alike, and are shown in local time.
``MINICRM_NOW`` (ISO 8601) pins "now" for tests and demos; ``MINICRM_TZ`` or ``TZ`` names the
user's zone.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_DB_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
_DB_WIDTH = len("2026-11-23T17:55:01.123456Z")


@cache
def local_tz(name: str | None = None) -> tzinfo:
    """The user's time zone: ``name``, else MINICRM_TZ / TZ, else /etc/localtime, else UTC."""
    for candidate in (name, os.environ.get("MINICRM_TZ"), os.environ.get("TZ")):
        if candidate:
            try:
                return ZoneInfo(candidate.lstrip(":"))
            except (ZoneInfoNotFoundError, ValueError):
                continue
    try:
        target = Path("/etc/localtime").resolve()
        parts = target.parts
        if "zoneinfo" in parts:
            return ZoneInfo("/".join(parts[parts.index("zoneinfo") + 1 :]))
    except (OSError, ZoneInfoNotFoundError, ValueError):
        pass
    return datetime.now().astimezone().tzinfo or UTC


@dataclass(frozen=True)
class Clock:
    """Tells the time in UTC and in the user's zone; tests build one with a fixed instant.
    ``region`` (the config's) is how the user writes dates in numbers (``core.dates``)."""

    fixed: datetime | None = None
    tz: tzinfo = UTC
    region: str | None = None

    @classmethod
    def system(cls, tz_name: str | None = None, region: str | None = None) -> Clock:
        pinned = os.environ.get("MINICRM_NOW")
        tz = local_tz(tz_name)
        if pinned:
            moment = datetime.fromisoformat(pinned)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=tz)
            return cls(fixed=moment.astimezone(UTC), tz=tz, region=region)
        return cls(tz=tz, region=region)

    def now(self) -> datetime:
        """The current instant, aware, in UTC."""
        return self.fixed if self.fixed is not None else datetime.now(UTC)

    def local_now(self) -> datetime:
        return self.now().astimezone(self.tz)

    def today(self) -> date:
        return self.local_now().date()

    def start_of_day(self, day: date) -> datetime:
        """The UTC instant at which local ``day`` begins (DST-aware)."""
        return datetime(day.year, day.month, day.day, tzinfo=self.tz).astimezone(UTC)

    def end_of_today(self) -> datetime:
        return self.start_of_day(self.today() + timedelta(days=1))


def to_db(moment: datetime) -> str:
    """An aware datetime as the stored UTC text."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime cannot be stored")
    return moment.astimezone(UTC).strftime(_DB_FORMAT)


def from_db(text: str | datetime | None) -> datetime | None:
    """Stored UTC text back to an aware datetime (None stays None)."""
    if text is None:
        return None
    if isinstance(text, datetime):
        return text if text.tzinfo else text.replace(tzinfo=UTC)
    if len(text) != _DB_WIDTH or text[-1] != "Z":
        raise ValueError(f"not a stored timestamp: {text!r}")
    # fromisoformat is C code: ~100x faster than strptime (which also imports _strptime/locale)
    return datetime.fromisoformat(text)


def iso_local(text: str | None, tz: tzinfo) -> str | None:
    """Stored UTC text as ISO 8601 in local time with its offset, seconds precision."""
    moment = from_db(text)
    if moment is None:
        return None
    return moment.astimezone(tz).replace(microsecond=0).isoformat()
