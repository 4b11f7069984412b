"""Opening a database: create it, check its schema version, migrate it (after a backup).

The version check reads ``alembic_version`` with plain SQL; Alembic itself is imported only
when a schema must be created or upgraded.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from minicrm.core.errors import SchemaTooNew, StorageError
from minicrm.store.db import Database, Target

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any

#: Every migration revision, oldest first; the last one is the schema this code expects.
REVISIONS: tuple[str, ...] = ("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008", "0009", "0010")
HEAD = REVISIONS[-1]
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
#: Objects Alembic must not manage (autogenerate ignores them): the FTS5 index and its shadow
#: tables, created by hand in the migrations, and PostgreSQL's trigram index.
UNMANAGED_PREFIXES = ("search_fts",)
UNMANAGED_NAMES = ("ix_search_doc_body_trgm",)


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Alembic's ``include_object`` hook (used by ``migrations/env.py`` and the drift test)."""
    return not (name or "").startswith(UNMANAGED_PREFIXES) and name not in UNMANAGED_NAMES


def open_database(target: Target, *, upgrade: bool = True) -> Database:
    """Open (creating if needed) and return a database at the current schema."""
    if target.dialect == "sqlite":
        _prepare_sqlite_file(target)
        from minicrm.store.scratch import sweep_around

        assert target.path is not None
        sweep_around(target.path)  # what a killed backup or restore left
    db = Database.connect(target)
    try:
        revision = current_revision(db)
        if revision == HEAD:
            return db
        if revision is not None and revision not in REVISIONS:
            raise SchemaTooNew(
                f"the database {target.describe()} was written by a newer minicrm (schema {revision}); "
                "upgrade minicrm to open it"
            )
        if not upgrade:
            raise StorageError(f"the database schema is behind ({revision}); run `minicrm db upgrade`")
        if revision is not None:
            backup_before_migration(db, revision)
        db.close()
        run_migrations(target)
        return Database.connect(target)
    except BaseException:
        db.close()
        raise


def current_revision(db: Database) -> str | None:
    """The schema revision stored in the database; None for an empty database."""
    if db.is_sqlite:
        exists = db.scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'")
        if not exists:
            if db.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table'"):
                raise StorageError(f"{db.target.describe()} is an SQLite database but not a minicrm one")
            return None
    else:
        exists = db.scalar("SELECT to_regclass('alembic_version') IS NOT NULL")
        if not exists:
            return None
    value = db.scalar("SELECT version_num FROM alembic_version")
    return str(value) if value is not None else None


def run_migrations(target: Target, revision: str = "head") -> None:
    """Apply Alembic migrations up to ``revision`` (imports Alembic: slow, used rarely)."""
    from alembic import command

    try:
        command.upgrade(alembic_config(target), revision)
    except Exception as exc:  # alembic/SQLAlchemy errors → storage error, no traceback
        if isinstance(exc, StorageError):
            raise
        raise StorageError(f"migrating {target.describe()} failed: {str(exc).splitlines()[0]}") from exc


def alembic_config(target: Target) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", target.sqlalchemy_url.replace("%", "%%"))
    config.attributes["minicrm_target"] = target
    return config


def backup_before_migration(db: Database, revision: str) -> Path | None:
    """Copy an SQLite file aside before upgrading its schema (PostgreSQL: use pg_dump)."""
    if not db.is_sqlite or db.target.path is None:
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    dest = db.target.path.with_name(f"{db.target.path.name}.pre-{revision}-{stamp}.bak")
    sqlite_backup(db.raw, dest)
    return dest


def sqlite_backup(conn: sqlite3.Connection, dest: Path, *, overwrite: bool = True) -> None:
    """A consistent copy via the online backup API, created readable by the owner only.

    The copy is written to a scratch file next to ``dest`` (``store.scratch``: swept if the
    process is killed) and renamed into place, so that ``dest`` never holds a half-written copy;
    with ``overwrite=False`` an existing ``dest`` is left alone and FileExistsError raised."""
    from minicrm.store.scratch import scratch_file

    live = next((row[2] for row in conn.execute("PRAGMA database_list") if row[1] == "main"), "")
    listed_by = Path(live) if live else None  # a copy made elsewhere is swept by the next start
    with scratch_file(dest.parent, dest.name, ".tmp", listed_by=listed_by) as tmp:
        target = sqlite3.connect(str(tmp))
        try:
            conn.backup(target)
            target.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        finally:
            target.close()
        if overwrite:
            os.replace(tmp, dest)
        else:
            _link_new(tmp, dest)


def _link_new(tmp: Path, dest: Path) -> None:
    """Give ``tmp`` the name ``dest`` unless that exists (hard link where the filesystem has them)."""
    try:
        os.link(tmp, dest)
    except FileExistsError:
        raise
    except OSError:
        if dest.exists():
            raise FileExistsError(dest) from None
        os.replace(tmp, dest)


def _prepare_sqlite_file(target: Target) -> None:
    """Create the directory (0700) and the file (0600) before SQLite does, so that neither is
    ever readable by others; turn permission problems into one clear error."""
    path = target.path
    assert path is not None
    if path.is_dir():
        raise StorageError(f"{path} is a directory, not a database file")
    if path.exists():
        if not os.access(path, os.R_OK):
            raise StorageError(f"cannot read the database {path}: permission denied")
        return
    try:
        if not path.parent.exists():
            path.parent.mkdir(parents=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
    except FileExistsError:
        return
    except OSError as exc:
        raise StorageError(f"cannot create the database {path}: {exc.strerror or exc}") from exc
