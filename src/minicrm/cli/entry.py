"""The ``minicrm`` entry point: hot read commands take the fast path, the rest Typer."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    from minicrm.cli import fast

    code = fast.try_run(args)
    if code is not None:
        sys.exit(code)
    from minicrm.cli.app import run

    run(args)
