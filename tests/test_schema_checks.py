"""A database that is not whole is refused or reported, never used: ``restore`` checks a backup's
schema against the migrations (and its integrity) before swapping it in, ``doctor`` checks the
live schema, and the copies a killed backup or restore leaves behind are swept at the next start
(``doctor`` reports any left)."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from minicrm.services.kernel.context import resolve_target
from minicrm.store.db import Database

ROOT = Path(__file__).resolve().parent.parent


def _backup(cli, tmp_path: Path) -> Path:
    cli("contact", "add", "Ana Lima", "--email", "ana@lima.pt")
    cli("deal", "add", "Website", "--contact", "ana", "--value", "1200")
    cli("deal", "move", "1", "proposal")
    saved = tmp_path / "saved.db"
    assert cli("backup", str(saved)).exit_code == 0
    return saved


def _damage(path: Path, *sql: str) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA foreign_keys = OFF")
        for statement in sql:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    ("sql", "said"),
    [
        (["DROP TABLE deal_stage_change"], "table deal_stage_change is missing"),
        (["DROP TRIGGER search_fts_ai"], "trigger search_fts_ai is missing"),
        (["DROP INDEX ix_contact_name"], "index ix_contact_name is missing"),
        (["ALTER TABLE contact DROP COLUMN title"], "column contact.title is missing"),
    ],
    ids=["table", "trigger", "index", "column"],
)
def test_restore_refuses_a_backup_whose_schema_is_not_whole(
    cli, db_path, dump, tmp_path, sql: list[str], said: str
) -> None:
    saved = _backup(cli, tmp_path)
    _damage(saved, *sql)
    cli("contact", "add", "Bruno Dias")
    before = dump()
    result = cli("restore", str(saved), "--yes")
    assert result.exit_code == 1
    assert result.stderr == f"error: {saved} is not a complete minicrm database: {said}\n"
    assert dump() == before
    assert [p.name for p in db_path.parent.iterdir() if p.name.startswith(".")] == []
    assert cli("doctor").exit_code == 0


@pytest.mark.sqlite_only
def test_restore_of_bit_flipped_backups_never_crashes(cli, db_path, dump, tmp_path) -> None:
    """Flip bits all over a backup: each restore either succeeds or is one error line, exit 1."""
    saved = _backup(cli, tmp_path)
    data = saved.read_bytes()
    rng = random.Random(19)
    before = dump()
    outcomes = set()
    for trial in range(24):
        damaged = bytearray(data)
        for _ in range(1 + trial % 6):
            spot = rng.randrange(100, len(damaged))  # the 100-byte header: checked up front
            damaged[spot] ^= 1 << rng.randrange(8)
        path = tmp_path / f"flip{trial}.db"
        path.write_bytes(bytes(damaged))
        result = cli("restore", str(path), "--yes")
        assert result.exit_code in (0, 1), result.stderr
        if result.exit_code == 1:
            assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
            assert dump() == before
        else:
            restored = sqlite3.connect(db_path)
            assert restored.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            restored.close()
            assert cli("restore", str(saved), "--yes").exit_code == 0
            before = dump()
        outcomes.add(result.exit_code)
    assert 1 in outcomes


@pytest.mark.sqlite_only
def test_a_text_value_that_is_not_utf8_is_a_damaged_file(cli, tmp_path) -> None:
    saved = _backup(cli, tmp_path)
    _damage(saved, "UPDATE alembic_version SET version_num = CAST(X'30FF3033' AS TEXT)")
    result = cli("restore", str(saved), "--yes")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {saved} is damaged: Could not decode to UTF-8")


def _drop_on_live(*sql: str) -> None:
    db = Database.connect(resolve_target())
    try:
        with db.transaction():
            for statement in sql:
                db.execute(statement)
    finally:
        db.close()


def test_doctor_checks_the_live_schema(cli) -> None:
    assert cli("init").exit_code == 0
    cascade = "" if resolve_target().dialect == "sqlite" else " CASCADE"
    _drop_on_live(f"DROP TABLE deal_stage_change{cascade}")
    result = cli("doctor")
    assert result.exit_code == 1
    assert result.stdout.startswith(
        "schema: the database schema is not the one its migrations make: table deal_stage_change is missing"
        " — fix: restore your latest backup"
    ), result.stdout


def test_doctor_names_a_missing_column(cli) -> None:
    assert cli("init").exit_code == 0
    _drop_on_live("ALTER TABLE contact DROP COLUMN title")
    result = cli("doctor")
    assert result.exit_code == 1
    assert "column contact.title is missing" in result.stdout


# -- copies a killed backup or restore left ------------------------------------------------

HOLDER = """\
import sys, time
from pathlib import Path
from minicrm.store.scratch import scratch_file
listed_by = Path(sys.argv[3]) if len(sys.argv) > 3 else None
with scratch_file(Path(sys.argv[1]), sys.argv[2], ".db", listed_by=listed_by) as path:
    path.write_bytes(b"x" * 200_000)
    print(path, flush=True)
    time.sleep(120)
"""


def _holder(directory: Path, name: str, *listed_by: Path) -> tuple[subprocess.Popen[str], Path]:
    """A process in the middle of a backup or restore: its scratch copy is there and held."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    argv = [sys.executable, "-c", HOLDER, str(directory), name, *map(str, listed_by)]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    return proc, Path(proc.stdout.readline().strip())


@pytest.mark.sqlite_only
@pytest.mark.parametrize("where", ["data", "backups", "beside", "elsewhere"])
def test_a_killed_backup_or_restore_copy_is_swept_at_the_next_start(
    cli, db_path, tmp_path_factory, where: str
) -> None:
    """``elsewhere``: ``minicrm backup /mnt/usb/crm.db``, a directory only the copy's listing
    beside the database tells the next start about; ``beside``: ``minicrm backup copy.db`` in
    the database's own directory, under a name the sweep of that directory does not look at."""
    cli("contact", "add", "Ana")
    directory, name = {
        "data": (db_path.parent, db_path.name),
        "backups": (db_path.parent / "backups", "minicrm-x.db"),
        "beside": (db_path.parent, "copy.db"),
        "elsewhere": (tmp_path_factory.mktemp("usb"), "crm.db"),
    }[where]
    directory.mkdir(exist_ok=True)
    listed = where in ("beside", "elsewhere")
    proc, copy = _holder(directory, name, *([db_path] if listed else []))
    listing = db_path.with_name(f".{db_path.name}.minicrm-scratch")
    assert listing.exists() == listed
    try:
        assert copy.exists() and copy.name.startswith(f".{name}.minicrm-tmp-")
        # while the process runs, its copy is left alone, and doctor says it is in use
        assert cli("contact", "list", "--format", "plain").exit_code == 0
        assert copy.exists()
        result = cli("doctor")
        assert result.exit_code == 1
        assert result.stdout == (
            f"files: a backup or restore is writing {copy} (0.2 MB) now — fix: let it finish: "
            "the copy goes when it does\n"
        )
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert copy.exists()  # killed: nobody removed it
    Path(f"{copy}-journal").write_bytes(b"j")
    assert cli("contact", "list", "--format", "plain").exit_code == 0
    assert not copy.exists() and not Path(f"{copy}-journal").exists()
    assert not listing.exists()
    assert cli("doctor").exit_code == 0


@pytest.mark.sqlite_only
def test_copies_named_the_old_way_are_swept_once_an_hour_old(cli, db_path) -> None:
    cli("contact", "add", "Ana")
    old = db_path.parent / f".{db_path.name}.restore-ab12cd34.db"
    fresh = db_path.parent / f".{db_path.name}.restore-zz99yy88.db"
    other = db_path.parent / ".unrelated.abcdefgh.tmp"
    for path in (old, fresh, other):
        path.write_bytes(b"x" * 10)
    hour_ago = time.time() - 3700
    os.utime(old, (hour_ago, hour_ago))
    os.utime(other, (hour_ago, hour_ago))
    result = cli("doctor")
    assert not old.exists() and fresh.exists() and other.exists()
    assert result.stdout == (
        f"files: a killed backup or restore left {fresh} (10 bytes), and it could not be removed"
        f" — fix: rm {fresh}\n"
    )


def _run(args: list[str], env: dict[str, str]) -> Any:
    return subprocess.run([sys.executable, "-m", "minicrm", *args], capture_output=True, text=True, env=env)


@pytest.mark.slow
@pytest.mark.sqlite_only
def test_a_real_backup_killed_half_way_leaves_nothing_after_the_next_command(
    cli, db_path, tmp_path: Path
) -> None:
    rows = "".join(f"Person {i},p{i}@example.com,{'note ' * 40}\n" for i in range(20000))
    source = tmp_path / "big.csv"
    source.write_text("name,email,notes\n" + rows, encoding="utf-8")
    assert cli("import", "csv", str(source)).exit_code == 0
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    backups = db_path.parent / "backups"
    killed = 0
    for _ in range(20):
        proc = subprocess.Popen(
            [sys.executable, "-m", "minicrm", "backup"], env=env, stdout=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 30
        while proc.poll() is None and time.monotonic() < deadline:
            if backups.is_dir() and any(".minicrm-tmp-" in p.name for p in backups.iterdir()):
                proc.send_signal(signal.SIGKILL)
                killed += 1
                break
            time.sleep(0.001)
        proc.wait()
        if killed:
            break
    if not killed:
        pytest.skip("every backup finished before it could be killed")
    assert any(".minicrm-tmp-" in p.name for p in backups.iterdir())
    assert _run(["contact", "show", "1"], env).returncode == 0
    assert [p.name for p in backups.iterdir() if p.name.startswith(".")] == []
    assert _run(["doctor"], env).returncode == 0
