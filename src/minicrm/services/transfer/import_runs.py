"""Imports that commit in batches, all or nothing as the user sees it.

An import used to be one transaction: for the minutes a big file took, every other writer (a
``contact add``, a note typed in the TUI) waited and then failed at the 15 s lock timeout. An
``ImportWork`` commits every ``BATCH_SECONDS`` (the rows written so far, with their change
log) and lets the writers that were waiting go first (``Database.let_waiting_writers_in``), so
a writer waits at most one batch. All batches belong to one operation, which ``undo`` reverts
as a whole.

All or nothing stays true: before its first batch the import records itself in
``import_run`` (committed, with a lock its process holds while it lives), and removes that row
in the transaction of its last batch. If the import fails, is interrupted (Ctrl-C) or a
``pre-`` hook vetoes it, what it committed is rolled back at once; if its process was killed,
the next open of the database finds the row with its lock free and rolls it back then. The
rollback reads the import's change log (the id ranges of the records it created, and the
before-snapshots of those it updated), reverts them in one transaction and deletes the
operation and its log: the database is as if the import had never run.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time

from minicrm.services.kernel.unit_of_work import UnitOfWork
from minicrm.store.locks import RunLock

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up
if TYPE_CHECKING:
    from types import TracebackType

    from minicrm.services.kernel.context import Context

#: how long an import holds the write lock at a time: other writers wait at most about this long
BATCH_SECONDS = 0.5


class ImportWork(UnitOfWork):
    """The unit of work of an import: one operation, committed in batches (``batched``; a dry
    run is one transaction, rolled back)."""

    def __init__(self, ctx: Context, summary: str, *, batched: bool = True) -> None:
        super().__init__(ctx, summary)
        self.batched = batched
        self.batches = 1
        self._lock: RunLock | None = None
        self._since = time.monotonic()

    def __enter__(self) -> ImportWork:
        super().__enter__()
        if self.batched:
            if self._outer is not None:
                self.batched = False  # inside another unit of work: its transaction decides
                return self
            op_id = self.operation()
            self._lock = RunLock(self.db, op_id)
            self._lock.acquire()  # before the row is visible: no one may take the run for dead
            self.db.execute(
                "INSERT INTO import_run (op_id, started_at, host, pid) VALUES (?, ?, ?, ?)",
                (op_id, self.now, socket.gethostname()[:200], os.getpid()),
            )
            self._next_batch()
        return self

    def commit_batch(self) -> None:
        """Commit what is written so far once the batch has held the lock long enough."""
        if self.batched and time.monotonic() - self._since >= BATCH_SECONDS:
            self._next_batch()

    def _next_batch(self) -> None:
        self._tx.__exit__(None, None, None)  # COMMIT
        self.db.let_waiting_writers_in()
        self._tx = self.db.transaction()
        self._tx.__enter__()
        self.batches += 1
        self._since = time.monotonic()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if not self.batched:
            super().__exit__(exc_type, exc, tb)
            return
        lock, op_id = self._lock, self.op_id
        assert lock is not None and op_id is not None
        if exc_type is None:
            self.db.execute("DELETE FROM import_run WHERE op_id = ?", (op_id,))
        try:
            super().__exit__(exc_type, exc, tb)  # pre- hooks, the last COMMIT, on- hooks
        except BaseException:
            if self.db.scalar("SELECT 1 FROM import_run WHERE op_id = ?", (op_id,)):
                _roll_back_quietly(self.ctx, op_id, self.now)
            lock.release()
            raise
        if exc_type is not None:
            _roll_back_quietly(self.ctx, op_id, self.now)
        lock.release()


def set_aside_indexes(uow: UnitOfWork, tables: tuple[str, ...], *, keep: tuple[str, ...] = ()) -> list[str]:
    """Drop the secondary indexes of ``tables`` (SQLite; all but ``keep``) for a bulk load, and
    return the statements that build them again (``build_indexes``, at the load's end).

    Keeping eight indexes current row by row costs an import about as much as writing the rows;
    building each once from the finished table is a sort, several times cheaper, and leaves
    its pages full. An import that commits in batches records the statements in its
    ``import_run`` row in the same transaction, so the rollback of an import that failed or was
    killed before its end (``roll_back``) builds whatever is missing; other commands meanwhile
    read the tables without those indexes, more slowly, never wrongly (no unique one is set
    aside). Done inside the caller's transaction: a rollback of it brings them back unchanged.
    Indexes SQLite made for constraints (``sqlite_autoindex_…``) have no SQL and stay."""
    db = uow.db
    if not db.is_sqlite:
        return []
    marks = ",".join("?" * len(tables))
    rows = db.all(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ({marks}) "
        "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY tbl_name, name",
        tables,
    )
    statements = []
    for r in rows:
        if r["name"] in keep:
            continue
        db.execute(f'DROP INDEX "{r["name"]}"')
        statements.append(str(r["sql"]))
    if statements and isinstance(uow, ImportWork) and uow.batched:
        db.execute(
            "UPDATE import_run SET set_aside = ? WHERE op_id = ?", (json.dumps(statements), uow.operation())
        )
    return statements


def build_indexes(uow: UnitOfWork, statements: list[str]) -> None:
    """Build the indexes ``set_aside_indexes`` dropped, one at a time: an import that commits
    in batches may commit after each (other writers wait one index, not all of them)."""
    db = uow.db
    batched = isinstance(uow, ImportWork) and uow.batched
    for sql in statements:
        db.execute(_if_missing(sql))
        if batched:
            assert isinstance(uow, ImportWork)
            uow.commit_batch()
    if statements and batched:
        db.execute("UPDATE import_run SET set_aside = NULL WHERE op_id = ?", (uow.operation(),))


def _if_missing(sql: str) -> str:
    """``CREATE INDEX x …`` as ``CREATE INDEX IF NOT EXISTS x …``."""
    import re

    return re.sub(r"^\s*CREATE\s+INDEX\s+(?!IF\s)", "CREATE INDEX IF NOT EXISTS ", sql, count=1, flags=re.I)


def _roll_back_quietly(ctx: Context, op_id: int, now: str) -> None:
    """Roll back after a failure without hiding it: if the rollback fails too (the disk is
    full), the ``import_run`` row stays and the next open rolls the import back."""
    with contextlib.suppress(Exception):  # the original error is the one to report
        roll_back(ctx, op_id, now)


def roll_back(ctx: Context, op_id: int, now: str) -> None:
    """Revert everything import ``op_id`` committed, in one transaction, and delete the
    operation with its change log (as if it had never run)."""
    db = ctx.db
    from minicrm.services.history.restorers import Tables, restorer_for
    from minicrm.services.history.undo import net_changes

    with db.transaction():
        tables = Tables(db)
        for net in net_changes(ctx, op_id):
            restorer = restorer_for(tables, net.entity)
            current = restorer.snapshot(tables, net.entity_id)
            if net.before is None:
                if current is not None:
                    restorer.delete(tables, net.entity_id, current)
            elif net.after is None:
                if current is None:
                    restorer.create(tables, net.before)
            elif current is not None and net.after is not None:
                restorer.revert(tables, net.entity_id, net.before, net.after, now)
        aside = db.scalar("SELECT set_aside FROM import_run WHERE op_id = ?", (op_id,))
        for sql in json.loads(aside) if aside else ():  # the indexes the import had set aside
            db.execute(_if_missing(str(sql)))
        for table in ("change", "change_batch", "import_run"):
            db.execute(f"DELETE FROM {table} WHERE op_id = ?", (op_id,))
        db.execute("DELETE FROM operation WHERE id = ?", (op_id,))


def recover(ctx: Context, now: str) -> list[str]:
    """Roll back every import whose process is gone (its run lock is free); the summaries of
    the operations rolled back. Imports still running are left alone."""
    db = ctx.db
    rows = db.all(
        "SELECT r.op_id, o.summary FROM import_run r JOIN operation o ON o.id = r.op_id ORDER BY r.op_id DESC"
    )
    done = []
    for row in rows:
        lock = RunLock(db, int(row["op_id"]))
        if not lock.try_acquire():
            continue
        try:
            if db.scalar("SELECT 1 FROM import_run WHERE op_id = ?", (row["op_id"],)):
                roll_back(ctx, int(row["op_id"]), now)
                done.append(f"#{row['op_id']} ({row['summary']})")
        finally:
            lock.release()
    return done


def running(ctx: Context) -> set[int]:
    """The operations of imports in progress (or interrupted and not yet rolled back)."""
    db = ctx.db
    return {int(r["op_id"]) for r in db.all("SELECT op_id FROM import_run")}
