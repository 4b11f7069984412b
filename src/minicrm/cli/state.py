"""Options that apply to every command (``--db``, ``--as``), and opening the services with them.
Free of typer so that the fast path can use it too."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from dataclasses import dataclass

from minicrm.cli.output import inert
from minicrm.core.errors import Refused
from minicrm.services.kernel.context import Context
from minicrm.services.opening import open_services

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from collections.abc import Iterator


@dataclass
class Globals:
    db: str | None = None
    user: str | None = None


GLOBALS = Globals()


@contextmanager
def services(*, check_user: bool = True) -> Iterator[Context]:
    """Open the services as the acting user; in team mode that user must exist (``minicrm user
    add`` and ``user list`` pass ``check_user=False``: they are how users come to exist).
    Warnings the services collected (e.g. a failing ``on-…`` hook) go to stderr when the command
    ends, whether it succeeded or not."""
    ctx = open_services(GLOBALS.db, user=GLOBALS.user)
    try:
        if check_user:
            from minicrm.services.kernel.users import require_acting_user

            require_acting_user(ctx)
        yield ctx
    finally:
        ctx.close()
        for warning in ctx.warnings:
            print(f"warning: {inert(' '.join(warning.split()))}", file=sys.stderr)


def open_tui(screen: str | None = None) -> None:
    """Open the full-screen app with the global options: the CLI's one way into the TUI (``minicrm
    tui``, and a bare ``minicrm`` on a terminal), which knows nothing of the CLI. Without a
    terminal on stdin and stdout (a pipe, cron, ``</dev/null``) it refuses: the app would write
    escape codes into the pipe and wait for keys that never come."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        which = "stdin" if not sys.stdin.isatty() else "stdout"
        raise Refused(
            f"the TUI needs a terminal, and {which} is not one; in scripts use the commands "
            "(minicrm due, minicrm contact list, …)"
        )
    from minicrm.tui.app import run_tui

    run_tui(db=GLOBALS.db, user=GLOBALS.user, screen=screen)


def confirm(question: str, *, yes: bool) -> None:
    """Ask before a destructive change; refuse (exit 1) when there is no terminal to ask."""
    if yes:
        return
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        raise Refused(f"{question.rstrip('?')}: refusing without --yes (no terminal to ask)")
    print(f"{question} [y/N] ", end="", file=sys.stderr, flush=True)
    try:
        answer = sys.stdin.readline().strip().lower()
    except EOFError:
        answer = ""
    if answer not in ("y", "yes"):
        raise Refused("cancelled; nothing changed")
