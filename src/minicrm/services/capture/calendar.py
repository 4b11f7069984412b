"""``calendar import``: meetings with contacts, captured as ``meeting`` interactions.

Each VEVENT with a contact among its organizer and attendees (the user's own addresses and
the ignore list left out, ``[mail]``) becomes one interaction per such contact: the start as
its time, the summary, location and description as its text, the end, location, attendees and
SEQUENCE in ``details``. Recurring events count each occurrence up to now. Importing again
changes nothing; an event that changed (same UID, a newer SEQUENCE) updates its interactions
instead of adding others. One transaction; a calendar file that cannot be read is named and
skipped.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from minicrm.core.clock import to_db
from minicrm.core.errors import InvalidInput
from minicrm.exchange.meetings import Meeting, calendars, meetings
from minicrm.services.capture.mail import find_contacts
from minicrm.services.capture.settings import mail_settings
from minicrm.services.history.interactions import insert
from minicrm.services.kernel.context import Context
from minicrm.services.kernel.unit_of_work import UnitOfWork

ErrorSink = Callable[[str], None]
_CHUNK = 500


@dataclass
class CalendarImportSummary:
    source: str
    events: int = 0  # events and occurrences read, up to now
    created: int = 0  # interactions
    updated: int = 0
    unchanged: int = 0
    not_contacts: int = 0  # events with no contact among their people
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "events": self.events,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "not_contacts": self.not_contacts,
            "errors": list(self.errors),
        }


def _body(m: Meeting) -> str:
    lines = [("Cancelled: " if m.status == "CANCELLED" else "") + (m.summary or "(no title)")]
    if m.location:
        lines.append(f"at {m.location}")
    if m.description:
        lines.append("")
        lines.append(m.description[:2000])
    return "\n".join(lines).replace("\x00", "")


def _details(m: Meeting, ignored: Callable[[str], bool]) -> str:
    def person(name: str, address: str) -> str:
        return f"{name} <{address}>" if name else address

    doc: dict[str, Any] = {
        "summary": m.summary,
        "uid": m.uid,
        "sequence": m.sequence,
        "end": to_db(m.end) if m.end is not None else None,
        "all_day": m.all_day,
        "location": m.location or None,
        "organizer": person(*m.organizer) if m.organizer[1] and not ignored(m.organizer[1]) else None,
        "attendees": [person(n, a) for n, a in m.attendees if not ignored(a)],
    }
    if m.status:
        doc["status"] = m.status.lower()
    return json.dumps(doc, ensure_ascii=False, sort_keys=True)


def import_calendar(ctx: Context, path: Path, *, on_error: ErrorSink | None = None) -> CalendarImportSummary:
    settings = mail_settings(ctx.config)
    source = str(path.absolute())
    summary = CalendarImportSummary(source)
    now = ctx.clock.now()

    def error(text: str) -> None:
        summary.errors.append(text)
        if on_error is not None:
            on_error(text)

    found: list[Meeting] = []
    for label, calendar in calendars(path):
        if isinstance(calendar, InvalidInput):
            error(str(calendar))
            continue
        try:
            found.extend(meetings(label, calendar, now, ctx.clock.tz))
        except InvalidInput as exc:
            error(str(exc))
    summary.events = len(found)
    own = settings.addresses
    people = {m.key: [a for a in m.addresses() if a not in own and not settings.ignored(a)] for m in found}
    contacts = find_contacts(ctx, list({a for addrs in people.values() for a in addrs}))
    with UnitOfWork(ctx, f"calendar import {path.name}") as uow:
        existing = _existing(uow, [m.key for m in found])
        for m in found:
            targets = dict.fromkeys(contacts[a] for a in people[m.key] if a in contacts)
            if not targets:
                summary.not_contacts += 1
                continue
            body, details, at = _body(m), _details(m, settings.ignored), to_db(m.start)
            for contact_id, company_id in targets:
                known = existing.get((m.key, contact_id))
                if known is None:
                    if m.status == "CANCELLED":
                        continue  # a meeting that never took place is not on the timeline
                    captured = {"external_id": m.key, "thread_id": f"ics:{m.uid}", "details": details}
                    insert(uow, "meeting", body, at, contact_id, company_id, None, captured)
                    summary.created += 1
                    continue
                interaction_id, sequence = known
                if m.sequence <= sequence:
                    summary.unchanged += 1
                    continue
                before = uow.interactions.snapshot(interaction_id)
                uow.interactions.update(interaction_id, {"body": body, "at": at, "details": details})
                uow.record(
                    "interaction", interaction_id, "update", before, uow.interactions.snapshot(interaction_id)
                )
                summary.updated += 1
        uow.mail_sources.touch("calendar", source, uow.now, summary.created)
    return summary


def _existing(uow: UnitOfWork, keys: list[str]) -> dict[tuple[str, int], tuple[int, int]]:
    """(external id, contact id) -> (interaction id, SEQUENCE) of meetings captured before."""
    wanted = list(dict.fromkeys(keys))
    found: dict[tuple[str, int], tuple[int, int]] = {}
    for i in range(0, len(wanted), _CHUNK):
        chunk = wanted[i : i + _CHUNK]
        for r in uow.db.all(
            "SELECT id, external_id, contact_id, details FROM interaction "
            f"WHERE kind = 'meeting' AND external_id IN ({','.join('?' * len(chunk))})",
            chunk,
        ):
            sequence = int(json.loads(r["details"] or "{}").get("sequence", 0))
            found[(str(r["external_id"]), int(r["contact_id"]))] = (int(r["id"]), sequence)
    return found
