"""Locks beside the database: writers take turns, and a running import can be told from a dead one.

**Turns (SQLite).** SQLite's busy handler is not fair: a writer waiting for the write lock
retries after sleeps of up to 100 ms, and a process that commits and begins again at once (an
import committing batch after batch) wins nearly every race, so a ``contact add`` could wait
out its 15 s timeout behind an import that commits every second. So every write transaction
holds a shared lock on ``<db>-writers`` while it waits for the write lock (``BEGIN
IMMEDIATE``), and a long writer, between two batches, waits until it can take that lock
exclusively: until every writer that was waiting has had its turn. On PostgreSQL the write
lock is an advisory lock whose waiters PostgreSQL queues itself: nothing to do.

**Run locks.** An import in progress holds a lock for as long as its process lives (a file
lock on ``<db>-import-<op>`` on SQLite, a session advisory lock on PostgreSQL); whoever can
take it knows the import's process is gone, and rolls the import back.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no turns, and a run is taken for alive
    fcntl = None  # type: ignore[assignment]

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up
if TYPE_CHECKING:
    from collections.abc import Iterator

    from minicrm.store.db import Database

#: the namespace of the run locks' two-key advisory locks on PostgreSQL ("mcri")
RUN_LOCK_NS = 0x6D637269
_POLL_S = 0.002


def _open(path: Path) -> int | None:
    if fcntl is None:
        return None
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return None  # a read-only directory: writing fails anyway, and says so


class Turns:
    """The turnstile of one SQLite database, for one connection."""

    def __init__(self, db_path: Path) -> None:
        self.path = Path(f"{db_path}-writers")
        self._fd: int | None = None
        self._opened = False

    def _file(self) -> int | None:
        if not self._opened:
            self._opened = True
            self._fd = _open(self.path)
        return self._fd

    @contextlib.contextmanager
    def waiting(self) -> Iterator[None]:
        """Held while this connection waits for the write lock."""
        fd = self._file()
        if fd is None:
            yield None
            return
        fcntl.flock(fd, fcntl.LOCK_SH)
        try:
            yield None
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)

    def let_waiting_in(self, timeout: float) -> float:
        """Wait (at most ``timeout`` seconds) until no writer is waiting for the write lock any
        more; call it between two transactions. Returns the seconds waited."""
        fd = self._file()
        if fd is None:
            return 0.0
        start = time.monotonic()
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() - start >= timeout:
                    return time.monotonic() - start
                time.sleep(_POLL_S)
                continue
            fcntl.flock(fd, fcntl.LOCK_UN)
            return time.monotonic() - start

    def close(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None


class RunLock:
    """Held by the process that runs operation ``op_id`` (an import), as long as it lives."""

    def __init__(self, db: Database, op_id: int) -> None:
        self.db = db
        self.op_id = op_id
        self._fd: int | None = None

    def _path(self) -> Path:
        assert self.db.target.path is not None
        return Path(f"{self.db.target.path}-import-{self.op_id}")

    def acquire(self) -> None:
        """Take the lock (it is free: the operation is new)."""
        if self.db.is_sqlite:
            self._fd = _open(self._path())
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_EX)
        else:
            self.db.execute("SELECT pg_advisory_lock(?, ?)", (RUN_LOCK_NS, self.op_id))

    def try_acquire(self) -> bool:
        """Take the lock if its holder is gone: True means the run is dead (and now ours)."""
        if self.db.is_sqlite:
            if fcntl is None:
                return False
            self._fd = _open(self._path())
            if self._fd is None:
                return False
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(self._fd)
                self._fd = None
                return False
            return True
        return bool(self.db.scalar("SELECT pg_try_advisory_lock(?, ?)", (RUN_LOCK_NS, self.op_id)))

    def release(self) -> None:
        """Let go (the run ended, or was rolled back); the lock file goes too."""
        if self.db.is_sqlite:
            if self._fd is not None:
                with contextlib.suppress(OSError):
                    self._path().unlink()
                with contextlib.suppress(OSError):
                    os.close(self._fd)
                self._fd = None
        else:
            with contextlib.suppress(Exception):  # the connection may be gone: so is the lock
                self.db.execute("SELECT pg_advisory_unlock(?, ?)", (RUN_LOCK_NS, self.op_id))
