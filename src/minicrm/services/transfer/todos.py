"""The open follow-ups as iCalendar VTODOs: one calendar, or a vdir of one ``.ics`` per series.

A calendar must see what minicrm means: each recurring VTODO carries a ``DTSTART`` (RFC 5545
requires it with an RRULE) equal to its open occurrence, and an RRULE whose expansion gives
minicrm's own next dates (``recurrence.calendar_rule``). The UID names the series, not the
occurrence, so completing one does not look like a new task to a synced calendar; DTSTAMP is
the follow-up's last change, so an unchanged follow-up exports the same bytes (a vdir rewrites
only what changed).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

from minicrm.core.clock import from_db
from minicrm.exchange.ics import IcsTodo
from minicrm.services.followups.recurrence import calendar_rule
from minicrm.services.kernel.context import Context


def series_uid(followup_id: int, series_id: int | None) -> str:
    """The UID of a follow-up's whole series (the follow-up itself when it does not repeat)."""
    return f"minicrm-followup-{series_id or followup_id}"


def open_followup_todos(ctx: Context) -> list[IcsTodo]:
    """The open follow-ups as VTODOs, due in the user's time zone (all-day ones as DATEs)."""
    tz = ctx.clock.tz
    key = getattr(tz, "key", None)
    tzid = None if key in (None, "UTC", "Etc/UTC") else str(key)
    rows = ctx.db.all(
        "SELECT f.*, c.name AS contact_name, d.title AS deal_title, s.due_at AS series_start "
        "FROM followup f LEFT JOIN contact c ON c.id = f.contact_id "
        "LEFT JOIN deal d ON d.id = f.deal_id LEFT JOIN followup s ON s.id = f.series_id "
        "WHERE f.done_at IS NULL ORDER BY f.due_at, f.id"
    )
    todos: list[IcsTodo] = []
    for r in rows:
        due_at = from_db(r["due_at"])
        assert due_at is not None
        all_day = bool(r["all_day"])
        series_start = from_db(r["series_start"])
        # the series steps from its first occurrence (the current one when that was deleted)
        anchor = series_start if series_start is not None and series_start <= due_at else due_at
        rule = calendar_rule(
            every=r["every"],
            rrule=r["rrule"],
            from_done=bool(r["from_done"]),
            until=from_db(r["until"]),
            all_day=all_day,
            anchor=anchor,
            start=due_at,
            clock=ctx.clock,
        )
        local = due_at.astimezone(tz)
        due: date | datetime = local.date() if all_day else local
        about = [
            x
            for x in (r["contact_name"], f"deal #{r['deal_id']} {r['deal_title']}" if r["deal_id"] else None)
            if x
        ]
        todos.append(
            IcsTodo(
                uid=series_uid(int(r["id"]), r["series_id"]),
                summary=r["title"],
                due=due,
                description=" · ".join(about) or None,
                rrule=rule,
                created=from_db(r["created_at"]),
                tzid=None if all_day else tzid,
                dtstart=due if rule else None,
                stamp=from_db(r["updated_at"]),
            )
        )
    return todos


def todo_files(todos: list[IcsTodo]) -> Iterator[tuple[str, str]]:
    """``(file name, iCalendar text)`` per VTODO, for a vdir (todoman, vdirsyncer)."""
    from minicrm.exchange.ics import followups_to_ics
    from minicrm.exchange.vdir import card_file_name

    for todo in todos:
        yield card_file_name(todo.uid, ".ics"), followups_to_ics([todo]).decode("utf-8")
