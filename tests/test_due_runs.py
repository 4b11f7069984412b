"""`due` records each run; `due --since-last-run` reports what fell due since the previous one
(catching up on a missed night); the fast path and Typer print the same."""

from __future__ import annotations

import sqlite3

import pytest

from minicrm.services.followups import runs


@pytest.fixture(autouse=True)
def people(cli) -> None:
    cli("contact", "add", "Ana Lima")
    cli("contact", "add", "Bruno Dias", "--every", "30d")


def run_times(db_path) -> list[str]:
    with sqlite3.connect(db_path) as conn:
        return [r[0] for r in conn.execute("SELECT at FROM run_log WHERE kind = 'due' ORDER BY at")]


def test_every_run_is_recorded_even_when_nothing_is_due(cli, db_path) -> None:
    result = cli("due")
    assert result.exit_code == 0 and result.stdout == "" and result.stderr == ""
    cli("due", "--json", env={"MINICRM_NOW": "2026-11-24T08:00:00"})
    assert run_times(db_path) == ["2026-11-23T10:00:00.000000Z", "2026-11-24T08:00:00.000000Z"]


def test_first_run_says_everything_is_new(cli) -> None:
    cli("followup", "add", "ana", "send the quote", "--due", "2026-11-20")
    assert cli("due", "--since-last-run").stdout == (
        "New (first run of due) (1)\n"
        "  #1     2026-11-20       send the quote — Ana Lima\n"
        "\n"
        "Overdue (1)\n"
        "  #1     2026-11-20       send the quote — Ana Lima\n"
    )


def test_a_missed_night_is_caught_up(cli) -> None:
    cli("followup", "add", "ana", "old one", "--due", "2026-11-20")
    cli("due", env={"MINICRM_NOW": "2026-11-23T08:00:00"})  # Monday's run
    cli("followup", "add", "ana", "tuesday call", "--due", "2026-11-24 15:00")
    cli("followup", "add", "ana", "wednesday mail", "--due", "2026-11-25")
    cli("followup", "add", "ana", "friday visit", "--due", "2026-11-27")
    # Tuesday's run never happened; Wednesday 8:00:
    result = cli("due", "--since-last-run", env={"MINICRM_NOW": "2026-11-25T08:00:00"})
    assert result.stdout == (
        "New since the last run, 2026-11-23 08:00, 2 days ago (2)\n"
        "  #2     2026-11-24 15:00 tuesday call — Ana Lima\n"
        "  #3     today            wednesday mail — Ana Lima\n"
        "\n"
        "Overdue (2)\n"
        "  #1     2026-11-20       old one — Ana Lima\n"
        "  #2     2026-11-24 15:00 tuesday call — Ana Lima\n"
        "\n"
        "Due (1)\n"
        "  #3     today            wednesday mail — Ana Lima\n"
    )
    data = cli("due", "--since-last-run", "--json", env={"MINICRM_NOW": "2026-11-25T09:00:00"}).json()
    assert data["since_last_run"] == {
        "previous_run": "2026-11-25T08:00:00+00:00",
        "followups": [],
        "cadence": [],
    }


def test_a_snooze_that_ended_and_a_cadence_that_passed_count_as_new(cli) -> None:
    cli("followup", "add", "ana", "call", "--due", "2026-11-20")
    cli("followup", "snooze", "1", "--until", "2026-11-24 09:00")
    cli("due", env={"MINICRM_NOW": "2026-11-23T20:00:00"})
    data = cli("due", "--since-last-run", "--json", env={"MINICRM_NOW": "2026-12-24T08:00:00"}).json()
    assert [f["id"] for f in data["since_last_run"]["followups"]] == [1]
    assert [c["contact"] for c in data["since_last_run"]["cadence"]] == ["Bruno Dias"]


def test_nothing_new_but_still_overdue(cli) -> None:
    cli("followup", "add", "ana", "call", "--due", "2026-11-20")
    cli("due")
    text = cli("due", "--since-last-run", env={"MINICRM_NOW": "2026-11-23T11:00:00"}).stdout
    assert text.startswith(
        "New since the last run, 2026-11-23 10:00, 1 hour ago: nothing new\n\nOverdue (1)\n"
    )


def test_jsonl_marks_new_rows(cli) -> None:
    cli("followup", "add", "ana", "call", "--due", "2026-11-23")
    rows = cli("due", "--since-last-run", "--format", "jsonl").stdout.splitlines()
    assert len(rows) == 1 and '"new": true' in rows[0] and '"group": "due"' in rows[0]


def test_run_log_is_pruned(ctx) -> None:
    from dataclasses import replace
    from datetime import timedelta

    runs.record_run(ctx)
    runs.record_run(replace(ctx, clock=replace(ctx.clock, fixed=ctx.clock.now() + timedelta(days=100))))
    assert ctx.db.scalar("SELECT count(*) FROM run_log") == 1


def test_fast_path_and_typer_agree_on_since_last_run(cli, sh, db_path) -> None:
    cli("followup", "add", "ana", "call", "--due", "2026-11-20")
    cli("due", env={"MINICRM_NOW": "2026-11-22T08:00:00"})
    fast = sh("due", "--since-last-run")
    assert fast.exit_code == 0, fast.stderr
    assert fast.stdout.startswith("New since the last run, 2026-11-22 08:00, 26 hours ago: nothing new\n")
    with sqlite3.connect(db_path) as conn:  # forget the fast run, so that Typer sees the same previous run
        conn.execute("DELETE FROM run_log WHERE at = (SELECT max(at) FROM run_log)")
    assert cli("due", "--since-last-run").stdout == fast.stdout
    assert len(run_times(db_path)) == 2


def test_a_last_run_later_than_now_is_never_negative_hours(cli) -> None:
    """The clock was set back (or another machine's is ahead): never "-124 hours ago"."""
    cli("followup", "add", "ana", "call", "--due", "2026-11-20")
    cli("due", env={"MINICRM_NOW": "2026-11-28T14:00:00"})
    result = cli("due", "--since-last-run", env={"MINICRM_NOW": "2026-11-23T10:00:00"})
    heading = result.stdout.splitlines()[0]
    assert (
        heading == "New since the last run, 2026-11-28 14:00, later than now (is a clock wrong?): nothing new"
    )
    assert "-" not in heading.split(",")[-1]


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (0, "less than an hour ago"),
        (3599, "less than an hour ago"),
        (3600, "1 hour ago"),
        (47 * 3600, "47 hours ago"),
        (49 * 3600, "2 days ago"),
        (-1, "later than now (is a clock wrong?)"),
    ],
)
def test_ago(seconds: int, said: str) -> None:
    from datetime import UTC, datetime, timedelta

    now = datetime(2026, 11, 23, 10, tzinfo=UTC)
    assert runs.ago(now - timedelta(seconds=seconds), now) == said
