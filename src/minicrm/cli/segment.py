"""``minicrm segment …``: saved contact filters, and campaign exports of them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from minicrm.cli import customer_views
from minicrm.cli.options import FormatOpt, JsonOpt, YesOpt
from minicrm.cli.output import Printer, check_format
from minicrm.cli.parsing import key_values
from minicrm.cli.state import confirm, services
from minicrm.core.dates import parse_duration
from minicrm.core.words import counted
from minicrm.services.contacts.commands import ContactQuery
from minicrm.services.customer import segments
from minicrm.services.dto import Segment

app = typer.Typer(
    help="Saved segments: named contact filters, always current; campaign exports.", no_args_is_help=True
)


def _fields(s: Segment) -> list[tuple[str, object]]:
    return [("Name", s.name), ("Filters", segments.describe(s.filters)), ("Contacts", s.count)]


@app.command("save")
def save(
    name: Annotated[str, typer.Argument(help="Segment name, e.g. vip-lisbon.")],
    tag: Annotated[
        list[str] | None, typer.Option("--tag", "-t", help="Has this tag (repeat: all of them).")
    ] = None,
    company: Annotated[str | None, typer.Option("--company", "-c", help="Works at this company.")] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="lead, prospect, customer or inactive.")
    ] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Owned by this user.")] = None,
    search: Annotated[str | None, typer.Option("--search", "-s", help="Matches this text.")] = None,
    stale: Annotated[
        str | None, typer.Option("--stale", help="Not contacted for this long, e.g. 30d.")
    ] = None,
    field: Annotated[
        list[str] | None, typer.Option("--field", help="Custom field KEY=VALUE (repeatable).")
    ] = None,
    min_value: Annotated[
        str | None,
        typer.Option("--min-value", help="Lifetime value (won deals, default currency) at least this."),
    ] = None,
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """Save (or replace) a segment: the contact list filters, stored as a query."""
    fmt = check_format(fmt, json_flag)
    query = ContactQuery(
        tags=tuple(tag or ()),
        company=company,
        status=status,
        owner=owner,
        search=search,
        stale=parse_duration(stale) if stale else None,
        fields=tuple(key_values(field).items()),
        min_value=min_value,
    )
    with services() as ctx:
        segment, created = segments.save(ctx, name, query, stale_text=stale)
        printer = Printer(fmt, ctx.clock.tz)
        printer.record(segment, _fields(segment))
        now = f" ({counted(segment.count, 'contact')} now)" if segment.count is not None else ""
        printer.message(f"{'saved' if created else 'replaced'} segment {segment.name}{now}")


@app.command("list")
def list_(fmt: FormatOpt = None, json_flag: JsonOpt = False) -> None:
    """Every segment with its filters and how many contacts it holds now."""
    fmt = check_format(fmt, json_flag)
    with services() as ctx:
        found = segments.list_segments(ctx)
        Printer(fmt, ctx.clock.tz).records(found, customer_views.segment_columns(), empty="no segments")


@app.command("show")
def show(
    name: Annotated[str, typer.Argument(help="Segment name.")],
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """A segment's filters and its current count (its contacts: contact list --segment NAME)."""
    fmt = check_format(fmt, json_flag)
    with services() as ctx:
        segment = segments.get(ctx, name)
        Printer(fmt, ctx.clock.tz).record(segment, _fields(segment))


@app.command("rm")
def rm(name: Annotated[str, typer.Argument(help="Segment name.")], yes: YesOpt = False) -> None:
    """Delete a segment (its contacts stay: a segment is only a filter)."""
    with services() as ctx:
        segment = segments.get(ctx, name)
        confirm(f"Delete segment {segment.name} ({segments.describe(segment.filters)})?", yes=yes)
        segments.remove(ctx, segment.name)
        Printer("plain", ctx.clock.tz).message(f"deleted segment {segment.name}")


@app.command("export")
def export(
    name: Annotated[str, typer.Argument(help="Segment name.")],
    preset: Annotated[
        str,
        typer.Option(
            "--preset",
            help="mailchimp (a campaign: do-not-contact and "
            "email-less contacts left out), or none (everyone; json and vcard only).",
        ),
    ] = "mailchimp",
    field: Annotated[
        list[str] | None, typer.Option("--field", help="Add this custom field as a CSV column (repeatable).")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write here (default: stdout).")] = None,
    file_format: Annotated[str, typer.Option("--format", "-f", help="csv, json or vcard.")] = "csv",
) -> None:
    """Export a segment for an email-marketing tool: minicrm segment export vip --preset mailchimp."""
    from minicrm.cli.campaign import export_campaign

    export_campaign(
        name, out=out, fmt=file_format, preset=None if preset == "none" else preset, fields=tuple(field or ())
    )
