"""``minicrm undo [OP_ID] [--list]``"""

from __future__ import annotations

from typing import Annotated

import typer

from minicrm.cli import views
from minicrm.cli.options import FormatOpt, JsonOpt, YesOpt
from minicrm.cli.output import Printer, check_format, show_moment
from minicrm.cli.state import confirm, services
from minicrm.services.history import undo as undo_service

_SHOWN_STEPS = 10


def undo(
    op_id: Annotated[
        int | None,
        typer.Argument(help="The operation to revert (default: the latest).", show_default=False, min=1),
    ] = None,
    list_: Annotated[bool, typer.Option("--list", "-l", help="Show recent operations instead.")] = False,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="With --list: how many.")] = 20,
    yes: YesOpt = False,
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """Revert the last operation (or OP_ID) as a whole; --list shows recent operations.

    An edit, a delete, a merge, a bulk edit or an import is reverted entirely. Undo shows what it
    will do and asks first; it is recorded too, so undoing an undo redoes the operation. In team
    mode a bare undo takes your own last operation; a teammate's needs its id. A privacy erase
    cannot be undone."""
    fmt = check_format(fmt, json_flag)
    with services() as ctx:
        tz = ctx.clock.tz
        printer = Printer(fmt, tz)
        if list_:
            printer.records(
                undo_service.recent(ctx, limit), views.operation_columns(tz), empty="no operations yet"
            )
            return
        plan = undo_service.plan(ctx, op_id)
        op = plan.op
        lines = [
            f"Undo #{op.id} {op.summary!r} ({show_moment(op.at, tz)}{' by ' + op.actor if op.actor else ''}):"
        ]
        if op.actor and ctx.user and op.actor != ctx.user:
            lines.append(f"  (this is {op.actor}'s operation, not yours)")
        lines += [f"  {step.describe()}" for step in plan.steps[:_SHOWN_STEPS]]
        if plan.total > _SHOWN_STEPS:
            lines.append(f"  … and {plan.total - _SHOWN_STEPS} more ({'; '.join(plan.totals())})")
        printer.message("\n".join(lines))
        confirm(f"Undo #{op.id}?", yes=yes)
        done, _ = undo_service.undo(ctx, op.id)
        if fmt in ("json", "jsonl"):
            printer.record(done.to_dict(tz), [])
        printer.message(
            f"undone #{op.id} ({plan.total} record{'s' if plan.total != 1 else ''}); "
            f"this was recorded as #{done.id}: `minicrm undo {done.id}` redoes it"
        )
