"""followup add|list|done|snooze|edit|rm and due (the cron report) through the CLI.

The clock is pinned to Monday 2026-11-23 10:00 in Lisbon (UTC+0 in November)."""

from __future__ import annotations

import pytest

FOLLOWUP_KEYS = (
    "id",
    "title",
    "due",
    "done_at",
    "snoozed_until",
    "recurrence",
    "contact",
    "contact_id",
    "deal_id",
    "owner",
    "overdue",
)


def test_add_prints_the_followup_and_its_json_shape(cli, reopen) -> None:
    cli("contact", "add", "Ana Lima")
    result = cli("followup", "add", "ana", "send the quote", "--due", "next friday")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "ID:            1\n"
        "What:          send the quote\n"
        "Due:           2026-11-27\n"
        "Contact:       Ana Lima\n"
    )
    data = cli("followup", "add", "ana", "call", "--due", "tomorrow 9:30", "--every", "2w", "--json").json()
    for key in FOLLOWUP_KEYS:
        assert key in data, key
    assert (data["due"], data["recurrence"], data["overdue"], data["contact_id"]) == (
        "2026-11-24T09:30:00+00:00",
        "every 2w",
        False,
        1,
    )
    with reopen() as c:
        assert c.db.scalar("SELECT due_at FROM followup WHERE id = 1") == "2026-11-27T00:00:00.000000Z"


def test_add_about_a_company_only(cli) -> None:
    cli("company", "add", "Lima Lda")
    data = cli(
        "followup", "add", "--company", "lima", "renew the contract", "--due", "2026-12-01", "--json"
    ).json()
    assert (data["title"], data["company_id"], data["contact_id"]) == ("renew the contract", 1, None)


def test_add_needs_text(cli) -> None:
    cli("contact", "add", "Ana")
    result = cli("followup", "add", "ana")
    assert result.exit_code == 1
    assert (
        result.stderr
        == 'error: say what to do, e.g. minicrm followup add ana "send the quote" --due friday\n'
    )


@pytest.fixture
def agenda(cli) -> None:
    cli("contact", "add", "Ana")
    cli("followup", "add", "ana", "overdue", "--due", "2026-11-20")  # 1
    cli("followup", "add", "ana", "today", "--due", "today")  # 2
    cli("followup", "add", "ana", "this week", "--due", "2026-11-28")  # 3
    cli("followup", "add", "ana", "later", "--due", "2026-12-20")  # 4
    cli("followup", "add", "ana", "finished", "--due", "2026-11-19")  # 5
    cli("followup", "done", "5")


@pytest.mark.parametrize(
    ("flag", "expected"),
    [
        (None, [1, 2, 3, 4]),
        ("--overdue", [1]),
        ("--today", [1, 2]),
        ("--week", [1, 2, 3]),
        ("--done", [5]),
        ("--all", [5, 1, 2, 3, 4]),
    ],
)
def test_list_windows(cli, agenda, flag, expected) -> None:
    result = cli("followup", "list", *([flag] if flag else []), "--json")
    assert result.exit_code == 0, result.stderr
    assert [f["id"] for f in result.json()] == expected


def test_list_plain_shows_state(cli, agenda) -> None:
    assert cli("followup", "list", "--today").stdout == (
        "1\t2026-11-20\toverdue\tAna\t\toverdue\n2\t2026-11-23\ttoday\tAna\t\t\n"
    )


def test_list_two_windows_is_an_error(cli) -> None:
    result = cli("followup", "list", "--today", "--week")
    assert (result.exit_code, result.stderr) == (1, "error: choose one of --today / --week\n")


def test_done_prints_the_record_and_schedules_a_repeating_one(cli, reopen) -> None:
    cli("contact", "add", "Ana")
    cli("followup", "add", "ana", "weekly check", "--due", "2026-11-09", "--every", "1w")
    result = cli("followup", "done", "1", "--json")
    assert result.exit_code == 0, result.stderr
    done, following = result.json()
    assert (done["id"], done["done_at"]) == (1, "2026-11-23T10:00:00+00:00")
    # missed occurrences do not pile up: the next one is after today
    assert (following["id"], following["due"], following["done_at"]) == (2, "2026-11-30", None)
    with reopen() as c:
        assert c.db.scalar("SELECT count(*) FROM followup WHERE done_at IS NULL") == 1


def test_done_twice_is_a_conflict_and_changes_nothing(cli, dump) -> None:
    cli("contact", "add", "Ana")
    cli("followup", "add", "ana", "x", "--due", "today")
    cli("followup", "add", "ana", "y", "--due", "today")
    cli("followup", "done", "1")
    before = dump()
    result = cli("followup", "done", "2", "1")
    assert (result.exit_code, result.stderr) == (1, "error: follow-up 1 is already done\n")
    assert dump() == before  # 2 was not marked either: one transaction


def test_snooze_hides_it_until_then(cli) -> None:
    cli("contact", "add", "Ana")
    cli("followup", "add", "ana", "call", "--due", "2026-11-20")
    data = cli("followup", "snooze", "1", "--until", "2026-11-25 09:00", "--json").json()
    assert data["snoozed_until"] == "2026-11-25T09:00:00+00:00"
    assert cli("due").stdout == ""
    assert cli("followup", "list", "--overdue", "--json").json() == []
    later = cli("due", env={"MINICRM_NOW": "2026-11-25T09:30:00"})
    assert later.stdout == "Overdue (1)\n  #1     2026-11-20       call — Ana\n"


def test_a_follow_up_snoozed_until_in_3_days_is_in_a_5_day_look_ahead(cli) -> None:
    """Issue 17.6: snoozed until in 3 days, the follow-up shows in ``due --within 5d`` and in
    the week's list, as snoozed (not overdue), and not in today's ``due``."""
    cli("contact", "add", "Ana")
    cli("followup", "add", "ana", "call", "--due", "today 09:00")
    assert cli("followup", "snooze", "1", "--until", "2026-11-26 14:00").exit_code == 0
    assert cli("due").stdout == ""
    assert cli("due", "--within", "5d").stdout == (
        "Due (1)\n  #1     2026-11-26 14:00 call — Ana (snoozed; due today 09:00)\n"
    )
    week = cli("followup", "list", "--week", "--format", "plain").stdout
    assert week == "1\t2026-11-23 09:00\tcall\tAna\t\tsnoozed\n"
    assert cli("due", "--within", "2d").stdout == ""


def test_snooze_into_the_past_is_refused(cli) -> None:
    cli("contact", "add", "Ana")
    cli("followup", "add", "ana", "call", "--due", "2026-11-20")
    result = cli("followup", "snooze", "1", "--until", "yesterday")
    assert (result.exit_code, result.stderr) == (1, "error: snooze until a moment in the future\n")


def test_edit_text_due_and_repetition(cli) -> None:
    cli("contact", "add", "Ana")
    cli("followup", "add", "ana", "call", "--due", "2026-11-20")
    data = cli(
        "followup",
        "edit",
        "1",
        "--text",
        "call again",
        "--due",
        "2026-12-01 11:00",
        "--every",
        "1m",
        "--json",
    ).json()
    assert (data["title"], data["due"], data["recurrence"], data["version"]) == (
        "call again",
        "2026-12-01T11:00:00+00:00",
        "every 1m",
        2,
    )
    assert cli("followup", "edit", "1", "--no-repeat", "--json").json()["recurrence"] is None


def test_rm_needs_yes_without_a_terminal(cli, reopen, dump) -> None:
    cli("contact", "add", "Ana")
    cli("followup", "add", "ana", "call", "--due", "today")
    before = dump()
    refused = cli("followup", "rm", "1")
    assert (refused.exit_code, refused.stderr) == (
        1,
        "error: Delete 1 follow-up (1 call): refusing without --yes (no terminal to ask)\n",
    )
    assert dump() == before
    result = cli("followup", "rm", "1", "--yes")
    assert (result.exit_code, result.stderr) == (0, "deleted 1 follow-up\n")
    with reopen() as c:
        assert c.db.scalar("SELECT count(*) FROM followup") == 0


def test_unknown_followup_id(cli) -> None:
    for args in (
        ("done", "7"),
        ("snooze", "7", "--until", "tomorrow"),
        ("edit", "7", "--text", "x"),
        ("rm", "7", "--yes"),
    ):
        result = cli("followup", *args)
        assert (result.exit_code, result.stderr) == (1, "error: no follow-up with id 7\n"), args
    bad = cli("followup", "done", "abc")
    assert (bad.exit_code, bad.stderr) == (1, "error: invalid follow-up id 'abc'\n")


# -- due ------------------------------------------------------------------------------------
@pytest.fixture
def due_setup(cli) -> None:
    cli("contact", "add", "Ana")  # 1
    cli("contact", "add", "Bruno")  # 2
    cli("contact", "add", "Duarte", "--every", "30d", env={"MINICRM_NOW": "2026-09-01T09:00:00"})  # 3
    cli("contact", "add", "Eva", "--every", "30d")  # 4: just added
    cli("contact", "add", "Fabio", "--every", "30d", env={"MINICRM_NOW": "2026-09-01T09:00:00"})  # 5
    cli("log", "call", "Duarte", "--at", "2026-10-02 10:00")
    cli("followup", "add", "ana", "send the quote", "--due", "today")  # 1
    cli("followup", "add", "bruno", "call back about the renewal", "--due", "2026-11-20")  # 2
    cli("followup", "add", "ana", "demo call", "--due", "today 15:00")  # 3
    cli("followup", "add", "ana", "prepare the demo", "--due", "2026-11-25")  # 4
    cli("followup", "add", "ana", "far away", "--due", "2026-12-10")  # 5
    cli("followup", "add", "ana", "early call", "--due", "today 9:00")  # 6
    cli("followup", "add", "ana", "snoozed", "--due", "2026-11-21")  # 7
    cli("followup", "snooze", "7", "--until", "2026-11-24")
    cli("followup", "add", "ana", "finished", "--due", "2026-11-19")  # 8
    cli("followup", "done", "8")


DUE_TODAY = (
    "Overdue (2)\n"
    "  #2     2026-11-20       call back about the renewal — Bruno\n"
    "  #6     2026-11-23 09:00 early call — Ana\n"
    "\n"
    "Due (2)\n"
    "  #1     today            send the quote — Ana\n"
    "  #3     today 15:00      demo call — Ana\n"
    "\n"
    "Keep in touch (2)\n"
    "  Fabio — never contacted, every 30 days — LAPSED (over 60 days)\n"
    "  Duarte — last contact 2026-10-02 (52 days ago), every 30 days\n"
)


def test_due_overdue_first_then_today_then_cadence(cli, due_setup) -> None:
    result = cli("due")
    assert (result.exit_code, result.stdout, result.stderr) == (0, DUE_TODAY, "")


def test_due_within_a_window(cli, due_setup) -> None:
    """The look-ahead shows what comes back in it: #7, snoozed until tomorrow (issue 17.6)."""
    result = cli("due", "--within", "3d")
    assert result.stdout == DUE_TODAY.replace(
        "  #3     today 15:00      demo call — Ana\n",
        "  #3     today 15:00      demo call — Ana\n"
        "  #7     2026-11-24       snoozed — Ana (snoozed; due 2026-11-21)\n"
        "  #4     2026-11-25       prepare the demo — Ana\n",
    ).replace("Due (2)", "Due (4)")
    ahead = cli("due", "--within", "3d", "--json").json()["due"]
    assert [(f["id"], f["snoozed"], f["overdue"]) for f in ahead] == [
        (1, False, False), (3, False, False), (7, True, False), (4, False, False)
    ]  # fmt: skip
    assert "#7" not in cli("due").stdout


def test_due_json_groups(cli, due_setup) -> None:
    data = cli("due", "--json").json()
    assert [f["id"] for f in data["overdue"]] == [2, 6]
    assert [f["id"] for f in data["due"]] == [1, 3]
    assert [(c["contact_id"], c["days_since"]) for c in data["cadence"]] == [(5, None), (3, 52)]
    for item in data["overdue"] + data["due"]:
        assert set(FOLLOWUP_KEYS) <= set(item)
    assert data["overdue"][0]["overdue"] is True and data["due"][0]["overdue"] is False


def test_due_with_nothing_due_prints_nothing_and_exits_0(cli, sh) -> None:
    cli("contact", "add", "Ana", "--every", "30d")
    cli("followup", "add", "ana", "later", "--due", "2026-12-20")
    result = sh("due")  # a real process, as cron runs it
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert cli("due", "--within", "2d").stdout == ""


def test_due_lists_a_lapsed_cadence_alone(cli) -> None:
    cli("contact", "add", "Duarte", "--every", "2w", env={"MINICRM_NOW": "2026-11-01T09:00:00"})
    assert cli("due").stdout == "Keep in touch (1)\n  Duarte — never contacted, every 14 days\n"
    cli("note", "add", "duarte", "caught up")
    assert cli("due").stdout == ""


def test_due_owner_filter(cli) -> None:
    cli("contact", "add", "Ana")
    cli("--as", "rita", "followup", "add", "ana", "rita's", "--due", "today")
    cli("--as", "joao", "followup", "add", "ana", "joao's", "--due", "today")
    data = cli("due", "--owner", "rita", "--json").json()
    assert [f["title"] for f in data["due"]] == ["rita's"]
    assert len(cli("due", "--owner", "rita", "--all", "--json").json()["due"]) == 2


def test_followup_show(cli, sh) -> None:
    """Issue 17.10: ``followup show ID``, on the direct path and through Typer alike."""
    cli("contact", "add", "Ana")
    cli("followup", "add", "ana", "send the quote", "--due", "2026-11-30", "--every", "1w")
    expected = "".join(
        f"{label + ':':<14} {value}\n"  # aligned on the longest label, Snoozed until
        for label, value in (
            ("ID", "1"),
            ("What", "send the quote"),
            ("Due", "2026-11-30"),
            ("Contact", "Ana"),
            ("Repeats", "every 1w"),
            ("Created", "2026-11-23 10:00"),
        )
    )
    assert cli("followup", "show", "1", "--format", "plain").stdout == expected
    assert sh("followup", "show", "1").stdout == expected
    data = cli("followup", "show", "1", "--json").json()
    assert (data["id"], data["title"], data["recurrence"]) == (1, "send the quote", "every 1w")
    missing = sh("followup", "show", "9")
    assert (missing.exit_code, missing.stderr) == (1, "error: no follow-up with id 9\n")
