"""Campaign exports: a segment's contacts in the shape an email-marketing tool imports.

    result = export_contacts(ctx, "vip-lisbon", sys.stdout, fmt="csv", preset="mailchimp", fields=("city",))
    # result.written, result.do_not_contact, result.no_email: the counts to report on stderr

With a preset (a campaign), contacts flagged do-not-contact and contacts without an email are
left out and counted. ``preset=None`` exports every contact of the segment (vcard and json only:
CSV needs a preset for its columns). Formula-looking CSV cells are neutralised.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

from minicrm.errors import InvalidInput
from minicrm.services import contacts, segments
from minicrm.services.contacts import ContactQuery
from minicrm.services.context import Context
from minicrm.services.dto import Contact

PRESETS = ("mailchimp",)
FORMATS = ("csv", "json", "vcard")
#: the columns Mailchimp's contact import maps without asking
MAILCHIMP_COLUMNS = ("Email Address", "First Name", "Last Name", "Tags")


@dataclass(frozen=True, slots=True)
class CampaignResult:
    written: int
    do_not_contact: int  # left out: flagged do-not-contact
    no_email: int  # left out: no email address

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


def export_contacts(
    ctx: Context,
    source: str | ContactQuery,
    out: TextIO,
    *,
    fmt: str = "csv",
    preset: str | None = "mailchimp",
    fields: Sequence[str] = (),
) -> CampaignResult:
    """Write the contacts of ``source`` (a segment name or a query) to ``out`` as ``fmt``.

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
    if fmt == "csv":
        _write_csv(chosen, out, fields)
    elif fmt == "json":
        out.write(json.dumps([c.to_dict(ctx.clock.tz) for c in chosen], ensure_ascii=False, indent=2) + "\n")
    else:
        _write_vcards(chosen, out)
    return CampaignResult(len(chosen), no_contact, no_email)


def _write_csv(found: Sequence[Contact], out: TextIO, fields: Sequence[str]) -> None:
    from minicrm.exchange.csvfile import write_csv

    rows = (
        [c.email or "", *_names(c), ",".join(c.tags), *(c.fields.get(f, "") for f in fields)] for c in found
    )
    write_csv(rows, [*MAILCHIMP_COLUMNS, *fields], out)


def _names(c: Contact) -> tuple[str, str]:
    """First and last name: the stored parts, else the display name split at its last space."""
    if c.given_name or c.family_name:
        return c.given_name or "", c.family_name or ""
    first, _, last = c.name.strip().rpartition(" ")
    return (first, last) if first else (last, "")


def _write_vcards(found: Sequence[Contact], out: TextIO) -> None:
    from minicrm.exchange.vcard import write_vcard
    from minicrm.services.exporter import contact_record

    for c in found:
        out.write(write_vcard(contact_record(c)))
