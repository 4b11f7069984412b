"""Benchmark: the board and every sales report, cold (a fresh process each run), over 100k deals,
500k stage-history rows and 500k timeline entries. SPEC §7: each report ≤ 300 ms median.

    PYTHONPATH=src python bench/bench_reports.py [--deals 100000] [--runs 7] [--keep /tmp/bench.db]

The data is bulk-inserted with sqlite3 directly (the services would take minutes); the schema
comes from ``minicrm init``. Prints the median, min and max wall time of each command.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("lead", "qualified", "proposal", "negotiation")
CURRENCIES = ("EUR", "EUR", "EUR", "USD", "GBP", "JPY")
REASONS = ("price", "no budget", "timing", "competitor", "no decision")
KINDS = ("note", "call", "email", "meeting")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
#: the first is a reference, not a report: a fast-path read (SPEC §7: ≤ 150 ms) in the same run
COMMANDS = (
    ("contact", "list", "--limit", "50"),
    ("pipeline",),
    ("report", "pipeline"),
    ("report", "forecast"),
    ("report", "winrate"),
    ("report", "conversion"),
    ("report", "activity"),
)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def build(path: Path, deals: int, history_per_deal: int, seed: int = 7) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "MINICRM_DB": str(path)}
    subprocess.run([sys.executable, "-m", "minicrm", "init"], check=True, env=env, capture_output=True)
    rnd = random.Random(seed)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    deal_rows, change_rows, interaction_rows = [], [], []
    change_id = 0
    for deal_id in range(1, deals + 1):
        created = NOW - timedelta(days=rnd.uniform(0, 730))
        status = rnd.choices(("open", "won", "lost"), (60, 25, 15))[0]
        # the stays: stages entered one after the other (mostly forward), then maybe a close
        entries: list[tuple[str, datetime]] = []
        at, index = created, 0
        for _ in range(history_per_deal - (0 if status == "open" else 1)):
            entries.append((STAGES[index], at))
            step = rnd.choice((1, 1, 1, -1))
            index = index + step if 0 <= index + step < len(STAGES) else index - step
            at += timedelta(days=rnd.uniform(0.5, 20))
        stage = entries[-1][0]
        closed_at = stamp(at) if status != "open" else None
        ends = [(s, t, "open") for s, t in entries[1:]] + ([(stage, at, status)] if status != "open" else [])
        previous = None
        for position, (entered, when) in enumerate(entries):
            change_id += 1
            left = ends[position] if position < len(ends) else None
            change_rows.append(
                (
                    change_id,
                    deal_id,
                    previous,
                    entered,
                    "open",
                    stamp(when),
                    "bench",
                    "default",
                    stamp(left[1]) if left else None,
                    left[0] if left else None,
                    left[2] if left else None,
                    int((left[1] - when).total_seconds()) if left else None,
                )
            )
            interaction_rows.append(("stage-change", f"deal {deal_id} → {entered}", stamp(when), deal_id))
            previous = entered
        if closed_at:
            change_id += 1
            change_rows.append(
                (
                    change_id,
                    deal_id,
                    stage,
                    stage,
                    status,
                    closed_at,
                    "bench",
                    "default",
                    None,
                    None,
                    None,
                    None,
                )
            )
            interaction_rows.append(("stage-change", f"deal {deal_id} {status}", closed_at, deal_id))
        currency = rnd.choice(CURRENCIES)
        close = (created + timedelta(days=rnd.uniform(10, 200))).date().isoformat()
        last = change_rows[-1][5]
        deal_rows.append(
            (
                deal_id,
                f"Deal {deal_id}",
                rnd.randrange(100, 5_000_000),
                currency,
                "default",
                stage,
                rnd.choice((None, None, None, 40)),
                close,
                rnd.choice(("ana", "rui", "eva")),
                status,
                rnd.choice(REASONS) if status == "lost" else None,
                closed_at,
                last,
                last,
                stamp(created),
                last,
                1,
            )
        )
    for _ in range(deals):
        interaction_rows.append(
            (rnd.choice(KINDS), "talked", stamp(NOW - timedelta(days=rnd.uniform(0, 365))), None)
        )
    with conn:
        conn.executemany(
            "INSERT INTO deal (id, title, value_minor, currency, pipeline, stage, probability, close_date, "
            "owner, status, lost_reason, closed_at, stage_entered_at, last_activity_at, created_at, "
            "updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            deal_rows,
        )
        conn.executemany(
            "INSERT INTO deal_stage_change (id, deal_id, from_stage, to_stage, status, at, actor, pipeline, "
            "left_at, left_to, left_status, stay_seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            change_rows,
        )
        conn.executemany(
            "INSERT INTO interaction (kind, body, at, author, deal_id, created_at) "
            "VALUES (?, ?, ?, 'ana', ?, ?)",
            [(k, b, a, d, a) for k, b, a, d in interaction_rows],
        )
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    print(f"built {deals} deals, {len(change_rows)} stage changes, {len(interaction_rows)} interactions")


def measure(path: Path, args: tuple[str, ...], runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU (user + system) milliseconds of each run; on a busy machine the CPU time is
    the better estimate of the wall time on an idle one."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "MINICRM_DB": str(path),
        "MINICRM_NOW": NOW.isoformat(),
        "MINICRM_CONFIG": str(path.with_suffix(".none.toml")),
    }
    times, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "minicrm", *args, "--format", "plain"],
            env=env,
            capture_output=True,
            text=True,
        )
        times.append((time.perf_counter() - start) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(args)} failed: {proc.stderr}")
    return times, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=100_000)
    parser.add_argument("--history", type=int, default=5, help="stage-history rows per deal")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="build (or reuse) the database at this path")
    ns = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = ns.keep or Path(tmp) / "bench.db"
        if not path.exists():
            build(path, ns.deals, ns.history)
        baseline = statistics.median(_time([sys.executable, "-c", "pass"]) for _ in range(ns.runs))
        print(f"python -c pass: {baseline:.0f} ms median")
        print(f"{'command':<24} {'median':>8} {'min':>8} {'max':>8} {'cpu median':>11}")
        for args in COMMANDS:
            times, cpu = measure(path, args, ns.runs)
            median = statistics.median(times)
            verdict = "ok" if median <= 300 else "over 300 ms"
            if args[0] == "contact":
                verdict = "reference"
            print(
                f"{' '.join(args):<24} {median:>6.0f}ms {min(times):>6.0f}ms {max(times):>6.0f}ms "
                f"{statistics.median(cpu):>9.0f}ms  {verdict}"
            )


def _time(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True)
    return (time.perf_counter() - start) * 1000


if __name__ == "__main__":
    main()
