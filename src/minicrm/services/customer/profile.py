"""A customer's whole profile, read in one snapshot. For a contact: the record, its deals,
purchases, service requests, open follow-ups and timeline (``contact show`` and the TUI's contact
pane); for a company: its people, timeline and purchases (``company show`` and the company pane).
It lives with the customer's side because it gathers purchases and requests."""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from minicrm.services.dto.companies import CompanyDetail
    from minicrm.services.dto.contact_detail import ContactDetail
    from minicrm.services.kernel.context import Context


def contact_detail(
    ctx: Context, ref: str | int, *, followup_limit: int | None = None, timeline_limit: int | None = 20
) -> ContactDetail:
    """One contact with what is shown beside it, read in one snapshot: ``contact show`` and the
    TUI's contact pane print this. ``ref``: an id, or what a user typed (id, email or name)."""
    from minicrm.services.contacts.queries import find, get
    from minicrm.services.customer import purchases, requests
    from minicrm.services.deals import queries as deal_queries
    from minicrm.services.dto.contact_detail import ContactDetail
    from minicrm.services.followups import queries as followup_queries
    from minicrm.services.history.interactions import Links, group_threads, timeline

    with ctx.db.snapshot():
        contact = get(ctx, ref) if isinstance(ref, int) else find(ctx, ref)
        key = str(contact.id)
        return ContactDetail(
            contact=contact,
            deals=tuple(deal_queries.summaries_of_contact(ctx, contact.id)),
            followups=tuple(followup_queries.list_followups(ctx, "open", contact=key, limit=followup_limit)),
            timeline=tuple(group_threads(timeline(ctx, Links(contact=key), limit=timeline_limit))),
            requests=tuple(requests.list_requests(ctx, contact=key)),
            purchases=purchases.for_contact(ctx, contact.id),
        )


def company_detail(
    ctx: Context, ref: str | int, *, people_limit: int | None = None, timeline_limit: int | None = 20
) -> CompanyDetail:
    """A company with its people, timeline and purchases, read in one snapshot. ``ref``: an id,
    or what a user typed (id, domain or name)."""
    from minicrm.services.companies import commands as companies
    from minicrm.services.contacts import queries as contact_queries
    from minicrm.services.customer import purchases
    from minicrm.services.deals import queries as deal_queries
    from minicrm.services.dto.companies import CompanyDetail
    from minicrm.services.history.interactions import Links, group_threads, timeline

    with ctx.db.snapshot():
        company = companies.get(ctx, ref) if isinstance(ref, int) else companies.find(ctx, ref)
        key = str(company.id)
        query = contact_queries.ContactQuery(company=key, limit=people_limit)
        people = contact_queries.list_contacts(ctx, query)
        return CompanyDetail(
            company=company,
            people=tuple(people),
            timeline=tuple(group_threads(timeline(ctx, Links(company=key), limit=timeline_limit))),
            purchases=purchases.for_company(ctx, company.id),
            deals=tuple(deal_queries.summaries_of_company(ctx, company.id)),
        )
