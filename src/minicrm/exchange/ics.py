"""iCalendar (RFC 5545) VTODO export and tolerant import for follow-ups."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar

from minicrm.core.errors import InvalidInput
from minicrm.exchange.record import PRODID

__all__ = ["PRODID", "IcsTodo", "followups_to_ics", "read_ics_todos"]


@dataclass
class IcsTodo:
    """One follow-up as a VTODO.

    ``due`` is a ``date`` (all-day) or a ``datetime``: timezone-aware for UTC/TZID times,
    naive only for floating times read from a file. ``tzid`` names the zone the due time
    is written in (None: UTC). ``recurrence_id`` is set on a VTODO that overrides one
    occurrence of a recurring one (e.g. Thunderbird completing a single occurrence).
    """

    uid: str
    summary: str
    due: datetime | date
    description: str | None = None
    rrule: str | None = None
    status: str = "NEEDS-ACTION"
    completed: datetime | None = None
    created: datetime | None = None
    categories: list[str] = field(default_factory=list)
    tzid: str | None = None
    recurrence_id: datetime | date | None = None
    #: the first occurrence, written as DTSTART (RFC 5545 requires one with an RRULE)
    dtstart: datetime | date | None = None
    #: DTSTAMP: when the item last changed (None: now); a fixed one makes exports repeatable
    stamp: datetime | None = None


def _utc(value: datetime) -> datetime:
    """Aware datetimes are converted to UTC; naive ones are taken to be UTC already."""
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def _due_value(todo: IcsTodo) -> datetime | date:
    if not isinstance(todo.due, datetime):
        return todo.due
    if todo.tzid:
        try:
            zone = ZoneInfo(todo.tzid)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise InvalidInput(f"unknown time zone {todo.tzid!r}") from exc
        if todo.due.tzinfo is None:
            return todo.due.replace(tzinfo=zone)
        return todo.due.astimezone(zone)
    return _utc(todo.due)


def followups_to_ics(items: Iterable[IcsTodo]) -> bytes:
    """A VCALENDAR with one VTODO per item (CRLF, folded), plus VTIMEZONEs for TZIDs used.

    Raises InvalidInput for an unknown TZID or an unparseable RRULE.
    """
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    stamp = datetime.now(UTC).replace(microsecond=0)
    for item in items:
        todo = icalendar.Todo()
        todo.add("uid", item.uid)
        todo.add("dtstamp", _utc(item.stamp).replace(microsecond=0) if item.stamp else stamp)
        todo.add("summary", item.summary)
        if item.dtstart is not None:
            todo.add("dtstart", _due_value(IcsTodo(item.uid, "", item.dtstart, tzid=item.tzid)))
        todo.add("due", _due_value(item))
        if item.description:
            todo.add("description", item.description)
        if item.rrule:
            rule = item.rrule.strip().removeprefix("RRULE:")
            try:
                todo.add("rrule", icalendar.vRecur.from_ical(rule))
            except ValueError as exc:
                raise InvalidInput(f"invalid RRULE {item.rrule!r}: {exc}") from exc
        todo.add("status", item.status)
        if item.completed:
            todo.add("completed", _utc(item.completed))
        if item.created:
            todo.add("created", _utc(item.created))
        if item.categories:
            todo.add("categories", list(item.categories))
        if item.recurrence_id is not None:
            rid = item.recurrence_id
            todo.add("recurrence-id", _due_value(IcsTodo(item.uid, "", rid, tzid=item.tzid)))
        cal.add_component(todo)
    cal.add_missing_timezones()
    ical: bytes = cal.to_ical()
    return ical


def _dt(component: icalendar.Component, name: str) -> datetime | date | None:
    prop = component.get(name)
    if prop is None:
        return None
    try:
        value = prop.dt
    except AttributeError:
        return None
    return value if isinstance(value, date) else None


def _text(component: icalendar.Component, name: str) -> str | None:
    value = component.get(name)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _categories(component: icalendar.Component) -> list[str]:
    raw = component.get("categories")
    if raw is None:
        return []
    props = raw if isinstance(raw, list) else [raw]
    out: list[str] = []
    for prop in props:
        cats = getattr(prop, "cats", None)
        for cat in cats if cats is not None else str(prop).split(","):
            cat = str(cat).strip()
            if cat and cat not in out:
                out.append(cat)
    return out


def _as_datetime(value: datetime | date | None) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return None


def read_ics_todos(data: bytes) -> list[IcsTodo]:
    """Every VTODO in an iCalendar file (an empty list when there are none).

    DUE falls back to DTSTART; a VTODO with neither is skipped (nothing to schedule).
    Raises InvalidInput for an empty, binary or unparseable file.
    """
    if not data.strip():
        raise InvalidInput("empty iCalendar file")
    if b"\x00" in data:
        raise InvalidInput("not an iCalendar file: binary data (NUL bytes)")
    if b"BEGIN:VCALENDAR" not in data.upper():
        raise InvalidInput("not an iCalendar file: no BEGIN:VCALENDAR")
    # icalendar rejects blank lines inside components (Evolution/Exchange write them).
    lines = [ln for ln in data.replace(b"\r\n", b"\n").split(b"\n") if ln.strip()]
    try:
        cals = icalendar.Calendar.from_ical(b"\r\n".join(lines) + b"\r\n", multiple=True)
    except (ValueError, IndexError, KeyError) as exc:
        raise InvalidInput(f"cannot parse iCalendar file: {exc}") from exc
    todos: list[IcsTodo] = []
    for cal in cals:
        for comp in cal.walk("VTODO"):
            due = _dt(comp, "due") or _dt(comp, "dtstart")
            if due is None:
                continue
            tzid = None
            if isinstance(due, datetime) and due.tzinfo is not None:
                prop = comp["due"] if "due" in comp else comp["dtstart"]
                key = getattr(due.tzinfo, "key", None) or prop.params.get("TZID")
                tzid = None if key in (None, "UTC", "Etc/UTC") else str(key)
            rrule = comp.get("rrule")
            completed = _as_datetime(_dt(comp, "completed"))
            status = (_text(comp, "status") or "").upper()
            todos.append(
                IcsTodo(
                    uid=_text(comp, "uid") or "",
                    summary=_text(comp, "summary") or "",
                    due=due,
                    description=_text(comp, "description"),
                    rrule=rrule.to_ical().decode() if rrule is not None else None,
                    status=status or ("COMPLETED" if completed else "NEEDS-ACTION"),
                    completed=completed,
                    created=_as_datetime(_dt(comp, "created")),
                    categories=_categories(comp),
                    tzid=tzid,
                    recurrence_id=_dt(comp, "recurrence-id"),
                    dtstart=_dt(comp, "dtstart") if "due" in comp else None,
                )
            )
    return todos
