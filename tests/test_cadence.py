"""Keep-in-touch cadence: per contact and per tag (cadence set|list|rm), due/lapsed in `due`,
interactions resetting the clock, do-not-contact, and contact list --stale."""

from __future__ import annotations

from minicrm.services.followups import cadence


def later(days: int) -> dict[str, str]:
    """Env that moves "now" (2026-11-23 10:00) ``days`` days on."""
    from datetime import datetime, timedelta

    moment = datetime(2026, 11, 23, 10, 0) + timedelta(days=days)
    return {"MINICRM_NOW": moment.isoformat()}


def test_cadence_set_list_rm(cli) -> None:
    cli("contact", "add", "Ana", "--tag", "vip")
    result = cli("cadence", "set", "VIP", "2w", "--max", "30d", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json() == {"tag": "vip", "ideal_days": 14, "max_days": 30, "contacts": 1}
    assert cli("cadence", "set", "vip", "10d", "--json").json()["max_days"] is None
    assert cli("cadence", "list", "--format", "plain").stdout == "vip\t10d\t20d (default)\t1\n"
    rm = cli("cadence", "rm", "vip")
    assert rm.exit_code == 0 and "removed" in rm.stderr
    assert cli("cadence", "list", "--json").json() == []


def test_cadence_on_an_unknown_tag_is_one_error_line_and_nothing_changes(cli, ctx) -> None:
    cli("contact", "add", "Ana", "--tag", "vip")
    result = cli("cadence", "set", "golfers", "14d")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("error: unknown tag 'golfers'") and len(result.stderr.splitlines()) == 1
    assert cadence.list_rules(ctx) == []


def test_bad_cadence_values_are_refused(cli, ctx) -> None:
    cli("contact", "add", "Ana", "--tag", "vip")
    for args in (("vip", "soon"), ("vip", "14d", "--max", "7d"), ("vip", "4h"), ("vip", "14d", "--max", "x")):
        result = cli("cadence", "set", *args)
        assert result.exit_code == 1 and result.stderr.startswith("error: "), (args, result.stderr)
    assert cli("cadence", "rm", "vip").exit_code == 1
    assert cadence.list_rules(ctx) == []


def test_tag_rule_makes_contacts_due_then_lapsed(cli) -> None:
    cli("contact", "add", "Ana", "--tag", "vip")
    cli("cadence", "set", "vip", "14d", "--max", "30d")
    assert cli("due", env=later(13)).stdout == ""
    due = cli("due", "--json", env=later(14)).json()["cadence"]
    assert [(c["contact"], c["cadence_days"], c["lapsed"], c["source"]) for c in due] == [
        ("Ana", 14, False, "tag:vip")
    ]
    assert due[0]["due_since"] == "2026-12-07T10:00:00+00:00"
    text = cli("due", env=later(31)).stdout
    assert text == "Keep in touch (1)\n  Ana — never contacted, every 14 days (vip) — LAPSED (over 30 days)\n"


def test_contact_cadence_wins_over_tag_rules_and_the_shortest_rule_applies(cli) -> None:
    cli("contact", "add", "Ana", "--tag", "vip", "--tag", "client")
    cli("contact", "add", "Bruno", "--tag", "vip", "--every", "60d")
    cli("cadence", "set", "client", "30d")
    cli("cadence", "set", "vip", "14d")
    due = cli("due", "--json", env=later(20)).json()["cadence"]
    assert [(c["contact"], c["cadence_days"], c["source"]) for c in due] == [("Ana", 14, "tag:vip")]
    due = cli("due", "--json", env=later(61)).json()["cadence"]
    assert {c["contact"]: (c["cadence_days"], c["source"], c["lapsed"]) for c in due} == {
        "Ana": (14, "tag:vip", True),
        "Bruno": (60, "contact", False),
    }


def test_an_interaction_resets_the_clock(cli) -> None:
    cli("contact", "add", "Ana", "--every", "30d")
    assert [c["contact"] for c in cli("due", "--json", env=later(31)).json()["cadence"]] == ["Ana"]
    assert cli("log", "call", "Ana", "caught up", env=later(31)).exit_code == 0
    assert cli("due", "--json", env=later(32)).json()["cadence"] == []
    due = cli("due", "--json", env=later(62)).json()["cadence"]
    assert [(c["contact"], c["days_since"]) for c in due] == [("Ana", 31)]


def test_do_not_contact_people_are_never_due_for_contact(cli) -> None:
    cli("contact", "add", "Ana", "--every", "7d")
    cli("contact", "edit", "Ana", "--do-not-contact")
    assert cli("due", env=later(30)).stdout == ""


def test_lapsed_come_first_then_the_longest_overdue(cli) -> None:
    cli("contact", "add", "Ana", "--every", "20d")
    cli("contact", "add", "Bruno", "--every", "7d")
    cli("contact", "add", "Carla", "--every", "10d")
    due = cli("due", "--json", env=later(15)).json()["cadence"]
    assert [(c["contact"], c["lapsed"]) for c in due] == [("Bruno", True), ("Carla", False)]


def test_contact_list_stale(cli) -> None:
    cli("contact", "add", "Ana")
    cli("contact", "add", "Bruno")
    cli("note", "add", "Bruno", "met for coffee", env=later(20))
    names = [c["name"] for c in cli("contact", "list", "--stale", "30d", "--json", env=later(40)).json()]
    assert names == ["Ana"]
    names = [c["name"] for c in cli("contact", "list", "--stale", "10d", "--json", env=later(40)).json()]
    assert names == ["Ana", "Bruno"]
    assert cli("contact", "list", "--stale", "sometime").exit_code == 1


def test_report_cadence_counts_each_contact_once_under_the_cadence_due_uses(cli) -> None:
    cli("contact", "add", "Ana", "--every", "30d", "--tag", "vip", env=later(-90))  # own 30d: lapsed
    cli("contact", "add", "Bruno", "--tag", "vip", env=later(-10))  # vip 14d: in touch
    cli("contact", "add", "Carla", "--tag", "vip", "--tag", "friend", env=later(-20))  # vip (shorter): due
    cli("contact", "add", "Dora", "--tag", "friend")  # friend 90d: in touch
    cli("contact", "add", "Eva", "--tag", "friend", env=later(-200))  # past friend's 180d: lapsed
    cli("contact", "add", "Fred", "--tag", "friend", "--owner", "rui", env=later(-100))  # friend: due
    cli("contact", "add", "Gil", "--tag", "vip", env=later(-300))
    cli("contact", "edit", "Gil", "--do-not-contact")  # never counted, as due never lists them
    cli("cadence", "set", "vip", "14d")
    cli("cadence", "set", "friend", "90d", "--max", "180d")
    data = cli("report", "cadence", "--json").json()
    assert data == {
        "sources": [
            {
                "source": "contact",
                "ideal_days": None,
                "contacts": 1,
                "in_touch": 0,
                "due": 0,
                "lapsed": 1,
                "in_touch_pct": 0.0,
            },
            {
                "source": "tag:vip",
                "ideal_days": 14,
                "contacts": 2,
                "in_touch": 1,
                "due": 1,
                "lapsed": 0,
                "in_touch_pct": 50.0,
            },
            {
                "source": "tag:friend",
                "ideal_days": 90,
                "contacts": 3,
                "in_touch": 1,
                "due": 1,
                "lapsed": 1,
                "in_touch_pct": 33.3,
            },
        ],
        "total": {
            "source": "total",
            "ideal_days": None,
            "contacts": 6,
            "in_touch": 2,
            "due": 2,
            "lapsed": 2,
            "in_touch_pct": 33.3,
        },
    }
    due = cli("due", "--json").json()["cadence"]
    assert sorted(c["contact"] for c in due) == ["Ana", "Carla", "Eva", "Fred"]  # the same four late
    assert cli("report", "cadence", "--format", "plain").stdout == (
        "contacts' own\town\t1\t0\t0\t1\t0.0%\n"
        "tag:vip\t14d\t2\t1\t1\t0\t50.0%\n"
        "tag:friend\t90d\t3\t1\t1\t1\t33.3%\n"
        "total\t\t6\t2\t2\t2\t33.3%\n"
    )
    rui = cli("report", "cadence", "--owner", "rui", "--json").json()["total"]
    assert (rui["contacts"], rui["due"]) == (1, 1)


def test_report_cadence_without_any_cadence(cli) -> None:
    cli("contact", "add", "Ana")
    assert cli("report", "cadence", "--format", "plain").stdout == ""
    table = cli("report", "cadence", "--format", "table")
    assert (table.exit_code, table.stdout) == (0, "")
    assert table.stderr.startswith("no contact has a keep-in-touch cadence")
    assert cli("report", "cadence", "--json").json()["total"]["contacts"] == 0


def test_counted_says_one_day_and_two_days() -> None:
    from minicrm.core.words import counted

    assert [counted(n, "day") for n in (0, 1, 2)] == ["0 days", "1 day", "2 days"]
    assert counted(1, "company", "companies") == "1 company"
    assert counted(3, "company", "companies") == "3 companies"
