"""The unit of work and the transactions under it, tested directly (both backends).

A unit of work is one transaction: an error rolls it all back, change log included; one opened
inside another joins it (one operation row, the hooks run once, after the outer commit); and a
write cannot start inside a read-only snapshot, where it would report success and then vanish
at the snapshot's ROLLBACK.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from minicrm.core.errors import StorageError
from minicrm.services.contacts import commands as contacts
from minicrm.services.dto import ContactCreate
from minicrm.services.kernel.unit_of_work import UnitOfWork


@pytest.fixture
def hook_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An ``on-add`` hook that appends each event it gets (one JSON line) to the returned file."""
    config = tmp_path / "cfg" / "config.toml"
    hooks = config.parent / "hooks"
    hooks.mkdir(parents=True)
    config.write_text("hook_timeout = 5\n", encoding="utf-8")
    monkeypatch.setenv("MINICRM_CONFIG", str(config))
    monkeypatch.delenv("MINICRM_HOOK_DEPTH", raising=False)
    log = tmp_path / "adds.log"
    script = hooks / "on-add"
    script.write_text(f"#!/bin/sh\ntr -d '\\n' >> {log}; echo >> {log}\n", encoding="utf-8")
    script.chmod(0o755)
    return log


def _events(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def _counts(open_context: Callable[..., Any]) -> tuple[int, int, int]:
    """Contacts, operations and change rows, as a later command sees them."""
    with open_context() as later:
        return (
            later.db.scalar("SELECT count(*) FROM contact"),
            later.db.scalar("SELECT count(*) FROM operation"),
            later.db.scalar("SELECT count(*) FROM change"),
        )


def test_an_error_rolls_back_the_writes_and_the_change_log(hook_log, ctx, reopen) -> None:
    with pytest.raises(RuntimeError, match="half-way"), UnitOfWork(ctx, "import 2 contacts"):
        contacts.add(ctx, ContactCreate(name="Ana"))
        contacts.add(ctx, ContactCreate(name="Bruno"))
        raise RuntimeError("half-way")
    assert _counts(reopen) == (0, 0, 0)
    assert _events(hook_log) == []
    assert ctx.db.work is None
    contacts.add(ctx, ContactCreate(name="Carla"))  # the connection is usable again
    assert _counts(reopen) == (1, 1, 1)
    assert [e["after"]["name"] for e in _events(hook_log)] == ["Carla"]


def test_a_nested_write_joins_the_outer_one(hook_log, ctx, reopen) -> None:
    with UnitOfWork(ctx, "import 2 contacts") as outer:
        contacts.add(ctx, ContactCreate(name="Ana"))
        # another Context on the same connection (another user) joins the same unit of work
        contacts.add(replace(ctx, user="bruno"), ContactCreate(name="Bruno"))
        assert _events(hook_log) == []  # not yet: the outer transaction has not committed
    assert [e["after"]["name"] for e in _events(hook_log)] == ["Ana", "Bruno"]
    assert {e["summary"] for e in _events(hook_log)} == {"import 2 contacts"}
    assert _counts(reopen) == (2, 1, 2)
    with reopen() as later:
        operation = later.db.one("SELECT id, summary FROM operation")
        assert operation is not None and operation["summary"] == "import 2 contacts"
        op_ids = [r["op_id"] for r in later.db.all("SELECT op_id FROM change ORDER BY id")]
    assert op_ids == [operation["id"], operation["id"]] == [outer.op_id, outer.op_id]
    assert ctx.db.work is None


def test_an_error_after_a_nested_write_rolls_it_back_too(hook_log, ctx, reopen) -> None:
    with pytest.raises(RuntimeError), UnitOfWork(ctx, "import 1 contact"):
        contacts.add(ctx, ContactCreate(name="Ana"))  # its own unit of work, nested: not committed
        raise RuntimeError("the import failed later")
    assert _counts(reopen) == (0, 0, 0)
    assert _events(hook_log) == []


def test_a_unit_of_work_inside_a_read_snapshot_fails_and_leaves_nothing(hook_log, ctx, reopen) -> None:
    with ctx.db.snapshot():
        with pytest.raises(StorageError, match="cannot start inside a read-only snapshot"):
            contacts.add(ctx, ContactCreate(name="Ana"))
        with pytest.raises(StorageError, match="cannot start inside a read-only snapshot"):
            UnitOfWork(ctx, "contact add Bruno").__enter__()
        assert ctx.db.work is None
    assert _counts(reopen) == (0, 0, 0)
    assert _events(hook_log) == []
    contacts.add(ctx, ContactCreate(name="Carla"))  # after the snapshot, writes work again
    assert _counts(reopen) == (1, 1, 1)
    assert [e["after"]["name"] for e in _events(hook_log)] == ["Carla"]


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO operation (at, actor, summary) VALUES ('2026-11-23T10:00:00', NULL, 'sneaky')",
        "UPDATE operation SET summary = 'sneaky'",
        "DELETE FROM operation",
    ],
)
def test_a_raw_write_inside_a_read_snapshot_fails(ctx, reopen, sql: str) -> None:
    contacts.add(ctx, ContactCreate(name="Ana"))
    with ctx.db.snapshot() as db, pytest.raises(StorageError, match="a write inside a read-only snapshot"):
        db.execute(sql)
    with reopen() as later:
        assert [r["summary"] for r in later.db.all("SELECT summary FROM operation")] == ["contact add Ana"]
    contacts.add(ctx, ContactCreate(name="Bruno"))  # the connection is writable again after it
    assert _counts(reopen) == (2, 2, 2)


def test_a_snapshot_inside_a_write_reads_that_write(ctx, reopen) -> None:
    with UnitOfWork(ctx, "import 2 contacts"):
        contacts.add(ctx, ContactCreate(name="Ana"))
        with ctx.db.snapshot() as db:
            assert db.scalar("SELECT count(*) FROM contact") == 1
        contacts.add(ctx, ContactCreate(name="Bruno"))  # still writable after the inner snapshot
    assert _counts(reopen) == (2, 1, 2)
