"""Money: exact amounts as integer minor units of an ISO 4217 currency. Never a float.

The one place that knows a currency's exponent, how an amount is typed (``parse_amount``, strict,
for the CLI; ``parse_lenient_amount`` for imported files and filters, which accepts
"1.234,50", "1,234.50", "€ 1200", "1 200,50"), how it reads (``format_amount`` for people,
``plain_amount`` for files) and how it goes into JSON (``json_number``). Every other module
calls these: a second exponent table is where the bugs lived (HUF with 0 decimals, BIF with 2).

``parse_amount("1200.50", "EUR")`` is 120050; ``major(120050, "EUR")`` is ``Decimal("1200.50")``.
A JSON number is produced only at the edge (``json_number``) and only when it is exact.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from minicrm.core.errors import InvalidInput

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


def _is_plain(text: str) -> bool:
    """``1200``, ``1200.50`` or ``.5``: ASCII digits with at most one decimal point (no ``re``,
    which the hot commands do not import)."""
    head, dot, tail = text.partition(".")
    digits = "0123456789"
    whole = bool(head) and all(ch in digits for ch in head)
    if not dot:
        return whole
    return (whole or not head) and bool(tail) and all(ch in digits for ch in tail)


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
    if raw.startswith("-") and _is_plain(raw[1:]):
        raise InvalidInput(f"invalid value {raw!r}: a deal value cannot be negative")
    if not _is_plain(raw):
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


def parse_lenient_amount(text: str, currency: str) -> int:
    """An amount as other programs write it, in major units, → minor units of ``currency``:
    ``"1.234,50"``, ``"1,234.50"``, ``"1 200,50"``, ``"€ 1200"``, ``"1200 EUR"``. The last of ``.``
    and ``,`` is the decimal mark when both are there; a lone ``,`` is one too unless exactly three
    digits follow it (``"1,500"`` is fifteen hundred); repeated marks group thousands. Spaces,
    ``_``, ``'`` and currency signs are ignored, and the currency's own code; anything else, a
    negative amount or more decimals than the currency has is InvalidInput."""
    raw = str(text)
    cleaned = raw.strip().upper()
    named = amount_currency(raw)
    if named is not None and named != currency:
        raise InvalidInput(f"the amount {raw!r} is in {named}, not {currency}")
    if cleaned.startswith(currency):
        cleaned = cleaned[len(currency) :]
    elif cleaned.endswith(currency):
        cleaned = cleaned[: -len(currency)]
    cleaned = "".join(ch for ch in cleaned if not (ch.isspace() or ch in "_'" or _is_currency_sign(ch)))
    negative = cleaned.startswith("-")
    cleaned = cleaned.removeprefix("-")
    if any(ch not in "0123456789.," for ch in cleaned) or not any(ch.isdigit() for ch in cleaned):
        raise InvalidInput(f"invalid amount {raw!r}: use a number such as 1500 or 99.90")
    if "," in cleaned and "." in cleaned:
        mark = "." if cleaned.rfind(".") > cleaned.rfind(",") else ","
        group = "," if mark == "." else "."
        head, _, tail = cleaned.rpartition(mark)
        cleaned = f"{head.replace(group, '')}.{tail}"
    elif cleaned.count(",") > 1 or cleaned.count(".") > 1:
        cleaned = cleaned.replace(",", "").replace(".", "")
    elif "," in cleaned:
        head, _, tail = cleaned.partition(",")
        cleaned = f"{head}{tail}" if len(tail) == 3 else f"{head}.{tail}"
    if cleaned.count(".") > 1:
        raise InvalidInput(f"invalid amount {raw!r}: use a number such as 1500 or 99.90")
    if negative:
        raise InvalidInput(f"invalid amount {raw!r}: an amount cannot be negative")
    minor = Decimal(cleaned).scaleb(exponent(currency))
    if minor != minor.to_integral_value():
        raise InvalidInput(f"invalid amount {raw!r}: {currency} has {exponent(currency)} decimals")
    if minor > MAX_MINOR:
        raise InvalidInput(f"invalid amount {raw!r}: too large")
    return int(minor)


#: currency signs that name one currency (``$``, ``¥`` and ``kr`` name several: they name none)
_SIGNS = {"€": "EUR", "£": "GBP", "₹": "INR", "₩": "KRW", "₪": "ILS", "₫": "VND", "₺": "TRY", "₴": "UAH"}


def amount_currency(text: str) -> str | None:
    """The currency an amount names itself, if any: its ISO code (``"USD 5,000.00"``,
    ``"1200 eur"``) or a sign that belongs to one currency (``"€ 1200"``, ``"£5"``)."""
    cleaned = str(text).strip().upper()
    for code in (cleaned[:3], cleaned[-3:]):
        if len(code) == 3 and code.isalpha() and code in EXPONENTS:
            return code
    signs = {_SIGNS[ch] for ch in cleaned if ch in _SIGNS}
    return signs.pop() if len(signs) == 1 else None


def _is_currency_sign(ch: str) -> bool:
    import unicodedata

    return unicodedata.category(ch) == "Sc"


def major(minor: int, currency: str) -> Decimal:
    """Minor units as an exact Decimal in major units, with the currency's decimals."""
    places = exponent(currency)
    return Decimal(minor).scaleb(-places).quantize(Decimal(1).scaleb(-places))


def weighted_minor(value_times_percent: int) -> int:
    """A sum of ``value_minor * probability`` (percent) as minor units, rounded half up."""
    return int((Decimal(value_times_percent) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_amount(minor: int | None, currency: str, *, compact: bool = False) -> str:
    """``1,200.50 EUR``; empty for no value. ``compact`` leaves out a fraction of zeros
    (``1,200 EUR``), for narrow screens."""
    if minor is None:
        return ""
    amount = major(minor, currency)
    if compact and amount == amount.to_integral_value():
        amount = amount.quantize(Decimal(1))
    return f"{amount:,} {currency}"


def plain_amount(minor: int | None, currency: str) -> str:
    """The amount in major units as files write it: ``1200.50``, ``1500`` (JPY), no grouping;
    empty for no value. ``parse_amount`` reads it back to the same minor units."""
    if minor is None:
        return ""
    return f"{major(minor, currency):f}"


def minor_scale_sql(column: str) -> str:
    """An SQL expression for ``10 ** exponent`` of the currency code in ``column`` (minor units
    per major unit), for queries that rank amounts of several currencies together."""
    whens = " ".join(f"WHEN '{code}' THEN {10**places}" for code, places in EXPONENTS.items() if places != 2)
    return f"(CASE upper({column}) {whens} ELSE 100 END)"


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
