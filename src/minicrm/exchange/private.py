"""Files minicrm writes hold personal data (exports, rejects, vCards): each is created readable
and writable by its owner only (0600), whatever the umask, like the database and its backups.

``os.open`` with mode 0600 covers a new file under any umask (a umask only removes bits); a file
that already exists keeps its mode through ``O_CREAT``, so it is ``fchmod``-ed as well.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any, Literal, overload

__all__ = ["PRIVATE_DIR", "PRIVATE_FILE", "create_private", "private_dir"]

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


@overload
def create_private(path: Path, *, binary: Literal[False] = ..., exclusive: bool = ...) -> IO[str]: ...
@overload
def create_private(path: Path, *, binary: Literal[True], exclusive: bool = ...) -> IO[bytes]: ...
@overload
def create_private(path: Path, *, binary: bool, exclusive: bool = ...) -> IO[Any]: ...
def create_private(path: Path, *, binary: bool = False, exclusive: bool = False) -> IO[Any]:
    """``path`` opened for writing, truncated, mode 0600 (text: UTF-8, newlines untranslated);
    ``exclusive``: FileExistsError if it exists. OSError as ``open`` raises it."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0), PRIVATE_FILE)
    try:
        os.fchmod(fd, PRIVATE_FILE)
        if binary:
            return os.fdopen(fd, "wb")
        return os.fdopen(fd, "w", encoding="utf-8", newline="")
    except BaseException:
        os.close(fd)
        raise


def private_dir(path: Path) -> None:
    """Create the directory ``path`` and any missing parents 0700; a directory that exists is
    left as it is (it is the user's)."""
    if path.is_dir():
        return
    if not path.parent.is_dir():
        private_dir(path.parent)
    try:
        path.mkdir(mode=PRIVATE_DIR)
    except FileExistsError:
        if not path.is_dir():
            raise
        return  # made meanwhile by someone else: theirs
    os.chmod(path, PRIVATE_DIR)  # mkdir's mode is filtered by the umask
