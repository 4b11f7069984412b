"""deal add|list|show|edit|move|won|lost|rm|history through the CLI: output, JSON, exit codes,
state after reopening, the stage history and the timeline."""

from __future__ import annotations

from pathlib import Path

import pytest

from minicrm.services.deals import commands as deals
from minicrm.services.history import interactions
from minicrm.services.history.interactions import Links


def _at(moment: str) -> dict[str, str]:
    return {"MINICRM_NOW": moment}


@pytest.fixture
def ana(cli) -> None:
    assert cli("contact", "add", "Ana Lima", "--email", "ana@lima.pt", "--company", "Lima Lda").exit_code == 0


def _count(ctx, table: str) -> int:
    return int(ctx.db.scalar(f"SELECT count(*) FROM {table}"))


def test_add_prints_the_deal_as_json_with_an_exact_value(cli, ctx, ana) -> None:
    result = cli(
        "deal",
        "add",
        "Website redesign",
        "--contact",
        "ana",
        "--value",
        "1200.50",
        "--close",
        "end of month",
        "--json",
    )
    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert {
        k: data[k]
        for k in (
            "id",
            "title",
            "value",
            "currency",
            "stage",
            "pipeline",
            "probability",
            "status",
            "contact",
            "contact_id",
            "company",
            "company_id",
            "close_date",
            "owner",
            "lost_reason",
            "created_at",
            "updated_at",
            "stale",
            "version",
        )
    } == {
        "id": 1,
        "title": "Website redesign",
        "value": 1200.5,
        "currency": "EUR",
        "stage": "lead",
        "pipeline": "default",
        "probability": 10,
        "status": "open",
        "contact": "Ana Lima",
        "contact_id": 1,
        "company": "Lima Lda",
        "company_id": 1,
        "close_date": "2026-11-30",
        "owner": None,
        "lost_reason": None,
        "created_at": "2026-11-23T10:00:00+00:00",
        "updated_at": "2026-11-23T10:00:00+00:00",
        "stale": False,
        "version": 1,
    }
    assert '"value": 1200.5,' in result.stdout
    stored = ctx.db.one("SELECT value_minor, currency, stage_entered_at FROM deal WHERE id = 1")
    assert (stored["value_minor"], stored["currency"]) == (120050, "EUR")
    history = deals.stage_history(ctx, 1)
    assert [(h.from_stage, h.to_stage, h.status) for h in history] == [(None, "lead", "open")]


def test_zero_decimal_currency_and_stage_probability(cli) -> None:
    data = cli(
        "deal", "add", "Licence", "--value", "500000", "--currency", "jpy", "--stage", "Negotiation", "--json"
    ).json()
    assert (data["value"], data["currency"], data["stage"], data["probability"]) == (
        500000,
        "JPY",
        "negotiation",
        75,
    )
    assert cli("deal", "add", "Own odds", "--probability", "60", "--json").json()["probability"] == 60


def test_list_is_one_line_per_open_deal_and_filters(cli, ana) -> None:
    cli("deal", "add", "Website", "--contact", "ana", "--value", "1200.50")
    cli("deal", "add", "Hosting", "--value", "300", "--stage", "proposal", "--owner", "rui")
    cli("deal", "add", "Audit", "--value", "99.99", "--close", "2026-12-15")
    cli("deal", "won", "3")
    assert cli("deal", "list", "--format", "plain").stdout == (
        "1\tWebsite\tlead\t1,200.50 EUR\t10%\t\tAna Lima\t\t\n"
        "2\tHosting\tproposal\t300.00 EUR\t50%\t\t\trui\t\n"
    )
    assert cli("deal", "list", "--status", "won", "--format", "plain").stdout == (
        "3\tAudit\tlead\t99.99 EUR\t100%\t2026-12-15\t\t\twon\n"
    )
    assert [d["id"] for d in cli("deal", "list", "--status", "all", "--json").json()] == [1, 2, 3]
    assert [d["id"] for d in cli("deal", "list", "--stage", "proposal", "--json").json()] == [2]
    assert [d["id"] for d in cli("deal", "list", "--owner", "rui", "--json").json()] == [2]
    assert [d["id"] for d in cli("deal", "list", "--owner", "rui", "--all", "--json").json()] == [1, 2]
    assert cli("deal", "list", "--format", "csv").stdout.splitlines()[0] == (
        "id,title,stage,value,currency,prob,close,contact,owner,state"
    )


def test_move_records_the_stage_history_and_the_timeline(cli, ctx, ana) -> None:
    cli("deal", "add", "Website", "--contact", "ana", "--value", "1000", env=_at("2026-11-01T10:00:00"))
    moved = cli("deal", "move", "1", "qualified", "--json", env=_at("2026-11-05T10:00:00"))
    assert moved.exit_code == 0, moved.stderr
    assert (moved.json()["stage"], moved.json()["probability"]) == ("qualified", 25)
    assert moved.json()["stage_entered_at"] == "2026-11-05T10:00:00+00:00"
    cli("deal", "move", "1", "proposal", env=_at("2026-11-11T10:00:00"))
    shown = cli("deal", "show", "1", "--json").json()
    assert [(h["from_stage"], h["to_stage"], h["at"], h["left_at"]) for h in shown["stage_history"]] == [
        (None, "lead", "2026-11-01T10:00:00+00:00", "2026-11-05T10:00:00+00:00"),
        ("lead", "qualified", "2026-11-05T10:00:00+00:00", "2026-11-11T10:00:00+00:00"),
        ("qualified", "proposal", "2026-11-11T10:00:00+00:00", None),
    ]
    assert [i["body"] for i in shown["timeline"]] == [
        "Website: qualified → proposal",
        "Website: lead → qualified",
        "Website: created in lead",
    ]
    on_contact = interactions.timeline(ctx, Links(contact="ana"), kinds=("stage-change",))
    assert (on_contact[0].body, on_contact[0].deal_id) == ("Website: qualified → proposal", 1)
    logged = ctx.db.all(
        "SELECT action, count(*) AS n FROM change WHERE entity = 'deal_stage_change' "
        "GROUP BY action ORDER BY action"
    )
    assert [(r["action"], r["n"]) for r in logged] == [("create", 3), ("update", 2)]  # each stay closed
    text = cli("deal", "show", "1", "--format", "plain").stdout
    assert "Stage:          proposal\n" in text
    assert "  2026-11-05 10:00\tlead → qualified\t6.0d\t\n" in text
    assert "  2026-11-11 10:00\tqualified → proposal\t12.0d so far\t\n" in text


def test_won_lost_and_reopening(cli, ctx) -> None:
    cli("deal", "add", "Website", "--value", "1000", "--stage", "proposal")
    won = cli("deal", "won", "1", "--json")
    assert (won.json()["status"], won.json()["probability"], won.json()["closed_at"]) == (
        "won",
        100,
        "2026-11-23T10:00:00+00:00",
    )
    again = cli("deal", "won", "1")
    assert (again.exit_code, again.stderr) == (1, "error: deal 1 is already won\n")
    lost = cli("deal", "lost", "1", "--reason", "went with a competitor", "--json").json()
    assert (lost["status"], lost["probability"], lost["lost_reason"]) == ("lost", 0, "went with a competitor")
    reopened = cli("deal", "move", "1", "proposal", "--json").json()
    assert (
        reopened["status"],
        reopened["stage"],
        reopened["probability"],
        reopened["lost_reason"],
        reopened["closed_at"],
    ) == ("open", "proposal", 50, None, None)
    assert [(h.to_stage, h.status) for h in deals.stage_history(ctx, 1)] == [
        ("proposal", "open"),
        ("proposal", "won"),
        ("proposal", "lost"),
        ("proposal", "open"),
    ]
    bodies = [i.body for i in interactions.timeline(ctx, Links(deal="1"))]
    assert bodies[:3] == [
        "Website: reopened (lost) in proposal",
        "Website: lost in proposal (went with a competitor)",
        "Website: won in proposal",
    ]


def test_won_with_a_note_puts_it_on_the_deals_timeline_in_the_same_write(cli, ctx) -> None:
    cli("deal", "add", "Website", "--value", "1000")
    won = cli("deal", "won", "1", "--note", "signed for 2 years [annual]", "--json")
    assert (won.exit_code, won.json()["status"]) == (0, "won")
    notes = [(i.kind, i.body) for i in interactions.timeline(ctx, Links(deal="1")) if i.kind == "note"]
    assert notes == [("note", "signed for 2 years [annual]")]
    # a refused close writes no note either
    again = cli("deal", "won", "1", "--note", "twice")
    assert again.exit_code == 1
    assert [i.body for i in interactions.timeline(ctx, Links(deal="1"))].count("twice") == 0


def test_configured_lost_reasons_are_offered_and_keep_their_spelling(
    cli, tmp_path: Path, monkeypatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('lost_reasons = ["Price", "No budget", "Timing"]\n', encoding="utf-8")
    monkeypatch.setenv("MINICRM_CONFIG", str(config))
    cli("deal", "add", "Website")
    missing = cli("deal", "lost", "1")
    assert (missing.exit_code, missing.stderr) == (
        1,
        "error: a lost deal needs a reason: --reason TEXT (for example: Price, No budget, Timing)\n",
    )
    assert cli("deal", "lost", "1", "--reason", "price", "--json").json()["lost_reason"] == "Price"
    assert cli("deal", "edit", "1", "--reason", "a free text reason", "--json").json()["lost_reason"] == (
        "a free text reason"
    )


def test_edit_changes_only_what_is_given(cli, ctx, ana) -> None:
    cli("deal", "add", "Website", "--value", "1200", "--probability", "40")
    data = cli(
        "deal", "edit", "1", "--title", "Web shop", "--contact", "ana", "--close", "2026-12-24", "--json"
    ).json()
    assert (
        data["title"],
        data["contact"],
        data["company"],
        data["close_date"],
        data["value"],
        data["probability"],
    ) == ("Web shop", "Ana Lima", None, "2026-12-24", 1200, 40)
    data = cli("deal", "edit", "1", "--currency", "usd", "--clear", "probability", "--json").json()
    assert (data["value"], data["currency"], data["probability"]) == (1200, "USD", 10)
    assert cli("deal", "edit", "1", "--value", "99.95", "--json").json()["value"] == 99.95
    assert cli("search", "web shop", "--format", "plain").stdout == "deal\t1\tWeb shop\tlead (open)\n"
    history = cli("deal", "history", "1", "--json").json()
    assert [h["action"] for h in history] == ["create", "update", "update", "update"]
    assert history[1]["changes"]["title"] == {"before": "Website", "after": "Web shop"}
    cleared = cli("deal", "edit", "1", "--clear", "value", "--clear", "close", "--json").json()
    assert (cleared["value"], cleared["close_date"]) == (None, None)


def test_rm_asks_and_deletes_with_the_stage_history(cli, ctx) -> None:
    cli("deal", "add", "Website")
    refused = cli("deal", "rm", "1")
    assert refused.exit_code == 1 and "refusing without --yes" in refused.stderr
    assert _count(ctx, "deal") == 1
    done = cli("deal", "rm", "1", "--yes")
    assert (done.exit_code, done.stderr) == (0, "deleted #1 Website\n")
    assert _count(ctx, "deal") == 0 and _count(ctx, "deal_stage_change") == 0
    assert ctx.db.scalar("SELECT count(*) FROM search_doc WHERE entity = 'deal'") == 0
    assert (
        ctx.db.scalar("SELECT action FROM change WHERE entity = 'deal' ORDER BY id DESC LIMIT 1") == "delete"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("deal", "add", "X", "--stage", "won"),
            "error: unknown stage 'won' in pipeline 'default' (stages: lead, "
            "qualified, proposal, negotiation; close a deal with `deal won` or "
            "`deal lost`)\n",
        ),
        (
            ("deal", "add", "X", "--pipeline", "enterprise"),
            "error: unknown pipeline 'enterprise' (known: default)\n",
        ),
        (
            ("deal", "add", "X", "--value", "-5"),
            "error: invalid value '-5': a deal value cannot be negative\n",
        ),
        (
            ("deal", "add", "X", "--value", "lots"),
            "error: invalid value 'lots': give a plain number such as 1200.50 "
            "(no signs, commas or exponents)\n",
        ),
        (
            ("deal", "add", "X", "--currency", "BTC"),
            "error: unknown currency 'BTC' (use an ISO 4217 code such as EUR, USD, GBP, JPY)\n",
        ),
        (
            ("deal", "add", "X", "--probability", "101"),
            "error: invalid probability 101: give a whole percentage from 0 to 100\n",
        ),
        (
            ("deal", "add", "X", "--close", "someday"),
            "error: cannot understand the date 'someday' "
            "(try 2026-12-01, tomorrow, next friday, in 3 days)\n",
        ),
        (("deal", "move", "1", "lead"), "error: deal 1 is already in stage 'lead'\n"),
        (
            ("deal", "move", "1", "closing"),
            "error: unknown stage 'closing' in pipeline 'default' (stages: lead, "
            "qualified, proposal, negotiation; close a deal with `deal won` or "
            "`deal lost`)\n",
        ),
        (
            ("deal", "move", "1", "qualified", "--probability", "-1"),
            "error: invalid probability -1: give a whole percentage from 0 to 100\n",
        ),
        (("deal", "lost", "1"), "error: a lost deal needs a reason: --reason TEXT\n"),
        (("deal", "lost", "1", "--reason", "  "), "error: a lost deal needs a reason: --reason TEXT\n"),
        (
            ("deal", "edit", "1", "--value", "1.234"),
            "error: invalid value '1.234': EUR has 2 decimal places\n",
        ),
        (
            ("deal", "edit", "1", "--reason", "x"),
            "error: deal 1 is open: only a lost deal has a lost reason\n",
        ),
        (("deal", "show", "99"), "error: no deal with id 99\n"),
        (("deal", "move", "99", "lead"), "error: no deal with id 99\n"),
        (("deal", "won", "99"), "error: no deal with id 99\n"),
        (("deal", "lost", "99", "--reason", "x"), "error: no deal with id 99\n"),
        (("deal", "rm", "99", "--yes"), "error: no deal with id 99\n"),
        (("deal", "show", "abc"), "error: a deal is referenced by its id, not 'abc'\n"),
        (
            ("deal", "list", "--status", "pending"),
            "error: invalid status 'pending' (choose from open, won, lost)\n",
        ),
    ],
)
def test_bad_input_is_one_error_line_exit_1_and_changes_nothing(cli, ctx, args, message) -> None:
    cli("deal", "add", "Existing", "--value", "10")
    before = [_count(ctx, t) for t in ("deal", "deal_stage_change", "interaction", "change")]
    version = ctx.db.scalar("SELECT version FROM deal WHERE id = 1")
    result = cli(*args)
    assert (result.exit_code, result.stderr, result.stdout) == (1, message, "")
    assert [_count(ctx, t) for t in ("deal", "deal_stage_change", "interaction", "change")] == before
    assert ctx.db.scalar("SELECT version FROM deal WHERE id = 1") == version


def test_a_deal_rots_when_idle_longer_than_its_stage_allows(cli) -> None:
    cli("deal", "add", "Old lead", env=_at("2026-10-24T10:00:00"))  # lead allows 30 idle days
    cli("deal", "add", "Fresh lead", env=_at("2026-10-24T12:00:00"))
    cli("note", "add", "--deal", "2", "called them", env=_at("2026-11-20T10:00:00"))
    listed = {d["id"]: d["stale"] for d in cli("deal", "list", "--json").json()}
    assert listed == {1: True, 2: False}
    assert cli("deal", "list", "--stale", "--format", "plain").stdout.split("\t")[-1] == "stale\n"
    assert cli("deal", "move", "1", "qualified", "--json").json()["stale"] is False


def test_a_stage_removed_from_the_config_keeps_its_deals(cli, tmp_path: Path, monkeypatch) -> None:
    cli("deal", "add", "Website", "--value", "100", "--stage", "proposal")
    config = tmp_path / "config.toml"
    config.write_text(
        '[[pipelines]]\nname = "default"\nstages = [{ name = "lead", probability = 20, idle_days = 7 },'
        ' { name = "won-over", probability = 90 }]\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("MINICRM_CONFIG", str(config))
    shown = cli("deal", "show", "1", "--json").json()
    assert (shown["stage"], shown["stage_known"], shown["probability"]) == ("proposal", False, 0)
    assert cli("deal", "list", "--format", "plain").stdout.endswith("\tstage not in config\n")
    stages = cli("pipeline", "stages", "--format", "plain")
    assert stages.stdout == (
        "default\t1\tlead\t20%\t7\t0\t\n"
        "default\t2\twon-over\t90%\t\t0\t\n"
        "default\t\tproposal\t\t\t1\tnot in config\n"
    )
    assert "1 open deal(s) are in stages no longer configured" in stages.stderr
    board = cli("pipeline", "--json").json()
    assert [(s["stage"], s["count"], s["in_config"]) for s in board["stages"]] == [
        ("lead", 0, True),
        ("won-over", 0, True),
        ("(unknown stage)", 1, False),
    ]
    assert board["stages"][2]["deals"][0]["title"] == "Website"
    moved = cli("deal", "move", "1", "won-over", "--json").json()
    assert (moved["stage"], moved["probability"]) == ("won-over", 90)


def test_contact_show_lists_deals_with_their_value(cli, ana) -> None:
    cli("deal", "add", "Website", "--contact", "ana", "--value", "1200.50")
    assert (
        "\nDeals:\n  1\tWebsite\tlead\topen\t1,200.50 EUR\n"
        in cli("contact", "show", "ana", "--format", "plain").stdout
    )
    deals_json = cli("contact", "show", "ana", "--json").json()["deals"]
    assert [(d["id"], d["value"], d["currency"]) for d in deals_json] == [(1, 1200.5, "EUR")]


def test_deal_history_is_readable_money_and_moments_not_raw_fields(cli) -> None:
    """Issue 17.10: no ``value_minor: 1250000``, no Python dicts, no UTC timestamps."""
    cli("contact", "add", "Ana Lima")
    assert cli("deal", "add", "Seats", "--contact", "ana", "--value", "12500").exit_code == 0
    assert cli("deal", "edit", "1", "--value", "13000.50", "--close", "2026-12-31").exit_code == 0
    assert cli("deal", "move", "1", "qualified").exit_code == 0
    assert cli("deal", "won", "1").exit_code == 0
    lines = cli("deal", "history", "1", "--format", "plain").stdout.splitlines()
    assert [line.split("\t")[2:] for line in lines] == [
        ["create", "contact: #1; currency: EUR; pipeline: default; stage: lead; status: open; title: Seats; "
         "value: 12,500.00 EUR"],
        ["update", "close_date: ∅ → 2026-12-31; value: 12,500.00 EUR → 13,000.50 EUR"],
        ["update", "stage: lead → qualified"],
        ["update", "closed: ∅ → 2026-11-23 10:00; status: open → won"],
    ]  # fmt: skip
    raw = cli("deal", "history", "1", "--json").json()  # machine output keeps the stored fields
    assert raw[1]["changes"]["value_minor"] == {"before": 1250000, "after": 1300050}


def test_deal_values_in_csv_are_numbers_with_a_currency_column(cli) -> None:
    cli("contact", "add", "Ana Lima")
    cli("deal", "add", "Seats", "--contact", "ana", "--value", "12500")
    cli("deal", "add", "Yen deal", "--contact", "ana", "--value", "1500", "--currency", "JPY")
    out = cli("deal", "list", "--format", "csv").stdout
    assert out.splitlines() == [
        "id,title,stage,value,currency,prob,close,contact,owner,state",
        "1,Seats,lead,12500.00,EUR,10%,,Ana Lima,,",
        "2,Yen deal,lead,1500,JPY,10%,,Ana Lima,,",
    ]
    table = cli("deal", "list", "--format", "plain").stdout
    assert "12,500.00 EUR" in table  # people read formatted money
