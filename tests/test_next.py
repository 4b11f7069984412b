"""`minicrm next`: the urgency ranking, its parts (--explain, JSON), weights from the config,
do-not-contact, --limit/--owner, and the fast path. "Now" is Monday 2026-11-23 10:00 Lisbon."""

from __future__ import annotations

from typing import Any

import pytest

from minicrm.core.clock import to_db


def add_deal(
    ctx: Any,
    title: str,
    *,
    value_minor: int | None = None,
    probability: int | None = None,
    stage: str = "proposal",
    close_date: str | None = None,
    contact_id: int | None = None,
    entered: str = "2026-11-20T10:00:00.000000Z",
    owner: str | None = None,
    currency: str = "EUR",
) -> int:
    """Deals are written straight into the table: the deals service is not this module's."""
    now = to_db(ctx.clock.now())
    with ctx.db.transaction() as db:
        return db.insert(
            "INSERT INTO deal (title, contact_id, value_minor, currency, pipeline, stage, probability, "
            "close_date, "
            "owner, status, stage_entered_at, created_at, updated_at, version) "
            "VALUES (?, ?, ?, ?, 'default', ?, ?, ?, ?, 'open', ?, ?, ?, 1)",
            (
                title,
                contact_id,
                value_minor,
                currency,
                stage,
                probability,
                close_date,
                owner,
                entered,
                now,
                now,
            ),
        )


@pytest.fixture(autouse=True)
def people(cli) -> None:
    cli("contact", "add", "Ana Lima")
    cli("contact", "add", "Bruno Dias")


def test_nothing_to_do(cli) -> None:
    result = cli("next")
    assert (result.exit_code, result.stdout) == (0, "")
    assert cli("next", "--json").json() == []


def test_overdue_days_rank_follow_ups(cli) -> None:
    cli("followup", "add", "ana", "send the quote", "--due", "2026-11-20")
    cli("followup", "add", "bruno", "call back", "--due", "today")
    cli("followup", "add", "bruno", "later", "--due", "2026-11-30")
    assert cli("next", "--format", "plain").stdout == (
        "19\tfollow-up\t1\tsend the quote\tAna Lima\tdue 2026-11-20; 3 days overdue\n"
        "10\tfollow-up\t2\tcall back\tBruno Dias\tdue today\n"
    )


def test_explain_shows_every_part(cli, ctx) -> None:
    deal = add_deal(
        ctx, "Website", value_minor=4_000_000, probability=None, close_date="2026-11-30", contact_id=1
    )
    cli("followup", "add", "ana", "send the quote", "--due", "2026-11-21", "--deal", str(deal))
    result = cli("next", "--explain")
    assert result.stdout == (
        " 1. 50  follow-up #1  send the quote — Ana Lima\n"
        "      due         10 × 1  = 10  due 2026-11-21\n"
        "      overdue      3 × 2  =  6  2 days overdue\n"
        "      deal_value   1 × 20 = 20  deal #1: EUR 40,000 × 50%\n"
        "      closing      2 × 7  = 14  closes in 7 days\n"
    )
    data = cli("next", "--json").json()
    assert data[0]["score"] == 50 and data[0]["deal_id"] == 1
    assert [p["name"] for p in data[0]["parts"]] == ["due", "overdue", "deal_value", "closing"]
    assert data[0]["parts"][2] == {
        "name": "deal_value",
        "weight": 1.0,
        "amount": 20.0,
        "points": 20.0,
        "detail": "deal #1: EUR 40,000 × 50%",
    }


def test_deal_items_for_closing_or_stale_deals_without_a_next_step(cli, ctx) -> None:
    add_deal(ctx, "Far away", value_minor=10_000_000, close_date="2027-06-30")  # nothing urgent: not listed
    add_deal(ctx, "Closing", value_minor=1_000_000, probability=80, close_date="2026-11-20", contact_id=2)
    add_deal(ctx, "Quiet", stage="lead", entered="2026-09-01T10:00:00.000000Z")
    data = cli("next", "--json").json()
    assert [(a["kind"], a["title"], a["score"]) for a in data] == [
        ("deal", "move deal #3 Quiet on (lead)", 53.0),  # quiet 83 days, idle after 30: 53 × 1
        ("deal", "move deal #2 Closing on (proposal)", 42.0),  # 8k expected: 8, + (14 + 3 days late) × 2
    ]
    assert data[0]["parts"] == [
        {
            "name": "stale",
            "weight": 1.0,
            "amount": 53,
            "points": 53.0,
            "detail": "quiet 83 days in lead (idle after 30)",
        }
    ]


def test_cadence_lapse_ranks_contacts_and_joins_their_follow_up(cli) -> None:
    cli("contact", "edit", "ana", "--every", "7d")
    cli("contact", "edit", "bruno", "--every", "7d")
    env = {"MINICRM_NOW": "2026-12-10T10:00:00"}
    cli("followup", "add", "bruno", "ask about renewal", "--due", "2026-12-10", env=env)
    data = cli("next", "--json", env=env).json()
    assert [(a["kind"], a["id"], a["score"]) for a in data] == [("followup", 1, 35.0), ("contact", 1, 25.0)]
    assert [p["name"] for p in data[0]["parts"]] == ["due", "cadence", "lapsed"]
    assert data[1]["title"] == "get in touch with Ana Lima"


def test_do_not_contact_people_are_not_suggested(cli) -> None:
    cli("contact", "edit", "ana", "--every", "7d", "--do-not-contact")
    cli("followup", "add", "ana", "call", "--due", "2026-11-20")
    cli("followup", "add", "bruno", "call", "--due", "2026-11-22")
    data = cli("next", "--json", env={"MINICRM_NOW": "2026-12-10T10:00:00"}).json()
    assert [(a["kind"], a["contact"]) for a in data] == [("followup", "Bruno Dias")]


def test_weights_come_from_the_config(cli, tmp_path, monkeypatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[next]\nweights = { due = 0, overdue_day = 10 }\n", encoding="utf-8")
    monkeypatch.setenv("MINICRM_CONFIG", str(config))
    cli("followup", "add", "ana", "old", "--due", "2026-11-21")
    cli("followup", "add", "bruno", "today", "--due", "today")
    data = cli("next", "--json").json()
    assert [(a["id"], a["score"]) for a in data] == [(1, 20.0)]  # a zero score is not suggested


def test_bad_weights_are_one_error_line(cli, tmp_path, monkeypatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[next]\nweights = { due = 'high' }\n", encoding="utf-8")
    monkeypatch.setenv("MINICRM_CONFIG", str(config))
    result = cli("next")
    assert result.exit_code == 1 and result.stderr.startswith("error: invalid config ")
    assert "weight due must be a number" in result.stderr


def test_limit_and_owner(cli) -> None:
    for day in ("2026-11-18", "2026-11-19", "2026-11-20"):
        cli("followup", "add", "ana", f"call {day}", "--due", day, "--owner", "rita")
    cli("followup", "add", "bruno", "mine", "--due", "2026-11-10", "--owner", "joao")
    assert [a["id"] for a in cli("next", "--limit", "2", "--json").json()] == [4, 1]
    assert [a["id"] for a in cli("next", "--owner", "rita", "--json").json()] == [1, 2, 3]
    assert [a["id"] for a in cli("next", "--owner", "rita", "--all", "--json").json()] == [4, 1, 2, 3]
    assert cli("next", "--limit", "0").exit_code == 2


def test_snoozed_and_future_follow_ups_are_not_suggested(cli) -> None:
    cli("followup", "add", "ana", "call", "--due", "2026-11-20")
    cli("followup", "snooze", "1", "--until", "2026-11-25")
    cli("followup", "add", "ana", "future", "--due", "2026-11-24")
    assert cli("next", "--json").json() == []


def test_fast_path_prints_what_typer_prints(cli, sh) -> None:
    cli("followup", "add", "ana", "send the quote", "--due", "2026-11-20")
    cli("contact", "edit", "bruno", "--every", "3d")
    for args in (
        ("next",),
        ("next", "--explain"),
        ("next", "--json"),
        ("next", "-n", "1", "--format", "csv"),
    ):
        fast = sh(*args)
        assert fast.exit_code == 0, fast.stderr
        assert fast.stdout == cli(*args).stdout, args
