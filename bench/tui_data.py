"""Builds (and caches under bench/.data/) a database with N contacts for the TUI benchmark.

Rows go straight into the schema with executemany (the FTS triggers index ``search_doc``);
going through the services would take far longer at a million rows.
"""

from __future__ import annotations

import os
import random
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DATA = ROOT / ".data"
FIRST = [
    "Ana",
    "Bruno",
    "Carla",
    "Diogo",
    "Eva",
    "Filipe",
    "Gabriela",
    "Hugo",
    "Inês",
    "João",
    "Kátia",
    "Luís",
    "Marta",
    "Nuno",
    "Olga",
    "Pedro",
    "Quim",
    "Rita",
    "Sara",
    "Tiago",
    "Uma",
    "Vasco",
    "Wanda",
    "Xavier",
    "Yara",
    "Zé",
    "Alice",
    "Bob",
    "Chen",
    "Dmitri",
    "Emma",
    "Farid",
    "Greta",
    "Hiro",
    "Ivan",
    "Jana",
]
LAST = [
    "Silva",
    "Santos",
    "Ferreira",
    "Pereira",
    "Oliveira",
    "Costa",
    "Rodrigues",
    "Martins",
    "Jesus",
    "Sousa",
    "Fernandes",
    "Gonçalves",
    "Gomes",
    "Lopes",
    "Marques",
    "Alves",
    "Almeida",
    "Ribeiro",
    "Pinto",
    "Carvalho",
    "Teixeira",
    "Moreira",
    "Correia",
    "Mendes",
    "Nunes",
    "Soares",
    "Vieira",
    "Monteiro",
    "Cardoso",
    "Rocha",
    "Raposo",
    "Neves",
    "Coelho",
    "Cruz",
    "Cunha",
    "Pires",
    "Ramos",
    "Reis",
    "Simões",
    "Antunes",
]
STATUSES = ("lead", "prospect", "customer", "inactive")


def build(path: Path, contacts: int, companies: int = 2000) -> None:
    from minicrm.services.kernel.context import open_context

    os.environ.setdefault("MINICRM_NOW", "2026-11-23T10:00:00")
    open_context(path).close()  # creates the schema through the migrations
    rnd = random.Random(7)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("BEGIN")
    stamp = "2026-01-01T00:00:00.000000Z"
    conn.executemany(
        "INSERT INTO company (id, name, domain, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, 1)",
        [
            (
                i,
                f"{rnd.choice(LAST)} {('Lda', 'SA', 'Group', 'Labs')[i % 4]} {i}",
                f"co{i}.example",
                stamp,
                stamp,
            )
            for i in range(1, companies + 1)
        ],
    )
    conn.executemany(
        "INSERT INTO search_doc (entity, entity_id, body) VALUES ('company', ?, ?)",
        [(i, f"company {i}") for i in range(1, companies + 1)],
    )
    batch = 50_000
    for start in range(1, contacts + 1, batch):
        rows, emails, docs = [], [], []
        for i in range(start, min(start + batch, contacts + 1)):
            first, last = rnd.choice(FIRST), rnd.choice(LAST)
            name = f"{first} {last} {i}"
            email = f"{first.lower()}.{last.lower()}{i}@example.com"
            rows.append((i, name, (i % companies) + 1, STATUSES[i % 4], stamp, stamp))
            emails.append((i, email, email))
            docs.append((i, f"{name} | {email}"))
        conn.executemany(
            "INSERT INTO contact (id, name, company_id, status, do_not_contact, created_at, updated_at, "
            "version) VALUES (?, ?, ?, ?, 0, ?, ?, 1)",
            rows,
        )
        conn.executemany(
            "INSERT INTO contact_email (contact_id, email, email_lower, position) VALUES (?, ?, ?, 0)", emails
        )
        conn.executemany("INSERT INTO search_doc (entity, entity_id, body) VALUES ('contact', ?, ?)", docs)
        print(f"  {min(start + batch - 1, contacts)} contacts", file=sys.stderr, flush=True)
    from minicrm.store.records.search_index import sort_key  # the names sort as minicrm's own rows do

    for table in ("contact", "company"):
        conn.executemany(
            f"UPDATE {table} SET sort_name = ? WHERE id = ?",
            [(sort_key(name), i) for i, name in conn.execute(f"SELECT id, name FROM {table}").fetchall()],
        )
    conn.execute("COMMIT")
    conn.close()


def database(contacts: int) -> Path:
    """The cached database with ``contacts`` contacts, built on first use."""
    DATA.mkdir(exist_ok=True)
    path = DATA / f"tui-{contacts}.db"
    if not path.exists():
        partial = path.with_suffix(".partial")
        for leftover in DATA.glob(partial.name + "*"):
            leftover.unlink()
        started = time.perf_counter()
        build(partial, contacts)
        for suffix in ("-wal", "-shm"):
            Path(str(partial) + suffix).unlink(missing_ok=True)
        partial.rename(path)
        print(f"built {path} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return path


if __name__ == "__main__":
    print(database(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000))
