"""An import killed mid-way (SIGKILL) or interrupted (SIGINT) leaves the database exactly as it
was: it commits in batches, but an interrupted one is rolled back (at once on SIGINT, at the
next open after SIGKILL), never half an import."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from transfer_helpers import table_counts

ROOT = Path(__file__).resolve().parents[2]


def _big_csv(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write("Name,Email,Phone,Company\n")
        for i in range(n):
            fh.write(f"Person {i},p{i}@example{i % 300}.com,+3519{i:08d},Company {i % 500}\n")


def _start_import(db: Path, source: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.Popen(
        [sys.executable, "-m", "minicrm", "--db", str(db), "import", "csv", str(source)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_until_writing(proc: subprocess.Popen[str], wal: Path, timeout: float = 120) -> None:
    """Until the import has spilled uncommitted pages to the WAL (it is mid-way)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(
                "the import finished before it could be interrupted: "
                f"{proc.stderr.read() if proc.stderr else ''}"
            )
        if wal.exists() and wal.stat().st_size > 4 * 1024 * 1024:
            return
        time.sleep(0.05)
    proc.kill()
    pytest.fail("the import never got going")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_interrupted_import_changes_nothing(cli, tmp_path: Path, sig: signal.Signals) -> None:
    db = tmp_path / "crm.db"
    cli("--db", str(db), "contact", "add", "Ana", "--email", "ana@x.pt")
    before = table_counts(db)
    source = tmp_path / "big.csv"
    _big_csv(source, 120_000)
    proc = _start_import(db, source)
    _wait_until_writing(proc, Path(f"{db}-wal"))
    proc.send_signal(sig)
    proc.wait(timeout=60)
    if sig == signal.SIGINT:
        assert proc.returncode == 130
    else:
        assert proc.returncode == -signal.SIGKILL
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("INSERT INTO search_fts(search_fts) VALUES ('integrity-check')") is not None
        # the FTS trigger that a batch sets aside is back
        assert (
            conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'search_fts_ai'").fetchone()[0] == 1
        )
    finally:
        conn.close()
    if sig == signal.SIGINT:
        assert table_counts(db) == before  # rolled back before the process ended
    listed = cli("--db", str(db), "contact", "list", "--json")
    assert [c["name"] for c in listed.json()] == ["Ana"]
    if sig == signal.SIGKILL:  # the next open rolled it back, and said so
        assert listed.stderr.startswith("warning: rolled back the interrupted import #2 (import csv big.csv)")
    assert table_counts(db) == before
    assert not list(tmp_path.glob("crm.db-import-*"))  # the run lock's file is gone


def _indexes(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [
            r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name")
        ]
    finally:
        conn.close()


def test_a_killed_bulk_load_into_an_empty_database_gets_its_indexes_back(cli, tmp_path: Path) -> None:
    """An import into an empty contact table drops the contact indexes to build them at its end,
    and commits batches meanwhile; killed before its end, it is rolled back at the next open
    with every index built again."""
    db = tmp_path / "crm.db"
    cli("--db", str(db), "company", "add", "Lima Lda")  # the database exists; no contacts yet
    before, counts = _indexes(db), table_counts(db)
    source = tmp_path / "big.csv"
    _big_csv(source, 120_000)
    proc = _start_import(db, source)
    deadline = time.monotonic() + 120
    aside = None
    while aside is None:  # until a batch with the indexes set aside is committed
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        assert time.monotonic() < deadline, "the import never set the indexes aside"
        time.sleep(0.05)
        conn = sqlite3.connect(db)
        try:
            row = conn.execute("SELECT set_aside FROM import_run").fetchone()
        finally:
            conn.close()
        aside = row[0] if row else None
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert "ix_contact_name" in aside and "ix_contact_name" not in _indexes(db)
    listed = cli("--db", str(db), "contact", "list", "--json")
    assert listed.json() == []
    assert listed.stderr.startswith("warning: rolled back the interrupted import")
    assert _indexes(db) == before and table_counts(db) == counts
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
