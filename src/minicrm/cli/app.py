"""The Typer application: the root command, global options, and the command groups."""

from __future__ import annotations

import copy
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from minicrm import __version__
from minicrm.cli.errors import ExitCode, report
from minicrm.cli.state import GLOBALS
from minicrm.errors import MinicrmError


class MinicrmGroup(TyperGroup):
    """Turns the error family into ``error: …`` lines and exit codes, in one place."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except MinicrmError as exc:
            raise typer.Exit(report(exc)) from None
        except KeyboardInterrupt:
            print(file=sys.stderr)
            raise typer.Exit(ExitCode.INTERRUPTED) from None
        except BrokenPipeError:
            sys.stderr.close()
            raise typer.Exit(ExitCode.OK) from None


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
    db: Annotated[str | None, typer.Option("--db", envvar="MINICRM_DB", show_envvar=True,
                  help="Database file path or SQLAlchemy URL (sqlite:///…, postgresql+psycopg://…).")] = None,
    as_user: Annotated[str | None, typer.Option("--as", envvar="MINICRM_USER", show_envvar=True,
                       help="Act as this user (team mode).")] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                       help="Print the version and exit.")] = False,
) -> None:
    GLOBALS.db = db
    GLOBALS.user = as_user
    if ctx.invoked_subcommand is None:
        from minicrm.cli.commands import open_tui_or_help

        open_tui_or_help(ctx)


def _register() -> None:
    from minicrm.cli import commands

    commands.register(app)


_register()


def run(argv: list[str]) -> None:
    app_for(argv)(args=argv, prog_name="minicrm")


def app_for(argv: list[str]) -> typer.Typer:
    """The app with only the command (group) that ``argv`` names: Typer builds the click
    command and the value adapters of every registered command on each run, which costs more
    than a write may take (SPEC §7); one group is a fraction of that. Anything else (no
    command, an option first, an unknown name) gets the whole app, for its help and errors."""
    name = _command_name(argv)
    if name is None:
        return app

    def keep(info: Any) -> bool:
        given = info.name if isinstance(info.name, str) else None
        return given is None or given == name

    groups = [g for g in app.registered_groups if keep(g)]
    commands = [c for c in app.registered_commands if keep(c)]
    if name not in {g.name for g in groups} | {c.name for c in commands}:
        return app
    pruned = copy.copy(app)
    pruned.registered_groups = groups
    pruned.registered_commands = commands
    return pruned


def _command_name(argv: list[str]) -> str | None:
    """The first word after the global options (``--db X``, ``--as U``), if any."""
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in ("--db", "--as"):
            i += 2
        elif arg.startswith(("--db=", "--as=")):
            i += 1
        else:
            return None if arg.startswith("-") else arg
    return None
