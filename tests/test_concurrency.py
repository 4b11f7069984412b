"""Concurrency: 4 writer processes × 200 writes and a reader looping ``due`` and ``contact list``
on one SQLite file at once: no write lost, no error reaching the user, reads keep answering.
The work is done by ``bench/concurrency.py`` (which also prints the figures)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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
