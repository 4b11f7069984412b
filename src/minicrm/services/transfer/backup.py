"""Backup and restore of an SQLite database, safe while other processes use it.

``backup`` copies the live database with SQLite's online backup API (a consistent snapshot even
while the TUI or cron write) into a new file readable only by the owner; by default
``<data dir>/backups/minicrm-YYYYmmddTHHMMSSZ.db``, keeping the newest ``backups_keep``.

``restore`` never touches the live database until the replacement is proven good: the file is
copied next to the live database, checked (SQLite, ``integrity_check``, a schema this minicrm
knows) and upgraded there if older; then the live database is backed up, and the checked copy is
written INTO the live file with the backup API, so that connections other processes hold open
see either the old or the new database, never a mix.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from minicrm.core.errors import Conflict, InvalidInput, Refused, SchemaTooNew, StorageError
from minicrm.services.kernel.context import Context
from minicrm.store import schema, schema_check
from minicrm.store.db import BUSY_TIMEOUT_S, Target
from minicrm.store.scratch import scratch_file, sweep_around

_NAME = re.compile(r"^minicrm-(\d{8}T\d{6}Z)(?:-(\d+))?\.db$")
_SQLITE_HEADER = b"SQLite format 3\x00"


@dataclass(frozen=True, slots=True)
class BackupInfo:
    path: Path
    size: int
    pruned: tuple[Path, ...] = ()


@dataclass(frozen=True, slots=True)
class StagedRestore:
    """A checked copy of the file to restore, waiting next to the live database."""

    source: Path
    staged: Path
    revision: str
    upgraded_from: str | None
    contacts: int
    companies: int


@dataclass(frozen=True, slots=True)
class RestoreInfo:
    source: Path
    saved_to: Path | None
    revision: str
    upgraded_from: str | None


def backups_dir() -> Path:
    from minicrm.core.paths import backups_dir as where

    return where()


def require_sqlite(target: Target, what: str) -> Path:
    """The SQLite file of ``target``; PostgreSQL has its own tools for this."""
    if target.dialect != "sqlite" or target.path is None:
        tool = (
            "pg_dump -Fc -f minicrm.dump URL"
            if what == "backup"
            else "pg_restore --clean -d URL minicrm.dump"
        )
        raise Refused(f"minicrm {what} works on SQLite files; for PostgreSQL use its own tools ({tool})")
    return target.path


# -- backup ----------------------------------------------------------------------------------
def backup(
    conn: sqlite3.Connection, now: datetime, *, dest: Path | None = None, keep: int = 10
) -> BackupInfo:
    """Copy the open database ``conn`` to ``dest`` (a new file, or a directory to put a
    timestamped file in); without ``dest``, into the backups dir, pruning old ones to ``keep``."""
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    if dest is not None and not dest.is_dir():
        if dest.exists():
            raise Conflict(f"{dest} exists; give a new file name or a directory")
        if not dest.parent.is_dir():
            raise InvalidInput(f"no directory {dest.parent}")
        _copy(conn, dest)
        return BackupInfo(dest, dest.stat().st_size)
    directory = dest if dest is not None else _private_dir(backups_dir())
    path = _copy_numbered(conn, directory, stamp)
    pruned = _prune(directory, keep) if dest is None else ()
    return BackupInfo(path, path.stat().st_size, pruned)


def _private_dir(path: Path) -> Path:
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(path, 0o700)
    except OSError as exc:
        raise StorageError(f"cannot create the backup directory {path}: {exc.strerror or exc}") from exc
    return path


def _copy(conn: sqlite3.Connection, dest: Path) -> None:
    try:
        schema.sqlite_backup(conn, dest, overwrite=False)
    except FileExistsError:
        raise
    except (OSError, sqlite3.Error) as exc:
        raise StorageError(f"cannot write the backup {dest}: {exc}") from exc


def _copy_numbered(conn: sqlite3.Connection, directory: Path, stamp: str) -> Path:
    """``minicrm-<stamp>.db``, or ``-2``, ``-3``… (after the highest taken) when that second
    already has a backup, so that the newest backup always sorts last."""
    names = (_NAME.match(p.name) for p in directory.iterdir())
    taken = [int(m.group(2) or 1) for m in names if m and m.group(1) == stamp]
    first = max(taken, default=0) + 1
    for n in range(first, first + 1000):
        path = directory / (f"minicrm-{stamp}.db" if n == 1 else f"minicrm-{stamp}-{n}.db")
        try:
            _copy(conn, path)
        except FileExistsError:
            continue
        return path
    raise StorageError(f"too many backups named minicrm-{stamp}-N.db in {directory}")


def list_backups(directory: Path | None = None) -> list[Path]:
    """The backups minicrm made in ``directory``, oldest first."""
    directory = directory or backups_dir()
    if not directory.is_dir():
        return []
    found = []
    for path in directory.iterdir():
        match = _NAME.match(path.name)
        if match and path.is_file():
            found.append((match.group(1), int(match.group(2) or 1), path))
    return [p for _, _, p in sorted(found)]


def _prune(directory: Path, keep: int) -> tuple[Path, ...]:
    """Delete the oldest backups minicrm made there beyond the newest ``keep`` (at least one stays)."""
    mine = list_backups(directory)
    doomed = mine[: max(0, len(mine) - max(1, keep))]
    for path in doomed:
        path.unlink(missing_ok=True)
    return tuple(doomed)


# -- restore ---------------------------------------------------------------------------------
@contextmanager
def staged_restore(target: Target, source: Path) -> Iterator[StagedRestore]:
    """Copy ``source`` next to the live database and check it; the copy is removed on exit
    (and swept at the next start if the process is killed meanwhile: ``store.scratch``)."""
    live = require_sqlite(target, "restore")
    _check_header(source)
    live.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    sweep_around(live)
    with scratch_file(live.parent, live.name, ".db") as staged:
        _copy_file_db(source, staged)
        yield _check_and_upgrade(source, staged)


def _check_header(source: Path) -> None:
    if not source.is_file():
        raise InvalidInput(f"no backup file {source}")
    try:
        with source.open("rb") as fh:
            header = fh.read(len(_SQLITE_HEADER))
    except OSError as exc:
        raise InvalidInput(f"cannot read {source}: {exc.strerror or exc}") from exc
    if header != _SQLITE_HEADER:
        raise InvalidInput(f"{source} is not an SQLite database")


def _copy_file_db(source: Path, staged: Path) -> None:
    """A consistent copy of ``source`` (read-only: restoring never changes the backup)."""
    try:
        src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
        try:
            dst = sqlite3.connect(str(staged))
            try:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode = DELETE")
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as exc:
        raise InvalidInput(f"{source} is damaged or unreadable: {exc}") from exc


def _check_and_upgrade(source: Path, staged: Path) -> StagedRestore:
    """The staged copy, proven whole (``integrity_check``), of a schema this minicrm knows,
    upgraded if older, and then holding every table, column, index and trigger the migrations
    make (``store.schema_check``): a file that is not is refused before anything is replaced."""
    try:
        conn = sqlite3.connect(str(staged))
        try:
            result = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
            if result != ["ok"]:
                raise InvalidInput(
                    f"{source} is damaged (integrity check: {'; '.join(map(str, result[:3]))})"
                )
            has_version = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).fetchone()
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone() if has_version else None
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise InvalidInput(f"{source} is damaged: {exc}") from exc
    if row is None:
        raise InvalidInput(f"{source} is an SQLite database but not a minicrm one")
    revision = str(row[0])
    if revision not in schema.REVISIONS:
        raise SchemaTooNew(
            f"{source} was written by a newer minicrm (schema {revision}); upgrade minicrm to restore it"
        )
    upgraded_from = None
    if revision != schema.HEAD:
        try:
            schema.run_migrations(Target("sqlite", path=staged))
        except StorageError as exc:
            raise InvalidInput(f"{source} cannot be upgraded from schema {revision}: {exc}") from exc
        upgraded_from, revision = revision, schema.HEAD
    conn = sqlite3.connect(str(staged))
    try:
        problems = schema_check.sqlite_problems(conn)
        if problems:
            raise InvalidInput(
                f"{source} is not a complete minicrm database: {schema_check.summary(problems)}"
            )
        contacts = int(conn.execute("SELECT count(*) FROM contact").fetchone()[0])
        companies = int(conn.execute("SELECT count(*) FROM company").fetchone()[0])
    except sqlite3.Error as exc:
        raise InvalidInput(f"{source} is not a complete minicrm database: {exc}") from exc
    finally:
        conn.close()
    return StagedRestore(source, staged, revision, upgraded_from, contacts, companies)


def finish_restore(target: Target, staged: StagedRestore, now: datetime, *, keep: int = 10) -> RestoreInfo:
    """Back up the live database, then write the checked copy into it."""
    live = require_sqlite(target, "restore")
    saved = _save_live(live, now, keep) if live.exists() and live.stat().st_size > 0 else None
    if not live.exists():
        fd = os.open(live, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
    try:
        src = sqlite3.connect(str(staged.staged))
        try:
            dst = sqlite3.connect(str(live), timeout=BUSY_TIMEOUT_S)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.DatabaseError as exc:
        if "not a database" not in str(exc).lower():
            raise StorageError(f"cannot write {live}: {exc}") from exc
        _replace_file(staged.staged, live)  # the live file is garbage: nobody can have it open usefully
    return RestoreInfo(staged.source, saved, staged.revision, staged.upgraded_from)


def _save_live(live: Path, now: datetime, keep: int) -> Path:
    """The live database's backup before it is replaced (a byte copy if it is not readable)."""
    directory = _private_dir(backups_dir())
    try:
        conn = sqlite3.connect(str(live), timeout=BUSY_TIMEOUT_S)
        try:
            return backup(conn, now, keep=keep).path
        finally:
            conn.close()
    except (sqlite3.DatabaseError, StorageError):
        stamp = now.strftime("%Y%m%dT%H%M%SZ")
        dest = directory / f"minicrm-{stamp}-damaged.db"
        _copy_bytes(live, dest)
        return dest


def _replace_file(staged: Path, live: Path) -> None:
    _copy_bytes(staged, live)
    for suffix in ("-wal", "-shm"):
        with suppress(FileNotFoundError):
            Path(f"{live}{suffix}").unlink()


def _copy_bytes(source: Path, dest: Path) -> None:
    """``dest`` replaced by a 0600 byte copy of ``source``, whole or not at all."""
    with scratch_file(dest.parent, dest.name, ".tmp") as tmp:
        shutil.copyfile(source, tmp)  # the bytes into the 0600 file; the mode is not copied
        os.replace(tmp, dest)


def backup_database(ctx: Context, dest: Path | None = None) -> BackupInfo:
    """``minicrm backup``: a consistent copy of the context's (SQLite) database."""
    require_sqlite(ctx.db.target, "backup")
    return backup(ctx.db.raw, ctx.clock.now(), dest=dest, keep=ctx.config.backups_keep)
