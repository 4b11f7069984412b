"""Reading companies: what a reference names. A company's detail (its people, timeline and
purchases) is ``services.customer.profile.company_detail``."""

from __future__ import annotations

from minicrm.services.kernel.refs import resolve_company

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from minicrm.services.kernel.context import Context


def company_id(ctx: Context, ref: str) -> int:
    """The id of the company ``ref`` names (an id, a domain or a name; see ``refs``)."""
    return resolve_company(ctx, ref)
