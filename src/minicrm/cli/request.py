"""``minicrm request …``: service requests (a customer's issues, open to resolved)."""

from __future__ import annotations

from datetime import tzinfo
from typing import Annotated

import typer

from minicrm.cli import customer_views
from minicrm.cli.options import FormatOpt, IfVersionOpt, JsonOpt
from minicrm.cli.output import Printer, check_format, write_lines
from minicrm.cli.state import services
from minicrm.services.customer import requests
from minicrm.services.dto import UNSET, ServiceRequest

app = typer.Typer(
    help="Service requests: add, list, show, edit, close, reopen, report.", no_args_is_help=True
)

IdArg = Annotated[str, typer.Argument(help="Request id, e.g. 4 or #4.")]
PriorityOpt = Annotated[str | None, typer.Option("--priority", "-p", help="low, normal, high or urgent.")]


def _print(item: ServiceRequest, fmt: str, tz: tzinfo) -> None:
    Printer(fmt, tz).record(item, customer_views.request_fields(item, tz))


@app.command("add")
def add(
    ref: Annotated[str, typer.Argument(help="Contact: id, email or name.")],
    title: Annotated[str, typer.Argument(help="What the customer needs.")],
    priority: Annotated[
        str, typer.Option("--priority", "-p", help="low, normal, high or urgent.")
    ] = "normal",
    deal: Annotated[str | None, typer.Option("--deal", "-d", help="About this deal (id).")] = None,
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """Open a service request for a contact. Prints it."""
    fmt = check_format(fmt, json_flag)
    with services() as ctx:
        _print(requests.add(ctx, ref, title, priority=priority, deal=deal), fmt, ctx.clock.tz)


@app.command("list")
def list_(
    open_only: Annotated[bool, typer.Option("--open", help="Only open requests.")] = False,
    contact: Annotated[str | None, typer.Option("--contact", help="Only this contact's.")] = None,
    priority: PriorityOpt = None,
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """Requests, open ones first, most urgent first."""
    fmt = check_format(fmt, json_flag)
    with services() as ctx:
        found = requests.list_requests(ctx, open_only=open_only, contact=contact, priority=priority)
        Printer(fmt, ctx.clock.tz).records(
            found, customer_views.request_columns(ctx.clock.tz), empty="no requests"
        )


@app.command("show")
def show(request_id: IdArg, fmt: FormatOpt = None, json_flag: JsonOpt = False) -> None:
    """One request."""
    fmt = check_format(fmt, json_flag)
    with services() as ctx:
        _print(requests.get(ctx, requests.parse_id(request_id)), fmt, ctx.clock.tz)


@app.command("edit")
def edit(
    request_id: IdArg,
    title: Annotated[str | None, typer.Option("--title", help="New title.")] = None,
    priority: PriorityOpt = None,
    if_version: IfVersionOpt = None,
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """Change a request's title or priority. Prints it."""
    fmt = check_format(fmt, json_flag)
    patch = requests.RequestPatch(
        title=UNSET if title is None else title,
        priority=UNSET if priority is None else priority,
        expected_version=if_version,
    )
    with services() as ctx:
        _print(requests.edit(ctx, requests.parse_id(request_id), patch), fmt, ctx.clock.tz)


@app.command("close")
def close(
    request_id: IdArg,
    resolution: Annotated[str, typer.Option("--resolution", "-r", help="How it was resolved.")],
    if_version: IfVersionOpt = None,
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """Close a request with its resolution. Prints it."""
    fmt = check_format(fmt, json_flag)
    with services() as ctx:
        found = requests.parse_id(request_id)
        _print(requests.close(ctx, found, resolution, expected_version=if_version), fmt, ctx.clock.tz)


@app.command("reopen")
def reopen(
    request_id: IdArg, if_version: IfVersionOpt = None, fmt: FormatOpt = None, json_flag: JsonOpt = False
) -> None:
    """Reopen a closed request. Prints it."""
    fmt = check_format(fmt, json_flag)
    with services() as ctx:
        found = requests.parse_id(request_id)
        _print(requests.reopen(ctx, found, expected_version=if_version), fmt, ctx.clock.tz)


@app.command("report")
def report(fmt: FormatOpt = None, json_flag: JsonOpt = False) -> None:
    """Open requests by priority and the median time to close (also: report service)."""
    fmt = check_format(fmt, json_flag)
    with services() as ctx:
        result = requests.service_report(ctx)
        if fmt in ("json", "jsonl"):
            Printer(fmt, ctx.clock.tz).record(result.to_dict(), [])
        else:
            write_lines(customer_views.service_report_lines(result))
