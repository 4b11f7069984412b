"""The ``minicrm`` entry point: hot commands take the fast path (no Typer), the other reads the
direct path (their Typer module, not its click conversion), the rest the Typer tree."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["__complete"]:  # a shell asking on a Tab: not a command
        from minicrm.cli import completion

        sys.exit(completion.main(args[1:]))
    from minicrm.cli import fast

    code = fast.try_run(args)
    if code is None:
        from minicrm.cli import direct

        code = direct.try_run(args)
    if code is not None:
        sys.exit(code)
    from minicrm.cli.app import run

    run(args)
