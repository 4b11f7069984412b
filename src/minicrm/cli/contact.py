"""``minicrm contact …``"""

from __future__ import annotations

from typing import Annotated

import typer

from minicrm.cli import reads, views, writes
from minicrm.cli.options import AllOpt, FormatOpt, IfVersionOpt, JsonOpt, OwnerOpt, YesOpt
from minicrm.cli.output import Printer, check_format
from minicrm.cli.parsing import cadence_days, key_values
from minicrm.cli.state import confirm, services
from minicrm.services import contacts
from minicrm.services.dto import UNSET, ContactPatch
from minicrm.services.history import history as load_history
from minicrm.services.refs import resolve_contact

app = typer.Typer(help="People: add, list, show, edit, remove, and their history.", no_args_is_help=True)

EmailOpt = Annotated[
    list[str] | None,
    typer.Option("--email", "-e", help="Email address (repeat for several; the first is primary)."),
]
PhoneOpt = Annotated[
    list[str] | None, typer.Option("--phone", "-p", help="Phone number (repeat for several).")
]
CompanyOpt = Annotated[
    str | None, typer.Option("--company", "-c", help="Company name or id (created if new).")
]
TitleOpt = Annotated[str | None, typer.Option("--title", help="Job title.")]
TagOpt = Annotated[list[str] | None, typer.Option("--tag", "-t", help="Tag (repeat for several).")]
StatusOpt = Annotated[str | None, typer.Option("--status", help="lead, prospect, customer or inactive.")]
SourceOpt = Annotated[str | None, typer.Option("--source", help="Where the contact came from.")]
EveryOpt = Annotated[str | None, typer.Option("--every", help="Keep-in-touch cadence, e.g. 30d, 2w, 3m.")]
FieldOpt = Annotated[list[str] | None, typer.Option("--field", help="Custom field KEY=VALUE (repeatable).")]


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help='Display name, e.g. "Ana Lima".')],
    email: EmailOpt = None,
    phone: PhoneOpt = None,
    company: CompanyOpt = None,
    title: TitleOpt = None,
    tag: TagOpt = None,
    status: StatusOpt = None,
    source: SourceOpt = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Owner (default: you).")] = None,
    every: EveryOpt = None,
    field: FieldOpt = None,
    given_name: Annotated[str | None, typer.Option("--given-name")] = None,
    family_name: Annotated[str | None, typer.Option("--family-name")] = None,
    street: Annotated[str | None, typer.Option("--street")] = None,
    city: Annotated[str | None, typer.Option("--city")] = None,
    region: Annotated[str | None, typer.Option("--region")] = None,
    postcode: Annotated[str | None, typer.Option("--postcode")] = None,
    country: Annotated[str | None, typer.Option("--country")] = None,
    allow_duplicate: Annotated[
        bool, typer.Option("--allow-duplicate", help="Add even if the email belongs to another contact.")
    ] = False,
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """Add a person. Prints the new contact."""
    writes.contact_add(
        name, email=email, phone=phone, company=company, title=title, tag=tag, status=status, source=source,
        owner=owner, every=every, field=field, given_name=given_name, family_name=family_name, street=street,
        city=city, region=region, postcode=postcode, country=country, allow_duplicate=allow_duplicate,
        fmt=fmt, json_flag=json_flag,
    )


@app.command("list")
def list_(
    tag: TagOpt = None,
    company: Annotated[
        str | None, typer.Option("--company", "-c", help="Only people at this company.")
    ] = None,
    status: StatusOpt = None,
    owner: OwnerOpt = None,
    all_: AllOpt = False,
    search: Annotated[
        str | None, typer.Option("--search", "-s", help="Only contacts matching this text.")
    ] = None,
    stale: Annotated[
        str | None, typer.Option("--stale", help="Not contacted for this long, e.g. 30d.")
    ] = None,
    sort: Annotated[
        str,
        typer.Option(
            "--sort",
            help="name, created, updated, last-interaction, status, id or value "
            "(lifetime value in the default currency); prefix - to reverse.",
        ),
    ] = "name",
    limit: Annotated[int | None, typer.Option("--limit", "-n", min=0, help="At most N contacts.")] = None,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Skip the first N.")] = 0,
    segment: Annotated[str | None, typer.Option("--segment", help="Only the contacts of this saved segment.")] = None,
    field: Annotated[list[str] | None, typer.Option("--field", help="Custom field KEY=VALUE matches (repeatable).")] = None,
    min_value: Annotated[str | None, typer.Option("--min-value", help="Lifetime value (won deals, default currency) at least this.")] = None,
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """List contacts, filtered and sorted."""
    reads.contact_list(
        tags=tag or [], company=company, status=status, owner=owner, everyone=all_, search=search,
        stale=stale, sort=sort, limit=limit, offset=offset, fmt=fmt, json_flag=json_flag,
        segment=segment, fields=field, min_value=min_value,
    )


@app.command("show")
def show(
    ref: Annotated[str, typer.Argument(help="Id, email or name.")],
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """Show one contact with its deals, open follow-ups and recent timeline."""
    reads.contact_show(ref, fmt=fmt, json_flag=json_flag)


@app.command("edit")
def edit(
    ref: Annotated[str, typer.Argument(help="Id, email or name.")],
    name: Annotated[str | None, typer.Option("--name", help="New display name.")] = None,
    email: Annotated[
        list[str] | None, typer.Option("--email", "-e", help="Replace the emails (repeatable).")
    ] = None,
    add_email: Annotated[list[str] | None, typer.Option("--add-email", help="Add an email.")] = None,
    phone: Annotated[
        list[str] | None, typer.Option("--phone", "-p", help="Replace the phones (repeatable).")
    ] = None,
    add_phone: Annotated[list[str] | None, typer.Option("--add-phone", help="Add a phone.")] = None,
    company: CompanyOpt = None,
    title: TitleOpt = None,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", "-t", help="Replace the tags (repeatable).")
    ] = None,
    add_tag: Annotated[list[str] | None, typer.Option("--add-tag", help="Add a tag.")] = None,
    remove_tag: Annotated[list[str] | None, typer.Option("--remove-tag", help="Remove a tag.")] = None,
    status: StatusOpt = None,
    source: SourceOpt = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Reassign to this user.")] = None,
    every: EveryOpt = None,
    field: FieldOpt = None,
    given_name: Annotated[str | None, typer.Option("--given-name")] = None,
    family_name: Annotated[str | None, typer.Option("--family-name")] = None,
    street: Annotated[str | None, typer.Option("--street")] = None,
    city: Annotated[str | None, typer.Option("--city")] = None,
    region: Annotated[str | None, typer.Option("--region")] = None,
    postcode: Annotated[str | None, typer.Option("--postcode")] = None,
    country: Annotated[str | None, typer.Option("--country")] = None,
    do_not_contact: Annotated[
        bool | None, typer.Option("--do-not-contact/--ok-to-contact", help="Consent flag.")
    ] = None,
    channel: Annotated[
        str | None, typer.Option("--channel", help="Preferred channel: email, phone or none.")
    ] = None,
    clear: Annotated[
        list[str] | None,
        typer.Option("--clear", help="Empty a field: title, company, emails, tags, field:KEY, …"),
    ] = None,
    if_version: IfVersionOpt = None,
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """Change a contact. Only the options given change; prints the contact."""
    fmt = check_format(fmt, json_flag)

    def opt(value: object) -> object:
        return UNSET if value is None else value

    patch = ContactPatch(
        name=opt(name),
        emails=UNSET if email is None else tuple(email),
        add_emails=tuple(add_email or ()),
        phones=UNSET if phone is None else tuple(phone),
        add_phones=tuple(add_phone or ()),
        company=opt(company),
        title=opt(title),
        tags=UNSET if tag is None else tuple(tag),
        add_tags=tuple(add_tag or ()),
        remove_tags=tuple(remove_tag or ()),
        status=opt(status),
        source=opt(source),
        owner=opt(owner),
        cadence_days=UNSET if every is None else cadence_days(every),
        fields=key_values(field),
        given_name=opt(given_name),
        family_name=opt(family_name),
        street=opt(street),
        city=opt(city),
        region=opt(region),
        postcode=opt(postcode),
        country=opt(country),
        do_not_contact=opt(do_not_contact),
        preferred_channel=opt(channel),
        clear=tuple(clear or ()),
        expected_version=if_version,
    )
    with services() as ctx:
        contact = contacts.edit(ctx, ref, patch)
        Printer(fmt, ctx.clock.tz).record(contact, views.contact_fields(contact, ctx.clock.tz))


@app.command("rm")
def rm(
    refs: Annotated[list[str], typer.Argument(help="Ids, emails or names.")],
    yes: YesOpt = False,
) -> None:
    """Delete contacts with their notes and follow-ups (deals stay, unlinked)."""
    with services() as ctx:
        ids = list(dict.fromkeys(resolve_contact(ctx.db, r) for r in refs))
        found = contacts.load(ctx.db, ids)
        names = ", ".join(f"{c.id} {c.name}" for c in found)
        confirm(
            f"Delete {len(found)} contact{'s' if len(found) != 1 else ''} ({names}) with their notes and "
            "follow-ups?",
            yes=yes,
        )
        removed = contacts.remove(ctx, ids)
        Printer("plain", ctx.clock.tz).message(
            f"deleted {len(removed)} contact{'s' if len(removed) != 1 else ''}: {names}"
        )


@app.command("history")
def history(
    ref: Annotated[str, typer.Argument(help="Id, email or name.")],
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """Every change to a contact: when, who, which fields, before → after."""
    fmt = check_format(fmt, json_flag)
    with services() as ctx:
        contact_id = resolve_contact(ctx.db, ref)
        entries = load_history(ctx, "contact", contact_id)
        Printer(fmt, ctx.clock.tz).records(entries, views.change_columns(ctx.clock.tz), empty="no history")
