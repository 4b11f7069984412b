"""``minicrm dedupe``: list likely duplicates, and merge them with ``--apply``."""

from __future__ import annotations

from typing import Annotated

import typer

from minicrm.cli.options import FormatOpt, JsonOpt, YesOpt
from minicrm.cli.output import Column, Printer, check_format
from minicrm.cli.state import confirm, services


def dedupe(
    apply: Annotated[
        bool, typer.Option("--apply", help="Merge each group into its oldest record (asks first).")
    ] = False,
    yes: YesOpt = False,
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """List likely duplicate contacts and companies with a score and the reason."""
    from minicrm.services.contacts import dedupe as service

    fmt = check_format(fmt, json_flag)
    columns = [
        Column("Type", lambda g: g.entity),
        Column("IDs", lambda g: " ".join(str(i) for i in g.ids)),
        Column("Names", lambda g: " | ".join(g.names)),
        Column("Score", lambda g: g.score),
        Column("Reason", lambda g: g.reason),
    ]
    with services() as ctx:
        groups = service.find_duplicates(ctx)
        printer = Printer(fmt, ctx.clock.tz)
        printer.records(groups, columns, empty="no likely duplicates")
        if not apply or not groups:
            return
        records = sum(len(g.ids) for g in groups)
        confirm(f"Merge {len(groups)} groups ({records} records) into their oldest record each?", yes=yes)
        merged = service.apply_groups(ctx, groups)
        printer.message(f"merged {merged} group{'s' if merged != 1 else ''}")
