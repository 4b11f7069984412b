"""Opening the services for an interface (a command, the TUI): the context, once imports that
were interrupted (their process killed) have been rolled back. A rollback is reported in the
context's warnings: "rolled back the interrupted import #12 (import csv people.csv)"."""

from __future__ import annotations

from minicrm.core.clock import to_db
from minicrm.services.kernel.context import Context, open_context

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up
if TYPE_CHECKING:
    from pathlib import Path


def open_services(db: str | Path | None = None, *, user: str | None = None) -> Context:
    ctx = open_context(db, user=user)
    try:
        if ctx.db.scalar("SELECT 1 FROM import_run LIMIT 1"):  # one indexed read per command
            from minicrm.services.transfer.import_runs import recover

            for done in recover(ctx, to_db(ctx.clock.now())):
                ctx.warnings.append(f"rolled back the interrupted import {done}: nothing of it is kept")
    except BaseException:
        ctx.close()
        raise
    return ctx
