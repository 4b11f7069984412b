"""followup add|done|snooze|edit with repetition through the CLI: JSON, errors, DB state.
"Now" is 2026-11-23 10:00 in Lisbon (conftest); MINICRM_NOW moves it per call."""

from __future__ import annotations

import pytest

from minicrm.services.followups import commands as followups


@pytest.fixture(autouse=True)
def ana(cli) -> None:
    assert cli("contact", "add", "Ana Lima").exit_code == 0


def one_error_line(result) -> str:
    assert result.exit_code == 1, result.stdout + result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def test_add_every_prints_the_recurrence_in_json(cli) -> None:
    data = cli(
        "followup",
        "add",
        "ana",
        "weekly call",
        "--due",
        "2026-11-27",
        "--every",
        "2w",
        "--until",
        "2027-03-31",
        "--json",
    ).json()
    assert data["recurrence"] == "every 2w"
    assert data["every"] == "2w" and data["rrule"] is None
    assert data["due"] == "2026-11-27"
    assert data["until"] == "2027-03-31T23:59:59+01:00"
    assert data["series_id"] == data["id"]


def test_add_rrule_snaps_to_the_rules_first_day(cli) -> None:
    data = cli(
        "followup",
        "add",
        "ana",
        "month report",
        "--due",
        "today",
        "--rrule",
        "FREQ=MONTHLY;BYDAY=-1FR",
        "--json",
    ).json()
    assert data["recurrence"] == "RRULE:FREQ=MONTHLY;BYDAY=-1FR"
    assert data["due"] == "2026-11-27"


def test_done_on_a_recurring_one_prints_both_and_the_next_is_open(cli, ctx) -> None:
    cli("followup", "add", "ana", "water plants", "--due", "2026-11-20", "--every", "1w")
    result = cli("followup", "done", "1", "--json")
    assert result.exit_code == 0, result.stderr
    done, nxt = result.json()
    assert done["done_at"] == "2026-11-23T10:00:00+00:00"
    assert nxt["due"] == "2026-11-27" and nxt["done_at"] is None and nxt["recurrence"] == "every 1w"
    assert [f.id for f in followups.list_followups(ctx, "open")] == [2]


def test_done_with_from_done(cli) -> None:
    cli("followup", "add", "ana", "check in", "--due", "2026-11-01", "--every", "10d", "--from-done")
    nxt = cli("followup", "done", "1", "--json").json()[1]
    assert nxt["due"] == "2026-12-03"
    assert nxt["recurrence"] == "every 10d after done"


def test_dst_and_year_boundary_through_the_cli_clock(cli) -> None:
    env = {"MINICRM_NOW": "2026-10-19T08:00:00"}
    cli("followup", "add", "ana", "standup", "--due", "2026-10-19 09:00", "--every", "1w", env=env)
    nxt = cli("followup", "done", "1", "--json", env={"MINICRM_NOW": "2026-10-19T09:30:00"}).json()[1]
    assert nxt["due"] == "2026-10-26T09:00:00+00:00"  # 9:00 local after the clocks went back
    env = {"MINICRM_NOW": "2026-12-31T08:00:00"}
    cli("followup", "add", "ana", "new year", "--due", "2026-12-31", "--every", "1d", env=env)
    nxt = cli("followup", "done", "3", "--json", env={"MINICRM_NOW": "2026-12-31T20:00:00"}).json()[1]
    assert nxt["due"] == "2027-01-01"


@pytest.mark.parametrize(
    "args",
    [
        ("--every", "2x"),
        ("--every", "0w"),
        ("--rrule", "FREQ=FORTNIGHTLY"),
        ("--rrule", "FREQ=WEEKLY;BYDAY=XX"),
        ("--rrule", ""),
        ("--every", "1w", "--until", "2026-11-01"),
        ("--until", "2027-01-01"),
        ("--every", "1w", "--rrule", "FREQ=WEEKLY"),
        ("--rrule", "FREQ=WEEKLY", "--from-done"),
        ("--every", "1w", "--until", "someday maybe"),
    ],
)
def test_bad_repetition_is_one_error_line_and_nothing_is_stored(cli, ctx, args) -> None:
    result = cli("followup", "add", "ana", "x", "--due", "2026-12-01", *args)
    one_error_line(result)
    assert followups.list_followups(ctx, "all") == []


def test_until_before_due_names_both_dates(cli) -> None:
    line = one_error_line(
        cli("followup", "add", "ana", "x", "--due", "2026-12-01", "--every", "1w", "--until", "2026-11-30")
    )
    assert "before the due date (2026-12-01)" in line


def test_snoozing_a_done_follow_up_is_an_error_and_changes_nothing(cli, ctx) -> None:
    cli("followup", "add", "ana", "call", "--due", "today")
    cli("followup", "done", "1")
    before = followups.get(ctx, 1)
    line = one_error_line(cli("followup", "snooze", "1", "--until", "friday"))
    assert "is done" in line
    assert followups.get(ctx, 1) == before


def test_snooze_into_the_past_is_refused(cli) -> None:
    cli("followup", "add", "ana", "call", "--due", "today")
    one_error_line(cli("followup", "snooze", "1", "--until", "yesterday"))


def test_snoozed_one_is_hidden_from_due_until_then(cli) -> None:
    cli("followup", "add", "ana", "call", "--due", "2026-11-20")
    assert cli("followup", "snooze", "1", "--until", "2026-11-25 09:00").exit_code == 0
    assert cli("due").stdout == ""
    shown = cli("due", env={"MINICRM_NOW": "2026-11-25T09:30:00"}).stdout
    assert "#1" in shown and "call" in shown


def test_edit_due_reschedules_and_ends_a_snooze(cli) -> None:
    cli("followup", "add", "ana", "call", "--due", "today")
    cli("followup", "snooze", "1", "--until", "tomorrow 9:00")
    data = cli("followup", "edit", "1", "--due", "2026-12-02 15:30", "--json").json()
    assert data["due"] == "2026-12-02T15:30:00+00:00"
    assert data["snoozed_until"] is None


def test_edit_rrule_until_and_no_repeat(cli) -> None:
    cli("followup", "add", "ana", "report", "--due", "2026-11-23", "--every", "1w")
    data = cli(
        "followup", "edit", "1", "--rrule", "FREQ=MONTHLY;BYMONTHDAY=1", "--until", "2027-06-30", "--json"
    ).json()
    assert (data["recurrence"], data["due"], data["every"]) == (
        "RRULE:FREQ=MONTHLY;BYMONTHDAY=1",
        "2026-12-01",
        None,
    )
    assert data["until"] == "2027-06-30T23:59:59+01:00"
    data = cli("followup", "edit", "1", "--no-until", "--json").json()
    assert data["until"] is None and data["rrule"] == "FREQ=MONTHLY;BYMONTHDAY=1"
    data = cli("followup", "edit", "1", "--no-repeat", "--json").json()
    assert (data["recurrence"], data["rrule"], data["every"], data["until"]) == (None, None, None, None)


def test_edit_with_a_bad_rule_changes_nothing(cli, ctx) -> None:
    cli("followup", "add", "ana", "report", "--due", "2026-11-30", "--every", "1w")
    before = followups.get(ctx, 1)
    one_error_line(cli("followup", "edit", "1", "--rrule", "FREQ=WEEKLY;INTERVAL=zero"))
    one_error_line(cli("followup", "edit", "1", "--until", "2026-11-01"))
    one_error_line(cli("followup", "edit", "1", "--no-repeat", "--every", "2w"))
    assert followups.get(ctx, 1) == before


def test_plain_list_shows_the_repetition(cli) -> None:
    cli("followup", "add", "ana", "report", "--due", "2026-11-27", "--rrule", "FREQ=MONTHLY;BYDAY=-1FR")
    assert cli("followup", "list", "--format", "plain").stdout == (
        "1\t2026-11-27\treport\tAna Lima\tRRULE:FREQ=MONTHLY;BYDAY=-1FR\t\n"
    )
