"""``minicrm user add|list``: the people who share a database (team mode)."""

from __future__ import annotations

from typing import Annotated

import typer

from minicrm.cli import views
from minicrm.cli.options import FormatOpt, JsonOpt
from minicrm.cli.output import Printer, check_format
from minicrm.cli.state import services
from minicrm.services.kernel import users

app = typer.Typer(help="Users (team mode): who acts and who owns records.", no_args_is_help=True)


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="The user's name, one word: what --as and --owner take.")],
    email: Annotated[str | None, typer.Option("--email", "-e", help="The user's email address.")] = None,
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """Add a user. The first user turns team mode on: lists default to your own records."""
    fmt = check_format(fmt, json_flag)
    with services(check_user=False) as ctx:
        user = users.add(ctx, name, email)
        Printer(fmt, ctx.clock.tz).record(user, views.user_fields(user, ctx.clock.tz))


@app.command("list")
def list_(fmt: FormatOpt = None, json_flag: JsonOpt = False) -> None:
    """List the users."""
    fmt = check_format(fmt, json_flag)
    with services(check_user=False) as ctx:
        found = users.list_users(ctx)
        Printer(fmt, ctx.clock.tz).records(found, views.user_columns(ctx.clock.tz), empty="no users")
