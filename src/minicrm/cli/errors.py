"""Exit codes, and the one place where errors become them.

Both ways a command runs (the Typer tree, ``minicrm.cli.app``, and the fast path,
``minicrm.cli.fast``) end in ``exit_code_for``, so that an error, Ctrl-C or a closed pipe ends a
command the same way whichever path ran it.
"""

from __future__ import annotations

import errno
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


#: what ``exit_code_for`` handles; anything else is a bug and keeps its traceback (an OSError
#: other than a full disk, a UnicodeEncodeError other than bytes that were not UTF-8: raised again)
HANDLED = (MinicrmError, KeyboardInterrupt, BrokenPipeError, OSError, UnicodeEncodeError)
#: the output could not be written because the disk (or the quota) is full
_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


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
    is 0. Output that cannot be written to a full disk is one ``error: …`` line (exit 1), and so
    is text that is not UTF-8 where it is printed as is."""
    if isinstance(error, MinicrmError):
        return report(error)
    if isinstance(error, KeyboardInterrupt):
        print(file=sys.stderr)
        return ExitCode.INTERRUPTED
    if isinstance(error, BrokenPipeError):
        _silence_stdout()
        return ExitCode.OK
    if isinstance(error, OSError) and error.errno in _FULL:
        # stdout (``> file``) or a file written on a full disk; what is still buffered would
        # fail again at exit, so stdout is pointed at /dev/null
        _silence_stdout()
        print(f"error: cannot write the output: the disk is full ({error.strerror})", file=sys.stderr)
        return ExitCode.FAILED
    if isinstance(error, UnicodeEncodeError) and "surrogates" in error.reason:
        from minicrm.core.text import not_utf8

        print(f"error: {not_utf8(error)}", file=sys.stderr)
        return ExitCode.FAILED
    raise error


def _silence_stdout() -> None:
    try:
        fileno = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (a test's capture)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fileno)
    os.close(devnull)
