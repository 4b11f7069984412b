"""Purchase history from won deals: contact show, company show, --sort value, --min-value."""

from __future__ import annotations

import pytest


def _deal(
    ctx,
    title: str,
    *,
    contact: int | None,
    company: int | None,
    value: int | None,
    currency: str = "EUR",
    status: str = "won",
    closed_at: str | None = "2026-10-01T10:00:00.000000Z",
) -> None:
    at = "2026-09-01T10:00:00.000000Z"
    ctx.db.execute(
        "INSERT INTO deal (title, contact_id, company_id, value_minor, currency, pipeline, stage, status, "
        "closed_at, stage_entered_at, created_at, updated_at, version) "
        "VALUES (?, ?, ?, ?, ?, 'default', 'negotiation', ?, ?, ?, ?, ?, 1)",
        (title, contact, company, value, currency, status, closed_at, at, at, at),
    )


@pytest.fixture
def history(cli, ctx) -> None:
    cli("contact", "add", "Ana Lima", "--company", "Lima Lda")  # 1, company 1
    cli("contact", "add", "Bruno Dias", "--company", "Lima Lda")  # 2
    cli("contact", "add", "Carla Sousa")  # 3
    _deal(ctx, "A1", contact=1, company=1, value=150050, closed_at="2026-03-02T10:00:00.000000Z")
    _deal(ctx, "A2", contact=1, company=None, value=20000, closed_at="2026-10-31T23:30:00.000000Z")
    _deal(
        ctx,
        "A3",
        contact=1,
        company=None,
        value=5000,
        currency="USD",
        closed_at="2026-05-05T10:00:00.000000Z",
    )
    _deal(ctx, "A-open", contact=1, company=None, value=999999, status="open", closed_at=None)
    _deal(ctx, "B1", contact=2, company=None, value=100000)
    _deal(ctx, "Lost", contact=3, company=None, value=500000, status="lost")
    _deal(ctx, "Company", contact=None, company=1, value=1000)


def test_contact_show_has_lifetime_value_per_currency_and_dates(cli, history) -> None:
    data = cli("contact", "show", "ana", "--json").json()
    assert data["purchases"] == {
        "count": 3,
        "first": "2026-03-02",
        "last": "2026-10-31",
        "lifetime_value": [
            {"currency": "EUR", "value": 1700.5, "count": 2, "first": "2026-03-02", "last": "2026-10-31"},
            {"currency": "USD", "value": 50.0, "count": 1, "first": "2026-05-05", "last": "2026-05-05"},
        ],
    }
    plain = cli("contact", "show", "ana", "--format", "plain").stdout
    assert (
        "\nPurchases:\n  1,700.50 EUR\t2\t2026-03-02\t2026-10-31\n  50.00 USD\t1\t2026-05-05\t2026-05-05\n"
        in plain
    )


def test_a_contact_without_won_deals_has_an_empty_history(cli, history) -> None:
    data = cli("contact", "show", "carla", "--json").json()
    assert data["purchases"] == {"count": 0, "first": None, "last": None, "lifetime_value": []}
    assert "Purchases:" not in cli("contact", "show", "carla", "--format", "plain").stdout


def test_company_show_counts_its_own_and_its_peoples_deals(cli, history) -> None:
    data = cli("company", "show", "Lima Lda", "--json").json()
    eur = data["purchases"]["lifetime_value"][0]
    assert (eur["currency"], eur["value"], eur["count"]) == ("EUR", 2710.5, 4)
    assert data["purchases"]["count"] == 5


def test_sort_by_value_and_min_value(cli, sh, history) -> None:
    by_value = cli("contact", "list", "--sort", "-value", "--format", "plain").stdout
    assert [line.split("\t")[1] for line in by_value.splitlines()] == [
        "Ana Lima",
        "Bruno Dias",
        "Carla Sousa",
    ]
    rich = cli("contact", "list", "--min-value", "1000", "--format", "plain").stdout
    assert [line.split("\t")[1] for line in rich.splitlines()] == ["Ana Lima", "Bruno Dias"]
    richer = cli("contact", "list", "--min-value", "1000.51", "--json").json()
    assert [c["name"] for c in richer] == ["Ana Lima"]
    fast = sh("contact", "list", "--min-value", "1000", "--sort", "-value", "--format", "plain")
    assert (
        fast.stdout
        == cli("contact", "list", "--min-value", "1000", "--sort", "-value", "--format", "plain").stdout
    )
    bad = cli("contact", "list", "--min-value", "1.234")
    assert (bad.exit_code, bad.stderr) == (1, "error: invalid amount '1.234': EUR has 2 decimals\n")


def test_segments_can_filter_on_value(cli, history) -> None:
    cli("segment", "save", "big", "--min-value", "1500")
    assert [c["name"] for c in cli("contact", "list", "--segment", "big", "--json").json()] == ["Ana Lima"]
