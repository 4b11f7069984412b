"""The exported iCalendar means what minicrm means: an RFC 5545 library expanding a recurring
VTODO's DTSTART and RRULE gets the very dates ``followup done`` schedules, the series keeps one
UID, and ``export ics --out DIR/`` keeps a vdir of one ``.ics`` per series in step."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from itertools import islice
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
from dateutil.rrule import rrulestr

LISBON = ZoneInfo("Europe/Lisbon")


def _schedule(cli, monkeypatch, n: int) -> list[date | datetime]:
    """The next ``n`` due dates minicrm gives the open follow-up, completing each when due."""
    seen: list[date | datetime] = []
    for _ in range(n):
        item = json.loads(cli("followup", "list", "--json").stdout)[0]
        due = _parse(item["due"])
        seen.append(due)
        if isinstance(due, datetime):  # just after a timed one is due
            moment = due.replace(tzinfo=None) + timedelta(minutes=1)
        else:  # midday of an all-day one's day
            moment = datetime.combine(due, datetime.min.time()) + timedelta(hours=12)
        monkeypatch.setenv("MINICRM_NOW", moment.isoformat())
        assert cli("followup", "done", str(item["id"])).exit_code == 0
    return seen


def _parse(text: str) -> date | datetime:
    return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text).astimezone(LISBON)


def _todo(cli) -> icalendar.Todo:
    cal = icalendar.Calendar.from_ical(cli("export", "ics").stdout)
    (todo,) = cal.walk("VTODO")
    return todo


def _expand(todo: icalendar.Todo, n: int) -> list[date | datetime]:
    """The first ``n`` occurrences by dateutil's RFC 5545 expansion of DTSTART and RRULE."""
    start = todo["dtstart"].dt
    first = start if isinstance(start, datetime) else datetime.combine(start, datetime.min.time())
    rule = rrulestr(todo["rrule"].to_ical().decode(), dtstart=first)
    return [g if isinstance(start, datetime) else g.date() for g in islice(rule, n)]


CASES = [
    ("month ends from Jan 31", ["--due", "2027-01-31", "--every", "1m"], 8),
    ("every 2 months from Aug 31", ["--due", "2026-12-31", "--every", "2m"], 6),
    ("the 30th, through February", ["--due", "2027-01-30", "--every", "1m"], 4),
    ("a yearly Feb 29", ["--due", "2028-02-29", "--every", "1y"], 5),
    ("fortnightly", ["--due", "2026-12-04", "--every", "2w"], 5),
    ("monthly at 9:00 across DST", ["--due", "2027-01-31 09:00", "--every", "1m"], 6),
    ("a rule with a count", ["--due", "2026-12-01", "--rrule", "FREQ=MONTHLY;BYDAY=-1FR;COUNT=4"], 4),
]


@pytest.mark.parametrize(("args", "n"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_an_rfc5545_expansion_gives_minicrms_own_dates(cli, monkeypatch, args, n) -> None:
    monkeypatch.setenv("MINICRM_NOW", "2026-11-23T10:00:00")
    cli("contact", "add", "Ana")
    assert cli("followup", "add", "ana", "report", *args).exit_code == 0
    todo = _todo(cli)
    assert todo["dtstart"].dt == todo["due"].dt  # RFC 5545: an RRULE needs a DTSTART
    expanded = _expand(todo, n)
    # a second, independent reader of the same file: recurring-ical-events
    cal = icalendar.Calendar.from_ical(cli("export", "ics").stdout)
    start, last = expanded[0], expanded[-1]
    if isinstance(start, datetime):
        window = (start.replace(tzinfo=None), last.replace(tzinfo=None) + timedelta(minutes=1))
    else:
        window = (start, last + timedelta(days=1))
    other = [t["DUE"].dt for t in recurring_ical_events.of(cal, components=["VTODO"]).between(*window)]
    uid = str(todo["uid"])
    assert _schedule(cli, monkeypatch, n) == expanded
    assert sorted(other)[:n] == expanded
    assert uid == "minicrm-followup-1"


def test_the_series_keeps_its_uid_and_the_count_what_is_left(cli, monkeypatch) -> None:
    monkeypatch.setenv("MINICRM_NOW", "2026-11-23T10:00:00")
    cli("contact", "add", "Ana")
    cli(
        "followup",
        "add",
        "ana",
        "report",
        "--due",
        "2026-12-01",
        "--rrule",
        "FREQ=MONTHLY;BYDAY=-1FR;COUNT=4",
    )
    _schedule(cli, monkeypatch, 2)  # Dec 25 and Jan 29 done; Feb 26 and Mar 26 are left
    todo = _todo(cli)
    assert str(todo["uid"]) == "minicrm-followup-1"
    assert todo["dtstart"].dt == date(2027, 2, 26)
    assert todo["rrule"].to_ical() == b"FREQ=MONTHLY;COUNT=2;BYDAY=-1FR"
    assert _expand(todo, 5) == [date(2027, 2, 26), date(2027, 3, 26)]


def test_from_done_repeats_are_single_todos_and_plain_ones_have_no_dtstart(cli) -> None:
    cli("contact", "add", "Ana")
    cli("followup", "add", "ana", "water the plants", "--due", "2026-12-01", "--every", "1w", "--from-done")
    cli("followup", "add", "ana", "call", "--due", "2026-12-02 15:30")
    cal = icalendar.Calendar.from_ical(cli("export", "ics").stdout)
    for todo in cal.walk("VTODO"):
        assert "rrule" not in todo and "dtstart" not in todo


def test_export_ics_to_a_directory_is_a_vdir_kept_in_step(cli, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MINICRM_NOW", "2026-11-23T10:00:00")
    cli("contact", "add", "Ana")
    cli("followup", "add", "ana", "monthly report", "--due", "2026-12-10", "--every", "1m")
    cli("followup", "add", "ana", "call", "--due", "2026-12-02")
    vdir = tmp_path / "todos"
    run = cli("export", "ics", "--out", f"{vdir}/")
    assert (run.exit_code, run.stderr) == (0, f"exported 2 follow-ups to {vdir}/\n")
    names = sorted(p.name for p in vdir.iterdir())
    assert names == ["minicrm-followup-1.ics", "minicrm-followup-2.ics"]
    (vdir / "mine.ics").write_text("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")  # someone else's
    first = {n: (vdir / n).read_bytes() for n in names}
    mtimes = {n: (vdir / n).stat().st_mtime_ns for n in names}
    again = cli("export", "ics", "--out", str(vdir))  # an existing directory, no slash
    assert again.exit_code == 0
    assert {n: (vdir / n).read_bytes() for n in names} == first  # the same bytes: not rewritten
    assert {n: (vdir / n).stat().st_mtime_ns for n in names} == mtimes
    # completing the call removes its file; completing the series keeps the series' file
    monkeypatch.setenv("MINICRM_NOW", "2026-12-10T12:00:00")
    cli("followup", "done", "1", "2")
    third = cli("export", "ics", "--out", str(vdir))
    assert (
        third.stderr == f"exported 1 follow-up to {vdir}/\nremoved 1 stale file (follow-ups no longer open)\n"
    )
    assert sorted(p.name for p in vdir.iterdir()) == ["mine.ics", "minicrm-followup-1.ics"]
    todo = icalendar.Calendar.from_ical((vdir / "minicrm-followup-1.ics").read_bytes()).walk("VTODO")[0]
    assert todo["due"].dt == date(2027, 1, 10)


def test_export_ics_makes_one_directory_never_a_path(cli, tmp_path: Path) -> None:
    cli("contact", "add", "Ana")
    cli("followup", "add", "ana", "call", "--due", "2026-12-02")
    deep = tmp_path / "no" / "such" / "todos"
    run = cli("export", "ics", "--out", f"{deep}/")
    assert (run.exit_code, run.stderr) == (
        1,
        f"error: cannot write {deep}/: no such directory {deep.parent}\n",
    )
    assert not (tmp_path / "no").exists()
    assert cli("export", "ics", "--out", f"{tmp_path / 'todos'}/").exit_code == 0
    assert [p.name for p in (tmp_path / "todos").iterdir()] == ["minicrm-followup-1.ics"]
