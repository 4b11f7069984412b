"""Benchmark: `due` and `next` cold (a new process each run) on a large database.

Builds its own data with sqlite3 directly (fast, no services): 100k contacts (5% with their own
keep-in-touch cadence, 2% tagged vip (rule 14d, max 30d) and 10% client (rule 90d); ~10% of these
past their window), 50k follow-ups (30k done, 20k open: ~1,000 overdue, ~200 due today, the rest
over the next year, 5% repeating), 20k deals (12k open, 80% with a close date).
Then times `minicrm due`, `due --since-last-run`, `next` and `next --explain` and prints medians.
SPEC §7: read commands ≤ 150 ms median at 100k contacts.

    PYTHONPATH=src python bench/bench_followups.py [--contacts 100000] [--followups 50000] [--runs 15]
                                                   [--keep /tmp/followups.db]
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
FMT = "%Y-%m-%dT%H:%M:%S.%fZ"


def stamp(moment: datetime) -> str:
    return moment.strftime(FMT)


def env(db: Path) -> dict[str, str]:
    """A pinned clock and zone, no config file, and bytecode cached (in a temporary prefix) as
    for an installed package: "cold" means a new process, not recompiling every module."""
    base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {
        **base,
        "PYTHONPATH": str(ROOT / "src"),
        "PYTHONPYCACHEPREFIX": str(db.parent / "pycache"),
        "MINICRM_DB": str(db),
        "MINICRM_NOW": NOW.isoformat(),
        "MINICRM_TZ": "Europe/Lisbon",
        "MINICRM_CONFIG": str(db.parent / "none.toml"),
    }


def build(db: Path, contacts: int, followups: int, deals: int) -> None:
    subprocess.run([sys.executable, "-m", "minicrm", "init"], env=env(db), check=True, capture_output=True)
    rng = random.Random(42)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA synchronous = OFF")
    with conn:
        rows = []
        for i in range(1, contacts + 1):
            created = NOW - timedelta(days=rng.randint(30, 900))
            last = (
                NOW - timedelta(days=rng.randint(0, 400), hours=rng.randint(0, 23))
                if rng.random() < 0.7
                else None
            )
            cadence = rng.choice((30, 60, 90)) if rng.random() < 0.05 else None
            rows.append(
                (
                    i,
                    f"Person {i:06d}",
                    rng.choice(("lead", "prospect", "customer")),
                    f"user{i % 3}",
                    rng.random() < 0.01,
                    cadence,
                    stamp(last) if last else None,
                    stamp(created),
                    stamp(created),
                )
            )
        conn.executemany(
            "INSERT INTO contact (id, name, status, owner, do_not_contact, cadence_days, "
            "last_interaction_at, "
            "created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
            rows,
        )
        conn.executemany("INSERT INTO tag (id, name) VALUES (?, ?)", [(1, "vip"), (2, "client")])
        tagged = [(i, 1) for i in rng.sample(range(1, contacts + 1), contacts // 50)]
        tagged += [(i, 2) for i in rng.sample(range(1, contacts + 1), contacts // 10)]
        conn.executemany("INSERT OR IGNORE INTO contact_tag (contact_id, tag_id) VALUES (?, ?)", tagged)
        # people someone keeps in touch with are mostly in touch: ~10% past their window
        windows = {i: 14 if tag == 1 else 90 for i, tag in sorted(tagged, key=lambda t: -t[1])}
        windows.update({r[0]: r[5] for r in rows if r[5]})
        conn.executemany(
            "UPDATE contact SET last_interaction_at = ? WHERE id = ?",
            [(stamp(NOW - timedelta(days=rng.uniform(0, days * 1.1))), i) for i, days in windows.items()],
        )
        conn.executemany(
            "INSERT INTO cadence_rule (tag, ideal_days, max_days) VALUES (?, ?, ?)",
            [("vip", 14, 30), ("client", 90, None)],
        )
        rows = []
        for i in range(1, followups + 1):
            done = i <= followups * 3 // 5
            if done:
                due = NOW - timedelta(days=rng.randint(1, 700))
            else:
                roll = rng.random()
                if roll < 0.05:
                    due = NOW - timedelta(days=rng.randint(1, 60))
                elif roll < 0.06:
                    due = NOW + timedelta(hours=rng.randint(1, 10))
                else:
                    due = NOW + timedelta(days=rng.randint(1, 365))
            every = rng.choice(("1w", "2w", "1m")) if rng.random() < 0.05 else None
            rows.append(
                (
                    i,
                    f"follow up {i}",
                    stamp(due),
                    rng.random() < 0.6,
                    rng.randint(1, contacts),
                    f"user{i % 3}",
                    stamp(due + timedelta(hours=2)) if done else None,
                    every,
                    i if every else None,
                    stamp(due - timedelta(days=7)),
                    stamp(due - timedelta(days=7)),
                )
            )
        conn.executemany(
            "INSERT INTO followup (id, title, due_at, all_day, contact_id, owner, done_at, every, series_id, "
            "from_done, origin, created_at, updated_at, version) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 'manual', ?, ?, 1)",
            rows,
        )
        rows = []
        stages = ("lead", "qualified", "proposal", "negotiation")
        for i in range(1, deals + 1):
            status = "open" if i <= deals * 3 // 5 else rng.choice(("won", "lost"))
            entered = NOW - timedelta(days=rng.randint(0, 120))
            close = (
                (NOW + timedelta(days=rng.randint(-20, 180))).date().isoformat()
                if rng.random() < 0.8
                else None
            )
            rows.append(
                (
                    i,
                    f"Deal {i}",
                    rng.randint(1, contacts),
                    rng.randint(1, 500) * 100_000,
                    rng.choice(stages),
                    rng.choice((None, 30, 60)),
                    close,
                    f"user{i % 3}",
                    status,
                    stamp(entered),
                    stamp(entered),
                    stamp(entered),
                )
            )
        conn.executemany(
            "INSERT INTO deal (id, title, contact_id, value_minor, currency, pipeline, stage, probability, "
            "close_date, "
            "owner, status, stage_entered_at, created_at, updated_at, version) "
            "VALUES (?, ?, ?, ?, 'EUR', 'default', ?, ?, ?, ?, ?, ?, ?, ?, 1)",
            rows,
        )
    conn.execute("ANALYZE")
    conn.close()


def median_ms(args: list[str], db: Path, runs: int) -> tuple[float, float, int]:
    """Median wall time and median CPU time (user + sys of the child: less sensitive to a busy
    machine) in ms, and the number of lines printed."""
    import resource

    subprocess.run(
        [sys.executable, "-m", "minicrm", *args], env=env(db), capture_output=True
    )  # caches bytecode
    times, cpu, size = [], [], 0
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "minicrm", *args], env=env(db), capture_output=True, text=True
        )
        times.append((time.perf_counter() - start) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(args)} failed: {proc.stderr}")
        size = len(proc.stdout.splitlines())
    return statistics.median(times), statistics.median(cpu), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--followups", type=int, default=50_000)
    parser.add_argument("--deals", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--keep", type=Path, help="also copy the built database here (to profile it)")
    ns = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        start = time.perf_counter()
        build(db, ns.contacts, ns.followups, ns.deals)
        if ns.keep:
            import shutil

            shutil.copyfile(db, ns.keep)
        print(
            f"built {ns.contacts:,} contacts, {ns.followups:,} follow-ups, {ns.deals:,} deals "
            f"in {time.perf_counter() - start:.1f}s"
        )
        baseline = statistics.median([_timed([sys.executable, "-c", "pass"]) for _ in range(ns.runs)])
        print(f"{'python -c pass':<34} {baseline:7.1f} ms")
        for args in (
            ["due"],
            ["due", "--since-last-run"],
            ["due", "--owner", "user1"],
            ["next"],
            ["next", "--explain", "--limit", "20"],
            ["next", "--json"],
            ["contact", "list", "--limit", "50"],  # the foundation's read target, for comparison
        ):
            ms, cpu, lines = median_ms(args, db, ns.runs)
            print(f"{'minicrm ' + ' '.join(args):<34} {ms:7.1f} ms wall {cpu:7.1f} ms cpu  ({lines:,} lines)")
        empty = Path(tmp) / "empty.db"
        subprocess.run(
            [sys.executable, "-m", "minicrm", "init"], env=env(empty), check=True, capture_output=True
        )
        for args in (["due"], ["next"]):  # the fixed cost: start-up and imports, no data
            ms, cpu, _ = median_ms(args, empty, ns.runs)
            print(
                f"{'minicrm ' + ' '.join(args) + ' (empty database)':<34} {ms:7.1f} ms wall {cpu:7.1f} ms cpu"
            )
        print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} (2 cores)")


def _timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True)
    return (time.perf_counter() - start) * 1000


if __name__ == "__main__":
    main()
