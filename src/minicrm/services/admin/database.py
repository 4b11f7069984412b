"""Database administration use cases: init, location, schema status, upgrade."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from minicrm.services.kernel.context import resolve_target
from minicrm.store import schema
from minicrm.store.db import Database, Target


@dataclass(frozen=True)
class DbInfo:
    location: str
    revision: str | None
    head: str
    created: bool = False


def location(db: str | Path | None = None) -> str:
    return resolve_target(db).describe()


def init(db: str | Path | None = None) -> DbInfo:
    target = resolve_target(db)
    if target.path is not None:
        existed = target.path.exists() and target.path.stat().st_size > 0
    else:  # a PostgreSQL database exists before minicrm; "created" means: its schema was set up now
        existed = _has_schema(target)
    database = schema.open_database(target)
    try:
        revision = schema.current_revision(database)
    finally:
        database.close()
    return DbInfo(target.describe(), revision, schema.HEAD, created=not existed)


def _has_schema(target: Target) -> bool:
    database = Database.connect(target)
    try:
        return schema.current_revision(database) is not None
    finally:
        database.close()


def status(db: str | Path | None = None) -> DbInfo:
    target = resolve_target(db)
    if target.path is not None and not target.path.exists():
        return DbInfo(target.describe(), None, schema.HEAD)
    database = Database.connect(target)
    try:
        revision = schema.current_revision(database)
    finally:
        database.close()
    if revision is not None and revision not in schema.REVISIONS:
        from minicrm.core.errors import SchemaTooNew

        raise SchemaTooNew(f"the database schema {revision} is newer than this minicrm ({schema.HEAD})")
    return DbInfo(target.describe(), revision, schema.HEAD)


def upgrade(db: str | Path | None = None) -> DbInfo:
    target = resolve_target(db)
    database = schema.open_database(target, upgrade=True)
    try:
        revision = schema.current_revision(database)
    finally:
        database.close()
    return DbInfo(target.describe(), revision, schema.HEAD)
