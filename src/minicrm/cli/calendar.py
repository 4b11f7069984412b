"""``minicrm calendar import SOURCE``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from minicrm.cli.options import JsonOpt
from minicrm.cli.output import Printer, emit
from minicrm.cli.state import services
from minicrm.core.errors import InvalidInput

app = typer.Typer(help="Calendar: capture meetings with contacts on their timeline.", no_args_is_help=True)


@app.command("import")
def import_(
    source: Annotated[
        Path,
        typer.Argument(help="An .ics file, or a vdir of .ics files (khal, vdirsyncer).", show_default=False),
    ],
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary (for cron).")] = False,
    json_flag: JsonOpt = False,
) -> None:
    """Capture meetings with contacts as `meeting` interactions (recurring ones up to today).

    Importing again changes nothing; an event with a newer SEQUENCE updates its entries."""
    from minicrm.services.capture.calendar import import_calendar

    with services() as ctx:
        printer = Printer("plain", ctx.clock.tz)
        summary = import_calendar(ctx, source, on_error=lambda text: printer.message(f"error: {text}"))
    if json_flag:
        emit(summary.to_dict(), "json")
    elif not quiet:
        printer.message(
            f"{summary.source}: {summary.events} events, {summary.created} timeline entries created, "
            f"{summary.updated} updated, {summary.unchanged} unchanged, "
            f"{summary.not_contacts} without a contact"
        )
    if summary.errors:
        raise InvalidInput(
            f"{len(summary.errors)} calendar file(s) in {summary.source} could not be read (named above); "
            "the others were imported"
        )
