"""Commands over more records than one statement may list: SQLite takes at most 32,766
parameters, so records are read in batches of ``ID_BATCH`` ids."""

from __future__ import annotations

import sqlite3

import pytest

from minicrm.services.companies import commands as companies
from minicrm.services.contacts import queries as contact_queries
from minicrm.store import db as db_layer


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db_layer, "ID_BATCH", 3)


def test_loading_more_ids_than_one_statement_takes(cli, reopen) -> None:
    for name in ("Ana", "Bruno", "Carla"):
        cli("contact", "add", name, "--tag", "vip")
    with reopen() as c:
        if c.db.is_sqlite:  # SQLite's default limit (Debian builds it with 250,000)
            c.db.raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 32_766)
        # 70k ids (PostgreSQL takes 65,535 parameters), the real ones last and out of order
        ids = [*range(70_000, 3, -1), 3, 1, 2]
        found = contact_queries.load(c, ids)
        assert [(x.id, x.name, x.tags) for x in found] == [
            (3, "Carla", ("vip",)),
            (1, "Ana", ("vip",)),
            (2, "Bruno", ("vip",)),
        ]
        assert companies.load(c, list(range(1, 70_001))) == []


def test_bulk_rm_in_batches_removes_everything_and_undo_brings_it_back(cli, small_batches) -> None:
    for i in range(8):
        cli("company", "add", f"Firm {i}", "--tag", "old")
        cli("contact", "add", f"Person {i}", "--tag", "old", "--tag", f"t{i}", "--company", f"Firm {i}")
    before = cli("contact", "list", "--json").json()
    removed = cli("contact", "rm", "--filter-tag", "old", "--yes")
    assert removed.exit_code == 0, removed.stderr
    assert cli("contact", "list", "--json").json() == []
    assert cli("company", "rm", *(f"Firm {i}" for i in range(8)), "--yes").exit_code == 0
    assert cli("company", "list", "--json").json() == []
    assert cli("undo", "--yes").exit_code == 0  # the companies
    assert cli("undo", "--yes").exit_code == 0  # the contacts
    assert cli("contact", "list", "--json").json() == before
