"""A contact's whole profile, read in one snapshot: the record, its deals, purchases, service
requests, open follow-ups and timeline. ``contact show`` and the TUI's contact pane print it;
it lives with the customer's side because it gathers purchases and requests."""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
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
    from minicrm.services.history.interactions import Links, timeline

    with ctx.db.snapshot():
        contact = get(ctx, ref) if isinstance(ref, int) else find(ctx, ref)
        key = str(contact.id)
        return ContactDetail(
            contact=contact,
            deals=tuple(deal_queries.summaries_of_contact(ctx, contact.id)),
            followups=tuple(followup_queries.list_followups(ctx, "open", contact=key, limit=followup_limit)),
            timeline=tuple(timeline(ctx, Links(contact=key), limit=timeline_limit)),
            requests=tuple(requests.list_requests(ctx, contact=key)),
            purchases=purchases.for_contact(ctx, contact.id),
        )
