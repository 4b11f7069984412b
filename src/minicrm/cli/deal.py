"""``minicrm deal …``"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from minicrm.cli import deal_views, reads, views
from minicrm.cli.options import (
    AllOpt,
    FormatOpt,
    IfVersionOpt,
    JsonOpt,
    NewOwnerOpt,
    OwnerOpt,
    ReassignOpt,
    YesOpt,
)
from minicrm.cli.output import Printer, check_format
from minicrm.cli.state import confirm, services
from minicrm.core.dates import parse_when
from minicrm.services.deals import commands as deals
from minicrm.services.deals import queries as deal_queries
from minicrm.services.dto import UNSET, Deal, DealCreate, DealPatch, or_unset
from minicrm.services.kernel.context import Context

app = typer.Typer(
    help="Deals: add, list, show, edit, move through the pipeline, win, lose, remove.", no_args_is_help=True
)

IdArg = Annotated[str, typer.Argument(help="Deal id.", show_default=False)]
ContactOpt = Annotated[str | None, typer.Option("--contact", help="The person: id, email or name.")]
CompanyOpt = Annotated[str | None, typer.Option("--company", help="The company: id, domain or name.")]
ValueOpt = Annotated[str | None, typer.Option("--value", help="Amount in major units, exact, e.g. 1200.50.")]
CurrencyOpt = Annotated[
    str | None, typer.Option("--currency", help="ISO 4217 code (default: the configured one).")
]
CloseOpt = Annotated[
    str | None, typer.Option("--close", help="Expected close date, e.g. 2026-12-31 or 'end of month'.")
]
ProbabilityOpt = Annotated[
    int | None, typer.Option("--probability", help="Whole percentage 0-100 (default: the stage's).")
]


def _print(ctx: Context, deal: Deal, fmt: str) -> None:
    tz = ctx.clock.tz
    Printer(fmt, tz).record(deal, deal_views.deal_fields(deal, tz, ctx.clock.now()))


def _close_date(ctx: Context, text: str | None) -> date | None:
    return parse_when(text, ctx.clock).local_date(ctx.clock) if text else None


@app.command("add")
def add(
    title: Annotated[str, typer.Argument(help='What is being sold, e.g. "Website redesign".')],
    contact: ContactOpt = None,
    company: CompanyOpt = None,
    value: ValueOpt = None,
    currency: CurrencyOpt = None,
    stage: Annotated[
        str | None, typer.Option("--stage", help="Stage (default: the pipeline's first).")
    ] = None,
    pipeline: Annotated[
        str | None, typer.Option("--pipeline", help="Pipeline (default: the first configured).")
    ] = None,
    close: CloseOpt = None,
    probability: ProbabilityOpt = None,
    owner: NewOwnerOpt = None,
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """Add a deal. Prints it."""
    fmt = check_format(fmt, json_flag)
    with services() as ctx:
        data = DealCreate(
            title=title,
            contact=contact,
            company=company,
            value=value,
            currency=currency,
            stage=stage,
            pipeline=pipeline,
            close_date=_close_date(ctx, close),
            probability=probability,
            owner=owner,
        )
        _print(ctx, deals.add(ctx, data), fmt)


@app.command("list")
def list_(
    stage: Annotated[str | None, typer.Option("--stage", help="Only deals in this stage.")] = None,
    status: Annotated[str, typer.Option("--status", help="open, won, lost or all.")] = "open",
    pipeline: Annotated[str | None, typer.Option("--pipeline", help="Only deals in this pipeline.")] = None,
    owner: OwnerOpt = None,
    all_: AllOpt = False,
    contact: ContactOpt = None,
    company: CompanyOpt = None,
    stale: Annotated[
        bool, typer.Option("--stale", help="Only open deals idle for longer than their stage allows.")
    ] = False,
    limit: Annotated[int | None, typer.Option("--limit", "-n", min=0, help="At most N deals.")] = None,
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """List deals (open ones unless --status says otherwise), oldest first."""
    fmt = check_format(fmt, json_flag)
    query = deals.DealQuery(
        stage=stage,
        status=None if status == "all" else status,
        pipeline=pipeline,
        owner=None if all_ else owner,
        contact=contact,
        company=company,
        stale=stale,
        limit=limit,
    )
    from minicrm.services.kernel.users import check_owner

    with services() as ctx:
        check_owner(ctx, query.owner)  # a typo would be an empty list
        found = deals.list_deals(ctx, query)
        Printer(fmt, ctx.clock.tz).records(found, deal_views.deal_columns(), empty="no deals match")


@app.command("show")
def show(
    deal_id: IdArg,
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """Show a deal with its stage history and timeline."""
    fmt = check_format(fmt, json_flag)
    with services() as ctx:
        detail = deal_queries.deal_detail(ctx, deal_id)
        deal, changes = detail.deal, detail.stage_history
        tz, now = ctx.clock.tz, ctx.clock.now()
        printer = Printer(fmt, tz)
        if fmt in ("json", "jsonl"):
            printer.record(detail, [])
            return
        last_id = changes[-1].id if changes and deal.status == "open" else None
        printer.record(
            detail,
            deal_views.deal_fields(deal, tz, now),
            sections=[
                ("Stage history", changes, deal_views.stage_history_columns(tz, now, last_id)),
                ("Timeline", detail.timeline, views.interaction_columns(tz)),
            ],
        )


@app.command("edit")
def edit(
    deal_id: IdArg,
    title: Annotated[str | None, typer.Option("--title", help="New title.")] = None,
    contact: ContactOpt = None,
    company: CompanyOpt = None,
    value: ValueOpt = None,
    currency: Annotated[
        str | None, typer.Option("--currency", help="ISO 4217 code; the amount is kept.")
    ] = None,
    close: CloseOpt = None,
    probability: ProbabilityOpt = None,
    owner: ReassignOpt = None,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Change the lost reason of a lost deal.")
    ] = None,
    clear: Annotated[
        list[str] | None,
        typer.Option(
            "--clear",
            help="Empty a field: contact, company, value, close, probability (back to the stage's), owner.",
        ),
    ] = None,
    if_version: IfVersionOpt = None,
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """Change a deal. Only the options given change; stages change with move, won and lost."""
    fmt = check_format(fmt, json_flag)

    opt = or_unset
    with services() as ctx:
        patch = DealPatch(
            title=opt(title),
            contact=opt(contact),
            company=opt(company),
            value=opt(value),
            currency=opt(currency),
            close_date=UNSET if close is None else _close_date(ctx, close),
            probability=opt(probability),
            owner=opt(owner),
            lost_reason=opt(reason),
            clear=tuple(clear or ()),
            expected_version=if_version,
        )
        _print(ctx, deals.edit(ctx, deal_queries.deal_id(ctx, deal_id), patch), fmt)


@app.command("move")
def move(
    deal_id: IdArg,
    stage: Annotated[
        str, typer.Argument(help="The stage to move to (reopens a won or lost deal).", show_default=False)
    ],
    probability: Annotated[
        int | None,
        typer.Option("--probability", help="Set the deal's probability (default: the new stage's)."),
    ] = None,
    if_version: IfVersionOpt = None,
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """Move a deal to another stage. Prints it."""
    fmt = check_format(fmt, json_flag)
    with services() as ctx:
        found = deal_queries.deal_id(ctx, deal_id)
        _print(ctx, deals.move(ctx, found, stage, probability=probability, expected_version=if_version), fmt)


@app.command("won")
def won(
    deal_id: IdArg,
    note: Annotated[
        str | None, typer.Option("--note", help='A note on the deal\'s timeline, e.g. "signed 2y".')
    ] = None,
    if_version: IfVersionOpt = None,
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """Mark a deal won (closes it at 100%), with an optional note. Prints it.

    A deal someone else marked lost is turned won only with --if-version (its current version),
    so that a stale view cannot overturn their close."""
    fmt = check_format(fmt, json_flag)
    with services() as ctx:
        found = deal_queries.deal_id(ctx, deal_id)
        _print(ctx, deals.won(ctx, found, note=note, expected_version=if_version), fmt)


@app.command("lost")
def lost(
    deal_id: IdArg,
    reason: Annotated[str | None, typer.Option("--reason", "-r", help="Why it was lost (required).")] = None,
    if_version: IfVersionOpt = None,
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """Mark a deal lost, with the reason (closes it at 0%). Prints it.

    A deal someone else marked won is turned lost only with --if-version (its current version)."""
    fmt = check_format(fmt, json_flag)
    with services() as ctx:
        found = deal_queries.deal_id(ctx, deal_id)
        _print(ctx, deals.lost(ctx, found, reason, expected_version=if_version), fmt)


@app.command("rm")
def rm(
    deal_ids: Annotated[list[str], typer.Argument(help="Deal ids.", show_default=False)],
    yes: YesOpt = False,
) -> None:
    """Delete deals with their stage history (their timeline entries stay)."""
    with services() as ctx:
        ids = list(dict.fromkeys(deal_queries.deal_id(ctx, d) for d in deal_ids))
        found = deals.load(ctx, ids)
        names = ", ".join(f"#{d.id} {d.title}" for d in found)
        confirm(f"Delete {len(found)} deal{'s' if len(found) != 1 else ''} ({names})?", yes=yes)
        deals.remove(ctx, ids)
        Printer("plain", ctx.clock.tz).message(f"deleted {names}")


@app.command("history")
def history(
    deal_id: IdArg,
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """Every change to a deal: when, who, which fields, before → after."""
    reads.record_history("deal", deal_queries.deal_id, deal_id, fmt=fmt, json_flag=json_flag)
