"""Money through the CLI: import, export and the purchase record use the ISO 4217 exponent of
``core/money.py`` for every currency (HUF has 2 decimals, BIF none, KWD 3, CLF 4)."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from minicrm.core.money import EXPONENTS, MAX_MINOR, format_amount, json_number
from minicrm.services.kernel.context import open_context


@pytest.fixture
def other_db(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A second, empty database on the test's backend (a file, or a fresh PostgreSQL database)."""
    if os.environ.get("MINICRM_TEST_BACKEND", "sqlite").strip().lower() == "postgresql":
        server = request.getfixturevalue("pg_server")
        name, url = server.create()
        try:
            yield url
        finally:
            server.drop(name)
    else:
        yield str(tmp_path / "other.db")


def _deals(db: str | None = None) -> list[dict[str, Any]]:
    with open_context(db) as ctx:
        return [dict(r) for r in ctx.db.all("SELECT title, value_minor, currency FROM deal ORDER BY id")]


def _write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_csv_import_uses_the_iso_exponent(cli, tmp_path: Path) -> None:
    deals = "title,value,currency\nForint,1500,HUF\nFranc,1500,BIF\nDinar,1.234,KWD\nUnit,0.0001,CLF\n"
    run = cli("import", "csv", _write(tmp_path / "d.csv", deals), "--type", "deals")
    assert run.exit_code == 0 and run.stderr.splitlines()[-1].startswith("4 created")
    assert _deals() == [
        {"title": "Forint", "value_minor": 150000, "currency": "HUF"},
        {"title": "Franc", "value_minor": 1500, "currency": "BIF"},
        {"title": "Dinar", "value_minor": 1234, "currency": "KWD"},
        {"title": "Unit", "value_minor": 1, "currency": "CLF"},
    ]
    plain = cli("deal", "list", "--format", "plain").stdout.splitlines()
    assert [line.split("\t")[3] for line in plain] == ["1,500.00 HUF", "1,500 BIF", "1.234 KWD", "0.0001 CLF"]
    assert [d["value"] for d in cli("deal", "list", "--json").json()] == [1500, 1500, 1.234, 0.0001]


def test_csv_import_refuses_more_decimals_than_the_currency_has(cli, tmp_path: Path) -> None:
    deals = "title,value,currency\nFranc,1500.5,BIF\nYen,12.5,JPY\nOk,12.50,HUF\n"
    rejects = tmp_path / "r.csv"
    run = cli(
        "import", "csv", _write(tmp_path / "d.csv", deals), "--type", "deals", "--rejects", str(rejects)
    )
    assert run.stderr.splitlines()[-1].startswith("1 created, 0 updated, 0 skipped, 2 rejected")
    assert _deals() == [{"title": "Ok", "value_minor": 1250, "currency": "HUF"}]
    reasons = [r[-1] for r in csv.reader(io.StringIO(rejects.read_text(encoding="utf-8")))][1:]
    assert reasons == [
        "invalid amount '1500.5': BIF has 0 decimals",
        "invalid amount '12.5': JPY has 0 decimals",
    ]


def test_csv_import_refuses_a_currency_outside_iso_4217(cli, tmp_path: Path) -> None:
    deals = "title,value,currency\nMade up,10,XYZ\nLower,10,eur\n"
    rejects = tmp_path / "r.csv"
    run = cli(
        "import", "csv", _write(tmp_path / "d.csv", deals), "--type", "deals", "--rejects", str(rejects)
    )
    assert run.stderr.splitlines()[-1].startswith("1 created, 0 updated, 0 skipped, 1 rejected")
    assert _deals() == [{"title": "Lower", "value_minor": 1000, "currency": "EUR"}]
    reasons = [r[-1] for r in csv.reader(io.StringIO(rejects.read_text(encoding="utf-8")))][1:]
    assert reasons == ["unknown currency 'XYZ' (use an ISO 4217 code such as EUR, USD, GBP, JPY)"]


def test_export_csv_writes_major_units(cli) -> None:
    for title, value, currency in [
        ("Forint", "1500", "HUF"),
        ("Franc", "1500", "BIF"),
        ("Dinar", "1.234", "KWD"),
        ("Unit", "0.0001", "CLF"),
        ("Euro", "0.10", "EUR"),
    ]:
        assert cli("deal", "add", title, "--value", value, "--currency", currency).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(cli("export", "csv", "--type", "deals").stdout)))
    assert [(r["title"], r["value"], r["currency"]) for r in rows] == [
        ("Forint", "1500.00", "HUF"),
        ("Franc", "1500", "BIF"),
        ("Dinar", "1.234", "KWD"),
        ("Unit", "0.0001", "CLF"),
        ("Euro", "0.10", "EUR"),
    ]


def test_export_json_keeps_the_imported_minor_units(cli, tmp_path: Path, other_db: str) -> None:
    deals = "title,value,currency\nForint,1500,HUF\nFranc,1500,BIF\n"
    cli("import", "csv", _write(tmp_path / "d.csv", deals), "--type", "deals")
    archive = cli("export", "json").json()["tables"]["deal"]
    at = archive["columns"].index("value_minor")
    assert [row[at] for row in archive["rows"]] == [150000, 1500]
    path = tmp_path / "all.json"
    path.write_text(json.dumps({**cli("export", "json").json()}), encoding="utf-8")
    assert cli("--db", other_db, "import", "json", str(path)).exit_code == 0
    plain = cli("--db", other_db, "deal", "list", "--format", "plain").stdout.splitlines()
    assert [line.split("\t")[3] for line in plain] == ["1,500.00 HUF", "1,500 BIF"]


def test_lifetime_value_uses_the_iso_exponent(cli) -> None:
    cli("contact", "add", "Ana Lima", "--company", "Lima Lda")
    for n, (value, currency) in enumerate([("1500", "BIF"), ("0.0001", "CLF"), ("0.0002", "CLF")], 1):
        cli("deal", "add", f"D{n}", "--value", value, "--currency", currency, "--contact", "ana")
        cli("deal", "won", str(n))
    lifetime = cli("contact", "show", "ana", "--json").json()["purchases"]["lifetime_value"]
    assert [(t["currency"], t["value"], t["count"]) for t in lifetime] == [
        ("BIF", 1500, 1),
        ("CLF", 0.0003, 2),
    ]
    assert '"value": 1500,' in cli("contact", "show", "ana", "--json").stdout
    plain = cli("contact", "show", "ana", "--format", "plain").stdout
    assert "\nPurchases:\n  1,500 BIF\t1\t" in plain and "\n  0.0003 CLF\t2\t" in plain


def test_purchase_totals_are_exact(cli) -> None:
    cli("contact", "add", "Ana Lima")
    values = [("0.10", "EUR"), ("0.20", "EUR"), ("0.10", "EUR"), ("0.001", "KWD"), ("0.002", "KWD")]
    for n, (value, currency) in enumerate(values, 1):
        cli("deal", "add", f"D{n}", "--value", value, "--currency", currency, "--contact", "ana")
        cli("deal", "won", str(n))
    run = cli("contact", "show", "ana", "--json")
    lifetime = run.json()["purchases"]["lifetime_value"]
    assert [(t["currency"], t["value"], t["count"]) for t in lifetime] == [("EUR", 0.4, 3), ("KWD", 0.003, 2)]
    assert '"value": 0.4,' in run.stdout and '"value": 0.003,' in run.stdout
    plain = cli("contact", "show", "ana", "--format", "plain").stdout
    assert "\n  0.40 EUR\t3\t" in plain and "\n  0.003 KWD\t2\t" in plain
    richer = cli("contact", "list", "--min-value", "0,40", "--json").json()
    assert [c["name"] for c in richer] == ["Ana Lima"]
    assert cli("contact", "list", "--min-value", "0.41", "--json").json() == []


def _amount(minor: int, exponent: int) -> str:
    whole, frac = divmod(minor, 10**exponent)
    return f"{whole}.{frac:0{exponent}d}" if exponent else str(whole)


def test_every_iso_currency_survives_deal_add_export_and_import(cli, tmp_path: Path, other_db: str) -> None:
    """One deal per ISO 4217 code, its value using every decimal the currency has: ``deal add``
    → ``export csv`` → ``import csv`` into an empty database → the same minor units and the same
    printed value."""
    codes = sorted(EXPONENTS)
    wanted = {}
    for i, code in enumerate(codes):
        exponent = EXPONENTS[code]
        unit = 10**exponent
        minor = [
            (1000 + i) * unit + unit - 1,  # 1000.99 EUR, 1001.999 KWD, 1002 JPY
            MAX_MINOR,  # 9999999999999.99 EUR: the largest amount
            1,  # 0.01 EUR, 0.0001 CLF: the smallest
            1234567 * unit + unit // 2 + 1,  # 1234567.51 EUR, 1234567.501 KWD
        ][i % 4]
        wanted[code] = minor
        run = cli("deal", "add", f"Deal {code}", "--value", _amount(minor, exponent), "--currency", code)
        assert run.exit_code == 0, run.stderr
    assert {d["currency"]: d["value_minor"] for d in _deals()} == wanted
    exported = cli("export", "csv", "--type", "deals", "--out", str(tmp_path / "deals.csv"))
    assert exported.exit_code == 0, exported.stderr
    rows = list(csv.DictReader(io.StringIO((tmp_path / "deals.csv").read_text(encoding="utf-8"))))
    assert {r["currency"]: r["value"] for r in rows} == {c: _amount(wanted[c], EXPONENTS[c]) for c in codes}
    run = cli("--db", other_db, "import", "csv", str(tmp_path / "deals.csv"), "--type", "deals")
    assert run.exit_code == 0 and run.stderr.splitlines()[-1].startswith(f"{len(codes)} created, 0 updated")
    again = _deals(other_db)
    assert [(d["title"], d["currency"], d["value_minor"]) for d in again] == [
        (f"Deal {c}", c, wanted[c]) for c in codes
    ]
    before = cli("deal", "list", "--format", "plain", "--limit", "1000").stdout
    after = cli("--db", other_db, "deal", "list", "--format", "plain", "--limit", "1000").stdout
    shown = [line.split("\t")[3] for line in after.splitlines()]
    assert shown == [format_amount(wanted[c], c) for c in codes]
    assert [line.split("\t")[3] for line in before.splitlines()] == shown
    values = {
        d["currency"]: d["value"]
        for d in cli("--db", other_db, "deal", "list", "--json", "--limit", "1000").json()
    }
    assert values == {c: json_number(wanted[c], c) for c in codes}


def test_next_weighs_a_deal_in_its_own_currencys_units(cli) -> None:
    for title, value, currency in [("Franc", "2000000", "BIF"), ("Dinar", "2000.001", "KWD")]:
        soon = ("--close", "2026-11-30", "--probability", "50")
        assert cli("deal", "add", title, "--value", value, "--currency", currency, *soon).exit_code == 0
    parts = {item["deal_id"]: item["parts"][0] for item in cli("next", "--json").json()}
    assert parts[1]["amount"] == 1000.0 and parts[1]["detail"] == "deal #1: BIF 2,000,000 × 50%"
    assert parts[2]["amount"] == 1.0 and parts[2]["detail"] == "deal #2: KWD 2,000 × 50%"
    assert [item["deal_id"] for item in cli("next", "--json", "--limit", "1").json()] == [1]
