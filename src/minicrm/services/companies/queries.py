"""Reading companies for display: the detail that ``company show`` and the TUI's company pane
both show."""

from __future__ import annotations

from minicrm.services.kernel.refs import resolve_company

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from minicrm.services.dto.companies import CompanyDetail
    from minicrm.services.kernel.context import Context


def company_id(ctx: Context, ref: str) -> int:
    """The id of the company ``ref`` names (an id, a domain or a name; see ``refs``)."""
    return resolve_company(ctx.db, ref)


def company_detail(
    ctx: Context, ref: str | int, *, people_limit: int | None = None, timeline_limit: int | None = 20
) -> CompanyDetail:
    """A company with its people, timeline and purchases, read in one snapshot. ``ref``: an id,
    or what a user typed (id, domain or name)."""
    from minicrm.services.companies import commands as companies
    from minicrm.services.contacts import queries as contact_queries
    from minicrm.services.customer import purchases
    from minicrm.services.dto.companies import CompanyDetail
    from minicrm.services.history.interactions import Links, timeline

    with ctx.db.snapshot():
        company = companies.get(ctx, ref) if isinstance(ref, int) else companies.find(ctx, ref)
        key = str(company.id)
        query = contact_queries.ContactQuery(company=key, limit=people_limit)
        people = contact_queries.list_contacts(ctx, query)
        return CompanyDetail(
            company=company,
            people=tuple(people),
            timeline=tuple(timeline(ctx, Links(company=key), limit=timeline_limit)),
            purchases=purchases.for_company(ctx, company.id),
        )
