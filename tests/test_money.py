"""Exact money: amounts typed in major units become integer minor units of their currency."""

from __future__ import annotations

from decimal import Decimal

import pytest

from minicrm.errors import InvalidInput
from minicrm.services.money import (
    EXPONENTS,
    currency_code,
    format_amount,
    json_number,
    major,
    parse_amount,
    weighted_minor,
)


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
