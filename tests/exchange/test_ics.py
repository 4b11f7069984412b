from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from minicrm.core.errors import InvalidInput
from minicrm.exchange.ics import PRODID, IcsTodo, followups_to_ics, read_ics_todos

LISBON = ZoneInfo("Europe/Lisbon")
TODOS = [
    IcsTodo(uid="fu-1@minicrm", summary="Send the quote, today", due=date(2026, 12, 1),
            description="Line 1\nLine 2; with, punctuation", rrule=None,
            status="NEEDS-ACTION", completed=None,
            created=datetime(2026, 11, 1, 9, 30, tzinfo=UTC), categories=["vip", "quote"],
            tzid=None),
    IcsTodo(uid="fu-2@minicrm", summary="Weekly call", due=datetime(2026, 3, 30, 10, 0,
            tzinfo=LISBON), description=None, rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=MO",
            status="NEEDS-ACTION", completed=None, created=None, categories=[],
            tzid="Europe/Lisbon"),
    IcsTodo(uid="fu-3@minicrm", summary="Done thing", due=datetime(2026, 1, 5, 17, 0,
            tzinfo=UTC), description=None, rrule=None, status="COMPLETED",
            completed=datetime(2026, 1, 5, 16, 0, tzinfo=UTC), created=None, categories=[],
            tzid=None),
]  # fmt: skip


def test_round_trip_every_field() -> None:
    assert read_ics_todos(followups_to_ics(TODOS)) == TODOS


def test_calendar_shape() -> None:
    data = followups_to_ics(TODOS)
    cal = icalendar.Calendar.from_ical(data)
    assert str(cal["PRODID"]) == PRODID and str(cal["VERSION"]) == "2.0"
    assert len(cal.walk("VTODO")) == 3
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Lisbon"]
    text = data.decode()
    assert "DUE;VALUE=DATE:20261201\r\n" in text
    assert "DUE;TZID=Europe/Lisbon:20260330T100000\r\n" in text
    assert "DUE:20260105T170000Z\r\n" in text
    assert "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO\r\n" in text


def test_naive_due_without_tzid_is_utc() -> None:
    todo = IcsTodo("x", "naive", datetime(2026, 1, 1, 8, 0))
    assert b"DUE:20260101T080000Z" in followups_to_ics([todo])


def test_bad_rrule_and_tzid() -> None:
    with pytest.raises(InvalidInput):
        followups_to_ics([IcsTodo("x", "y", date(2026, 1, 1), rrule="FREQ=SOMETIMES")])
    with pytest.raises(InvalidInput):
        followups_to_ics([IcsTodo("x", "y", datetime(2026, 1, 1), tzid="Mars/Olympus")])


@pytest.mark.parametrize("data", [b"", b"\x00\x01binary", b"hello"])
def test_bad_files(data: bytes) -> None:
    with pytest.raises(InvalidInput):
        read_ics_todos(data)


CHICAGO = ZoneInfo("America/Chicago")
LONDON = ZoneInfo("Europe/London")
CORPUS_TODOS: dict[str, list[tuple[str, str, object, str | None, str]]] = {
    # file -> [(uid, summary, due, rrule, status)]
    "apple-ios-reminders_vtodo_daily_alarm.ics": [
        ("A406CCEB-D40E-42F0-BA5F-9D7429618DFB", "Test daily",
         datetime(2018, 4, 17, 14, 0, tzinfo=CHICAGO), "FREQ=DAILY", "NEEDS-ACTION")],
    "davx5_weekly-until_exdate-list_duration.ics": [],
    "emclient_vtodo_completed-occurrence_floating.ics": [
        ("3884083942925614120", "Repeat", datetime(2020, 9, 10), "FREQ=DAILY", "NEEDS-ACTION"),
        ("3884083942925614120", "Repeat", datetime(2020, 9, 10), None, "COMPLETED")],
    "exchange2010_daily_floating-until_blank-lines.ics": [],
    "google-calendar_monthly-lastfri_override.ics": [],
    "google-calendar_weekly-byday_exdate_dst.ics": [],
    "nextcloud-tasks_vtodo_all-day-due.ics": [
        ("838bdba9-f511-4dc7-8686-aaad8728e9bd", "All day task", date(2021, 2, 1), None,
         "NEEDS-ACTION")],
    "thunderbird_vtodo-rrule_alarms_events.ics": [
        ("2e8666fe-a370-4c2c-acfb-b0352a1ebae2", "todo with alarm after end",
         datetime(2023, 12, 16, 9, 0, tzinfo=LONDON), None, "NEEDS-ACTION"),
        ("8f9e0f14-a130-4270-88b1-045c5cd799a2", "todo with alarm absolute 18:00",
         datetime(2023, 11, 16, 9, 0, tzinfo=LONDON), None, "NEEDS-ACTION"),
        ("efc08fc4-c843-4ce0-b02b-c4fd0a2b42b6", "todo with alarm",
         datetime(2023, 12, 17, 9, 0, tzinfo=LONDON), "FREQ=DAILY;UNTIL=20231223T090000Z",
         "NEEDS-ACTION")],
    "thunderbird_vtodo_completed-occurrence.ics": [
        ("e0600bbe-b9d0-ba48-80b0-998409625d03", "Recurring",
         datetime(2020, 12, 20, 17, 0, tzinfo=CHICAGO), "FREQ=DAILY", "NEEDS-ACTION"),
        ("e0600bbe-b9d0-ba48-80b0-998409625d03", "Recurring",
         datetime(2020, 12, 20, 17, 0, tzinfo=CHICAGO), None, "COMPLETED")],
    "thunderbird_weekly-until_exdates_cancelled-overrides.ics": [],
}  # fmt: skip


def test_every_corpus_file_is_covered(corpus: Path) -> None:
    assert sorted(p.name for p in (corpus / "ics").iterdir()) == sorted(CORPUS_TODOS)


@pytest.mark.parametrize("name", sorted(CORPUS_TODOS))
def test_corpus_ics(corpus: Path, name: str) -> None:
    todos = read_ics_todos((corpus / "ics" / name).read_bytes())
    got = [(t.uid, t.summary, t.due, t.rrule, t.status) for t in todos]
    assert got == CORPUS_TODOS[name]
    for t in todos:
        if isinstance(t.due, datetime) and t.due.tzinfo is not None:
            assert t.tzid == str(t.due.tzinfo)
    # what we read we can write back (floating times become UTC, see followups_to_ics)
    again = read_ics_todos(followups_to_ics(todos))
    assert [(t.uid, t.summary, t.rrule, t.status) for t in again] == [g[:2] + g[3:] for g in got]


def test_corpus_completed_occurrence(corpus: Path) -> None:
    todos = read_ics_todos((corpus / "ics" / "thunderbird_vtodo_completed-occurrence.ics").read_bytes())
    assert todos[0].recurrence_id is None
    assert todos[1].recurrence_id == datetime(2020, 12, 20, 17, 0, tzinfo=CHICAGO)
    assert todos[1].completed is not None
