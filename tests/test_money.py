"""Exact money: amounts typed in major units become integer minor units of their currency."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minicrm.core.errors import InvalidInput
from minicrm.core.money import (
    EXPONENTS,
    MAX_MINOR,
    currency_code,
    format_amount,
    json_number,
    major,
    parse_amount,
    parse_lenient_amount,
    plain_amount,
    weighted_minor,
)
from minicrm.services.dto import CurrencyTotal


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("1200.50", "EUR", 120050),
        ("1200.5", "EUR", 120050),
        ("0.10", "USD", 10),
        ("500000", "JPY", 500000),
        ("12.345", "KWD", 12345),
        ("1.0001", "CLF", 10001),
        ("3.00", "JPY", 3),
        (".5", "EUR", 50),
    ],
)
def test_amounts_parse_exactly_with_the_currencys_minor_unit(text: str, currency: str, minor: int) -> None:
    assert parse_amount(text, currency) == minor


@pytest.mark.parametrize(
    ("text", "currency", "message"),
    [
        ("-5", "EUR", "cannot be negative"),
        ("abc", "EUR", "plain number"),
        ("1e3", "EUR", "plain number"),
        ("1,200.50", "EUR", "plain number"),
        ("NaN", "EUR", "plain number"),
        ("12.5", "JPY", "JPY has 0 decimal places"),
        ("0.001", "EUR", "EUR has 2 decimal places"),
        ("10000000000000", "EUR", "too large"),
    ],
)
def test_bad_amounts_are_refused(text: str, currency: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_amount(text, currency)


def test_currency_codes_are_iso_4217() -> None:
    assert currency_code(" eur ") == "EUR"
    assert EXPONENTS["JPY"] == 0 and EXPONENTS["BHD"] == 3 and EXPONENTS["USD"] == 2 and EXPONENTS["UYW"] == 4
    assert "XAU" not in EXPONENTS  # no minor unit
    with pytest.raises(InvalidInput, match="unknown currency 'EURO'"):
        currency_code("EURO")


def test_display_and_json_are_exact() -> None:
    assert major(120050, "EUR") == Decimal("1200.50")
    assert format_amount(120050, "EUR") == "1,200.50 EUR"
    assert format_amount(500000, "JPY") == "500,000 JPY"
    assert json_number(120050, "EUR") == 1200.5
    assert json_number(120000, "EUR") == 1200 and isinstance(json_number(120000, "EUR"), int)
    assert json_number(1999, "USD") == 19.99
    assert repr(json_number(999_999_999_999_99, "EUR")) == "999999999999.99"
    assert json_number(None, "EUR") is None


def test_weighted_values_round_half_up_to_the_minor_unit() -> None:
    assert weighted_minor(25025 * 10) == 2503  # 250.25 at 10% = 25.025 → 25.03
    assert weighted_minor(120050 * 25) == 30013  # 1200.50 at 25% = 300.125 → 300.13
    assert weighted_minor(0) == 0


def test_amounts() -> None:  # moved from tests/customer/test_purchases.py (purchases' own parser is gone)
    assert parse_lenient_amount("1 200,5", "EUR") == 120050
    assert parse_lenient_amount("1,200.50", "EUR") == 120050
    assert parse_lenient_amount("1500", "JPY") == 1500
    assert format_amount(123456, "EUR") == "1,234.56 EUR"
    assert json_number(5, "EUR") == 0.05
    with pytest.raises(InvalidInput):
        parse_lenient_amount("nan", "EUR")


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("1.234,50", "EUR", 123450),
        ("1,234.50", "EUR", 123450),
        ("€ 1200", "EUR", 120000),
        ("1 200,50", "EUR", 120050),
        ("1\u202f200,50 €", "EUR", 120050),
        ("$1,200", "USD", 120000),
        ("1200 EUR", "EUR", 120000),
        ("eur 12", "EUR", 1200),
        ("1.234.567", "EUR", 123456700),
        ("1,234,567.5", "EUR", 123456750),
        ("1'234.50", "CHF", 123450),
        ("1500", "HUF", 150000),
        ("1500", "BIF", 1500),
        ("1.234", "KWD", 1234),
        ("0,0001", "CLF", 1),
        ("12,5", "EUR", 1250),
        (".5", "EUR", 50),
    ],
)
def test_lenient_amounts_use_the_iso_exponent(text: str, currency: str, minor: int) -> None:
    assert parse_lenient_amount(text, currency) == minor


@pytest.mark.parametrize(
    ("text", "currency", "message"),
    [
        ("1.234", "EUR", "invalid amount '1.234': EUR has 2 decimals"),
        ("1500.5", "BIF", "invalid amount '1500.5': BIF has 0 decimals"),
        ("12.5", "HUF", None),
        ("abc", "EUR", "invalid amount 'abc': use a number"),
        ("1e3", "EUR", "invalid amount '1e3': use a number"),
        ("12 USD", "EUR", "the amount '12 USD' is in USD, not EUR"),
        ("£ 12", "EUR", "the amount '£ 12' is in GBP, not EUR"),
        ("inf", "EUR", "use a number"),
        ("", "EUR", "use a number"),
        ("€", "EUR", "use a number"),
        ("1.2.3,4.5", "EUR", "use a number"),
        ("-5", "EUR", "cannot be negative"),
        ("10000000000000", "EUR", "too large"),
    ],
)
def test_lenient_amounts_refuse_what_is_no_amount(text: str, currency: str, message: str | None) -> None:
    if message is None:  # HUF has 2 decimals: 12.5 is fine
        assert parse_lenient_amount(text, currency) == 1250
        return
    with pytest.raises(InvalidInput, match=message.replace(".", r"\.").replace("(", r"\(")):
        parse_lenient_amount(text, currency)


def test_plain_amounts_are_what_files_hold() -> None:
    assert plain_amount(150000, "HUF") == "1500.00"
    assert plain_amount(1500, "BIF") == "1500"
    assert plain_amount(1234, "KWD") == "1.234"
    assert plain_amount(1, "CLF") == "0.0001"
    assert plain_amount(0, "EUR") == "0.00"
    assert plain_amount(MAX_MINOR, "JPY") == "999999999999999"
    assert plain_amount(None, "EUR") == ""
    assert format_amount(120000, "EUR", compact=True) == "1,200 EUR"
    assert format_amount(120050, "EUR", compact=True) == "1,200.50 EUR"
    assert format_amount(1234, "KWD", compact=True) == "1.234 KWD"


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(EXPONENTS)), st.integers(0, MAX_MINOR))
def test_every_currency_reads_back_what_it_writes(currency: str, minor: int) -> None:
    text = plain_amount(minor, currency)
    assert parse_amount(text, currency) == minor
    assert parse_lenient_amount(text, currency) == minor
    assert Decimal(text) == major(minor, currency)
    assert Decimal(str(json_number(minor, currency))) == major(minor, currency)
    shown = format_amount(minor, currency)
    assert parse_lenient_amount(shown, currency) == minor


@pytest.mark.parametrize("currency", sorted(EXPONENTS))
def test_lifetime_value_in_json_is_exact_for_every_currency(currency: str) -> None:
    places = EXPONENTS[currency]
    minor = 150000 * 10**places + 10**places - 1 if places else 150000
    total = CurrencyTotal(currency, minor, 2, date(2026, 1, 1), date(2026, 2, 1))
    value = total.to_dict()["value"]
    assert Decimal(str(value)) == Decimal(minor).scaleb(-places)
    assert value == json_number(minor, currency)


def test_the_tui_shows_amounts_with_the_iso_exponent() -> None:
    from minicrm.tui.format import money, totals

    assert money(1500, "BIF") == "1,500 BIF"
    assert money(150000, "HUF") == "1,500 HUF"
    assert money(150050, "HUF") == "1,500.50 HUF"
    assert money(1234, "KWD") == "1.234 KWD"
    assert money(None, "EUR") == "—"
    assert totals((("BIF", 1500), ("EUR", 1999))) == "1,500 BIF + 19.99 EUR"
