"""``minicrm backup [PATH]`` and ``minicrm restore PATH``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from minicrm.cli.options import YesOpt
from minicrm.cli.output import inert, write_lines
from minicrm.cli.state import GLOBALS, confirm, services
from minicrm.core.clock import Clock
from minicrm.core.config import load_config
from minicrm.services.kernel.context import resolve_target
from minicrm.services.transfer import backup as backup_service


def _say(text: str) -> None:
    typer.echo(inert(text), err=True)


def backup(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="Where to write it: a new file or a directory "
            "(default: the backups dir in the data dir, keeping the last "
            "`backups_keep`).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """A consistent copy of the database, safe while others use it. Prints the file written."""
    backup_service.require_sqlite(resolve_target(GLOBALS.db), "backup")
    with services() as ctx:
        info = backup_service.backup_database(ctx, path.expanduser() if path else None)
    write_lines([str(info.path)])
    if info.pruned:
        _say(
            f"removed {len(info.pruned)} older backup{'s' if len(info.pruned) != 1 else ''} "
            f"(keeping {max(1, load_config().backups_keep)})"
        )


def restore(
    path: Annotated[Path, typer.Argument(help="The backup file to restore.")],
    yes: YesOpt = False,
) -> None:
    """Replace the database with a backup, after checking it and backing up the current one."""
    target = resolve_target(GLOBALS.db)
    config = load_config()
    with backup_service.staged_restore(target, path.expanduser()) as staged:
        upgraded = f", upgraded from schema {staged.upgraded_from}" if staged.upgraded_from else ""
        confirm(
            f"Replace the database {target.describe()} with {path} ({staged.contacts} contacts, "
            f"{staged.companies} companies, schema {staged.revision}{upgraded})? "
            "The current database is backed up first.",
            yes=yes,
        )
        info = backup_service.finish_restore(
            target, staged, Clock.system(config.timezone).now(), keep=config.backups_keep
        )
    saved = f"; the previous database is saved as {info.saved_to}" if info.saved_to else ""
    _say(f"restored {path} into {target.describe()}{saved}")
