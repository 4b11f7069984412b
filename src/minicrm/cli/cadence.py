"""``minicrm cadence set|list|rm``: keep-in-touch rules per tag."""

from __future__ import annotations

from typing import Annotated

import typer

from minicrm.cli.options import FormatOpt, HeaderOpt, JsonOpt
from minicrm.cli.output import Column, Printer, check_format
from minicrm.cli.parsing import duration
from minicrm.cli.state import services
from minicrm.core.dates import parse_duration
from minicrm.services.dto import CadenceRule, CadenceSummary
from minicrm.services.followups import cadence

app = typer.Typer(
    help="Keep-in-touch rules per tag: everyone tagged vip every 14 days, lapsed after 30.",
    no_args_is_help=True,
)


def _columns() -> list[Column]:
    return [
        Column("Tag", lambda r: r.tag),
        Column("Every", lambda r: f"{r.ideal_days}d"),
        Column(
            "Lapsed after", lambda r: f"{r.max_days}d" if r.max_days else f"{2 * r.ideal_days}d (default)"
        ),
        Column("Contacts", lambda r: r.contacts),
    ]


def _fields(r: CadenceRule) -> list[tuple[str, object]]:
    return [(c.header, c.get(r)) for c in _columns()]


@app.command("set")
def set_(
    tag: Annotated[str, typer.Argument(help="A tag some contacts carry, e.g. vip.")],
    every: Annotated[
        str, typer.Argument(metavar="DURATION", help="Ideal time between contacts: 14d, 2w, 1m.")
    ],
    maximum: Annotated[
        str | None, typer.Option("--max", help="Lapsed past this (default: twice the cadence).")
    ] = None,
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """Keep in touch with everyone tagged TAG every DURATION (a contact's own --every wins)."""
    fmt = check_format(fmt, json_flag)
    ideal = parse_duration(every)
    with services() as ctx:
        rule = cadence.set_rule(ctx, tag, ideal, duration(maximum))
        Printer(fmt, ctx.clock.tz).record(rule, _fields(rule))


@app.command("list")
def list_(fmt: FormatOpt = None, json_flag: JsonOpt = False) -> None:
    """The cadence rules, shortest first."""
    fmt = check_format(fmt, json_flag)
    with services() as ctx:
        Printer(fmt, ctx.clock.tz).records(cadence.list_rules(ctx), _columns(), empty="no cadence rules")


@app.command("rm")
def rm(tag: Annotated[str, typer.Argument(help="The tag whose rule to remove.")]) -> None:
    """Remove a tag's cadence rule (the tag itself stays)."""
    with services() as ctx:
        rule = cadence.remove_rule(ctx, tag)
        Printer("plain", ctx.clock.tz).message(f"removed the cadence rule for {rule.tag}")


def report(
    owner: Annotated[str | None, typer.Option("--owner", help="Only this user's contacts.")] = None,
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
    header: HeaderOpt = False,
) -> None:
    """Keep-in-touch health: who is in touch, due or lapsed, per cadence.

    One row per cadence (contacts' own, and each tag rule): how many contacts are in touch, due
    or lapsed, and the share in touch."""
    fmt = check_format(fmt, json_flag)
    from minicrm.cli.output import plain_header
    from minicrm.services.kernel.users import known_owner

    with services() as ctx, plain_header(header):
        known_owner(ctx, owner)  # a typo would be an empty report
        result = cadence.report(ctx, owner=owner)
        printer = Printer(fmt, ctx.clock.tz)
        if fmt == "json":
            printer.record(result.to_dict(), [])
            return
        rows = [*result.sources, result.total] if result.total.contacts else []
        printer.records(
            rows,
            _report_columns(),
            empty="no contact has a keep-in-touch cadence: `contact edit REF --every 30d`, "
            "or a rule for a tag: `cadence set vip 14d`",
        )


def _report_columns() -> list[Column]:
    def every(s: CadenceSummary) -> str:
        if s.source == "total":
            return ""
        return f"{s.ideal_days}d" if s.ideal_days is not None else "own"

    def share(s: CadenceSummary) -> str:
        return "" if s.in_touch_pct is None else f"{s.in_touch_pct:.1f}%"

    return [
        Column("Source", lambda s: "contacts' own" if s.source == "contact" else s.source),
        Column("Every", every),
        Column("Contacts", lambda s: s.contacts),
        Column("In touch", lambda s: s.in_touch),
        Column("Due", lambda s: s.due),
        Column("Lapsed", lambda s: s.lapsed),
        Column("In touch %", share),
    ]
