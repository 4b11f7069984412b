"""``minicrm team secure``: the database itself keeps reps to their own records (PostgreSQL)."""

from __future__ import annotations

import typer

from minicrm.cli.options import FormatOpt, JsonOpt
from minicrm.cli.output import Printer, check_format
from minicrm.cli.state import services

app = typer.Typer(help="Team mode on PostgreSQL: row-level security.", no_args_is_help=True)


@app.command("secure")
def secure(fmt: FormatOpt = None, json_flag: JsonOpt = False) -> None:
    """Install row-level security: records readable by the team, editable by their owner and admins.

    Run it as the tables' owner (or a superuser). Members of the minicrm_admin role (created
    if missing) may edit everyone's records and act for other users (--as)."""
    from minicrm.services.admin import team_security

    fmt = check_format(fmt, json_flag)
    with services(check_user=False) as ctx:
        done = team_security.secure(ctx)
        printer = Printer(fmt, ctx.clock.tz)
        if fmt in ("json", "jsonl"):
            printer.record(done, [])
            return
        created = f" (created the {done.admin_role} role)" if done.admin_role_created else ""
        printer.message(
            f"secured {len(done.tables)} tables: records are readable by the team and editable by their "
            f"owner and members of {done.admin_role}{created}"
        )
