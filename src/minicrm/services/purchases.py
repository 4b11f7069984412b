"""Purchase history: won deals are the purchase record.

For a contact (deals linked to them) or a company (deals linked to it or to its people):
the lifetime value per currency, the number of purchases, the first and last purchase date
(the day the deal was won, in local time). Also the amount helpers that ``contact list
--min-value`` / ``--sort value`` use; both compare in the config's default currency only, since
minicrm keeps no exchange rates.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from minicrm.clock import from_db
from minicrm.errors import InvalidInput
from minicrm.services.dto import CurrencyTotal, PurchaseSummary

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from datetime import date
    from typing import Any

    from minicrm.services.context import Context

#: ISO 4217 currencies whose minor unit is not the cent
_MINOR_DIGITS = {
    "JPY": 0,
    "KRW": 0,
    "ISK": 0,
    "CLP": 0,
    "VND": 0,
    "XOF": 0,
    "XAF": 0,
    "PYG": 0,
    "UGX": 0,
    "BHD": 3,
    "KWD": 3,
    "OMR": 3,
    "JOD": 3,
    "TND": 3,
    "LYD": 3,
    "IQD": 3,
}

#: lifetime value in one currency per contact, as a derived table ``(contact_id, total)``;
#: its one parameter is the currency
WON_TOTALS_SQL = (
    "(SELECT d.contact_id AS contact_id, SUM(d.value_minor) AS total FROM deal d "
    "WHERE d.status = 'won' AND d.currency = ? AND d.contact_id IS NOT NULL GROUP BY d.contact_id)"
)


def minor_digits(currency: str) -> int:
    return _MINOR_DIGITS.get(currency.upper(), 2)


def parse_amount(text: str, currency: str) -> int:
    """``"1 200,50"``/``"1200.5"`` → minor units of ``currency``; InvalidInput when it is no amount."""
    cleaned = str(text).strip().replace(" ", "").replace("_", "")
    decimal_comma = "," in cleaned and "." not in cleaned
    cleaned = cleaned.replace(",", ".") if decimal_comma else cleaned.replace(",", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise InvalidInput(f"invalid amount {text!r}: use a number such as 1500 or 99.90") from None
    if not value.is_finite():
        raise InvalidInput(f"invalid amount {text!r}: use a number such as 1500 or 99.90")
    minor = value.scaleb(minor_digits(currency))
    if minor != minor.to_integral_value():
        raise InvalidInput(f"invalid amount {text!r}: {currency} has {minor_digits(currency)} decimals")
    return int(minor)


def major(minor: int, currency: str) -> float:
    """Minor units as a JSON number in major units (exact to the minor unit when printed)."""
    digits = minor_digits(currency)
    return float(Decimal(minor).scaleb(-digits)) if digits else float(minor)


def format_amount(minor: int, currency: str) -> str:
    digits = minor_digits(currency)
    return f"{Decimal(minor).scaleb(-digits):,.{digits}f} {currency}"


def for_contact(ctx: Context, contact_id: int) -> PurchaseSummary:
    return _summary(ctx, "d.contact_id = ?", [contact_id])


def for_company(ctx: Context, company_id: int) -> PurchaseSummary:
    """Deals won with the company itself or with any of its people."""
    return _summary(
        ctx,
        "(d.company_id = ? OR d.contact_id IN (SELECT id FROM contact WHERE company_id = ?))",
        [company_id, company_id],
    )


def _summary(ctx: Context, where: str, params: list[Any]) -> PurchaseSummary:
    rows = ctx.db.all(
        "SELECT d.currency AS currency, COUNT(*) AS n, COALESCE(SUM(d.value_minor), 0) AS total, "
        "MIN(COALESCE(d.closed_at, d.updated_at)) AS first_at, "
        "MAX(COALESCE(d.closed_at, d.updated_at)) AS last_at "
        f"FROM deal d WHERE d.status = 'won' AND {where} GROUP BY d.currency ORDER BY d.currency",
        params,
    )
    tz = ctx.clock.tz
    totals = []
    firsts: list[date] = []
    lasts: list[date] = []
    for r in rows:
        first, last = from_db(r["first_at"]), from_db(r["last_at"])
        first_day = first.astimezone(tz).date() if first else None
        last_day = last.astimezone(tz).date() if last else None
        totals.append(CurrencyTotal(r["currency"], int(r["total"]), int(r["n"]), first_day, last_day))
        firsts += [first_day] if first_day else []
        lasts += [last_day] if last_day else []
    return PurchaseSummary(
        count=sum(t.count for t in totals),
        first=min(firsts, default=None),
        last=max(lasts, default=None),
        totals=tuple(totals),
    )
