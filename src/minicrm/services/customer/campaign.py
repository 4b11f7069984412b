"""Campaign exports: a segment's contacts in the shape an email-marketing tool imports.

    chosen = select_contacts(ctx, "vip-lisbon", fmt="csv", preset="mailchimp", fields=("city",))
    # chosen.contacts; chosen.csv_header() and chosen.csv_rows() for the Mailchimp CSV;
    # chosen.written, chosen.do_not_contact, chosen.no_email: the counts to report on stderr

With a preset (a campaign), contacts flagged do-not-contact and contacts without an email are
left out and counted. ``preset=None`` exports every contact of the segment (vcard and json only:
CSV needs a preset for its columns). This returns data; ``minicrm.cli.campaign`` writes it, through
the CLI's one writer (formula-looking CSV cells neutralised there).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from minicrm.core.errors import InvalidInput
from minicrm.services.contacts import commands as contacts
from minicrm.services.contacts.commands import ContactQuery
from minicrm.services.customer import segments
from minicrm.services.dto import Contact
from minicrm.services.kernel.context import Context

PRESETS = ("mailchimp",)
FORMATS = ("csv", "json", "vcard")
#: the columns Mailchimp's contact import maps without asking
MAILCHIMP_COLUMNS = ("Email Address", "First Name", "Last Name", "Tags")


@dataclass(frozen=True, slots=True)
class CampaignResult:
    contacts: tuple[Contact, ...]  # what to write, in order
    do_not_contact: int  # left out: flagged do-not-contact
    no_email: int  # left out: no email address
    fmt: str = "csv"  # csv, json or vcard
    fields: tuple[str, ...] = ()  # custom-field columns after Tags (CSV)

    @property
    def written(self) -> int:
        return len(self.contacts)

    def csv_header(self) -> list[str]:
        return [*MAILCHIMP_COLUMNS, *self.fields]

    def csv_rows(self) -> Iterator[list[str]]:
        """The Mailchimp rows: email, first and last name, tags, then the ``fields``."""
        for c in self.contacts:
            yield [c.email or "", *_names(c), ",".join(c.tags), *(c.fields.get(f, "") for f in self.fields)]

    def left_out_message(self) -> str:
        """``"left out 2 contacts: 1 do-not-contact, 1 without an email"`` (empty when none were)."""
        total = self.do_not_contact + self.no_email
        if not total:
            return ""
        parts = []
        if self.do_not_contact:
            parts.append(f"{self.do_not_contact} do-not-contact")
        if self.no_email:
            parts.append(f"{self.no_email} without an email")
        return f"left out {total} contact{'s' if total != 1 else ''}: {', '.join(parts)}"


def select_contacts(
    ctx: Context,
    source: str | ContactQuery,
    *,
    fmt: str = "csv",
    preset: str | None = "mailchimp",
    fields: Sequence[str] = (),
) -> CampaignResult:
    """The contacts of ``source`` (a segment name or a query) to export as ``fmt``.

    ``preset`` ("mailchimp" or None) makes it a campaign: do-not-contact and email-less contacts
    are left out and counted. ``fields`` adds custom-field columns to the CSV (after Tags)."""
    if fmt not in FORMATS:
        raise InvalidInput(f"invalid format {fmt!r} (choose from {', '.join(FORMATS)})")
    if preset is not None and preset not in PRESETS:
        raise InvalidInput(f"unknown preset {preset!r} (choose from {', '.join(PRESETS)})")
    if fmt == "csv" and preset is None:
        raise InvalidInput("a CSV campaign export needs --preset (mailchimp)")
    query = segments.query(ctx, source) if isinstance(source, str) else source
    found = contacts.list_contacts(ctx, query)
    no_contact = no_email = 0
    chosen: list[Contact] = []
    for contact in found:
        if preset is not None and contact.do_not_contact:
            no_contact += 1
        elif preset is not None and not contact.email:
            no_email += 1
        else:
            chosen.append(contact)
    return CampaignResult(tuple(chosen), no_contact, no_email, fmt, tuple(fields))


def _names(c: Contact) -> tuple[str, str]:
    """First and last name: the stored parts, else the display name split at its last space."""
    if c.given_name or c.family_name:
        return c.given_name or "", c.family_name or ""
    first, _, last = c.name.strip().rpartition(" ")
    return (first, last) if first else (last, "")
