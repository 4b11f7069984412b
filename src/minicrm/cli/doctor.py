"""``minicrm doctor``: report problems with their fixes (exit 1 when there is any)."""

from __future__ import annotations

import shutil
import sys

import typer

from minicrm.cli.options import FormatOpt, JsonOpt
from minicrm.cli.output import check_format, emit, write_lines
from minicrm.cli.state import GLOBALS
from minicrm.services.admin.doctor import diagnose


def doctor(fmt: FormatOpt = None, json_flag: JsonOpt = False) -> None:
    """Check the setup: config, database, schema, integrity, and that cron runs `due`.

    Prints one line per problem with its fix; exit 1 if there is any."""
    fmt = check_format(fmt, json_flag)
    problems = diagnose(GLOBALS.db, minicrm=shutil.which("minicrm") or "minicrm")
    if fmt in ("json", "jsonl"):
        emit([p.to_dict() for p in problems], fmt)
    else:
        write_lines(f"{p.check}: {p.problem} — fix: {p.fix}" for p in problems)
    if problems:
        print(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found", file=sys.stderr)
        raise typer.Exit(1)
    print("no problems found", file=sys.stderr)
