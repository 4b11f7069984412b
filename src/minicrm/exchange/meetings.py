"""Reading meetings: VEVENTs from an .ics file or a vdir of them (as khal and vdirsyncer keep
calendars), with ``icalendar``, recurring events expanded by ``recurring-ical-events``.

A recurring event becomes one meeting per occurrence up to a given moment (never the future:
a timeline is what happened), each known by its UID and occurrence (``ics:<UID>@<start>``); a
single event by its UID alone (``ics:<UID>``), so that a moved meeting (same UID, newer
SEQUENCE) is the same meeting.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any

from minicrm.core.errors import InvalidInput

__all__ = ["Meeting", "calendars", "meetings"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Meeting:
    key: str
    uid: str
    sequence: int
    start: datetime
    end: datetime | None
    all_day: bool
    summary: str
    location: str
    description: str
    status: str  # CONFIRMED, TENTATIVE, CANCELLED (or empty)
    organizer: tuple[str, str]  # (name, address lower-cased)
    attendees: tuple[tuple[str, str], ...]

    def addresses(self) -> list[str]:
        return list(dict.fromkeys(a for _, a in (self.organizer, *self.attendees) if a))


def calendars(path: Path) -> Iterator[tuple[str, Any]]:
    """``(label, icalendar.Calendar)`` for an .ics file, or each .ics file of a vdir (sorted)."""
    import icalendar

    if path.is_dir():
        files = sorted(p for p in path.rglob("*.ics") if p.is_file())
        if not files:
            raise InvalidInput(f"{path} holds no .ics file")
    elif path.exists():
        files = [path]
    else:
        raise InvalidInput(f"no such calendar: {path}")
    for file in files:
        label = str(file.relative_to(path)) if file != path else file.name
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise InvalidInput(f"{label}: cannot be read: {exc.strerror or exc}") from exc
        try:
            yield label, icalendar.Calendar.from_ical(data)
        except Exception as exc:  # icalendar raises ValueError and others on broken files
            yield label, InvalidInput(f"{label}: not an iCalendar file: {exc}")


def _address(prop: Any) -> tuple[str, str]:
    text = str(prop or "").strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    if "@" not in text:
        return "", ""
    name = ""
    params = getattr(prop, "params", None)
    if params is not None:
        name = str(params.get("CN", "")).strip().strip('"')
    return name, text.strip().lower()


def _moment(value: Any, tz: tzinfo) -> tuple[datetime, bool]:
    if isinstance(value, datetime):
        return (value if value.tzinfo is not None else value.replace(tzinfo=tz)), False
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=tz), True
    raise ValueError(f"not a date: {value!r}")


def meetings(label: str, calendar: Any, until: datetime, tz: tzinfo) -> list[Meeting]:
    """The calendar's events (occurrences of recurring ones) that started by ``until``."""
    import recurring_ical_events

    recurring = set()
    for event in calendar.walk("VEVENT"):
        if event.get("RRULE") is not None or event.get("RDATE") is not None or event.get("RECURRENCE-ID"):
            recurring.add(str(event.get("UID", "")))
    try:
        events = recurring_ical_events.of(calendar).between(_EPOCH, until + timedelta(seconds=1))
    except Exception as exc:
        raise InvalidInput(f"{label}: cannot expand its events: {exc}") from exc
    found: list[Meeting] = []
    for event in events:
        uid = str(event.get("UID", "")).strip()
        if not uid:
            raise InvalidInput(f"{label}: an event has no UID")
        try:
            start, all_day = _moment(event.get("DTSTART").dt, tz)
            end_prop = event.get("DTEND")
            end = _moment(end_prop.dt, tz)[0] if end_prop is not None else None
            duration = event.get("DURATION")
            if end is None and duration is not None and isinstance(duration.dt, timedelta):
                end = start + duration.dt
        except (AttributeError, ValueError) as exc:
            raise InvalidInput(f"{label}: event {uid}: unreadable start or end: {exc}") from exc
        if start > until:
            continue
        key = f"ics:{uid}"
        if uid in recurring:
            key += "@" + start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        attendees = event.get("ATTENDEE")
        if attendees is None:
            attendees = []
        elif not isinstance(attendees, list):
            attendees = [attendees]
        try:
            sequence = int(event.get("SEQUENCE", 0))
        except (TypeError, ValueError):
            sequence = 0
        found.append(
            Meeting(
                key=key,
                uid=uid,
                sequence=sequence,
                start=start,
                end=end,
                all_day=all_day,
                summary=" ".join(str(event.get("SUMMARY", "")).split()),
                location=" ".join(str(event.get("LOCATION", "")).split()),
                description=str(event.get("DESCRIPTION", "")).strip(),
                status=str(event.get("STATUS", "")).upper(),
                organizer=_address(event.get("ORGANIZER")),
                attendees=tuple(a for a in map(_address, attendees) if a[1]),
            )
        )
    return found
