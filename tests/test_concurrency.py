"""Two processes writing one SQLite file at the same moment lose nothing and fail nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

ADDS_PER_WRITER = 40

# One writer: a shell loop of real `python -m minicrm contact add` processes.
WRITER = (
    'for i in $(seq 1 {n}); do "$PY" -m minicrm contact add "{who} $i" --email "{who}$i@example.com" '
    '--tag load >/dev/null || {{ echo "add {who} $i failed: $?" >&2; exit 1; }}; done'
)


@pytest.mark.slow
def test_two_processes_adding_contacts_at_once_lose_nothing(tmp_path, reopen) -> None:
    db = tmp_path / "shared.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PY": sys.executable, "MINICRM_DB": str(db)}
    subprocess.run([sys.executable, "-m", "minicrm", "init"], env=env, check=True, capture_output=True)
    writers = [
        subprocess.Popen(
            ["sh", "-c", WRITER.format(n=ADDS_PER_WRITER, who=who)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for who in ("left", "right")
    ]
    outcomes = [(w.wait(timeout=900), w.stderr.read() if w.stderr else "") for w in writers]
    assert outcomes == [(0, ""), (0, "")]
    with reopen(db) as c:
        assert c.db.scalar("SELECT count(*) FROM contact") == 2 * ADDS_PER_WRITER
        assert c.db.scalar("SELECT count(DISTINCT email_lower) FROM contact_email") == 2 * ADDS_PER_WRITER
        assert c.db.scalar("SELECT count(*) FROM search_doc WHERE entity = 'contact'") == 2 * ADDS_PER_WRITER
        assert c.db.scalar("SELECT count(*) FROM change WHERE entity = 'contact'") == 2 * ADDS_PER_WRITER
        assert c.db.scalar("SELECT count(*) FROM tag") == 1
        assert c.db.scalar("PRAGMA integrity_check") == "ok"
