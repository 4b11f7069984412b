"""Scratch files of a backup, a restore or a migration: full-size copies of the database that
must not outlive the process that made them.

Each is created 0600 as ``.<name>.minicrm-tmp-<random><suffix>`` and held under an exclusive
``flock(2)`` for as long as it is in use. A process killed half-way leaves the file behind but
not the lock (the kernel drops it with the process), so ``sweep`` can tell a leftover from a copy
another process is still writing: it removes every marked file that nobody holds, with its
``-wal``/``-shm``/``-journal``. minicrm sweeps the database's directory and the backups
directory each time it opens an SQLite database, and ``doctor`` reports whatever is left.
A copy made anywhere else (``minicrm backup /mnt/usb/crm.db``) is listed, while it exists, in
``.<database>.minicrm-scratch`` beside the database (``scratch_file(..., listed_by=database)``),
so the next start finds it there too.

flock locks are separate from the POSIX locks SQLite takes on the same file, so holding one
does not disturb SQLite. A file is locked before it gets its marked name (it is made under a
``minicrm-new`` name, locked, then renamed), so a sweep never sees a marked file unlocked while
its maker is alive. Copies named the way earlier versions named them (``.minicrm.db.restore-…``,
``.minicrm-….db.….tmp``), which no lock protects, are removed once an hour old.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["Leftover", "leftovers", "leftovers_around", "scratch_file", "sweep", "sweep_around"]

MARK = ".minicrm-tmp-"
_NEW = ".minicrm-new-"
_COMPANIONS = ("-wal", "-shm", "-journal")
_LIST = ".minicrm-scratch"
#: a file still under its ``minicrm-new`` name this old was made by a process that died
#: between creating and locking it (a few microseconds); a legacy copy this old is abandoned
_NEW_GRACE_S = 60.0
_LEGACY_GRACE_S = 3600.0
_MARKED = r"^\..+(\.minicrm-(?:tmp|new)-)[A-Za-z0-9_]+(?:\.[A-Za-z]+)?$"
#: earlier versions' names: ``.<db>.restore-XXXXXXXX.db`` and ``.<file>.XXXXXXXX.tmp``
_LEGACY = r"^\..+\.(?:restore-[A-Za-z0-9_]{8}\.db|[A-Za-z0-9_]{8}\.tmp)$"


@dataclass(frozen=True, slots=True)
class Leftover:
    path: Path
    size: int
    in_use: bool  # another process holds it: a backup or restore running now


@contextmanager
def scratch_file(
    directory: Path, name: str, suffix: str = "", *, listed_by: Path | None = None
) -> Iterator[Path]:
    """A new empty 0600 file in ``directory``, marked as ``name``'s scratch copy and locked
    while the block runs; removed (with its journal files) at the end unless it was moved.
    With ``listed_by`` (an SQLite database) a copy outside the directories ``sweep_around``
    sweeps is listed beside that database while it exists."""
    import tempfile  # not at import: ``sweep`` runs on every start, and tempfile is dear to load

    swept = listed_by is None or _swept(directory, name, listed_by)
    listing = None if swept or listed_by is None else _listing(listed_by)
    fd, made = tempfile.mkstemp(dir=directory, prefix=f".{name}{_NEW}", suffix=suffix)
    new = Path(made)
    path = new.with_name(new.name.replace(_NEW, MARK, 1))
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        if listing is not None:
            _edit_listing(listing, add=path.absolute())
        os.rename(new, path)
    except BaseException:
        os.close(fd)
        new.unlink(missing_ok=True)
        if listing is not None:
            _edit_listing(listing)
        raise
    try:
        yield path
    finally:
        try:
            _remove(path)
        finally:
            os.close(fd)  # the lock goes only once the file is gone
            if listing is not None:
                with suppress(OSError):
                    _edit_listing(listing)


def sweep(directory: Path, name_prefix: str = ".") -> None:
    """Remove the leftovers in ``directory`` (of files whose names start with ``name_prefix``,
    e.g. ``.minicrm.db.``) that no running process holds. Never raises."""
    for path in _candidates(directory, name_prefix):
        with suppress(OSError):
            _sweep_one(path)


def leftovers(directory: Path, name_prefix: str = ".") -> list[Leftover]:
    """The scratch copies in ``directory`` now: held by a running process, or not removable."""
    found = []
    for path in _candidates(directory, name_prefix):
        try:
            size = sum(_size(Path(f"{path}{s}")) for s in ("", *_COMPANIONS))
            found.append(Leftover(path, size, _held(path)))
        except OSError:
            continue
    return found


def sweep_around(database: Path) -> None:
    """Sweep the SQLite file ``database``'s directory (its own scratch copies), the backups
    directory and the copies listed beside it. Never raises."""
    from minicrm.core.paths import backups_dir

    sweep(database.parent, f".{database.name}.")
    sweep(backups_dir(), ".minicrm-")
    listing = _listing(database)
    if os.path.lexists(listing):  # one stat on every start; the rest only after a killed copy
        with suppress(OSError):
            for path in _listed(listing):
                sweep(path.parent, path.name)
            _edit_listing(listing)


def leftovers_around(database: Path) -> list[Leftover]:
    """What ``sweep_around`` leaves: copies in use, or that could not be removed."""
    from minicrm.core.paths import backups_dir

    found = leftovers(database.parent, f".{database.name}.") + leftovers(backups_dir(), ".minicrm-")
    with suppress(OSError):
        for path in _listed(_listing(database)):
            found += [left for left in leftovers(path.parent, path.name) if left.path == path]
    return found


def _listing(database: Path) -> Path:
    return database.with_name(f".{database.name}{_LIST}")


def _swept(directory: Path, name: str, database: Path) -> bool:
    """Whether ``sweep_around(database)`` looks at ``name``'s scratch copies in ``directory``."""
    from minicrm.core.paths import backups_dir

    here = os.path.realpath(directory)
    if here == os.path.realpath(database.parent) and name.startswith(f"{database.name}."):
        return True
    return here == os.path.realpath(backups_dir()) and name.startswith("minicrm-")


def _listed(listing: Path) -> list[Path]:
    try:
        text = listing.read_text(encoding="utf-8", errors="surrogateescape")
    except FileNotFoundError:
        return []
    return [Path(line) for line in text.splitlines() if line.strip()]


def _edit_listing(listing: Path, add: Path | None = None) -> None:
    """Under the listing's lock: drop the copies that are gone, add ``add``; no listing is
    left when it would be empty."""
    while True:  # the listing locked, and still the one under its name (not one just removed)
        fd = os.open(listing, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            if os.stat(listing).st_ino == os.fstat(fd).st_ino:
                break
        except FileNotFoundError:
            pass
        os.close(fd)
    try:
        kept = [p for p in _listed(listing) if os.path.lexists(p)]
        if add is not None:
            kept.append(add)
        if kept:
            data = "".join(f"{p}\n" for p in kept).encode("utf-8", "surrogateescape")
            os.ftruncate(fd, 0)
            os.pwrite(fd, data, 0)
        else:
            listing.unlink(missing_ok=True)  # still under the lock: a later writer makes a new one
    finally:
        os.close(fd)


def _candidates(directory: Path, name_prefix: str) -> list[Path]:
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return []
    return [
        Path(entry.path)
        for entry in entries
        if entry.name.startswith(name_prefix)
        and (re.match(_MARKED, entry.name) or re.match(_LEGACY, entry.name))
        and entry.is_file(follow_symlinks=False)
    ]


def _sweep_one(path: Path) -> None:
    match = re.match(_MARKED, path.name)
    grace = 0.0 if match and match.group(1) == MARK else _NEW_GRACE_S if match else _LEGACY_GRACE_S
    if grace and time.time() - path.stat().st_mtime < grace:
        return
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return  # a backup or restore is writing it now
        if os.stat(path).st_ino == os.fstat(fd).st_ino:  # still the file we locked
            _remove(path)
    finally:
        os.close(fd)


def _held(path: Path) -> bool:
    if fcntl is None:
        return False
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def _remove(path: Path) -> None:
    for suffix in _COMPANIONS:
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.unlink(missing_ok=True)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0
