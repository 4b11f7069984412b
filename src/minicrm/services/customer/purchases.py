"""Purchase history: won deals are the purchase record.

For a contact (deals linked to them) or a company (deals linked to it or to its people):
the lifetime value per currency, the number of purchases, the first and last purchase date
(the day the deal was won, in local time). Also the lifetime-value table that ``contact list
--min-value`` / ``--sort value`` use; both compare in the config's default currency only, since
minicrm keeps no exchange rates. Amounts are integer minor units; ``core/money.py`` reads
and shows them.
"""

from __future__ import annotations

from minicrm.core.clock import from_db
from minicrm.services.dto import CurrencyTotal, PurchaseSummary

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from datetime import date
    from typing import Any

    from minicrm.services.kernel.context import Context


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
