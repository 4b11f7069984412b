"""Deals from other CRMs' report exports: Salesforce's labelled report columns, amounts that
name their currency, and closed deals closed on the day the file says."""

from __future__ import annotations

import json
from pathlib import Path

REPORT = (
    "Opportunity Name,Account Name,Amount,Stage,Close Date,Probability (%),Opportunity Owner,Type,"
    "Lead Source,Next Step\n"
    'Big deal,Acme Corp,"USD 12,500.00",Prospecting,2027-03-15,10%,John Smith,New Business,Web,Call\n'
    'Won one,Globex,"5.000,00 €",Closed Won,2026-01-10,100%,Jane Doe,Existing Business,Partner,\n'
    "Lost one,Initech,800,Closed Lost,2026-02-20,0%,Jane Doe,,,\n"
)


def _deals(cli) -> list[dict]:
    return sorted(json.loads(cli("deal", "list", "--status", "all", "--json").stdout), key=lambda d: d["id"])


def test_a_salesforce_opportunity_report_imports_every_row(cli, tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    path.write_text(REPORT)
    for preset in (["--preset", "salesforce"], []):  # named, and recognised from the header
        run = cli("import", "csv", str(path), "--type", "deals", *preset, "--dry-run")
        assert run.exit_code == 0, run.stderr
        assert run.stderr.endswith("3 would be created, 0 would be updated, 0 would be skipped, 0 rejected\n")
    assert cli("import", "csv", str(path), "--type", "deals").exit_code == 0
    big, won, lost = _deals(cli)
    assert (big["title"], big["stage"], big["status"], big["value"], big["currency"]) == (
        "Big deal",
        "lead",
        "open",
        12500.0,
        "USD",
    )
    assert (big["probability"], big["close_date"], big["company"]) == (10, "2027-03-15", "Acme Corp")
    assert (won["status"], won["value"], won["currency"]) == ("won", 5000.0, "EUR")
    assert (lost["status"], lost["value"], lost["currency"]) == ("lost", 800.0, "EUR")


def test_an_imported_closed_deal_closed_on_its_close_date(cli, tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    path.write_text(REPORT)
    cli("import", "csv", str(path), "--type", "deals")
    _, won, lost = _deals(cli)
    assert won["closed_at"].startswith("2026-01-10") and lost["closed_at"].startswith("2026-02-20")
    # so they count in the months they closed, not in the import's; their cycle is unknown
    january = json.loads(
        cli("report", "winrate", "--from", "2026-01-01", "--to", "2026-01-31", "--json").stdout
    )
    assert (january["won"], january["lost"], january["average_cycle_days"]) == (1, 0, None)
    december = json.loads(
        cli("report", "winrate", "--from", "2026-12-01", "--to", "2026-12-31", "--json").stdout
    )
    assert (december["won"], december["lost"]) == (0, 0)


def test_an_amount_in_another_currency_than_the_column_says_is_rejected(cli, tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_text("Title,Value,Currency\nSeats,USD 1200,EUR\nDesks,1200 EUR,EUR\n")
    run = cli("import", "csv", str(path), "--type", "deals")
    assert run.exit_code == 0
    assert "line 2: rejected: the amount 'USD 1200' is in USD, not EUR (Seats)" in run.stderr
    assert [(d["title"], d["value"], d["currency"]) for d in _deals(cli)] == [("Desks", 1200.0, "EUR")]
