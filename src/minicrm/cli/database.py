"""``minicrm init`` and ``minicrm db path|upgrade|current``."""

from __future__ import annotations

import sys

import typer

from minicrm.cli.output import inert, write_lines
from minicrm.cli.state import GLOBALS
from minicrm.services.admin import database as admin

app = typer.Typer(help="The database: where it is, its schema version, upgrades.", no_args_is_help=True)


def init() -> None:
    """Create the database (and its directory) if needed, at the current schema."""
    info = admin.init(GLOBALS.db)
    print(
        inert(f"{'created' if info.created else 'ready'}: {info.location} (schema {info.revision})"),
        file=sys.stderr,
    )


@app.command("path")
def path() -> None:
    """Print where the database is (a file path, or the URL with the password hidden)."""
    write_lines([admin.location(GLOBALS.db)])


@app.command("current")
def current() -> None:
    """Print the database's schema revision and whether it is up to date."""
    info = admin.status(GLOBALS.db)
    if info.revision is None:
        write_lines([f"empty (head {info.head})"])
        return
    state = "up to date" if info.revision == info.head else f"behind (head {info.head})"
    write_lines([f"{info.revision} ({state})"])


@app.command("upgrade")
def upgrade() -> None:
    """Upgrade the schema to this minicrm's version (an SQLite file is backed up first)."""
    info = admin.upgrade(GLOBALS.db)
    print(inert(f"{info.location}: schema {info.revision}"), file=sys.stderr)
