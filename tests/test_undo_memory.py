"""Undo of a big import streams its change log (issue 19, item 9: "undo of a 100k import takes
… 468 MB (4.7 KB per record) — stream it, ≤ 150 MB whatever the size").

The memory undo's Python code allocates (tracemalloc's peak) for an import four times bigger is
about the same: it was proportional (8.4 MiB for 2,000 contacts, 31.5 MiB for 8,000).
``bench/bench_undo.py`` measures the whole process at 100k and 200k.

Both backends (``MINICRM_TEST_BACKEND=postgresql``)."""

from __future__ import annotations

import gc
import tracemalloc
from pathlib import Path
from typing import Any

from minicrm.services.history import undo
from minicrm.services.kernel.context import open_context


def _csv(path: Path, n: int, start: int) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        fh.write("Name,Email,Phone,Company,Tags\n")
        for i in range(start, start + n):
            fh.write(f"Person {i},p{i}@example{i % 300}.com,+3519{i:08d},Company {i % 50},t{i % 7}\n")
    return path


def _undo_peak(cli: Any, tmp_path: Path, n: int, start: int) -> float:
    """Import ``n`` contacts, then undo the import; tracemalloc's peak during the undo, in MiB."""
    result = cli("import", "csv", str(_csv(tmp_path / f"in-{n}.csv", n, start)))
    assert result.exit_code == 0, result.stderr
    with open_context() as ctx:
        gc.collect()
        tracemalloc.start()
        try:
            _, plan = undo.undo(ctx)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert plan.total == n + 50  # the contacts and their companies
        assert int(ctx.db.scalar("SELECT count(*) FROM contact")) == 0
    return peak / 2**20


def test_undo_memory_does_not_grow_with_the_import(cli: Any, tmp_path: Path) -> None:
    small = _undo_peak(cli, tmp_path, 2_000, 0)
    big = _undo_peak(cli, tmp_path, 8_000, 10_000)
    assert big < 1.6 * small, f"undo peak: {small:.1f} MiB for 2,000 contacts, {big:.1f} MiB for 8,000"
    shown = cli("undo", "--list", "--json").json()
    assert shown[0]["undoes"] == shown[1]["id"] and shown[1]["undone_by"] == shown[0]["id"]
    assert shown[0]["changes"] == 8_050  # each record's deletion recorded: undoing the undo redoes it
