"""Search with very long words: a 60,000-character name, searched for by itself and by a
30,000-character piece of it, on SQLite (and PostgreSQL with ``--db URL``).

Before the bounded matcher (``services.search.INDEXED_PREFIX``) a 30,000-character word was
matched in full by the FTS5 trigram phrase (or ``LIKE``): its length times the document's, minutes
of CPU. Now the index sees the word's first 32 characters and a linear substring search checks
the rest. Run: ``python bench/bench_search_long.py [--db URL]``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", help="a database URL (default: a new SQLite file)")
    parser.add_argument("--length", type=int, default=60_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        os.environ.setdefault("MINICRM_NOW", "2026-11-23T10:00:00")
        target = args.db or str(Path(scratch) / "bench.db")
        from minicrm.services import search
        from minicrm.services.contacts.commands import add
        from minicrm.services.dto.edits import ContactCreate
        from minicrm.services.kernel.context import open_context

        name = "a" * args.length
        mixed = ("abcdefghij" * (args.length // 10 + 1))[: args.length]
        with open_context(target) as ctx:
            add(ctx, ContactCreate(name=name))
            add(ctx, ContactCreate(name=mixed))
            add(ctx, ContactCreate(name="Ana Lima"))
            for label, query in (
                ("the whole 60k name", name),
                ("a 30k piece", name[: args.length // 2]),
                ("a 30k piece of the mixed name", mixed[5 : 5 + args.length // 2]),
                ("a 30k word found nowhere", "b" * (args.length // 2)),
                ("a short word", "lima"),
            ):
                start = time.perf_counter()
                hits = search.search(ctx, query)
                took = time.perf_counter() - start
                print(f"{label:32} {len(hits):2} hits  {took * 1000:9.1f} ms")


if __name__ == "__main__":
    main()
