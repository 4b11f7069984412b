"""Every read command of the CLI cold (a fresh process each), beside ``due`` and a bare Python.

    PYTHONPATH=src python bench/bench_cold.py [--contacts 100000] [--deals 20000] [--runs 7]
                                              [--before REF...]

SPEC asks every read to answer within twice ``due``'s time: this prints each read's median,
its ratio to ``due`` in the same run, and with ``--before REF...`` the same command at each git
revision (its ``src/`` extracted to a temporary directory and run by the same interpreter), the
rounds interleaving everything so that the load of a shared machine weighs on all alike.

The database is ``bench_cli.py``'s (100k contacts with emails, phones, companies, tags, notes
and 20k open follow-ups, built once into ``bench/.data/``) plus deals spread over the stages,
and a segment, a service request and a cadence rule added through the CLI.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_cli import DATA, NOW, ROOT, build, run_once, ts

#: every read command of the tree (``minicrm.cli.spellings`` less the writes), with arguments
READS: list[list[str]] = [
    ["next"],
    ["search", "silva"],
    ["search", "muller"],  # folded like the documents: no accent needed
    ["search", "sa"],  # two letters: a LIKE over the documents
    ["contact", "list", "--limit", "50"],
    ["contact", "show", "{contact}"],
    ["contact", "history", "{contact}"],
    ["timeline", "{contact}"],
    ["company", "list", "--limit", "50"],
    ["company", "show", "1"],
    ["company", "history", "1"],
    ["followup", "list", "--week"],
    ["followup", "list"],  # all 20k open follow-ups: the output is the work
    ["cadence", "list"],
    ["segment", "list"],
    ["segment", "show", "bench"],
    ["request", "list"],
    ["request", "show", "1"],
    ["request", "report"],
    ["deal", "list", "--limit", "50"],
    ["deal", "show", "1"],
    ["deal", "history", "1"],
    ["pipeline"],
    ["pipeline", "stages"],
    ["report", "pipeline"],
    ["report", "forecast"],
    ["report", "winrate"],
    ["report", "conversion"],
    ["report", "activity"],
    ["report", "service"],
    ["report", "cadence"],
    ["hooks", "list"],
    ["user", "list"],
    ["db", "path"],
    ["db", "current"],
    ["doctor"],  # its integrity check reads the whole file
]


def add_deals(path: Path, contacts: int, deals: int) -> None:
    """Deals on random contacts: three in five open, the rest won or lost."""
    rng = random.Random(11)
    stages = ("lead", "qualified", "proposal", "negotiation")
    rows = []
    for i in range(1, deals + 1):
        status = "open" if i <= deals * 3 // 5 else rng.choice(("won", "lost"))
        entered = NOW - timedelta(days=rng.randint(0, 120))
        close = (NOW + timedelta(days=rng.randint(-20, 180))).date().isoformat()
        value = rng.randint(1, 500) * 100_000
        rows.append(
            (
                i,
                f"Deal {i}",
                rng.randint(1, contacts),
                value,
                rng.choice(stages),
                close if rng.random() < 0.8 else None,
                status,
                ts(entered),
                ts(entered),
                ts(entered),
            )
        )
    conn = sqlite3.connect(path)
    with conn:
        conn.executemany(
            "INSERT INTO deal (id, title, contact_id, value_minor, currency, pipeline, stage, close_date, "
            "status, stage_entered_at, created_at, updated_at, version) "
            "VALUES (?, ?, ?, ?, 'EUR', 'default', ?, ?, ?, ?, ?, ?, 1)",
            rows,
        )
    conn.execute("ANALYZE")
    conn.close()


def source_at(ref: str, into: Path) -> Path:
    """``src/`` of this repository at ``ref``, extracted under ``into``."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "src"], check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into / "src"


def run_ok(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """``run_once`` for a command that may exit non-zero (``doctor`` finding no cron job)."""
    try:
        return run_once(args, env)
    except SystemExit:
        start = time.perf_counter()
        proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, _, usage = os.wait4(proc.pid, 0)
        return time.perf_counter() - start, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--followups", type=int, default=20_000)
    parser.add_argument("--deals", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--before", nargs="+", default=[], metavar="REF", help="also time these revisions")
    parser.add_argument("--only", nargs="+", metavar="WORDS", help="only the reads that start so")
    args = parser.parse_args()
    wanted = [argv for argv in READS if not args.only or " ".join(argv).startswith(tuple(args.only))]

    DATA.mkdir(parents=True, exist_ok=True)
    base = DATA / f"crm-{args.contacts}-{args.followups}-v2.db"
    if not base.exists():
        build(base, args.contacts, args.followups)
    work = Path(tempfile.mkdtemp(prefix="minicrm-cold-"))
    try:
        db = work / "crm.db"
        shutil.copyfile(base, db)
        add_deals(db, args.contacts, args.deals)
        versions = {"after": ROOT / "src"}
        for n, ref in enumerate(args.before):
            (work / str(n)).mkdir()
            versions[ref] = source_at(ref, work / str(n))
        envs = {}
        for name, src in versions.items():
            env = {
                **os.environ,
                "PYTHONPATH": str(src),
                "MINICRM_DB": str(db),
                "MINICRM_NOW": "2026-11-23T10:00:00",
                "MINICRM_TZ": "Europe/Lisbon",
                "HOME": str(work / "home"),
                "XDG_CONFIG_HOME": str(work / "config"),
            }
            env.pop("MINICRM_USER", None)
            env.pop("PYTHONDONTWRITEBYTECODE", None)  # run from bytecode, as an installed minicrm does
            compile_all = [sys.executable, "-m", "compileall", "-q", str(src / "minicrm")]
            subprocess.run(compile_all, env=env, check=True)
            envs[name] = env
        minicrm = [sys.executable, "-m", "minicrm"]
        setup = (
            ["segment", "save", "bench", "--tag", "vip"],
            ["request", "add", "1", "bench request"],
            ["cadence", "set", "vip", "30d"],
        )
        for argv in setup:
            subprocess.run([*minicrm, *argv], env=envs["after"], check=True, capture_output=True)
        contact = str(args.contacts // 2)
        reads = [[a.replace("{contact}", contact) for a in argv] for argv in wanted]
        commands: dict[tuple[str, str], list[str]] = {
            ("floor", "python -c pass"): [sys.executable, "-c", "pass"]
        }
        for argv in [["due"], *reads]:
            for name in envs:
                commands[(name, " ".join(argv))] = [*minicrm, *argv]
        samples: dict[tuple[str, str], list[tuple[float, float]]] = {key: [] for key in commands}
        for _ in range(args.runs):
            for key, argv in commands.items():
                samples[key].append(run_ok(argv, envs[key[0] if key[0] in envs else "after"]))
        medians = {
            key: (statistics.median(w for w, _ in got) * 1000, statistics.median(c for _, c in got) * 1000)
            for key, got in samples.items()
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)

    floor = medians[("floor", "python -c pass")]
    due = {name: medians[(name, "due")] for name in envs}
    print(
        f"\n{args.contacts:,} contacts, {args.followups:,} open follow-ups, {args.deals:,} deals; "
        f"median of {args.runs} cold runs, wall (cpu) ms; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print(f"python -c pass: {floor[0]:.0f} ({floor[1]:.0f})\n")
    head = "| command | " + "".join(f"{ref} | " for ref in args.before) + "after | after ÷ due |"
    print(head)
    print("|---|" + "---:|" * (head.count("|") - 2))
    for argv in [["due"], *wanted]:
        label = " ".join(argv).replace("{contact}", "N")
        cells = []
        for ref in args.before:
            wall, cpu = medians[(ref, " ".join(a.replace("{contact}", contact) for a in argv))]
            cells.append(f"{wall:.0f} ({cpu:.0f})")
        wall, cpu = medians[("after", " ".join(a.replace("{contact}", contact) for a in argv))]
        cells.append(f"{wall:.0f} ({cpu:.0f})")
        cells.append(f"{wall / due['after'][0]:.2f}")
        print(f"| `{label}` | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
