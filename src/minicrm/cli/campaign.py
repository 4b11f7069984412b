"""Campaign exports written: ``segment export`` and ``export csv|json --segment``.

The service (``minicrm.services.customer.campaign``) picks the contacts; this writes them through the
CLI's one writer (``cli/output.py``): the Mailchimp CSV with ``\\r\\n`` line ends like every export
file, JSON inert like every JSON minicrm prints, vCards as ``export vcard`` writes them.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

from minicrm.cli.output import Printer, emit, output_stream, write_csv
from minicrm.cli.state import services
from minicrm.services.customer.campaign import CampaignResult

TYPE_CHECKING = False
if TYPE_CHECKING:
    from datetime import tzinfo


def write_campaign(result: CampaignResult, out: IO[str], tz: tzinfo) -> None:
    """The chosen contacts in the result's format (csv, json or vcard)."""
    if result.fmt == "csv":
        write_csv(result.csv_rows(), result.csv_header(), out, lineterminator="\r\n")
    elif result.fmt == "json":
        emit([c.to_dict(tz) for c in result.contacts], "json", out)
    else:
        from minicrm.exchange.vcard import write_vcard
        from minicrm.services.transfer.exporter import contact_record

        out.writelines(write_vcard(contact_record(c)) for c in result.contacts)


def export_campaign(
    segment: str, *, out: Path | None, fmt: str, preset: str | None, fields: tuple[str, ...] = ()
) -> None:
    """A segment's contacts to ``out`` (written whole or not at all) or stdout, and on stderr
    how many were exported and how many left out."""
    from minicrm.services.customer import campaign

    with services() as ctx:
        result = campaign.select_contacts(ctx, segment, fmt=fmt, preset=preset, fields=fields)
        tz = ctx.clock.tz
    with output_stream(out) as stream:
        write_campaign(result, stream, tz)
    printer = Printer("plain", tz)
    count = f"{result.written} contact{'s' if result.written != 1 else ''}"
    printer.message(f"exported {count}" + (f" to {out}" if out else ""))
    if result.left_out_message():
        printer.message(result.left_out_message())
