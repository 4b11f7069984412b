"""The board, ``pipeline stages`` and every report, with exact figures on a hand-built dataset.

Each step runs with its own pinned clock (MINICRM_NOW), so the stage history has known
timestamps. "Now" is 2026-11-23 10:00 (Europe/Lisbon = UTC in November).

    id deal        contact  value         history (at 10:00 local)                          now
    1  Training    Bruno     250.25 EUR   lead 10-20 (09:00 UTC), close 2026-12-20            open, stale
    2  Website     Ana      1200.50 EUR   lead 11-01 → qualified 11-05 → proposal 11-11 → won 11-15
    3  Hosting     Bruno     300.00 EUR   lead 11-02 → qualified 11-04 → lost 11-10 "price"
    4  Audit       Ana      1000.00 EUR   lead 11-03 → proposal 11-13, close 2026-12-15       open
    5  Retainer    (rui)     700.00 EUR   lead 11-06 → lost 11-12 "price"
    6  Upgrade                50.00 EUR   lead 11-16 → lost 11-18 "no budget"
    7  Licence              500000 JPY    negotiation 11-19, close 2027-01-31                 open
    8  Consulting            400.00 EUR   proposal 11-21 at 60 %, close 2026-12-01            open
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest


def _at(day: str) -> dict[str, str]:
    return {"MINICRM_NOW": f"{day}T10:00:00"}


_BUILT: dict[str, bytes] = {}


@pytest.fixture
def dataset(cli, db_path: Path) -> None:
    """The dataset, built once per test process and copied into each test's database."""
    if "db" in _BUILT:
        db_path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
        db_path.write_bytes(_BUILT["db"])
        return
    _build(cli)
    conn = sqlite3.connect(db_path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    _BUILT["db"] = db_path.read_bytes()


def _build(cli) -> None:
    steps: list[tuple[str, tuple[str, ...]]] = [
        ("2026-10-01", ("contact", "add", "Ana Lima", "--company", "Lima Lda")),
        ("2026-10-01", ("contact", "add", "Bruno Dias")),
        (
            "2026-10-20",
            ("deal", "add", "Training", "--contact", "Bruno", "--value", "250.25", "--close", "2026-12-20"),
        ),
        ("2026-11-01", ("deal", "add", "Website", "--contact", "Ana", "--value", "1200.50")),
        ("2026-11-02", ("deal", "add", "Hosting", "--contact", "Bruno", "--value", "300")),
        (
            "2026-11-03",
            ("deal", "add", "Audit", "--contact", "Ana", "--value", "1000", "--close", "2026-12-15"),
        ),
        ("2026-11-04", ("deal", "move", "3", "qualified")),
        ("2026-11-05", ("deal", "move", "2", "qualified")),
        ("2026-11-06", ("deal", "add", "Retainer", "--value", "700", "--owner", "rui")),
        ("2026-11-10", ("deal", "lost", "3", "--reason", "price")),
        ("2026-11-11", ("deal", "move", "2", "proposal")),
        ("2026-11-12", ("deal", "lost", "5", "--reason", "price")),
        ("2026-11-13", ("deal", "move", "4", "proposal")),
        ("2026-11-15", ("deal", "won", "2")),
        ("2026-11-16", ("deal", "add", "Upgrade", "--value", "50")),
        ("2026-11-18", ("deal", "lost", "6", "--reason", "no budget")),
        (
            "2026-11-19",
            (
                "deal",
                "add",
                "Licence",
                "--value",
                "500000",
                "--currency",
                "JPY",
                "--stage",
                "negotiation",
                "--close",
                "2027-01-31",
            ),
        ),
        (
            "2026-11-21",
            (
                "deal",
                "add",
                "Consulting",
                "--value",
                "400",
                "--stage",
                "proposal",
                "--probability",
                "60",
                "--close",
                "2026-12-01",
            ),
        ),
        ("2026-11-23", ("note", "add", "Ana", "sent the contract")),
        ("2026-11-23", ("log", "call", "Bruno", "follow up", "--at", "2026-11-17 15:00")),
    ]
    for day, args in steps:
        result = cli(*args, env=_at(day))
        assert result.exit_code == 0, (args, result.stderr)
    titles = {d["id"]: d["title"] for d in cli("deal", "list", "--status", "all", "--json").json()}
    assert titles == {
        1: "Training",
        2: "Website",
        3: "Hosting",
        4: "Audit",
        5: "Retainer",
        6: "Upgrade",
        7: "Licence",
        8: "Consulting",
    }


def test_board_columns_count_total_and_weighted_per_currency(cli, dataset) -> None:
    board = cli("pipeline", "--json").json()
    assert board["count"] == 4
    assert board["total"] == {"EUR": 1650.25, "JPY": 500000}
    # 250.25 × 10% = 25.025 → 25.03; 1000 × 50% + 400 × 60% = 740; 500000 × 75% = 375000
    assert board["weighted"] == {"EUR": 765.03, "JPY": 375000}
    summary = [
        (s["stage"], s["count"], s["total"], s["weighted"], s["stale"], [d["id"] for d in s["deals"]])
        for s in board["stages"]
    ]
    assert summary == [
        ("lead", 1, {"EUR": 250.25}, {"EUR": 25.03}, 1, [1]),
        ("qualified", 0, {}, {}, 0, []),
        ("proposal", 2, {"EUR": 1400}, {"EUR": 740}, 0, [4, 8]),
        ("negotiation", 1, {"JPY": 500000}, {"JPY": 375000}, 0, [7]),
    ]
    assert board["stages"][0]["deals"][0]["stale"] is True


def test_board_as_text_fits_80_columns_and_marks_stale_deals(cli, dataset) -> None:
    text = cli("pipeline").stdout
    assert text == (
        "Pipeline default — 4 open deals\n"
        "  total 1,650.25 EUR · weighted 765.03 EUR\n"
        "  total 500,000 JPY · weighted 375,000 JPY\n"
        "\n"
        "lead 10% — 1 deal, 1 stale\n"
        "  total 250.25 EUR · weighted 25.03 EUR\n"
        "  #1     Training                               250.25 EUR  Bruno Dias     STALE\n"
        "\n"
        "qualified 25% — 0 deals\n"
        "\n"
        "proposal 50% — 2 deals\n"
        "  total 1,400.00 EUR · weighted 740.00 EUR\n"
        "  #4     Audit                                1,000.00 EUR  Ana Lima\n"
        "  #8     Consulting                             400.00 EUR\n"
        "\n"
        "negotiation 75% — 1 deal\n"
        "  total 500,000 JPY · weighted 375,000 JPY\n"
        "  #7     Licence                               500,000 JPY\n"
    )
    assert max(len(line) for line in text.splitlines()) <= 80
    limited = cli("pipeline", "--limit", "1").stdout
    assert "  #4     Audit" in limited and "#8" not in limited and "  … and 1 more\n" in limited
    assert cli("pipeline", "--owner", "rui", "--json").json()["count"] == 0


def test_board_table_on_a_terminal_is_80_columns(cli, dataset, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    text = cli("pipeline", "--format", "table").stdout
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert lines[1].split() == ["lead", "10%", "qualified", "25%", "proposal", "50%", "negotiation", "75%"]
    assert (
        lines[0].strip() == "Pipeline default: 1,650.25 EUR; 500,000 JPY (weighted 765.03 EUR; 375,000 JPY)"
    )
    assert "#1 Training" in text and "STALE" in text


def test_pipeline_stages_lists_the_configured_stages(cli, dataset) -> None:
    assert cli("pipeline", "stages", "--format", "plain").stdout == (
        "default\t1\tlead\t10%\t30\t1\t\n"
        "default\t2\tqualified\t25%\t21\t0\t\n"
        "default\t3\tproposal\t50%\t14\t2\t\n"
        "default\t4\tnegotiation\t75%\t14\t1\t\n"
    )


def test_report_pipeline(cli, dataset) -> None:
    data = cli("report", "pipeline", "--json").json()
    # ages at 11-23 10:00: Training 34 days (+1 h: created 09:00 UTC), Audit 20, Consulting 2, Licence 4
    assert data["stages"] == [
        {
            "stage": "lead",
            "in_config": True,
            "count": 1,
            "value": {"EUR": 250.25},
            "weighted": {"EUR": 25.03},
            "average_age_days": 34.0,
            "stale": 1,
        },
        {
            "stage": "qualified",
            "in_config": True,
            "count": 0,
            "value": {},
            "weighted": {},
            "average_age_days": None,
            "stale": 0,
        },
        {
            "stage": "proposal",
            "in_config": True,
            "count": 2,
            "value": {"EUR": 1400},
            "weighted": {"EUR": 740},
            "average_age_days": 11.0,
            "stale": 0,
        },
        {
            "stage": "negotiation",
            "in_config": True,
            "count": 1,
            "value": {"JPY": 500000},
            "weighted": {"JPY": 375000},
            "average_age_days": 4.0,
            "stale": 0,
        },
    ]
    assert data["total"] == {
        "stage": "total",
        "in_config": True,
        "count": 4,
        "value": {"EUR": 1650.25, "JPY": 500000},
        "weighted": {"EUR": 765.03, "JPY": 375000},
        "average_age_days": 15.0,
        "stale": 1,
    }
    assert cli("report", "pipeline", "--format", "plain").stdout == (
        "lead\t1\t250.25 EUR\t25.03 EUR\t34.0\t1\n"
        "qualified\t0\t\t\t\t0\n"
        "proposal\t2\t1,400.00 EUR\t740.00 EUR\t11.0\t0\n"
        "negotiation\t1\t500,000 JPY\t375,000 JPY\t4.0\t0\n"
        "total\t4\t1,650.25 EUR; 500,000 JPY\t765.03 EUR; 375,000 JPY\t15.0\t1\n"
    )
    assert cli("report", "pipeline", "--format", "csv").stdout.splitlines() == [
        "stage,count,average_age_days,stale,currency,value,weighted",
        "lead,1,34.0,1,EUR,250.25,25.03",
        "qualified,0,,0,,,",
        "proposal,2,11.0,0,EUR,1400,740",
        "negotiation,1,4.0,0,JPY,500000,375000",
        "total,4,15.0,1,EUR,1650.25,765.03",
        "total,4,15.0,1,JPY,500000,375000",
    ]
    # --from/--to bound the expected close date: only Audit (12-15) and Consulting (12-01)
    december = cli("report", "pipeline", "--from", "2026-12-01", "--to", "2026-12-15", "--json").json()
    assert december["total"]["count"] == 2 and december["total"]["value"] == {"EUR": 1400}


def test_report_forecast(cli, dataset) -> None:
    data = cli("report", "forecast", "--json").json()
    # December: 1000 + 250.25 + 400 best; 500 + 25.025 + 240 = 765.025 → 765.03 weighted
    assert data["months"] == [
        {"month": "2026-12", "currency": "EUR", "count": 3, "best_case": 1650.25, "weighted": 765.03},
        {"month": "2027-01", "currency": "JPY", "count": 1, "best_case": 500000, "weighted": 375000},
    ]
    assert cli("report", "forecast", "--format", "plain").stdout == (
        "2026-12\t3\t765.03 EUR\t1,650.25 EUR\n2027-01\t1\t375,000 JPY\t500,000 JPY\n"
    )
    chart = cli("report", "forecast", "--format", "table").stdout
    assert "Forecast in EUR (█ weighted, ░ best case)\n" in chart
    # the best case fills the 30-character bar; weighted is 765.03 / 1650.25 of it = 14 blocks
    assert "2026-12  " + "█" * 14 + "░" * 16 + " 765.03 EUR / 1,650.25 EUR\n" in chart
    assert cli("report", "forecast", "--to", "2026-12-31", "--json").json()["months"][1:] == []


def test_report_winrate(cli, dataset) -> None:
    data = cli("report", "winrate", "--json").json()
    # 1 won, 3 lost: 25 %; Website took 11-01 → 11-15 = 14 days
    assert data == {
        "won": 1,
        "lost": 3,
        "won_value": {"EUR": 1200.5},
        "lost_value": {"EUR": 1050},
        "win_rate": 25.0,
        "average_cycle_days": 14.0,
        "lost_reasons": [
            {"reason": "price", "count": 2, "value": {"EUR": 1000}},
            {"reason": "no budget", "count": 1, "value": {"EUR": 50}},
        ],
    }
    assert cli("report", "winrate", "--format", "plain").stdout == (
        "Won:             1 · 1,200.50 EUR\n"
        "Lost:            3 · 1,050.00 EUR\n"
        "Win rate:        25.0%\n"
        "Avg sales cycle: 14.0 days\n"
        "\nLost reasons:\n"
        "  price\t2\t1,000.00 EUR\n"
        "  no budget\t1\t50.00 EUR\n"
    )
    # closed from 11-11 on: Website won, Retainer and Upgrade lost → 1 of 3
    since = cli("report", "winrate", "--from", "2026-11-11", "--json").json()
    assert (since["won"], since["lost"], since["win_rate"]) == (1, 2, 33.3)
    assert cli("report", "winrate", "--owner", "rui", "--json").json()["lost_reasons"] == [
        {"reason": "price", "count": 1, "value": {"EUR": 700}}
    ]


def test_report_conversion(cli, dataset) -> None:
    data = cli("report", "conversion", "--json").json()
    # lead: entered by 1,2,3,4,5,6 and left onwards by 2,3,4 → 50 %; completed stays
    #   Website 4 d, Hosting 2 d, Audit 10 d, Retainer 6 d, Upgrade 2 d → 24 / 5 = 4.8 d
    # qualified: 2 and 3 entered, 2 moved on; stays 6 d and 6 d
    # proposal: 2, 4, 8 entered, 2 was won; Website stayed 4 d
    assert data == {
        "pipeline": "default",
        "deals": 8,
        "won": 1,
        "stages": [
            {"stage": "lead", "entered": 6, "advanced": 3, "conversion": 50.0, "average_days": 4.8},
            {"stage": "qualified", "entered": 2, "advanced": 1, "conversion": 50.0, "average_days": 6.0},
            {"stage": "proposal", "entered": 3, "advanced": 1, "conversion": 33.3, "average_days": 4.0},
            {"stage": "negotiation", "entered": 1, "advanced": 0, "conversion": 0.0, "average_days": None},
        ],
    }
    assert cli("report", "conversion", "--format", "plain").stdout == (
        "lead\t6\t3\t50.0%\t4.8\n"
        "qualified\t2\t1\t50.0%\t6.0\n"
        "proposal\t3\t1\t33.3%\t4.0\n"
        "negotiation\t1\t0\t0.0%\t\n"
    )
    # deals created from 11-10 on: Upgrade, Licence, Consulting
    later = cli("report", "conversion", "--from", "2026-11-10", "--json").json()
    assert (later["deals"], [s["entered"] for s in later["stages"]]) == (3, [1, 0, 1, 1])


def test_report_activity(cli, dataset) -> None:
    data = cli("report", "activity", "--json").json()
    assert data == {
        "kinds": ["call", "note", "stage-change"],
        "weeks": [
            {"week": "2026-W43", "counts": {"stage-change": 1}, "total": 1},
            {"week": "2026-W44", "counts": {"stage-change": 1}, "total": 1},
            {"week": "2026-W45", "counts": {"stage-change": 5}, "total": 5},
            {"week": "2026-W46", "counts": {"stage-change": 5}, "total": 5},
            {"week": "2026-W47", "counts": {"call": 1, "stage-change": 4}, "total": 5},
            {"week": "2026-W48", "counts": {"note": 1}, "total": 1},
        ],
    }
    assert cli("report", "activity", "--from", "2026-11-16", "--format", "csv").stdout.splitlines() == [
        "week,call,note,stage-change,total",
        "2026-W47,1,0,4,5",
        "2026-W48,0,1,0,1",
    ]


@pytest.mark.parametrize("kind", ["pipeline", "forecast", "winrate", "conversion", "activity"])
def test_every_report_takes_the_common_options_and_rejects_bad_ones(cli, dataset, kind) -> None:
    ok = cli(
        "report",
        kind,
        "--from",
        "2026-01-01",
        "--to",
        "2027-12-31",
        "--owner",
        "rui",
        "--pipeline",
        "default",
        "--format",
        "jsonl",
    )
    assert ok.exit_code == 0, ok.stderr
    bad = cli("report", kind, "--pipeline", "enterprise")
    assert (bad.exit_code, bad.stderr) == (1, "error: unknown pipeline 'enterprise' (known: default)\n")
    backwards = cli("report", kind, "--from", "2026-12-01", "--to", "2026-11-01")
    assert (backwards.exit_code, backwards.stderr) == (
        1,
        "error: --from 2026-12-01 is after --to 2026-11-01\n",
    )
    assert cli("report", kind, "--format", "xml").exit_code == 1


def test_the_fast_path_prints_what_typer_prints(cli, sh, dataset) -> None:
    for args in (
        ("pipeline",),
        ("pipeline", "stages"),
        ("report", "winrate", "--json"),
        ("report", "conversion", "--format", "csv"),
        ("report", "pipeline", "--from", "2026-12-01"),
    ):
        fast = sh(*args)
        assert (fast.exit_code, fast.stdout) == (0, cli(*args).stdout), args


@pytest.mark.postgres
def test_postgresql_gives_the_same_board_and_reports(cli, pg_url, tmp_path, monkeypatch) -> None:
    """The same dataset built on SQLite and on a fresh PostgreSQL database: every report prints
    the same JSON."""
    commands = [
        ("pipeline", "--json"),
        ("pipeline", "stages", "--json"),
        *(
            ("report", kind, "--json")
            for kind in ("pipeline", "forecast", "winrate", "conversion", "activity")
        ),
        ("report", "conversion", "--from", "2026-11-10", "--json"),
        ("report", "winrate", "--owner", "rui", "--json"),
    ]
    monkeypatch.setenv("MINICRM_DB", str(tmp_path / "reports.db"))
    _build(cli)
    on_sqlite = [cli(*args).json() for args in commands]
    monkeypatch.setenv("MINICRM_DB", pg_url)
    _build(cli)
    assert [cli(*args).json() for args in commands] == on_sqlite


@pytest.mark.parametrize(
    ("tz", "late_sunday", "early_monday"),
    [
        ("Asia/Kolkata", "2026-11-15 23:50", "2026-11-16 00:10"),  # UTC+05:30: not on a UTC hour
        ("Europe/Lisbon", "2026-10-25 23:59", "2026-10-26 00:00"),  # the Sunday summer time ends
    ],
)
def test_activity_weeks_start_at_local_midnight_on_monday(
    cli, monkeypatch, tz, late_sunday, early_monday
) -> None:
    monkeypatch.setenv("MINICRM_TZ", tz)
    cli("contact", "add", "Ana")
    cli("log", "call", "ana", "late on Sunday", "--at", late_sunday)
    cli("log", "meeting", "ana", "early on Monday", "--at", early_monday)
    sunday = date.fromisoformat(late_sunday[:10])
    monday = date.fromisoformat(early_monday[:10])
    data = cli("report", "activity", "--from", str(sunday - timedelta(days=6)), "--json").json()
    week = "{0}-W{1:02d}".format
    assert data["weeks"] == [
        {"week": week(*sunday.isocalendar()[:2]), "counts": {"call": 1}, "total": 1},
        {"week": week(*monday.isocalendar()[:2]), "counts": {"meeting": 1}, "total": 1},
    ]
