"""The command tree: every noun and top-level verb, registered in one place."""

from __future__ import annotations

import sys

import typer


def register(app: typer.Typer) -> None:
    from minicrm.cli import company, contact, database, followup, notes, search, tui

    app.command("init")(database.init)
    app.add_typer(database.app, name="db")
    app.add_typer(contact.app, name="contact")
    app.add_typer(company.app, name="company")
    app.add_typer(notes.note_app, name="note")
    app.add_typer(notes.log_app, name="log")
    app.command("timeline")(notes.timeline)
    app.add_typer(followup.app, name="followup")
    app.command("due")(followup.due)
    app.command("search")(search.search)
    app.command("tui")(tui.tui)


def open_tui_or_help(ctx: typer.Context) -> None:
    """A bare ``minicrm``: the TUI on a terminal, the help otherwise."""
    if sys.stdin.isatty() and sys.stdout.isatty():
        try:
            from minicrm.tui.app import run_tui
        except ImportError:
            pass
        else:
            run_tui()
            raise typer.Exit()
    typer.echo(ctx.get_help())
    raise typer.Exit()
