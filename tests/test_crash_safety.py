"""Crash safety: a real ``python -m minicrm`` killed with SIGKILL at random moments of a big write
(and of a schema migration) leaves a database that passes ``PRAGMA integrity_check`` and holds
either all or none of the interrupted operation.

Each kill costs a process start (~1-3 s): the suite's own run kills each command 3 times (the
bulk delete 4), ``pytest -m slow`` or ``MINICRM_SLOW=1`` 12 times; ``MINICRM_CRASH_KILLS`` sets
how many. Each test prints its tally (``pytest -s``). SQLite files (the kills need no second
backend: the PostgreSQL pass skips them).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from minicrm.services import search
from minicrm.services.kernel.context import open_context
from minicrm.services.kernel.unit_of_work import UnitOfWork

ROOT = Path(__file__).resolve().parent.parent
CONTACTS = 1500

pytestmark = [pytest.mark.slow, pytest.mark.sqlite_only]


@pytest.fixture
def kills(request: pytest.FixtureRequest) -> int:
    """How many times each command is killed."""
    slow = bool(os.environ.get("MINICRM_SLOW")) or "slow" in str(request.config.getoption("markexpr"))
    return int(os.environ.get("MINICRM_CRASH_KILLS", "12" if slow else "3"))


def _seed(path: Path) -> None:
    with open_context(path) as ctx, UnitOfWork(ctx, "seed") as uow:
        db = uow.db
        for i in range(CONTACTS):
            contact_id = db.insert(
                "INSERT INTO contact (name, status, do_not_contact, created_at, updated_at, version) "
                "VALUES (?, 'lead', 0, ?, ?, 1)",
                (f"Person {i}", uow.now, uow.now),
            )
            db.execute(
                "INSERT INTO contact_email (contact_id, email, email_lower, position) VALUES (?, ?, ?, 0)",
                (contact_id, f"p{i}@x.pt", f"p{i}@x.pt"),
            )
            note_id = db.insert(
                "INSERT INTO interaction (kind, body, at, contact_id, created_at) "
                "VALUES ('note', ?, ?, ?, ?)",
                (f"note {i}", uow.now, contact_id, uow.now),
            )
            search.reindex_contact(db, contact_id)
            search.reindex_interaction(db, note_id, f"note {i}")  # as `note add` indexes it


def _spawn(*args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.Popen(
        [sys.executable, "-m", "minicrm", *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def _timed(*args: str) -> tuple[float, int]:
    start = time.perf_counter()
    proc = _spawn(*args)
    proc.communicate(timeout=120)
    return time.perf_counter() - start, proc.returncode


def _counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        tables = ("contact", "contact_email", "interaction", "search_doc", "operation", "change")
        return {t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in tables}
    finally:
        conn.close()


def test_a_killed_bulk_delete_leaves_all_or_nothing(tmp_path: Path, kills: int) -> None:
    template = tmp_path / "template.db"
    _seed(template)
    full = _counts(template)
    ids = [str(i) for i in range(1, CONTACTS + 1)]
    command = ["contact", "rm", *ids, "--yes"]

    probe = tmp_path / "probe.db"
    shutil.copy(template, probe)
    t_ready, code = _timed("--db", str(probe), "contact", "rm", "999999", "--yes")
    assert code == 1
    t_done, code = _timed("--db", str(probe), *command)
    assert code == 0
    done = _counts(probe)
    assert done["contact"] == 0 and done["operation"] == full["operation"] + 1
    assert done["change"] == full["change"] + 2 * CONTACTS  # each note and each contact recorded

    t_tx = _transaction_time(template, tmp_path / "probe2.db", command)
    rng = random.Random(7)
    outcomes = {"none": 0, "all": 0, "killed holding the write lock": 0}
    kills = max(kills, 4)  # at least two of each kind
    for run in range(kills):
        db = tmp_path / f"run{run}.db"
        shutil.copy(template, db)
        proc = _spawn("--db", str(db), *command)
        if run % 2:  # at a random moment of the whole run
            time.sleep(rng.uniform(0.8 * t_ready, 1.05 * t_done))
        else:  # at a random moment inside the write transaction
            while not _write_locked(db) and proc.poll() is None:
                time.sleep(0.002)
            time.sleep(rng.uniform(0, 0.9 * t_tx))
        mid_transaction = _write_locked(db)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        after = _counts(db)  # opening it recovers the WAL like any later minicrm would
        if after == full:
            outcomes["none"] += 1
        else:
            assert after == done, f"run {run}: a partial operation survived the kill: {after}"
            outcomes["all"] += 1
        outcomes["killed holding the write lock"] += mid_transaction
        with open_context(db) as ctx:  # and minicrm opens it and can write again
            assert ctx.db.scalar("SELECT count(*) FROM contact") in (0, CONTACTS)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    print(f"\n{kills} kills survived: {outcomes}")
    assert outcomes["none"] + outcomes["all"] == kills
    assert outcomes["killed holding the write lock"] >= 1  # the kills did land inside the transaction


def _write_locked(db: Path) -> bool:
    """Whether another process holds the write lock (is inside its write transaction)."""
    conn = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        conn.close()


def _transaction_time(template: Path, probe: Path, command: list[str]) -> float:
    """How long the command holds the write lock (from taking it to exiting)."""
    shutil.copy(template, probe)
    proc = _spawn("--db", str(probe), *command)
    while not _write_locked(probe) and proc.poll() is None:
        time.sleep(0.002)
    start = time.perf_counter()
    proc.wait(timeout=120)
    return max(0.01, time.perf_counter() - start)


def test_a_killed_first_migration_leaves_a_database_the_next_run_completes(
    tmp_path: Path, kills: int
) -> None:
    rng = random.Random(11)
    probe = tmp_path / "probe.db"
    t_done, code = _timed("--db", str(probe), "init")
    assert code == 0
    for run in range(max(3, kills // 2)):
        db = tmp_path / f"init{run}.db"
        proc = _spawn("--db", str(db), "init")
        time.sleep(rng.uniform(0.3 * t_done, 1.05 * t_done))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        if db.exists():
            conn = sqlite3.connect(db)
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            conn.close()
        _, code = _timed("--db", str(db), "contact", "add", "Ana")
        assert code == 0, f"run {run}: the database left by the kill cannot be used"
        assert _counts(db)["contact"] == 1


def _kill_at_random(
    tmp_path: Path, template: Path, args: list[str], runs: int, seed: int, check: Callable[[Path], str]
) -> dict[str, int]:
    """Run ``minicrm --db COPY *args`` on copies of ``template`` and SIGKILL it at a random moment
    of its run; ``check(db)`` judges what each kill left (``none`` or ``all``). Then minicrm opens
    that database and can write to it, and no hidden scratch copy is left. Returns the tally."""
    probe = tmp_path / "probe.db"
    shutil.copy(template, probe)
    t_done, code = _timed("--db", str(probe), *args)
    assert code == 0
    probe.unlink()
    rng = random.Random(seed)
    outcomes: dict[str, int] = {"none": 0, "all": 0}
    for run in range(runs):
        db = tmp_path / f"run{run}.db"
        shutil.copy(template, db)
        proc = _spawn("--db", str(db), *args)
        time.sleep(rng.uniform(0.3 * t_done, 1.05 * t_done))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        # the next start: recovers what the kill interrupted
        with open_context(db) as ctx, UnitOfWork(ctx, "after the kill") as uow:
            uow.db.execute("UPDATE contact SET title = 'after' WHERE id = (SELECT min(id) FROM contact)")
        outcomes[check(db)] += 1
        hidden = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
        assert hidden == [], f"run {run}: hidden copies left: {hidden}"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    print(f"\n{args[0]}: {runs} kills, all or nothing each time: {outcomes}")
    assert sum(outcomes.values()) == runs
    return outcomes


_KEPT = ("contact", "contact_email", "interaction", "search_doc")


def test_a_killed_undo_leaves_all_or_nothing(tmp_path: Path, kills: int) -> None:
    """Undo of a bulk delete of 1,500 contacts with their notes: killed, none or all is back."""
    template = tmp_path / "template.db"
    _seed(template)
    full = _counts(template)
    _, code = _timed(
        "--db", str(template), "contact", "rm", *[str(i) for i in range(1, CONTACTS + 1)], "--yes"
    )
    assert code == 0
    gone = {k: _counts(template)[k] for k in _KEPT}

    def check(db: Path) -> str:
        after = {k: _counts(db)[k] for k in _KEPT}
        if after == gone:
            return "none"
        assert after == {k: full[k] for k in _KEPT}, f"a partial undo survived the kill: {after}"
        return "all"

    _kill_at_random(tmp_path, template, ["undo", "--yes"], kills, 13, check)


def test_a_killed_restore_leaves_the_old_or_the_new_database(tmp_path: Path, kills: int) -> None:
    template = tmp_path / "template.db"
    _seed(template)
    backup = tmp_path / "small.db"
    _, code = _timed("--db", str(backup), "contact", "add", "Only One")
    assert code == 0
    full, small = ({k: _counts(path)[k] for k in _KEPT} for path in (template, backup))

    def check(db: Path) -> str:
        after = {k: _counts(db)[k] for k in _KEPT}
        assert after in (full, small), f"restore left neither database: {after}"
        return "none" if after == full else "all"

    _kill_at_random(tmp_path, template, ["restore", str(backup), "--yes"], kills, 17, check)


@pytest.mark.parametrize("command", ["backup", "export"])
def test_a_killed_backup_or_export_leaves_no_partial_file(tmp_path: Path, kills: int, command: str) -> None:
    """The file is either not there or complete (written aside, then renamed into place)."""
    template = tmp_path / "template.db"
    _seed(template)
    full = _counts(template)
    target = tmp_path / ("copy.db" if command == "backup" else "all.json")
    args = ["backup", str(target)] if command == "backup" else ["export", "json", "--out", str(target)]

    def check(db: Path) -> str:
        assert {k: _counts(db)[k] for k in _KEPT} == {k: full[k] for k in _KEPT}
        if not target.exists():
            return "none"
        if command == "backup":
            assert _counts(target)["contact"] == CONTACTS, "a partial backup"
        else:
            archive = json.loads(target.read_text(encoding="utf-8"))
            assert len(archive["tables"]["contact"]["rows"]) == CONTACTS, "a partial export"
        target.unlink()
        return "all"

    _kill_at_random(tmp_path, template, args, kills, 19, check)
    target.unlink(missing_ok=True)
