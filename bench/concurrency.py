"""Concurrency on one SQLite file: W writer processes × N writes plus a reader process looping
``due`` and ``contact list``, all at once. Prints the figures as JSON:

    PYTHONPATH=src python bench/concurrency.py [--writers 4] [--writes 200] [--db PATH]

Half the writers keep one connection (like the TUI), half open the database for every write
(like separate CLI commands). Any error a user would see ("database is locked", …) is counted.
``tests/test_concurrency.py`` runs it and checks that no write was lost.
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

HERE = Path(__file__).resolve()


def _wait_for(go: Path) -> None:
    while not go.exists():
        time.sleep(0.005)


def writer(db: str, go: Path, index: int, writes: int) -> dict[str, Any]:
    from minicrm.core.errors import MinicrmError
    from minicrm.services.contacts import commands as contacts
    from minicrm.services.dto import ContactCreate
    from minicrm.services.kernel.context import open_context

    reuse = index % 2 == 0
    shared = open_context(db) if reuse else None
    latencies: list[float] = []
    errors: list[str] = []
    _wait_for(go)
    for i in range(writes):
        start = time.perf_counter()
        try:
            ctx = shared or open_context(db)
            try:
                contacts.add(ctx, ContactCreate(name=f"W{index} #{i}", emails=(f"w{index}.{i}@example.com",)))
            finally:
                if ctx is not shared:
                    ctx.close()
        except MinicrmError as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
        latencies.append(time.perf_counter() - start)
    if shared is not None:
        shared.close()
    return {"latencies": latencies, "errors": errors}


def reader(db: str, go: Path, stop: Path) -> dict[str, Any]:
    from minicrm.core.errors import MinicrmError
    from minicrm.services.contacts import commands as contacts
    from minicrm.services.followups import commands as followups
    from minicrm.services.kernel.context import open_context

    latencies: list[float] = []
    errors: list[str] = []
    _wait_for(go)
    with open_context(db) as ctx:
        while not stop.exists():
            start = time.perf_counter()
            try:
                followups.due(ctx)
                contacts.list_contacts(ctx, contacts.ContactQuery(limit=50, sort="created", descending=True))
            except MinicrmError as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
            latencies.append(time.perf_counter() - start)
    return {"latencies": latencies, "errors": errors}


def _spawn(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(HERE.parent.parent / "src")}
    return subprocess.Popen([sys.executable, str(HERE), *args], stdout=subprocess.PIPE, text=True, env=env)


def run(db: Path, writers: int, writes: int) -> dict[str, Any]:
    from minicrm.services.kernel.context import open_context

    with open_context(db) as ctx:
        before = int(ctx.db.scalar("SELECT count(*) FROM contact"))
    go, stop = db.with_suffix(".go"), db.with_suffix(".stop")
    procs = [
        _spawn("--worker", "write", "--db", str(db), "--index", str(i), "--writes", str(writes))
        for i in range(writers)
    ]
    read_proc = _spawn("--worker", "read", "--db", str(db))
    time.sleep(1.0)  # let every process import and connect
    start = time.perf_counter()
    go.touch()
    results = [json.loads(p.communicate(timeout=600)[0]) for p in procs]
    elapsed = time.perf_counter() - start
    stop.touch()
    reads = json.loads(read_proc.communicate(timeout=60)[0])
    with open_context(db) as ctx:
        after = int(ctx.db.scalar("SELECT count(*) FROM contact"))
        integrity = ctx.db.scalar("PRAGMA integrity_check")
    write_lat = [lat for r in results for lat in r["latencies"]]
    return {
        "writers": writers,
        "writes_each": writes,
        "stored": after - before,
        "lost": writers * writes - (after - before),
        "errors": [e for r in results for e in r["errors"]] + reads["errors"],
        "integrity": integrity,
        "seconds": round(elapsed, 2),
        "writes_per_s": round(writers * writes / elapsed, 1),
        "write_latency_median_ms": round(statistics.median(write_lat) * 1000, 1),
        "write_latency_max_ms": round(max(write_lat) * 1000, 1),
        "reads": len(reads["latencies"]),
        "read_latency_median_ms": round(statistics.median(reads["latencies"]) * 1000, 1)
        if reads["latencies"]
        else None,
        "read_latency_max_ms": round(max(reads["latencies"]) * 1000, 1) if reads["latencies"] else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--writes", type=int, default=200)
    parser.add_argument("--db")
    parser.add_argument("--worker", choices=("write", "read"))
    parser.add_argument("--index", type=int, default=0)
    args = parser.parse_args()
    if args.worker == "write":
        go = Path(args.db).with_suffix(".go")
        print(json.dumps(writer(args.db, go, args.index, args.writes)))
        return
    if args.worker == "read":
        db = Path(args.db)
        print(json.dumps(reader(args.db, db.with_suffix(".go"), db.with_suffix(".stop"))))
        return
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(args.db) if args.db else Path(tmp) / "bench.db"
        print(json.dumps(run(db, args.writers, args.writes), indent=2))


if __name__ == "__main__":
    main()
