"""The Typer application: the root command and the global options. The command tree is
``minicrm.cli.commands.TREE``, loaded a noun at a time."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from minicrm import __version__
from minicrm.cli.commands import TREE, LazyGroup
from minicrm.cli.errors import HANDLED, exit_code_for
from minicrm.cli.help_types import install as install_help_types
from minicrm.cli.state import GLOBALS

install_help_types()  # --help says TEXT and PATH, and nothing for a flag (not <str>, <bool>)


class MinicrmGroup(LazyGroup):
    """The root: the commands of ``TREE``, loaded when named; errors end in ``exit_code_for``."""

    lazy = TREE

    def invoke(self, ctx: Any) -> Any:
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()  # a full disk is an error here, not a message at exit
            return result
        except HANDLED as exc:
            raise typer.Exit(exit_code_for(exc)) from None


app = typer.Typer(
    cls=MinicrmGroup,
    name="minicrm",
    help="minicrm: a terminal-first CRM. Contacts, companies, deals, follow-ups, notes.",
    no_args_is_help=False,
    invoke_without_command=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        print(f"minicrm {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="MINICRM_DB",
            show_envvar=True,
            help="Database file path or SQLAlchemy URL (sqlite:///…, postgresql+psycopg://…).",
        ),
    ] = None,
    as_user: Annotated[
        str | None,
        typer.Option("--as", envvar="MINICRM_USER", show_envvar=True, help="Act as this user (team mode)."),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    GLOBALS.db = db
    GLOBALS.user = as_user
    if ctx.invoked_subcommand is None:
        from minicrm.cli.commands import open_tui_or_help

        open_tui_or_help(ctx)


def run(argv: list[str]) -> None:
    app(args=argv, prog_name="minicrm")
