"""``minicrm doctor``: the problems a user would want to know about, each with its fix.

Checks the config file, the database file's permissions, its schema revision (without
upgrading it) and the schema itself against the migrations (``store.schema_check``: a table
dropped leaves the revision as it was), SQLite's ``PRAGMA integrity_check``, copies a killed
backup or restore left behind (``store.scratch``; opening the database sweeps those nobody
holds), hooks it refuses to run (writable by others), and whether the cron job still runs
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
from minicrm.services.kernel.context import Context, resolve_target
from minicrm.store.db import Database, Target

#: ``due`` runs daily from cron; a little slack for a late or slow machine
CRON_GAP = timedelta(hours=26)


@dataclass(frozen=True, slots=True)
class Problem:
    check: str  # config, hooks, permissions, database, schema, integrity, files, cron, mail
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
    problems.extend(_hooks(config))
    clock = clock or Clock.system(config.timezone, config.region)
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
        problems.extend(_schema(database))
        if target.path is not None:
            problems.extend(_leftovers(target.path))
        # the checks after the integrity ones are services': they take a context, as all do
        ctx = Context(db=database, clock=clock, config=config)
        problems.extend(_cron(ctx, minicrm))
        problems.extend(_mail_sources(ctx, minicrm))
    finally:
        database.close()
    return problems


def _config(problems: list[Problem]) -> Config:
    try:
        config = load_config()
    except InvalidInput as exc:
        problems.append(
            Problem(
                "config", str(exc), f"fix the file, or move it aside to use the defaults: {config_path()}"
            )
        )
        return Config()
    from minicrm.services.admin.config_check import config_problems

    problems.extend(Problem("config", problem, fix) for problem, fix in config_problems(config))
    return config


def _hooks(config: Config) -> list[Problem]:
    """Hooks minicrm refuses to run: others could have written them."""
    from minicrm.core.paths import hooks_dir
    from minicrm.services.kernel.hooks import scan

    return [
        Problem(
            "hooks",
            f"hook {hook.name} is refused: {hook.unsafe}",
            "make it and its directories writable by you only: chmod go-w "
            + " ".join(dict.fromkeys(_writable_by_others(hook.path, hooks_dir(config.path)))),
        )
        for hook in scan(hooks_dir(config.path), [])
        if hook.unsafe and hook.event is not None
    ]


def _writable_by_others(path: Path, top: Path) -> list[str]:
    """``path`` and the directories up to ``top`` that are group- or world-writable."""
    chain = [path, *(p for p in path.parents if p == top or top in p.parents)]
    return [str(p) for p in reversed(chain) if _mode(p) & 0o022] or [str(path)]


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


def _schema(db: Database) -> list[Problem]:
    from minicrm.store.schema_check import schema_problems, summary

    found = schema_problems(db)
    if not found:
        return []
    return [
        Problem(
            "schema",
            f"the database schema is not the one its migrations make: {summary(found)}",
            "restore your latest backup (`minicrm restore PATH`: it checks the backup first)",
        )
    ]


def _leftovers(path: Path) -> list[Problem]:
    from minicrm.store.scratch import leftovers_around

    found = []
    for left in leftovers_around(path):
        size = f"{left.size / 1e6:.1f} MB" if left.size >= 1e5 else f"{left.size} bytes"
        if left.in_use:
            found.append(
                Problem(
                    "files",
                    f"a backup or restore is writing {left.path} ({size}) now",
                    "let it finish: the copy goes when it does",
                )
            )
        else:
            found.append(
                Problem(
                    "files",
                    f"a killed backup or restore left {left.path} ({size}), and it could not be removed",
                    f"rm {left.path}",
                )
            )
    return found


def _mail_sources(ctx: Context, minicrm: str) -> list[Problem]:
    """A mailbox that ``mail import`` read once but not for longer than ``[mail] stale_hours``:
    the timeline is no longer filling itself."""
    from minicrm.services.capture.mail import sources_due

    try:
        late = sources_due(ctx)
    except StorageError:
        return []  # the integrity check has said what is wrong
    except InvalidInput as exc:
        return [Problem("mail", str(exc), "fix the [mail] table of the config file")]
    problems = []
    for source, read_at, _hours in late:
        when = read_at.astimezone(ctx.clock.tz).strftime("%Y-%m-%d %H:%M") if read_at else "never"
        problems.append(
            Problem(
                "mail",
                f"the mail source {source} has not been read since {when}",
                f"add this line with `crontab -e`: */15 * * * * {minicrm} mail import {source} --quiet",
            )
        )
    return problems


def _cron(ctx: Context, minicrm: str) -> list[Problem]:
    from minicrm.services.followups import runs

    try:
        open_count = int(ctx.db.scalar("SELECT count(*) FROM followup WHERE done_at IS NULL") or 0)
        last = runs.last_run(ctx)
    except StorageError:
        return []  # the integrity check has said what is wrong
    now = ctx.clock.now()
    if not open_count or (last is not None and now - last <= CRON_GAP):
        return []
    open_text = f"{open_count} follow-up{'s are' if open_count != 1 else ' is'} open"
    if last is None:
        problem = f"`minicrm due` has never run, and {open_text}: reminders reach nobody"
    else:
        local = last.astimezone(ctx.clock.tz).strftime("%Y-%m-%d %H:%M")
        problem = f"`minicrm due` has not run since {local} ({runs.ago(last, now)}), and {open_text}"
    return [Problem("cron", problem, f"add this line with `crontab -e`: 0 8 * * * {minicrm} due")]
