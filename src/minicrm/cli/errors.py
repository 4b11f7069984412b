"""Exit codes, and the one place where errors become them.

Both ways a command runs (the Typer tree, ``minicrm.cli.app``, and the fast path,
``minicrm.cli.fast``) end in ``exit_code_for``, so that an error, Ctrl-C or a closed pipe ends a
command the same way whichever path ran it.
"""

from __future__ import annotations

import os
import sys
from enum import IntEnum

from minicrm.cli.output import inert
from minicrm.core.errors import MinicrmError


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1  # not found, ambiguous, invalid value, conflict, refused
    USAGE = 2  # unknown command or option
    STORAGE = 3  # database unreadable, locked past the timeout, newer schema
    INTERRUPTED = 130


#: what ``exit_code_for`` handles; anything else is a bug and keeps its traceback
HANDLED = (MinicrmError, KeyboardInterrupt, BrokenPipeError)


def report(error: MinicrmError) -> int:
    """Print ``error: …`` on one stderr line and return the exit code."""
    message = " ".join(str(error).split()) or type(error).__name__
    print(f"error: {inert(message)}", file=sys.stderr)
    return ExitCode.STORAGE if error.exit_code == 3 else ExitCode.FAILED


def exit_code_for(error: BaseException) -> int:
    """Tell the user what ended the command (one of ``HANDLED``) and return its exit code.

    A ``MinicrmError`` is one ``error: …`` line (1, or 3 for storage). Ctrl-C ends the line the
    terminal was on and exits 130. A reader that went away (``minicrm … | head``) is no error:
    stdout is pointed at /dev/null, so that flushing it at exit cannot fail again, and the exit
    is 0."""
    if isinstance(error, MinicrmError):
        return report(error)
    if isinstance(error, KeyboardInterrupt):
        print(file=sys.stderr)
        return ExitCode.INTERRUPTED
    if isinstance(error, BrokenPipeError):
        _silence_stdout()
        return ExitCode.OK
    raise error


def _silence_stdout() -> None:
    try:
        fileno = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (a test's capture)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fileno)
    os.close(devnull)
