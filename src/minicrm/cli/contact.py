"""``minicrm contact …``"""

from __future__ import annotations

from typing import Annotated

import typer

from minicrm.cli import reads, views, writes
from minicrm.cli.options import (
    AddTagOpt,
    AllOpt,
    CityOpt,
    CountryOpt,
    FieldOpt,
    FormatOpt,
    IfVersionOpt,
    JsonOpt,
    NewOwnerOpt,
    OwnerOpt,
    PostcodeOpt,
    ReassignOpt,
    RegionOpt,
    RemoveTagOpt,
    ReplaceTagsOpt,
    StreetOpt,
    TagOpt,
    YesOpt,
)
from minicrm.cli.output import Printer, check_format
from minicrm.cli.parsing import cadence_days, key_values
from minicrm.cli.state import confirm, services
from minicrm.core.errors import InvalidInput
from minicrm.services.contacts import commands as contacts
from minicrm.services.contacts import queries as contact_queries
from minicrm.services.dto import UNSET, ContactPatch, or_unset

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
StatusOpt = Annotated[str | None, typer.Option("--status", help="lead, prospect, customer or inactive.")]
SourceOpt = Annotated[str | None, typer.Option("--source", help="Where the contact came from.")]
EveryOpt = Annotated[str | None, typer.Option("--every", help="Keep-in-touch cadence, e.g. 30d, 2w, 3m.")]


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
    owner: NewOwnerOpt = None,
    every: EveryOpt = None,
    field: FieldOpt = None,
    given_name: Annotated[str | None, typer.Option("--given-name")] = None,
    family_name: Annotated[str | None, typer.Option("--family-name")] = None,
    street: StreetOpt = None,
    city: CityOpt = None,
    region: RegionOpt = None,
    postcode: PostcodeOpt = None,
    country: CountryOpt = None,
    nickname: Annotated[str | None, typer.Option("--nickname")] = None,
    name_prefix: Annotated[str | None, typer.Option("--name-prefix", help="Dr., Ms., ...")] = None,
    middle_name: Annotated[str | None, typer.Option("--middle-name")] = None,
    name_suffix: Annotated[str | None, typer.Option("--name-suffix", help="Jr., PhD, ...")] = None,
    department: Annotated[str | None, typer.Option("--department")] = None,
    allow_duplicate: Annotated[
        bool,
        typer.Option(
            "--allow-duplicate",
            help="Add even if the email belongs to another contact (kept in the field shared_email).",
        ),
    ] = False,
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """Add a person. Prints the new contact."""
    writes.contact_add(
        name,
        email=email,
        phone=phone,
        company=company,
        title=title,
        tag=tag,
        status=status,
        source=source,
        owner=owner,
        every=every,
        field=field,
        given_name=given_name,
        family_name=family_name,
        street=street,
        city=city,
        region=region,
        postcode=postcode,
        country=country,
        nickname=nickname,
        name_prefix=name_prefix,
        middle_name=middle_name,
        name_suffix=name_suffix,
        department=department,
        allow_duplicate=allow_duplicate,
        fmt=fmt,
        json_flag=json_flag,
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
    segment: Annotated[
        str | None, typer.Option("--segment", help="Only the contacts of this saved segment.")
    ] = None,
    field: Annotated[
        list[str] | None, typer.Option("--field", help="Custom field KEY=VALUE matches (repeatable).")
    ] = None,
    min_value: Annotated[
        str | None,
        typer.Option("--min-value", help="Lifetime value (won deals, default currency) at least this."),
    ] = None,
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """List contacts, filtered and sorted."""
    reads.contact_list(
        tags=tag or [],
        company=company,
        status=status,
        owner=owner,
        everyone=all_,
        search=search,
        stale=stale,
        sort=sort,
        limit=limit,
        offset=offset,
        fmt=fmt,
        json_flag=json_flag,
        segment=segment,
        fields=field,
        min_value=min_value,
    )


@app.command("show")
def show(
    ref: Annotated[str, typer.Argument(help="Id, email or name.")],
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """Show one contact with its deals, open follow-ups and recent timeline."""
    reads.contact_show(ref, fmt=fmt, json_flag=json_flag)


FilterTagOpt = Annotated[
    list[str] | None, typer.Option("--filter-tag", help="Bulk: contacts with this tag (repeatable).")
]
FilterCompanyOpt = Annotated[
    str | None, typer.Option("--filter-company", help="Bulk: contacts at this company.")
]
FilterStatusOpt = Annotated[
    str | None, typer.Option("--filter-status", help="Bulk: contacts with this status.")
]
FilterSearchOpt = Annotated[
    str | None, typer.Option("--filter-search", help="Bulk: contacts matching this text.")
]
FilterOwnerOpt = Annotated[
    str | None, typer.Option("--filter-owner", help="Bulk: contacts owned by this user.")
]
BULK_ASK_ABOVE = 10


def _bulk_query(
    tags: list[str] | None, company: str | None, status: str | None, search: str | None, owner: str | None
) -> contacts.ContactQuery | None:
    """The ``contact list`` filters of a bulk edit/rm, or None when none was given."""
    if not (tags or company or status or search or owner):
        return None
    return contacts.ContactQuery(
        tags=tuple(tags or ()), company=company, status=status, search=search, owner=owner
    )


def _one_target(refs: list[str] | None, query: contacts.ContactQuery | None) -> None:
    if refs and query is not None:
        raise InvalidInput("give contact references or --filter-… options, not both")
    if not refs and query is None:
        raise InvalidInput(
            "name a contact (REF) or select several with --filter-tag/--filter-company/"
            "--filter-status/--filter-search/--filter-owner"
        )


@app.command("merge")
def merge(
    keep: Annotated[str, typer.Argument(help="The contact to keep (id, email or name).")],
    others: Annotated[list[str], typer.Argument(help="Contacts to merge into it; they are deleted.")],
    yes: YesOpt = False,
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """Merge duplicates into KEEP (undo restores them).

    KEEP's empty fields are filled; emails, phones, tags and fields are united; the timeline,
    deals, follow-ups and requests move to KEEP; the merge is recorded in the history."""
    from minicrm.services.contacts.dedupe import merge_contacts

    fmt = check_format(fmt, json_flag)
    with services() as ctx:
        keep_id = contact_queries.contact_id(ctx, keep)
        other_ids = list(dict.fromkeys(contact_queries.contact_id(ctx, r) for r in others))
        found = contact_queries.get_many(ctx, [keep_id, *other_ids])
        names = ", ".join(f"{c.id} {c.name}" for c in found[1:])
        confirm(f"Merge {names} into {found[0].id} {found[0].name} (they are deleted)?", yes=yes)
        contact = merge_contacts(ctx, keep_id, other_ids)
        Printer(fmt, ctx.clock.tz).record(contact, views.contact_fields(contact, ctx.clock.tz))


@app.command("edit")
def edit(
    ref: Annotated[
        str | None,
        typer.Argument(
            help="Id, email or name; omit it to edit every contact the --filter-… options select."
        ),
    ] = None,
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
    tag: ReplaceTagsOpt = None,
    add_tag: AddTagOpt = None,
    remove_tag: RemoveTagOpt = None,
    status: StatusOpt = None,
    source: SourceOpt = None,
    owner: ReassignOpt = None,
    every: EveryOpt = None,
    field: FieldOpt = None,
    given_name: Annotated[str | None, typer.Option("--given-name")] = None,
    family_name: Annotated[str | None, typer.Option("--family-name")] = None,
    street: StreetOpt = None,
    city: CityOpt = None,
    region: RegionOpt = None,
    postcode: PostcodeOpt = None,
    country: CountryOpt = None,
    nickname: Annotated[str | None, typer.Option("--nickname")] = None,
    name_prefix: Annotated[str | None, typer.Option("--name-prefix", help="Dr., Ms., ...")] = None,
    middle_name: Annotated[str | None, typer.Option("--middle-name")] = None,
    name_suffix: Annotated[str | None, typer.Option("--name-suffix", help="Jr., PhD, ...")] = None,
    department: Annotated[str | None, typer.Option("--department")] = None,
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
    filter_tag: FilterTagOpt = None,
    filter_company: FilterCompanyOpt = None,
    filter_status: FilterStatusOpt = None,
    filter_search: FilterSearchOpt = None,
    filter_owner: FilterOwnerOpt = None,
    yes: Annotated[
        bool,
        typer.Option(
            "--yes", "-y", help=f"Bulk: do not ask before changing more than {BULK_ASK_ABOVE} contacts."
        ),
    ] = False,
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """Change a contact, or every contact the --filter-… options select.

    Only the options given change; prints the contact (bulk: how many changed). A bulk edit is
    one undoable operation."""
    fmt = check_format(fmt, json_flag)

    opt = or_unset
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
        nickname=opt(nickname),
        name_prefix=opt(name_prefix),
        middle_name=opt(middle_name),
        name_suffix=opt(name_suffix),
        department=opt(department),
        do_not_contact=opt(do_not_contact),
        preferred_channel=opt(channel),
        clear=tuple(clear or ()),
        expected_version=if_version,
    )
    query = _bulk_query(filter_tag, filter_company, filter_status, filter_search, filter_owner)
    _one_target([ref] if ref else None, query)
    with services() as ctx:
        if query is not None:
            ids = contact_queries.matching_ids(ctx, query)
            printer = Printer(fmt, ctx.clock.tz)
            printer.message(f"{len(ids)} contact{'s' if len(ids) != 1 else ''} match")
            if len(ids) > BULK_ASK_ABOVE:
                confirm(f"Change {len(ids)} contacts?", yes=yes)
            contacts.edit_many(ctx, ids, patch, f"contact edit ({len(ids)} contacts)")
            printer.message(f"edited {len(ids)} contact{'s' if len(ids) != 1 else ''}")
            return
        assert ref is not None
        contact = contacts.edit(ctx, ref, patch)
        Printer(fmt, ctx.clock.tz).record(contact, views.contact_fields(contact, ctx.clock.tz))


@app.command("rm")
def rm(
    refs: Annotated[
        list[str] | None,
        typer.Argument(help="Ids, emails or names; omit them to delete what the --filter-… options select."),
    ] = None,
    filter_tag: FilterTagOpt = None,
    filter_company: FilterCompanyOpt = None,
    filter_status: FilterStatusOpt = None,
    filter_search: FilterSearchOpt = None,
    filter_owner: FilterOwnerOpt = None,
    yes: YesOpt = False,
) -> None:
    """Delete contacts with their notes and follow-ups (deals stay, unlinked)."""
    query = _bulk_query(filter_tag, filter_company, filter_status, filter_search, filter_owner)
    _one_target(refs, query)
    with services() as ctx:
        if query is not None:
            ids = contact_queries.matching_ids(ctx, query)
            if not ids:
                Printer("plain", ctx.clock.tz).message("no contact matches; nothing deleted")
                return
        else:
            ids = list(dict.fromkeys(contact_queries.contact_id(ctx, r) for r in refs or ()))
        found = contact_queries.get_many(ctx, ids)
        names = ", ".join(f"{c.id} {c.name}" for c in found[:BULK_ASK_ABOVE]) + (
            " …" if len(found) > BULK_ASK_ABOVE else ""
        )
        confirm(
            f"Delete {len(found)} contact{'s' if len(found) != 1 else ''} ({names}) "
            "with their notes and follow-ups?",
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
    reads.record_history("contact", contact_queries.contact_id, ref, fmt=fmt, json_flag=json_flag)
