"""An import leaves a fast database (issue 16 item 6): its search index is merged by the import
itself, so no later write pays for merging it and searches read one segment; undoing it still
restores exactly what was there.

Both backends (``MINICRM_TEST_BACKEND=postgresql``); the segment checks are SQLite's (FTS5)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from minicrm.services import search
from minicrm.services.contacts import commands as contacts
from minicrm.services.dto import ContactCreate
from minicrm.services.history import changelog
from minicrm.services.transfer import importer
from minicrm.store.records.search_index import index_segments

ROWS = 12_000  # six batches of the contact writer: six FTS5 segments before the merge


def _csv(path: Path, n: int, start: int = 0) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        fh.write("Name,Email,Phone,Company,Tags\n")
        for i in range(start, start + n):
            fh.write(f"Inês Müller {i},p{i}@example{i % 300}.com,+3519{i:08d},Company {i % 50},t{i % 7}\n")
    return path


def _state(ctx: Any) -> dict[str, list[str]]:
    tables = ("contact", "contact_email", "contact_phone", "contact_tag", "company", "search_doc")
    return {
        t: sorted(json.dumps(dict(r), sort_keys=True, default=str) for r in ctx.db.all(f"SELECT * FROM {t}"))
        for t in tables
    }


def test_an_import_leaves_the_search_index_in_one_segment(ctx, tmp_path: Path) -> None:
    summary = importer.import_csv(ctx, _csv(tmp_path / "people.csv", ROWS))
    assert summary.created == ROWS
    if ctx.db.is_sqlite:
        assert index_segments(ctx.db) == 1
    hits = search.search(ctx, "p4321@example121.com")
    assert [h.label for h in hits] == ["Inês Müller 4321"]
    assert [h.label for h in search.search(ctx, "muller 11990")] == ["Inês Müller 11990"]


def test_a_small_import_into_a_big_index_does_not_rewrite_it(ctx, tmp_path: Path) -> None:
    importer.import_csv(ctx, _csv(tmp_path / "people.csv", ROWS))
    importer.import_csv(ctx, _csv(tmp_path / "more.csv", 2500, start=ROWS))
    if ctx.db.is_sqlite:
        # the big segment stays; the two batches' segments are left to FTS5's usual merging
        assert 1 <= index_segments(ctx.db) <= 3
    assert [h.label for h in search.search(ctx, "p14321@example")] == ["Inês Müller 14321"]


def test_the_writes_after_an_import_are_quick(ctx, tmp_path: Path) -> None:
    importer.import_csv(ctx, _csv(tmp_path / "people.csv", ROWS))
    waits = []
    for n in range(50):
        started = time.perf_counter()
        contacts.add(ctx, ContactCreate(name=f"Writer {n}", emails=(f"w{n}@x.pt",)))
        waits.append(time.perf_counter() - started)
    assert max(waits) < 0.5, waits
    if ctx.db.is_sqlite:
        assert index_segments(ctx.db) <= 8  # FTS5's automerge keeps it small
    assert [h.label for h in search.search(ctx, "w49@x.pt")] == ["Writer 49"]


def test_undo_of_a_merged_import_restores_exactly(cli, ctx, reopen, tmp_path: Path) -> None:
    assert cli("contact", "add", "Ana Lima", "--email", "ana@lima.pt", "--tag", "vip").exit_code == 0
    before = _state(ctx)
    result = cli("import", "csv", str(_csv(tmp_path / "people.csv", ROWS)))
    assert result.exit_code == 0, result.stderr
    assert cli("undo", "--yes").exit_code == 0
    with reopen() as later:
        assert _state(later) == before
        assert [h.label for h in search.search(later, "p4321@example")] == []
        assert [h.label for h in search.search(later, "ana@lima")] == ["Ana Lima"]


def test_the_change_log_of_an_import_is_packed(ctx, tmp_path: Path) -> None:
    importer.import_csv(ctx, _csv(tmp_path / "people.csv", ROWS))
    logged = int(ctx.db.scalar("SELECT sum(length(after)) FROM change_batch WHERE entity = 'contact'"))
    if ctx.db.is_sqlite:
        assert logged < 60 * ROWS  # 240 bytes a contact as JSON text
    # and it reads as it did: the history of one imported contact
    [created] = changelog.created(ctx, "contact", 4321)
    assert created["after"]["name"] == "Inês Müller 4320"
    assert created["after"]["emails"] == ["p4320@example120.com"]
