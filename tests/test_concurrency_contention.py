"""Concurrency: 4 writer processes × 200 writes and a reader looping ``due`` and ``contact list``
on one SQLite file at once: no write lost, no error reaching the user, reads keep answering.
The work is done by ``bench/concurrency.py`` (which also prints the figures)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_four_writers_and_a_reader_lose_nothing_and_see_no_lock_errors(tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "concurrency.py"),
            "--writers",
            "4",
            "--writes",
            "200",
            "--db",
            str(db),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    figures = json.loads(proc.stdout)
    print("\n" + json.dumps(figures))
    assert figures["errors"] == []
    assert figures["stored"] == 800 and figures["lost"] == 0
    assert figures["integrity"] == "ok"
    assert figures["reads"] > 0  # the reader kept answering while the writers ran


def _hold_write_lock(db_path: Path) -> Any:
    writer = sqlite3.connect(db_path, isolation_level=None, timeout=15, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute(
        "INSERT INTO contact (name, status, do_not_contact, created_at, updated_at, version) "
        "VALUES ('Uncommitted', 'lead', 0, '2026-11-23T10:00:00.000000Z', '2026-11-23T10:00:00.000000Z', 1)"
    )
    return writer


def test_reads_are_not_blocked_by_a_write_in_progress(fast_cli: Any, db_path: Path) -> None:
    fast_cli("contact", "add", "Ana")
    writer = _hold_write_lock(db_path)
    try:  # blocked reads would wait for the busy timeout and fail with exit 3
        listed = fast_cli("contact", "list", "--format", "plain")
        assert (listed.exit_code, listed.stdout) == (0, "1\tAna\t\t\t\t\tlead\n")
        assert fast_cli("due").exit_code == 0
    finally:
        writer.execute("COMMIT")
        writer.close()


def test_a_second_writer_waits_for_the_first_instead_of_failing(fast_cli: Any, db_path: Path) -> None:
    fast_cli("contact", "add", "Ana")
    writer = _hold_write_lock(db_path)
    release = threading.Timer(0.5, lambda: (writer.execute("COMMIT"), writer.close()))
    release.start()
    try:
        added = fast_cli("contact", "add", "Bruno")
    finally:
        release.join()
    assert added.exit_code == 0, added.stderr
    names = fast_cli("contact", "list", "--format", "plain", "--sort", "id").stdout.splitlines()
    assert [line.split("\t")[1] for line in names] == ["Ana", "Uncommitted", "Bruno"]
