"""The one error family of minicrm.

The store and the services raise only these; the CLI maps them to exit codes in
one place (``minicrm.cli.errors``) and the TUI shows them as notifications.
"""

from __future__ import annotations

from collections.abc import Sequence


class MinicrmError(Exception):
    """Base of every error a user can cause or meet. ``str(err)`` is the one-line message."""

    exit_code = 1


class NotFound(MinicrmError):
    """A referenced record does not exist."""


class Ambiguous(MinicrmError):
    """A reference matches several records; ``candidates`` lists them for the user."""

    def __init__(self, message: str, candidates: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.candidates = list(candidates)


class InvalidInput(MinicrmError):
    """A value does not validate (bad email, unparseable date, empty name, ...)."""


class Conflict(MinicrmError):
    """The write collides with the current state (stale version, duplicate, wrong stage)."""


class Refused(MinicrmError):
    """A destructive operation was not confirmed, or a hook vetoed it."""


class StorageError(MinicrmError):
    """The database cannot be opened, read or written (locked, corrupt, unwritable)."""

    exit_code = 3


class SchemaTooNew(StorageError):
    """The database was written by a newer minicrm than this one."""
