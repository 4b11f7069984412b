"""Undo of a big import: time and peak memory (issue 19, item 9: "undo of a 100k import takes
16.5 s and 468 MB … stream it, ≤ 150 MB whatever the size").

For each size, builds the CSV of ``bench_import.py``, then per run: a fresh database, a real
``python -m minicrm import csv`` process, a real ``python -m minicrm undo --yes`` process, and as
the floor a plain ``sqlite3`` process that deletes the same rows (``DELETE`` of the contacts,
their children and search documents, and the companies: no change log, no checks) from a copy
of the same database. Each child's peak RSS comes from ``os.wait4``; medians are printed.

    python bench/bench_undo.py                 # 100k and 200k, 3 runs each
    python bench/bench_undo.py 20000 1         # SIZE RUNS

Figures on the 2-core development machine shared with three other jobs (load average 6-8, so
wall times are about three times what a quiet machine gives; the ratio to the floor in the same
run is the one to compare), one run each, 2026-12-03:

    rows     import           undo                                 sqlite3 DELETE floor
    100k     24.0 s, 51 MiB   59.6 s (47x the floor), 47 MiB       1.3 s, 17 MiB
    200k     28.0 s, 52 MiB   94.3 s (28x the floor), 47 MiB       3.4 s, 20 MiB

Undo's peak memory does not grow with the size of what it undoes (47 MiB at 100k and 200k,
against 468 MB and 873 MB when it held the whole change list): issue 19's bound is 150 MB.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_import import build_csv

ROOT = Path(__file__).resolve().parent.parent

_FLOOR = """
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.execute("PRAGMA foreign_keys = OFF")
with con:
    for table in ("contact_email", "contact_phone", "contact_tag", "contact_field"):
        con.execute(f"DELETE FROM {table}")
    con.execute("DELETE FROM search_doc")
    con.execute("DELETE FROM contact")
    con.execute("DELETE FROM company")
"""


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(seconds, peak RSS in MiB, stderr) of one child process (its output goes to files: a pipe
    nobody reads while waiting would stall it)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        message = err.read()
    assert proc.returncode == 0, message[-2000:]
    return elapsed, usage.ru_maxrss / 1024, message


def run_once(csv_path: Path, work: Path) -> dict[str, tuple[float, float]]:
    db = work / f"bench-{time.monotonic_ns()}.db"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "MINICRM_CONFIG": str(work / "none.toml"),
        "HOME": str(work),
    }
    cli = [sys.executable, "-m", "minicrm", "--db", str(db)]
    _run([*cli, "init"], env)
    out: dict[str, tuple[float, float]] = {}
    t, rss, _ = _run([*cli, "import", "csv", str(csv_path), "--rejects", str(work / "rejects.csv")], env)
    out["import"] = (t, rss)
    copy = work / "floor.db"
    _run([sys.executable, "-c", "import sqlite3,sys; sqlite3.connect(sys.argv[1]).close()", str(db)], env)
    shutil.copyfile(db, copy)
    t, rss, _ = _run([*cli, "undo", "--yes"], env)
    out["undo"] = (t, rss)
    t, rss, _ = _run([sys.executable, "-c", _FLOOR, str(copy)], env)
    out["sqlite3 DELETE"] = (t, rss)
    for path in (db, copy):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    return out


def bench(n: int, runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        path = work / f"contacts-{n}.csv"
        build_csv(path, n)
        results = [run_once(path, work) for _ in range(runs)]
        floor = statistics.median(r["sqlite3 DELETE"][0] for r in results)
        for name in ("import", "undo", "sqlite3 DELETE"):
            t = statistics.median(r[name][0] for r in results)
            rss = max(r[name][1] for r in results)
            print(
                f"{n:>9,} rows  {name:<15} median {t:6.2f} s ({t / floor:5.1f}x the DELETE floor), "
                f"peak RSS {rss:5.0f} MiB = {rss * 1024 * 1024 / n:6.0f} B/record ({runs} run(s))"
            )


if __name__ == "__main__":
    if len(sys.argv) > 1:
        bench(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 3)
    else:
        bench(100_000, 3)
        bench(200_000, 3)
