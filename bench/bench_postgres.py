"""Benchmark: the hot read commands on PostgreSQL beside SQLite, on the same 100k contacts.

Builds its own data (deterministic) and loads it into a fresh SQLite file (executemany) and a
fresh PostgreSQL database (COPY) on the local test server: 1,000 companies, 100k contacts with an
email each and a phone for half of them, 50k notes, 20k follow-ups (about 1,000 overdue, 100 due
today), and the search index of all of them. Then it runs each read command cold (a new
``python -m minicrm`` process each run) on both backends and prints medians; also the in-process
search median and the import time of psycopg, which every PostgreSQL command pays.
SPEC §7: read commands ≤ 150 ms median at 100k contacts.

    PYTHONPATH=src python bench/bench_postgres.py [--contacts 100000] [--runs 11] [--keep]
        [--server postgresql://postgres@127.0.0.1:5432/test]

The PostgreSQL database (minicrm_bench_<random>) is dropped at the end unless --keep.
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
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
FMT = "%Y-%m-%dT%H:%M:%S.%fZ"
FIRST = (
    "Ana",
    "Bruno",
    "Carla",
    "Duarte",
    "Eva",
    "Filipe",
    "Gabriela",
    "Hugo",
    "Inês",
    "João",
    "Lara",
    "Miguel",
    "Nuno",
    "Olga",
    "Pedro",
    "Rita",
    "Sofia",
    "Tiago",
    "Vera",
    "Zé",
)
LAST = (
    "Lima",
    "Dias",
    "Reis",
    "Melo",
    "Costa",
    "Silva",
    "Santos",
    "Ferreira",
    "Pereira",
    "Oliveira",
    "Rodrigues",
    "Martins",
    "Sousa",
    "Fernandes",
    "Gonçalves",
    "Gomes",
    "Lopes",
    "Marques",
    "Alves",
    "Almeida",
)
DOMAINS = ("example.pt", "mail.example.com", "empresa.example", "corp.example.org")


def stamp(moment: datetime) -> str:
    return moment.strftime(FMT)


# -- the data ---------------------------------------------------------------------------------
def generate(contacts: int) -> dict[str, list[tuple[Any, ...]]]:
    rng = random.Random(8)
    companies = max(1, contacts // 100)
    data: dict[str, list[tuple[Any, ...]]] = {
        k: []
        for k in (
            "company",
            "contact",
            "contact_email",
            "contact_phone",
            "interaction",
            "followup",
            "search_doc",
        )
    }
    for i in range(1, companies + 1):
        name = f"{rng.choice(LAST)} {rng.choice(('Lda', 'SA', 'Group', 'Labs'))} {i}"
        created = stamp(NOW - timedelta(days=rng.randint(100, 900)))
        data["company"].append((i, name, f"co{i}.example.pt", None, f"user{i % 3}", created, created, 1))
        data["search_doc"].append(("company", i, f"{name} | co{i}.example.pt"))
    for i in range(1, contacts + 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        name = f"{first} {last} {i}"
        company_id = rng.randint(1, companies) if rng.random() < 0.6 else None
        created = NOW - timedelta(days=rng.randint(30, 900))
        last_at = NOW - timedelta(days=rng.randint(0, 400)) if rng.random() < 0.7 else None
        cadence = rng.choice((30, 60, 90)) if rng.random() < 0.05 else None
        status = rng.choice(("lead", "prospect", "customer"))
        data["contact"].append(
            (
                i,
                name,
                company_id,
                status,
                f"user{i % 3}",
                False,
                cadence,
                stamp(last_at) if last_at else None,
                stamp(created),
                stamp(created),
                1,
            )
        )
        email = f"{first.lower()}.{last.lower()}{i}@{rng.choice(DOMAINS)}"
        data["contact_email"].append((i, i, email, email.lower(), 0))
        phone = f"+3519{rng.randint(10000000, 99999999)}" if i % 2 else None
        if phone:
            data["contact_phone"].append((len(data["contact_phone"]) + 1, i, phone, 0))
        company = data["company"][company_id - 1][1] if company_id else None
        body = " | ".join(x for x in (name, email, phone, company) if x)
        data["search_doc"].append(("contact", i, body))
    for i in range(1, contacts // 2 + 1):
        contact_id = rng.randint(1, contacts)
        body = f"note {i}: {rng.choice(('call back', 'sent the quote', 'wants a demo', 'renewal in spring'))}"
        at = stamp(NOW - timedelta(days=rng.randint(0, 700), minutes=rng.randint(0, 1440)))
        data["interaction"].append((i, "note", body, at, f"user{i % 3}", contact_id, None, None, at))
        data["search_doc"].append(("note", i, body))
    for i in range(1, contacts // 5 + 1):
        roll = rng.random()
        if roll < 0.05:
            due = NOW - timedelta(days=rng.randint(1, 60))
        elif roll < 0.055:
            due = NOW + timedelta(hours=rng.randint(1, 10))
        else:
            due = NOW + timedelta(days=rng.randint(1, 365))
        created = stamp(due - timedelta(days=7))
        data["followup"].append(
            (
                i,
                f"follow up {i}",
                stamp(due),
                rng.random() < 0.6,
                rng.randint(1, contacts),
                f"user{i % 3}",
                False,
                "manual",
                created,
                created,
                1,
            )
        )
    data["search_doc"] = [(n, *row) for n, row in enumerate(data["search_doc"], 1)]
    return data


COLUMNS = {
    "company": "id, name, domain, industry, owner, created_at, updated_at, version",
    "contact": "id, name, company_id, status, owner, do_not_contact, cadence_days, last_interaction_at, "
    "created_at, updated_at, version",
    "contact_email": "id, contact_id, email, email_lower, position",
    "contact_phone": "id, contact_id, phone, position",
    "interaction": "id, kind, body, at, author, contact_id, company_id, deal_id, created_at",
    "followup": "id, title, due_at, all_day, contact_id, owner, from_done, origin, created_at, updated_at, "
    "version",
    "search_doc": "id, entity, entity_id, body",
}


def load_sqlite(path: Path, data: dict[str, list[tuple[Any, ...]]]) -> None:
    from minicrm.store.db import Target
    from minicrm.store.schema import open_database

    open_database(Target("sqlite", path=path)).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    with conn:
        for table, columns in COLUMNS.items():
            marks = ", ".join("?" * len(columns.split(",")))
            conn.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", data[table])
    conn.execute("ANALYZE")
    conn.close()


def load_postgres(url: str, data: dict[str, list[tuple[Any, ...]]]) -> None:
    import psycopg

    from minicrm.store.db import parse_target
    from minicrm.store.schema import open_database

    open_database(parse_target(url)).close()
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        for table, columns in COLUMNS.items():
            with conn.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in data[table]:
                    copy.write_row(row)
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")


# -- measuring --------------------------------------------------------------------------------
def env_for(db: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "MINICRM_DB": db,
        "MINICRM_NOW": NOW.isoformat(),
        "MINICRM_TZ": "Europe/Lisbon",
        "MINICRM_CONFIG": str(Path(tempfile.gettempdir()) / "no-minicrm.toml"),
    }


def cold(argv: list[str], env: dict[str, str], runs: int) -> float:
    """Median wall time in ms of a fresh process running ``argv``."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        times.append((time.perf_counter() - start) * 1000)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed: {proc.stderr.strip()}")
    return statistics.median(times)


def search_in_process(db: str, queries: list[str]) -> float:
    from minicrm.services import search
    from minicrm.services.kernel.context import open_context

    ctx = open_context(db)
    try:
        times = []
        for _ in range(3):
            for q in queries:
                start = time.perf_counter()
                search.search(ctx, q, limit=50)
                times.append((time.perf_counter() - start) * 1000)
        return statistics.median(times)
    finally:
        ctx.close()


def warm(rest: list[str], db: str, runs: int) -> float:
    """Median wall time in ms of one command run in this process (imports and connection setup
    already paid): what the query work costs, apart from starting Python."""
    import contextlib
    import io

    from minicrm.cli import fast

    saved = dict(os.environ)
    os.environ.update(env_for(db))
    try:
        times = []
        for _ in range(runs + 1):
            start = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):
                code = fast.try_run(rest)
            times.append((time.perf_counter() - start) * 1000)
            if code != 0:
                raise SystemExit(f"{' '.join(rest)} failed in process ({code})")
        return statistics.median(times[1:])
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextmanager
def postgres_database(server: str, keep: bool) -> Iterator[str]:
    import psycopg

    name = f"minicrm_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = server.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        if not keep:
            with psycopg.connect(server, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    args = parser.parse_args()

    started = time.perf_counter()
    data = generate(args.contacts)
    print(
        f"generated {args.contacts:,} contacts, {len(data['interaction']):,} notes, "
        f"{len(data['followup']):,} follow-ups in {time.perf_counter() - started:.1f}s",
        flush=True,
    )
    workdir = Path(tempfile.mkdtemp(prefix="minicrm-bench-pg-"))
    sqlite_path = workdir / "bench.db"
    with postgres_database(args.server, args.keep) as pg_url:
        try:
            run(args, data, sqlite_path, pg_url)
        finally:
            for path in workdir.iterdir():
                path.unlink()
            workdir.rmdir()


def run(
    args: argparse.Namespace, data: dict[str, list[tuple[Any, ...]]], sqlite_path: Path, pg_url: str
) -> None:
    py = sys.executable
    started = time.perf_counter()
    load_sqlite(sqlite_path, data)
    print(f"SQLite loaded in {time.perf_counter() - started:.1f}s", flush=True)
    started = time.perf_counter()
    load_postgres(pg_url, data)
    print(f"PostgreSQL loaded (COPY) in {time.perf_counter() - started:.1f}s: {pg_url}", flush=True)

    probe = args.contacts // 2 + 7
    commands = [
        ("due", ["due"]),
        ("search lima", ["search", "lima"]),
        ("search mail.example", ["search", "mail.example"]),
        ("contact list --limit 50", ["contact", "list", "--limit", "50", "--format", "plain"]),
        (f"contact show {probe}", ["contact", "show", str(probe), "--format", "plain"]),
    ]
    imports = [
        ("python -c pass", [py, "-c", "pass"]),
        ("import sqlite3", [py, "-c", "import sqlite3"]),
        ("import psycopg", [py, "-c", "import psycopg"]),
    ]
    print(f"\nmedians of {args.runs} cold runs (ms), {args.contacts:,} contacts")
    print(f"{'':28} {'SQLite':>9} {'PostgreSQL':>11}")
    for label, argv in imports:
        print(f"{label:28} {cold(argv, dict(os.environ), args.runs):>9.0f}", flush=True)
    for label, rest in commands:
        argv = [py, "-m", "minicrm", *rest]
        lite = cold(argv, env_for(str(sqlite_path)), args.runs)
        pg = cold(argv, env_for(pg_url), args.runs)
        print(f"{label:28} {lite:>9.0f} {pg:>11.0f}", flush=True)
    print(f"\nmedians of {args.runs} runs in one process (ms): the query work without Python's start")
    for label, rest in commands:
        lite, pg = warm(rest, str(sqlite_path), args.runs), warm(rest, pg_url, args.runs)
        print(f"{label:28} {lite:>9.1f} {pg:>11.1f}", flush=True)
    queries = ["lima", "ana.", "mail.example", "919", "quote", "gonçalves", "zé", "co12.", "nomatch"]
    lite = search_in_process(str(sqlite_path), queries)
    pg = search_in_process(pg_url, queries)
    print(f"{'search in-process top-50':28} {lite:>9.2f} {pg:>11.2f}")


if __name__ == "__main__":
    main()
