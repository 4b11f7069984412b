"""The command tree: every noun and top-level verb, registered in one place."""

from __future__ import annotations

import sys

import typer


def register(app: typer.Typer) -> None:
    from minicrm.cli import (
        cadence,
        company,
        contact,
        database,
        deal,
        dedupe,
        doctor,
        followup,
        next_command,
        notes,
        pipeline,
        privacy,
        report,
        safety,
        search,
        transfer,
        tui,
        undo,
        user,
    )

    app.command("init")(database.init)
    app.add_typer(database.app, name="db")
    app.add_typer(contact.app, name="contact")
    app.add_typer(company.app, name="company")
    app.add_typer(notes.note_app, name="note")
    app.add_typer(notes.log_app, name="log")
    app.command("timeline")(notes.timeline)
    app.add_typer(followup.app, name="followup")
    app.command("due")(followup.due)
    app.command("next")(next_command.next_)
    app.add_typer(cadence.app, name="cadence")
    app.command("doctor")(doctor.doctor)
    app.command("search")(search.search)
    from minicrm.cli import hooks, request, segment

    app.add_typer(segment.app, name="segment")
    app.add_typer(request.app, name="request")
    app.add_typer(hooks.app, name="hooks")
    app.add_typer(user.app, name="user")
    app.add_typer(deal.app, name="deal")
    app.add_typer(pipeline.app, name="pipeline")
    app.add_typer(report.app, name="report")
    report.app.command("service")(request.report)
    report.app.command("cadence")(cadence.report)
    app.add_typer(transfer.import_app, name="import")
    app.add_typer(transfer.export_app, name="export")
    app.command("dedupe")(dedupe.dedupe)
    app.add_typer(privacy.app, name="privacy")
    app.command("undo")(undo.undo)
    app.command("backup")(safety.backup)
    app.command("restore")(safety.restore)
    app.command("tui")(tui.tui)


def open_tui_or_help(ctx: typer.Context) -> None:
    """A bare ``minicrm``: the TUI on a terminal, the help otherwise."""
    if sys.stdin.isatty() and sys.stdout.isatty():
        from importlib.util import find_spec

        if find_spec("textual") is not None:  # the TUI's library may be left out of an install
            from minicrm.cli.state import open_tui

            open_tui()
            raise typer.Exit()
    typer.echo(ctx.get_help())
    raise typer.Exit()
