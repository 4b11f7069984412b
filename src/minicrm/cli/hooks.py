"""``minicrm hooks list``: which event hooks are installed."""

from __future__ import annotations

import typer

from minicrm.cli.options import FormatOpt, JsonOpt
from minicrm.cli.output import Column, Printer, check_format
from minicrm.cli.state import services
from minicrm.services.kernel import hooks as hook_service

app = typer.Typer(
    help="Event hooks: executables in <config dir>/hooks/ run on add, change, delete, …", no_args_is_help=True
)


@app.command("list")
def list_(fmt: FormatOpt = None, json_flag: JsonOpt = False) -> None:
    """Installed hooks: name, event, executable. A file that will not run is also a warning."""
    fmt = check_format(fmt, json_flag)
    with services() as ctx:
        folder = hook_service.hooks_dir(ctx)
        found = hook_service.installed(ctx)
        for hook in found:
            if hook.event is None:
                ctx.warnings.append(
                    f"hook {hook.name} matches no event ({', '.join(hook_service.EVENTS)}); ignored"
                )
            elif hook.unsafe:
                ctx.warnings.append(f"hook {hook.name} is refused: {hook.unsafe}")
            elif not hook.executable:
                ctx.warnings.append(
                    f"hook {hook.name} is not executable; it will not run (chmod +x {hook.path})"
                )
        rows = [
            {"name": h.name, "event": h.event, "executable": h.executable, "path": str(h.path)} for h in found
        ]
        columns = [
            Column("Name", lambda r: r["name"]),
            Column("Event", lambda r: r["event"] or "?"),
            Column("Executable", lambda r: "yes" if r["executable"] else "no"),
        ]
        Printer(fmt, ctx.clock.tz).records(rows, columns, empty=f"no hooks in {folder}")
