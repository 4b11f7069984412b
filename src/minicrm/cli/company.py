"""``minicrm company …``"""

from __future__ import annotations

from typing import Annotated

import typer

from minicrm.cli import customer_views, reads, views
from minicrm.cli.options import (
    AddTagOpt,
    CityOpt,
    CountryOpt,
    FieldOpt,
    FormatOpt,
    IfVersionOpt,
    JsonOpt,
    NewOwnerOpt,
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
from minicrm.cli.parsing import key_values
from minicrm.cli.state import confirm, services
from minicrm.services.companies import commands as companies
from minicrm.services.companies import queries as company_queries
from minicrm.services.customer import profile
from minicrm.services.dto import UNSET, Address, CompanyCreate, CompanyPatch, or_unset

app = typer.Typer(help="Companies (accounts): add, list, show, edit, remove.", no_args_is_help=True)


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="Company name.")],
    domain: Annotated[str | None, typer.Option("--domain", "-d", help="Web domain, e.g. lima.pt.")] = None,
    industry: Annotated[str | None, typer.Option("--industry", "-i")] = None,
    size: Annotated[str | None, typer.Option("--size", help="Head count or band, e.g. 11-50.")] = None,
    tag: TagOpt = None,
    owner: NewOwnerOpt = None,
    field: FieldOpt = None,
    street: StreetOpt = None,
    city: CityOpt = None,
    region: RegionOpt = None,
    postcode: PostcodeOpt = None,
    country: CountryOpt = None,
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """Add a company. Prints it."""
    fmt = check_format(fmt, json_flag)
    data = CompanyCreate(
        name=name,
        domain=domain,
        industry=industry,
        size=size,
        tags=tuple(tag or ()),
        owner=owner,
        fields=key_values(field),
        address=Address(street, city, region, postcode, country),
    )
    with services() as ctx:
        company = companies.add(ctx, data)
        Printer(fmt, ctx.clock.tz).record(company, views.company_fields(company, ctx.clock.tz))


@app.command("list")
def list_(
    tag: TagOpt = None,
    search: Annotated[
        str | None, typer.Option("--search", "-s", help="Only companies matching this text.")
    ] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Only companies owned by this user.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", "-n", min=0)] = None,
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """List companies by name."""
    fmt = check_format(fmt, json_flag)
    from minicrm.services.kernel.users import check_owner

    with services() as ctx:
        check_owner(ctx, owner)  # a typo would be an empty list
        found = companies.list_companies(ctx, tags=tuple(tag or ()), search=search, owner=owner, limit=limit)
        Printer(fmt, ctx.clock.tz).records(found, views.company_columns(), empty="no companies match")


@app.command("show")
def show(
    ref: Annotated[str, typer.Argument(help="Id, domain or name.")],
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """Show a company with its people, deals and recent timeline."""
    fmt = check_format(fmt, json_flag)
    with services() as ctx:
        detail = profile.company_detail(ctx, ref)
        tz = ctx.clock.tz
        printer = Printer(fmt, tz)
        if fmt in ("json", "jsonl"):
            printer.record(detail, [])
            return
        printer.record(
            detail,
            views.company_fields(detail.company, tz),
            sections=[
                ("Purchases", detail.purchases.totals, customer_views.purchase_columns()),
                ("People", detail.people, views.contact_columns()),
                ("Deals", detail.deals, views.deal_summary_columns(with_contact=True)),
                ("Timeline", detail.timeline, views.interaction_columns(tz)),
            ],
        )


@app.command("edit")
def edit(
    ref: Annotated[str, typer.Argument(help="Id, domain or name.")],
    name: Annotated[str | None, typer.Option("--name", help="New name.")] = None,
    domain: Annotated[str | None, typer.Option("--domain", "-d")] = None,
    industry: Annotated[str | None, typer.Option("--industry", "-i")] = None,
    size: Annotated[str | None, typer.Option("--size")] = None,
    tag: ReplaceTagsOpt = None,
    add_tag: AddTagOpt = None,
    remove_tag: RemoveTagOpt = None,
    owner: ReassignOpt = None,
    field: FieldOpt = None,
    street: StreetOpt = None,
    city: CityOpt = None,
    region: RegionOpt = None,
    postcode: PostcodeOpt = None,
    country: CountryOpt = None,
    clear: Annotated[
        list[str] | None, typer.Option("--clear", help="Empty a field: domain, industry, tags, field:KEY, …")
    ] = None,
    if_version: IfVersionOpt = None,
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """Change a company. Only the options given change."""
    fmt = check_format(fmt, json_flag)

    opt = or_unset
    patch = CompanyPatch(
        name=opt(name),
        domain=opt(domain),
        industry=opt(industry),
        size=opt(size),
        tags=UNSET if tag is None else tuple(tag),
        add_tags=tuple(add_tag or ()),
        remove_tags=tuple(remove_tag or ()),
        owner=opt(owner),
        fields=key_values(field),
        street=opt(street),
        city=opt(city),
        region=opt(region),
        postcode=opt(postcode),
        country=opt(country),
        clear=tuple(clear or ()),
        expected_version=if_version,
    )
    with services() as ctx:
        company = companies.edit(ctx, ref, patch)
        Printer(fmt, ctx.clock.tz).record(company, views.company_fields(company, ctx.clock.tz))


@app.command("rm")
def rm(
    refs: Annotated[list[str], typer.Argument(help="Ids, domains or names.")],
    yes: YesOpt = False,
) -> None:
    """Delete companies. Their people and deals stay, unlinked."""
    with services() as ctx:
        found = [companies.find(ctx, r) for r in refs]
        names = ", ".join(f"{c.id} {c.name}" for c in found)
        confirm(f"Delete {len(found)} compan{'ies' if len(found) != 1 else 'y'} ({names})?", yes=yes)
        companies.remove(ctx, [str(c.id) for c in found])
        Printer("plain", ctx.clock.tz).message(f"deleted {names}")


@app.command("history")
def history(
    ref: Annotated[str, typer.Argument(help="Id, domain or name.")],
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """Every change to a company: when, who, which fields, before → after."""
    reads.record_history("company", company_queries.company_id, ref, fmt=fmt, json_flag=json_flag)
