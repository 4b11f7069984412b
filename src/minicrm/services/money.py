"""Money: exact amounts as integer minor units of an ISO 4217 currency. Never a float.

``parse_amount("1200.50", "EUR")`` is 120050; ``major(120050, "EUR")`` is ``Decimal("1200.50")``.
A JSON number is produced only at the edge (``json_number``) and only when it is exact.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from minicrm.errors import InvalidInput

#: Active ISO 4217 codes with their minor unit (number of decimals). Codes without a minor unit
#: (precious metals, XDR, XTS, XXX, …) are left out: they cannot be stored as minor units.
_EXPONENT_0 = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_EXPONENT_3 = "BHD IQD JOD KWD LYD OMR TND"
_EXPONENT_4 = "CLF UYW"
_EXPONENT_2 = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD "
    "CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL "
    "GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD "
    "LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN "
    "PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL "
    "THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG ZWL"
)
EXPONENTS: dict[str, int] = {
    code: exponent
    for exponent, codes in ((0, _EXPONENT_0), (2, _EXPONENT_2), (3, _EXPONENT_3), (4, _EXPONENT_4))
    for code in codes.split()
}
#: Amounts stay below 10**15 minor units: exact in a JSON number (15 significant digits) and in BIGINT.
MAX_MINOR = 10**15 - 1
_PLAIN = re.compile(r"^[0-9]+(\.[0-9]+)?$|^\.[0-9]+$")


def currency_code(value: str) -> str:
    """An upper-case ISO 4217 code, or InvalidInput."""
    code = value.strip().upper()
    if code not in EXPONENTS:
        raise InvalidInput(f"unknown currency {value!r} (use an ISO 4217 code such as EUR, USD, GBP, JPY)")
    return code


def exponent(currency: str) -> int:
    return EXPONENTS.get(currency, 2)


def parse_amount(text: str | int | Decimal, currency: str) -> int:
    """``"1200.50"`` → 120050 minor units of ``currency``; more decimals than the currency has,
    a negative amount or anything that is not a plain number is InvalidInput."""
    raw = str(text).strip()
    if raw.startswith("-") and _PLAIN.match(raw[1:]):
        raise InvalidInput(f"invalid value {raw!r}: a deal value cannot be negative")
    if not _PLAIN.match(raw):
        raise InvalidInput(
            f"invalid value {raw!r}: give a plain number such as 1200.50 (no signs, commas or exponents)"
        )
    amount = Decimal(raw)
    places = exponent(currency)
    minor = amount.scaleb(places)
    if minor != minor.to_integral_value():
        raise InvalidInput(
            f"invalid value {str(text)!r}: {currency} has {places} decimal place{'s' if places != 1 else ''}"
        )
    if minor > MAX_MINOR:
        raise InvalidInput(f"invalid value {str(text)!r}: too large")
    return int(minor)


def major(minor: int, currency: str) -> Decimal:
    """Minor units as an exact Decimal in major units, with the currency's decimals."""
    places = exponent(currency)
    return Decimal(minor).scaleb(-places).quantize(Decimal(1).scaleb(-places))


def weighted_minor(value_times_percent: int) -> int:
    """A sum of ``value_minor * probability`` (percent) as minor units, rounded half up."""
    return int((Decimal(value_times_percent) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_amount(minor: int | None, currency: str) -> str:
    """``1,200.50 EUR``; empty for no value."""
    if minor is None:
        return ""
    return f"{major(minor, currency):,} {currency}"


def json_number(minor: int | None, currency: str) -> int | float | str | None:
    """The amount as a JSON number exact to the minor unit: an int when whole, else a float whose
    shortest form is the exact decimal (always so below 10**15 minor units), else the decimal text."""
    if minor is None:
        return None
    amount = major(minor, currency)
    if amount == amount.to_integral_value():
        return int(amount)
    as_float = float(amount)
    return as_float if Decimal(repr(as_float)) == amount else str(amount)
