"""``minicrm calendar import``: meetings with contacts; recurring ones up to today; updates."""

from __future__ import annotations

import pytest
from tests.capture.mailbox_files import CONFIG

# the tests' clock: 2026-11-23 10:00 Lisbon (conftest.NOW)
WEEKLY = """BEGIN:VEVENT
UID:weekly@x
DTSTART:20261102T093000Z
DTEND:20261102T100000Z
RRULE:FREQ=WEEKLY
SUMMARY:Weekly sync
LOCATION:Room 2
ORGANIZER;CN=Me:mailto:me@mine.org
ATTENDEE;CN=Ana Lima:mailto:ANA@lima.pt
END:VEVENT
"""
ONCE = """BEGIN:VEVENT
UID:once@x
SEQUENCE:{seq}
DTSTART:{start}
DURATION:PT1H
SUMMARY:{summary}
DESCRIPTION:Bring the contract.
ORGANIZER;CN=Ana Lima:mailto:ana@lima.pt
ATTENDEE:mailto:me@mine.org
ATTENDEE:mailto:bruno@dias.pt
ATTENDEE:mailto:stranger@else.org
END:VEVENT
"""
FUTURE = """BEGIN:VEVENT
UID:future@x
DTSTART:20261201T100000Z
SUMMARY:Next month
ATTENDEE:mailto:ana@lima.pt
END:VEVENT
"""
NOBODY = """BEGIN:VEVENT
UID:nobody@x
DTSTART:20261105T100000Z
SUMMARY:Dentist
END:VEVENT
"""


def ics(*events: str) -> str:
    return "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n" + "".join(events) + "END:VCALENDAR\n"


def once(seq: int = 0, start: str = "20261110T150000Z", summary: str = "Contract review") -> str:
    return ONCE.format(seq=seq, start=start, summary=summary)


@pytest.fixture
def people(cli, tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    monkeypatch.setenv("MINICRM_CONFIG", str(config))
    assert cli("contact", "add", "Ana Lima", "--email", "ana@lima.pt", "--company", "Lima Lda").exit_code == 0
    assert cli("contact", "add", "Bruno Dias", "--email", "bruno@dias.pt").exit_code == 0


def meetings(cli, ref: str) -> list[dict]:
    return cli("timeline", ref, "--kind", "meeting", "--json").json()


def test_events_with_contacts_become_meetings_recurring_ones_up_to_today(cli, people, tmp_path):
    path = tmp_path / "work.ics"
    path.write_text(ics(WEEKLY, once(), FUTURE, NOBODY))
    result = cli("calendar", "import", str(path), "--json")
    assert result.exit_code == 0, result.stderr
    summary = result.json()
    # weekly: Nov 2, 9, 16 and 23 (09:30 UTC is before now, 10:00 Lisbon); once; not the future one
    assert (summary["events"], summary["created"], summary["not_contacts"]) == (6, 6, 1)
    ana = meetings(cli, "ana")
    assert [m["at"] for m in ana] == [
        "2026-11-23T09:30:00+00:00",
        "2026-11-16T09:30:00+00:00",
        "2026-11-10T15:00:00+00:00",
        "2026-11-09T09:30:00+00:00",
        "2026-11-02T09:30:00+00:00",
    ]
    review = ana[2]
    assert review["body"] == "Contract review\n\nBring the contract."
    assert review["details"]["attendees"] == ["me@mine.org", "bruno@dias.pt", "stranger@else.org"]
    assert review["details"]["organizer"] == "Ana Lima <ana@lima.pt>"
    assert review["details"]["end"] == "2026-11-10T16:00:00.000000Z"
    assert review["external_id"] == "ics:once@x"
    assert ana[0]["body"] == "Weekly sync\nat Room 2"
    assert ana[0]["external_id"] == "ics:weekly@x@20261123T093000Z"
    assert ana[0]["company_id"] is not None
    assert [m["body"].split("\n")[0] for m in meetings(cli, "bruno")] == ["Contract review"]


def test_importing_again_changes_nothing_and_a_newer_sequence_updates(cli, people, tmp_path, reopen):
    path = tmp_path / "work.ics"
    path.write_text(ics(once()))
    cli("calendar", "import", str(path))
    again = cli("calendar", "import", str(path), "--json").json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)
    path.write_text(ics(once(seq=1, start="20261111T150000Z", summary="Contract review (moved)")))
    moved = cli("calendar", "import", str(path), "--json").json()
    assert (moved["created"], moved["updated"]) == (0, 2)
    ana = meetings(cli, "ana")
    assert [(m["at"], m["body"].split("\n")[0]) for m in ana] == [
        ("2026-11-11T15:00:00+00:00", "Contract review (moved)")
    ]
    path.write_text(ics(once(seq=0, summary="Stale copy")))  # an older SEQUENCE changes nothing
    assert cli("calendar", "import", str(path), "--json").json()["unchanged"] == 2
    with reopen() as c:
        assert c.db.scalar("SELECT count(*) FROM interaction WHERE kind = 'meeting'") == 2


def test_a_vdir_with_a_broken_file_imports_the_rest_and_names_it(cli, people, tmp_path):
    vdir = tmp_path / "calendars" / "work"
    vdir.mkdir(parents=True)
    (vdir / "a.ics").write_text(ics(once()))
    (vdir / "b.ics").write_text("BEGIN:VCALENDAR\nthis is not\n")
    result = cli("calendar", "import", str(tmp_path / "calendars"))
    assert result.exit_code == 1
    assert "error: work/b.ics: not an iCalendar file" in result.stderr
    assert len(meetings(cli, "ana")) == 1


def test_a_missing_calendar_is_one_clear_error(cli, people, tmp_path):
    result = cli("calendar", "import", str(tmp_path / "nope.ics"))
    assert (result.exit_code, result.stderr) == (1, f"error: no such calendar: {tmp_path / 'nope.ics'}\n")
