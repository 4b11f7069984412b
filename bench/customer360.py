"""Benchmark the customer-360 read paths and the cost of hooks on writes.

    PYTHONPATH=src python bench/customer360.py [N_CONTACTS]   (default 100000)

Builds its own database in a temp dir (N contacts, a tag on every 10th, a custom field on
every 5th, a won deal for every 3rd), then prints medians of: ``contact list --segment``,
``--sort -value``, ``--min-value`` and ``contact show`` as real processes (the fast path), and of
an in-process contact edit without a hooks dir, with an empty hooks dir, and with one on-change hook.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def build(db: Path, n: int) -> None:
    from minicrm.store.db import parse_target
    from minicrm.store.schema import open_database

    database = open_database(parse_target(str(db)), upgrade=True)
    raw = database.raw
    at = "2026-01-01T10:00:00.000000Z"
    raw.execute("BEGIN")
    raw.execute("INSERT INTO tag (name) VALUES ('vip')")
    raw.executemany(
        "INSERT INTO contact (id, name, status, do_not_contact, created_at, updated_at, version) "
        "VALUES (?, ?, 'lead', 0, ?, ?, 1)",
        [(i, f"Person {i:06d}", at, at) for i in range(1, n + 1)],
    )
    raw.executemany(
        "INSERT INTO contact_email (contact_id, email, email_lower, position) VALUES (?, ?, ?, 0)",
        [(i, f"p{i}@example.com", f"p{i}@example.com") for i in range(1, n + 1)],
    )
    raw.executemany(
        "INSERT INTO contact_tag (contact_id, tag_id) VALUES (?, 1)", [(i,) for i in range(1, n + 1, 10)]
    )
    raw.executemany(
        "INSERT INTO contact_field (contact_id, key, value) VALUES (?, 'city', ?)",
        [(i, "Lisboa" if i % 2 else "Porto") for i in range(1, n + 1, 5)],
    )
    raw.executemany(
        "INSERT INTO deal (title, contact_id, value_minor, currency, pipeline, stage, status, closed_at, "
        "stage_entered_at, created_at, updated_at, version) "
        "VALUES (?, ?, ?, 'EUR', 'default', 'negotiation', 'won', ?, ?, ?, ?, 1)",
        [(f"Deal {i}", i, (i * 7919) % 500000, at, at, at, at) for i in range(1, n + 1, 3)],
    )
    raw.execute(
        "INSERT INTO segment (name, filters, created_at, updated_at) VALUES "
        '(\'vip-lisboa\', \'{"version": 1, "tags": ["vip"], "fields": [["city", "Lisboa"]]}\', ?, ?)',
        (at, at),
    )
    from minicrm.store.records.search_index import sort_key  # the names sort as minicrm's own rows do

    for table in ("contact", "company"):
        raw.executemany(
            f"UPDATE {table} SET sort_name = ? WHERE id = ?",
            [(sort_key(name), i) for i, name in raw.execute(f"SELECT id, name FROM {table}").fetchall()],
        )
    raw.execute("COMMIT")
    raw.execute("ANALYZE")
    database.close()


def median_ms(runs: list[float]) -> str:
    return f"{statistics.median(runs) * 1000:7.1f} ms"


def cli_median(env: dict[str, str], args: list[str], repeat: int = 7) -> str:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "minicrm", *args], env=env, capture_output=True, text=True
        )
        times.append(time.perf_counter() - start)
        if proc.returncode != 0:
            raise SystemExit(f"{args}: {proc.stderr}")
    return median_ms(times)


def service_cpu_medians(db: Path) -> None:
    """In-process CPU-time medians of the same queries: robust to a loaded machine."""
    from minicrm.services.contacts import commands as contacts
    from minicrm.services.customer import purchases, requests, segments
    from minicrm.services.kernel.context import open_context

    ctx = open_context(db)
    q = contacts.ContactQuery
    for label, run in (
        ("baseline: list_contacts(limit=50)", lambda: contacts.list_contacts(ctx, q(limit=50))),
        ("segments.members(vip-lisboa, limit=50)", lambda: segments.members(ctx, "vip-lisboa", q(limit=50))),
        (
            "sort by value, limit 50",
            lambda: contacts.list_contacts(ctx, q(sort="value", descending=True, limit=50)),
        ),
        ("min_value 4999, limit 50", lambda: contacts.list_contacts(ctx, q(min_value="4999", limit=50))),
        (
            "field city=Porto, limit 50",
            lambda: contacts.list_contacts(ctx, q(fields=(("city", "Porto"),), limit=50)),
        ),
        (
            "purchases + requests of a contact",
            lambda: (purchases.for_contact(ctx, 1), requests.list_requests(ctx)),
        ),
    ):
        times = []
        for _ in range(7):
            start = time.process_time()
            run()
            times.append(time.process_time() - start)
        print(f"{'cpu: ' + label:<46} {median_ms(times)}")
    ctx.close()


def edit_median(db: Path, repeat: int = 15) -> str:
    from minicrm.services.contacts import commands as contacts
    from minicrm.services.dto import ContactPatch
    from minicrm.services.kernel.context import open_context

    ctx = open_context(db)
    times = []
    for i in range(repeat):
        start = time.perf_counter()
        contacts.edit(ctx, 1, ContactPatch(title=f"T{i}"))
        times.append(time.perf_counter() - start)
    ctx.close()
    return median_ms(times)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        db = root / "bench.db"
        config = root / "cfg" / "config.toml"
        config.parent.mkdir()
        os.environ["MINICRM_CONFIG"] = str(config)
        started = time.perf_counter()
        build(db, n)
        print(f"built {n} contacts in {time.perf_counter() - started:.1f}s")
        env = {
            **os.environ,
            "MINICRM_DB": str(db),
            "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src"),
        }
        for label, args in (
            ("baseline: contact list --limit 50", ["contact", "list", "--limit", "50"]),
            (
                "contact list --segment vip-lisboa --limit 50",
                ["contact", "list", "--segment", "vip-lisboa", "--limit", "50"],
            ),
            (
                "contact list --sort -value --limit 50",
                ["contact", "list", "--sort", "-value", "--limit", "50"],
            ),
            (
                "contact list --min-value 4000 --limit 50",
                ["contact", "list", "--min-value", "4000", "--limit", "50"],
            ),
            (
                "contact list --field city=Porto --limit 50",
                ["contact", "list", "--field", "city=Porto", "--limit", "50"],
            ),
            ("contact show 1 (purchases + requests)", ["contact", "show", "1"]),
        ):
            print(f"{label:<46} {cli_median(env, args)}")
        service_cpu_medians(db)
        print(f"{'contact edit, no hooks dir (in-process)':<46} {edit_median(db)}")
        (config.parent / "hooks").mkdir()
        print(f"{'contact edit, empty hooks dir':<46} {edit_median(db)}")
        hook = config.parent / "hooks" / "on-change"
        hook.write_text("#!/bin/sh\ncat >/dev/null\n")
        hook.chmod(0o755)
        print(f"{'contact edit, one on-change hook (sh)':<46} {edit_median(db)}")


if __name__ == "__main__":
    main()
