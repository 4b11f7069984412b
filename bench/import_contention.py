"""Writers during a long import: how long does a ``contact add`` wait while ``import csv`` runs?

Starts ``python -m minicrm import csv`` of a generated file (N rows) into a fresh database, and
from 1 s in, adds a contact every ``--every`` seconds in this process (opening the database
each time, as a command does) until the import ends. Prints the import's wall time and each
add's latency (wait for the write lock + the write) as JSON: median, 95th percentile, max,
and the errors (a write that timed out is an error, exit 3 for a user).

    PYTHONPATH=src python bench/import_contention.py [--rows 100000] [--every 0.25] [--db URL]

Run it with ``PYTHONPATH=/path/to/an/older/checkout/src`` to measure another revision the same
way (it uses only ``open_context``, ``contacts.add`` and the ``import csv`` command).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def build_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write("Name,Email,Phone,Company,Tags\n")
        for i in range(rows):
            fh.write(f"Person {i},p{i}@example{i % 300}.com,+3519{i:08d},Company {i % 500},t{i % 7}\n")


def run(db: str, rows: int, every: float, workdir: Path) -> dict[str, Any]:
    from minicrm.core.errors import MinicrmError
    from minicrm.services.contacts import commands as contacts
    from minicrm.services.dto import ContactCreate
    from minicrm.services.kernel.context import open_context

    source = workdir / "big.csv"
    build_csv(source, rows)
    open_context(db).close()  # the schema, before the clock starts
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "minicrm", "--db", db, "import", "csv", str(source)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    time.sleep(1.0)
    latencies: list[float] = []
    errors: list[str] = []
    n = 0
    while proc.poll() is None:
        t0 = time.monotonic()
        try:
            with open_context(db) as ctx:
                contacts.add(ctx, ContactCreate(name=f"Writer {n}"))
        except MinicrmError as exc:
            errors.append(str(exc))
        latencies.append(time.monotonic() - t0)
        n += 1
        time.sleep(max(0.0, every - (time.monotonic() - t0)))
    _, err = proc.communicate()
    total = time.monotonic() - started
    ms = sorted(x * 1000 for x in latencies)
    return {
        "rows": rows,
        "import_seconds": round(total, 2),
        "import_exit": proc.returncode,
        "import_summary": err.strip().splitlines()[-1] if err.strip() else "",
        "writes": len(ms),
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
        "wait_ms_median": round(statistics.median(ms), 1) if ms else None,
        "wait_ms_p95": round(ms[int(0.95 * (len(ms) - 1))], 1) if ms else None,
        "wait_ms_max": round(ms[-1], 1) if ms else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--every", type=float, default=0.25, help="seconds between two writes")
    parser.add_argument("--db", help="a database URL or path (default: a fresh SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or str(Path(tmp) / "bench.db")
        print(json.dumps(run(db, args.rows, args.every, Path(tmp)), indent=2))


if __name__ == "__main__":
    main()
