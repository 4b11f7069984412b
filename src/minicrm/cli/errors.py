"""Exit codes, and the one place where errors become them."""

from __future__ import annotations

import sys
from enum import IntEnum

from minicrm.cli.output import inert
from minicrm.errors import MinicrmError


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1  # not found, ambiguous, invalid value, conflict, refused
    USAGE = 2  # unknown command or option
    STORAGE = 3  # database unreadable, locked past the timeout, newer schema
    INTERRUPTED = 130


def report(error: MinicrmError) -> int:
    """Print ``error: …`` on one stderr line and return the exit code."""
    message = " ".join(str(error).split()) or type(error).__name__
    print(f"error: {inert(message)}", file=sys.stderr)
    return ExitCode.STORAGE if error.exit_code == 3 else ExitCode.FAILED
