"""``minicrm privacy export|erase REF``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from minicrm.cli.options import YesOpt
from minicrm.cli.output import Printer, emit, output_stream
from minicrm.cli.state import confirm, services

app = typer.Typer(
    help="What minicrm stores about a person: export it, or erase the person.", no_args_is_help=True
)
RefArg = Annotated[str, typer.Argument(help="Id, email or name.")]


@app.command("export")
def export(
    ref: RefArg,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the JSON here instead of stdout.")
    ] = None,
) -> None:
    """Everything stored about a person (record, timeline, deals, follow-ups, change log) as JSON."""
    from minicrm.services.contacts import privacy
    from minicrm.services.contacts.queries import contact_id

    with services() as ctx:
        doc = privacy.export_person(ctx, contact_id(ctx, ref))
    with output_stream(out) as stream:
        emit(doc, "json", stream, sort_keys=True)
    if out is not None:
        Printer("plain", ctx.clock.tz).message(f"wrote {out}")


@app.command("erase")
def erase(ref: RefArg, yes: YesOpt = False) -> None:
    """Delete a person for good (cannot be undone).

    Removes their record, timeline and follow-ups; redacts their email and phone in other
    records and in the change log; keeps only a hashed tombstone, so that a later import does
    not bring them back."""
    from minicrm.services.contacts import privacy
    from minicrm.services.contacts.commands import get
    from minicrm.services.contacts.queries import contact_id

    with services() as ctx:
        person = get(ctx, contact_id(ctx, ref))
        confirm(f"Erase {person.id} {person.name} for good (this cannot be undone)?", yes=yes)
        report = privacy.erase_person(ctx, person.id)
        Printer("plain", ctx.clock.tz).message(
            f"erased {report.name}: {report.deleted_records} records deleted, "
            f"{report.redacted_records} redacted, "
            f"{report.scrubbed_changes} change-log entries scrubbed, {report.tombstones} tombstones kept"
        )
