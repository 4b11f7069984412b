"""request add|list|show|edit|close|reopen|report: output, timeline, contact show, change log."""

from __future__ import annotations

import pytest

from minicrm.services.customer import requests


@pytest.fixture
def ana(cli) -> None:
    cli("contact", "add", "Ana Lima", "--email", "ana@lima.pt", "--company", "Lima Lda")
    cli("contact", "add", "Bruno Dias")


def test_add_prints_the_request_and_logs_it_on_the_timeline(cli, ana) -> None:
    result = cli("request", "add", "ana", "Printer jams", "--priority", "urgent", "--json")
    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert {
        k: data[k] for k in ("id", "title", "priority", "status", "contact", "contact_id", "resolution")
    } == {
        "id": 1,
        "title": "Printer jams",
        "priority": "urgent",
        "status": "open",
        "contact": "Ana Lima",
        "contact_id": 1,
        "resolution": None,
    }
    assert data["opened_at"] == "2026-11-23T10:00:00+00:00"
    timeline = cli("timeline", "ana", "--json").json()
    assert [(i["kind"], i["body"], i["company_id"]) for i in timeline] == [
        ("request", "Opened request #1: Printer jams", 1)
    ]


def test_a_request_does_not_count_as_being_in_touch(cli, ana) -> None:
    cli("request", "add", "ana", "Printer jams")
    assert cli("contact", "show", "ana", "--json").json()["last_interaction_at"] is None


def test_close_and_reopen(cli, ana) -> None:
    cli("request", "add", "ana", "Printer jams")
    closed = cli(
        "request",
        "close",
        "1",
        "--resolution",
        "Replaced the roller",
        "--json",
        env={"MINICRM_NOW": "2026-11-24T16:00:00"},
    )
    assert closed.exit_code == 0, closed.stderr
    assert (closed.json()["status"], closed.json()["resolution"]) == ("closed", "Replaced the roller")
    assert closed.json()["closed_at"] == "2026-11-24T16:00:00+00:00"
    again = cli("request", "close", "#1", "--resolution", "twice")
    assert (again.exit_code, again.stderr) == (1, "error: request #1 is already closed\n")
    reopened = cli("request", "reopen", "1", "--json").json()
    assert (reopened["status"], reopened["resolution"], reopened["closed_at"]) == ("open", None, None)
    bodies = [i["body"] for i in cli("timeline", "ana", "--json").json()]
    assert (
        "Closed request #1: Replaced the roller" in bodies and "Reopened request #1: Printer jams" in bodies
    )


def test_list_orders_open_first_by_priority_and_filters(cli, ana) -> None:
    cli("request", "add", "ana", "Invoice wrong", "--priority", "low")
    cli("request", "add", "bruno", "Cannot log in", "--priority", "high")
    cli("request", "add", "ana", "Old issue")
    cli("request", "close", "3", "--resolution", "done")
    plain = cli("request", "list", "--format", "plain")
    assert plain.stdout == (
        "2\t2026-11-23\thigh\topen\tCannot log in\tBruno Dias\n"
        "1\t2026-11-23\tlow\topen\tInvoice wrong\tAna Lima\n"
        "3\t2026-11-23\tnormal\tclosed\tOld issue\tAna Lima\n"
    )
    assert [r["id"] for r in cli("request", "list", "--open", "--contact", "ana", "--json").json()] == [1]
    assert [r["id"] for r in cli("request", "list", "--priority", "high", "--json").json()] == [2]


def test_show_and_edit(cli, ana) -> None:
    cli("request", "add", "ana", "Printer jams")
    edited = cli(
        "request", "edit", "1", "--title", "Printer jams daily", "--priority", "high", "--json"
    ).json()
    assert (edited["title"], edited["priority"], edited["version"]) == ("Printer jams daily", "high", 2)
    shown = cli("request", "show", "1", "--format", "plain")
    assert shown.stdout.splitlines()[:5] == [
        "ID:         1",
        "Title:      Printer jams daily",
        "Priority:   high",
        "Status:     open",
        "Contact:    Ana Lima (#1)",
    ]


def test_bad_input_is_one_error_line_and_nothing_stored(cli, ctx, ana) -> None:
    for args, message in (
        (("add", "nobody", "x"), "error: no contact matches 'nobody'\n"),
        (("add", "ana", "x", "--priority", "asap"), "error: invalid priority 'asap'"),
        (("add", "ana", "x", "--deal", "9"), "error: no deal with id 9\n"),
        (("add", "ana", "  "), "error: "),
        (("show", "7"), "error: no service request with id 7\n"),
        (("show", "seven"), "error: a service request is referenced by its id, not 'seven'\n"),
        (("reopen", "7"), "error: no service request with id 7\n"),
    ):
        result = cli("request", *args)
        assert result.exit_code == 1, args
        assert result.stderr.startswith(message) and result.stderr.count("\n") == 1, result.stderr
    assert ctx.db.scalar("SELECT count(*) FROM service_request") == 0
    assert ctx.db.scalar("SELECT count(*) FROM interaction") == 0


def test_contact_show_has_a_requests_section(cli, ana) -> None:
    cli("request", "add", "ana", "Printer jams", "--priority", "urgent")
    data = cli("contact", "show", "ana", "--json").json()
    assert [(r["id"], r["title"], r["priority"]) for r in data["requests"]] == [(1, "Printer jams", "urgent")]
    plain = cli("contact", "show", "ana", "--format", "plain").stdout
    assert "\nRequests:\n  1\t2026-11-23\turgent\topen\tPrinter jams\tAna Lima\n" in plain


def test_every_write_is_in_the_change_log(cli, ctx, ana) -> None:
    cli("request", "add", "ana", "Printer jams")
    cli("request", "edit", "1", "--priority", "high")
    cli("request", "close", "1", "--resolution", "fixed")
    rows = ctx.db.all("SELECT action, before, after FROM change WHERE entity = 'request' ORDER BY id")
    assert [r["action"] for r in rows] == ["create", "update", "update"]
    assert rows[0]["before"] is None and '"priority": "normal"' in rows[0]["after"]
    assert '"status": "closed"' in rows[2]["after"]


def test_report_counts_open_by_priority_and_the_median_time_to_close(cli, ctx, ana) -> None:
    empty = cli("request", "report", "--format", "plain")
    assert empty.stdout.splitlines()[-1] == "Median time to close: -"
    for title, closed_at in (
        ("a", "2026-11-23T14:00:00"),
        ("b", "2026-11-24T10:00:00"),
        ("c", "2026-11-27T10:00:00"),
    ):
        cli("request", "add", "ana", title)
        rid = str(ctx.db.scalar("SELECT max(id) FROM service_request"))
        cli("request", "close", rid, "--resolution", "ok", env={"MINICRM_NOW": closed_at})
    cli("request", "add", "ana", "still open", "--priority", "urgent")
    cli("request", "add", "bruno", "also open")
    result = cli("request", "report", "--format", "plain")
    assert result.stdout == (
        "Open requests: 2\n  urgent   1\n  high     0\n  normal   1\n  low      0\n"
        "Closed requests: 3\nMedian time to close: 24.0 hours\n"
    )
    data = cli("request", "report", "--json").json()
    assert data == {
        "open_by_priority": {"urgent": 1, "high": 0, "normal": 1, "low": 0},
        "open": 2,
        "closed": 3,
        "median_hours_to_close": 24.0,
    }
    assert requests.service_report(ctx).median_hours_to_close == 24.0


def test_deleting_the_contact_removes_its_requests(cli, ctx, ana) -> None:
    cli("request", "add", "ana", "Printer jams")
    assert cli("contact", "rm", "ana", "--yes").exit_code == 0
    assert ctx.db.scalar("SELECT count(*) FROM service_request") == 0
