"""Reading deals for display: the detail ``deal show`` prints, and the deal lines of a contact's
detail.

Kept apart from ``minicrm.services.deals.commands`` (which holds the writes) so that ``contact show``, a
hot command, can list a contact's deals without loading the deal machinery.
"""

from __future__ import annotations

from datetime import date

from minicrm.services.kernel.refs import resolve_deal

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from minicrm.services.dto.contact_detail import DealSummary
    from minicrm.services.dto.deals import DealDetail
    from minicrm.services.kernel.context import Context


def deal_id(ctx: Context, ref: str) -> int:
    """The id of the deal ``ref`` names (its id, or ``#12``)."""
    return resolve_deal(ctx, ref)


def summaries_of_contact(ctx: Context, contact_id: int) -> list[DealSummary]:
    """Every deal of the contact, won and lost ones included, by id."""
    return _summaries(ctx, "d.contact_id = ?", (contact_id,))


def summaries_of_company(ctx: Context, company_id: int) -> list[DealSummary]:
    """Every deal of the company, won and lost ones included, by id: those linked to it and
    those of its people."""
    return _summaries(
        ctx,
        "d.company_id = ? OR d.contact_id IN (SELECT id FROM contact WHERE company_id = ?)",
        (company_id, company_id),
    )


def _summaries(ctx: Context, where: str, params: tuple[object, ...]) -> list[DealSummary]:
    from minicrm.services.dto.contact_detail import DealSummary

    rows = ctx.db.all(
        "SELECT d.id, d.title, d.stage, d.status, d.value_minor, d.currency, d.close_date, "
        f"c.name AS contact FROM deal d LEFT JOIN contact c ON c.id = d.contact_id WHERE {where} "
        "ORDER BY d.id",
        params,
    )
    return [
        DealSummary(
            id=int(r["id"]),
            title=r["title"],
            stage=r["stage"],
            status=r["status"],
            value_minor=r["value_minor"],
            currency=r["currency"],
            close_date=date.fromisoformat(r["close_date"]) if r["close_date"] else None,
            contact=r["contact"],
        )
        for r in rows
    ]


def deal_detail(ctx: Context, ref: str | int, *, timeline_limit: int | None = 20) -> DealDetail:
    """A deal with its stage history and timeline, read in one snapshot (``deal show``).
    ``ref``: an id, or what a user typed."""
    from minicrm.services.deals import commands as deals
    from minicrm.services.dto.deals import DealDetail
    from minicrm.services.history.interactions import Links, group_threads, timeline

    with ctx.db.snapshot():
        deal = deals.get(ctx, ref) if isinstance(ref, int) else deals.find(ctx, ref)
        return DealDetail(
            deal=deal,
            stage_history=tuple(deals.stage_history(ctx, deal.id)),
            timeline=tuple(group_threads(timeline(ctx, Links(deal=str(deal.id)), limit=timeline_limit))),
        )
