"""``minicrm doctor``: the problems a user would want to know about, each with its fix.

Checks the config file, the database file's permissions, its schema revision (without
upgrading it), SQLite's ``PRAGMA integrity_check``, and whether the cron job still runs
``minicrm due`` while follow-ups are open. Opening the database never changes it here.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from minicrm.core.clock import Clock
from minicrm.core.config import Config, config_path, load_config
from minicrm.core.errors import InvalidInput, SchemaTooNew, StorageError
from minicrm.services.kernel.context import resolve_target
from minicrm.store.db import Database, Target

#: ``due`` runs daily from cron; a little slack for a late or slow machine
CRON_GAP = timedelta(hours=26)


@dataclass(frozen=True, slots=True)
class Problem:
    check: str  # config, permissions, database, schema, integrity, cron, mail
    problem: str
    fix: str

    def to_dict(self) -> dict[str, str]:
        return {"check": self.check, "problem": self.problem, "fix": self.fix}


def diagnose(
    db: str | Path | None = None, *, clock: Clock | None = None, minicrm: str = "minicrm"
) -> list[Problem]:
    """Every problem found; an empty list means all is well. ``minicrm`` is the command to
    show in the crontab fix."""
    problems: list[Problem] = []
    config = _config(problems)
    clock = clock or Clock.system(config.timezone)
    target = resolve_target(db)
    if target.path is not None:
        if not target.path.exists():
            problems.append(
                Problem(
                    "database",
                    f"there is no database at {target.path}",
                    "run `minicrm init`, or point --db / MINICRM_DB at your database",
                )
            )
            return problems
        problems.extend(_permissions(target.path))
    database = _open(target, problems)
    if database is None:
        return problems
    try:
        problems.extend(_integrity(database))
        problems.extend(_cron(database, clock, minicrm))
        problems.extend(_mail_sources(database, clock, config, minicrm))
    finally:
        database.close()
    return problems


def _config(problems: list[Problem]) -> Config:
    try:
        return load_config()
    except InvalidInput as exc:
        problems.append(
            Problem(
                "config", str(exc), f"fix the file, or move it aside to use the defaults: {config_path()}"
            )
        )
        return Config()


def _permissions(path: Path) -> list[Problem]:
    found = []
    loose = [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if _mode(p) & 0o077]
    if loose:
        modes = ", ".join(f"{p.name} is {_mode(p):04o}" for p in loose)
        found.append(
            Problem(
                "permissions",
                f"the database is readable by other users ({modes})",
                "chmod 600 " + " ".join(str(p) for p in loose),
            )
        )
    if _mode(path.parent) & 0o077:
        found.append(
            Problem(
                "permissions",
                f"the database directory {path.parent} is open to other users ({_mode(path.parent):04o})",
                f"chmod 700 {path.parent}",
            )
        )
    return found


def _mode(path: Path) -> int:
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return 0


def _open(target: Target, problems: list[Problem]) -> Database | None:
    from minicrm.store.schema import HEAD, current_revision, open_database

    try:
        return open_database(target, upgrade=False)
    except SchemaTooNew as exc:
        problems.append(
            Problem("schema", str(exc), "upgrade minicrm to the version that wrote this database")
        )
        return None
    except StorageError as exc:
        failure = exc
    revision: str | None = "?"
    try:
        probe = Database.connect(target)
        try:
            revision = current_revision(probe)
        finally:
            probe.close()
    except StorageError:
        pass
    if revision is None:
        problems.append(
            Problem("schema", f"{target.describe()} is empty (no minicrm schema)", "run `minicrm init`")
        )
    elif revision != "?":
        problems.append(
            Problem(
                "schema",
                f"the database schema is behind ({revision}, this minicrm needs {HEAD})",
                "run `minicrm db upgrade` (an SQLite file is backed up first)",
            )
        )
    else:
        problems.append(
            Problem(
                "database",
                f"cannot open the database: {failure}",
                "restore your latest backup with `minicrm restore PATH`",
            )
        )
    return None


def _integrity(db: Database) -> list[Problem]:
    if not db.is_sqlite:
        return []
    import sqlite3

    try:
        rows = [str(r[0]) for r in db.raw.execute("PRAGMA integrity_check").fetchall()]
    except sqlite3.DatabaseError as exc:
        rows = [str(exc)]
    if rows == ["ok"]:
        return []
    detail = "; ".join(rows[:3]) + (f"; … ({len(rows)} messages)" if len(rows) > 3 else "")
    path = db.target.path
    return [
        Problem(
            "integrity",
            f"the database fails SQLite's integrity check: {detail}",
            f"restore your latest backup (`minicrm restore PATH`), or salvage it with "
            f"`sqlite3 {path} .recover | sqlite3 recovered.db`",
        )
    ]


def _mail_sources(db: Database, clock: Clock, config: Config, minicrm: str) -> list[Problem]:
    """A mailbox that ``mail import`` read once but not for longer than ``[mail] stale_hours``:
    the timeline is no longer filling itself."""
    from minicrm.services.capture.mail import sources_due

    try:
        late = sources_due(db, clock, config)
    except StorageError:
        return []  # the integrity check has said what is wrong
    except InvalidInput as exc:
        return [Problem("mail", str(exc), "fix the [mail] table of the config file")]
    problems = []
    for source, read_at, _hours in late:
        when = read_at.astimezone(clock.tz).strftime("%Y-%m-%d %H:%M") if read_at else "never"
        problems.append(
            Problem(
                "mail",
                f"the mail source {source} has not been read since {when}",
                f"add this line with `crontab -e`: */15 * * * * {minicrm} mail import {source} --quiet",
            )
        )
    return problems


def _cron(db: Database, clock: Clock, minicrm: str) -> list[Problem]:
    from minicrm.services.followups import runs

    try:
        open_count = int(db.scalar("SELECT count(*) FROM followup WHERE done_at IS NULL") or 0)
        last = runs.last_run(db)
    except StorageError:
        return []  # the integrity check has said what is wrong
    now = clock.now()
    if not open_count or (last is not None and now - last <= CRON_GAP):
        return []
    open_text = f"{open_count} follow-up{'s are' if open_count != 1 else ' is'} open"
    if last is None:
        problem = f"`minicrm due` has never run, and {open_text}: reminders reach nobody"
    else:
        local = last.astimezone(clock.tz).strftime("%Y-%m-%d %H:%M")
        problem = f"`minicrm due` has not run since {local} ({runs.ago(last, now)}), and {open_text}"
    return [Problem("cron", problem, f"add this line with `crontab -e`: 0 8 * * * {minicrm} due")]
