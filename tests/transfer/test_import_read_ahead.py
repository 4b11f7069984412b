"""A big CSV import reads and checks its records in a second process (``read_ahead``): what it
writes, reports and rejects is what the import in one process gives, an error of the file is
the same error at the same place, and the child is gone when the import ends, however it ends.

``read_ahead.MIN_BYTES`` is set to 0 (every file is read ahead) or out of reach (none is)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from minicrm.core.errors import InvalidInput
from minicrm.services.transfer import importer, read_ahead

HEADER = "First Name,Last Name,Email,Phone,Company,Job Title,Tags,Birthday,Notes\n"


def _rows(n: int) -> str:
    """Rows of every kind the checks tell apart: duplicates in the file, an unreadable email
    kept in a field, rows rejected (nothing to name them, an impossible birthday), a birthday,
    a note, a quoted comma."""
    out = []
    for i in range(n):
        email = f"p{i}@example{i % 40}.com" if i % 13 else f"p{i - 1}@example{(i - 1) % 40}.com"
        if i % 17 == 5:
            email = f"broken{i}@@example.com"
        first, last, phone = (f"Pessoa{i}", "Gonçalves", f"+3519{i:08d}") if i % 29 != 11 else ("", "", "")
        if not first:
            email = ""  # nothing says who this is: rejected
        birthday = "1990-02-0" + str(1 + i % 9) if i % 5 == 0 else "31/02/1990" if i % 31 == 3 else ""
        out.append(
            f'{first},{last},{email},{phone},Company {i % 30},"Chef, {i % 3}",vip;t{i % 4},{birthday},'
            f"note {i}\n"
        )
    return "".join(out)


@pytest.fixture
def spawned(monkeypatch: pytest.MonkeyPatch) -> list[subprocess.Popen[bytes]]:
    """Every child ``read_ahead`` starts, to check that it ran and that it has ended."""
    children: list[subprocess.Popen[bytes]] = []
    real = subprocess.Popen

    def recording(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        child = real(*args, **kwargs)
        children.append(child)
        return child

    monkeypatch.setattr(read_ahead.subprocess, "Popen", recording)
    return children


def _import(cli: Any, db: Path, source: Path, *extra: str) -> tuple[int, str, str]:
    assert cli("--db", str(db), "init").exit_code == 0
    run = cli("--db", str(db), "import", "csv", str(source), "--rejects", str(db) + ".rejects.csv", *extra)
    return run.exit_code, run.stdout, run.stderr


def _contacts(cli: Any, db: Path) -> dict[str, list[list[Any]]]:
    """What the import wrote, as ``export json`` gives it, without what differs between two
    runs (the time, the generated UIDs)."""
    tables = json.loads(cli("--db", str(db), "export", "json").stdout)["tables"]
    drop = {"uid", "created_at", "updated_at", "at"}
    out = {}
    for name in ("contact", "contact_email", "contact_phone", "contact_field", "contact_tag", "tag",
                 "company", "interaction", "search_doc"):  # fmt: skip
        keep = [i for i, column in enumerate(tables[name]["columns"]) if column not in drop]
        out[name] = [[row[i] for i in keep] for row in tables[name]["rows"]]
    assert out["contact"] and out["interaction"] and out["contact_tag"]
    return out


@pytest.mark.parametrize("mode", ["update", "skip", "create"])
def test_a_file_read_ahead_imports_and_reports_as_one_process_does(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spawned: list[Any], mode: str
) -> None:
    source = tmp_path / "people.csv"
    source.write_text(HEADER + _rows(2600), encoding="utf-8")  # two batches and more

    monkeypatch.setattr(read_ahead, "MIN_BYTES", 1 << 40)
    alone = _import(cli, tmp_path / "alone.db", source, "--on-duplicate", mode)
    assert spawned == []
    monkeypatch.setattr(read_ahead, "MIN_BYTES", 0)
    ahead = _import(cli, tmp_path / "ahead.db", source, "--on-duplicate", mode)
    assert len(spawned) == 1 and spawned[0].returncode is not None  # it ran, and it has ended

    assert ahead[0] == alone[0] == 0
    # the same lines: created, updated, rejected, warnings (and the rejects file, by its name)
    assert (ahead[1], ahead[2].replace("ahead.db", "alone.db")) == alone[1:]
    told = ahead[1] + ahead[2]
    assert " 0 rejected" not in told and "unparsed_email" in told
    assert _contacts(cli, tmp_path / "ahead.db") == _contacts(cli, tmp_path / "alone.db")
    assert Path(f"{tmp_path / 'ahead.db'}.rejects.csv").read_bytes() == (
        Path(f"{tmp_path / 'alone.db'}.rejects.csv").read_bytes()
    )


def test_minicrms_own_export_read_ahead_loses_its_formula_guard_as_before(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spawned: list[Any]
) -> None:
    monkeypatch.setattr(read_ahead, "MIN_BYTES", 0)
    first = tmp_path / "first.db"
    assert cli("--db", str(first), "init").exit_code == 0
    cli("--db", str(first), "contact", "add", "=SUM(A1)", "--email", "f@x.pt", "--field", "shoe=42")
    exported = tmp_path / "own.csv"
    assert cli("--db", str(first), "export", "csv", "--out", str(exported)).exit_code == 0
    code, _out, _err = _import(cli, tmp_path / "again.db", exported)
    assert code == 0 and len(spawned) == 1
    person = json.loads(cli("--db", str(tmp_path / "again.db"), "contact", "show", "1", "--json").stdout)
    assert person["name"] == "=SUM(A1)" and person["fields"] == {"shoe": "42"}
    assert person["emails"] == ["f@x.pt"]


def test_an_error_of_the_file_is_raised_where_it_is_and_nothing_is_kept(
    ctx: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spawned: list[Any]
) -> None:
    source = tmp_path / "cut.csv"
    source.write_bytes(
        (HEADER + _rows(3000)).encode() + b"Jos\xe9,Lima,j@x.pt,,,,,,\n" + b"Ana,Reis,a@x.pt,,,,,,\n"
    )
    errors = []
    for least in (1 << 40, 0):  # in one process, then read ahead
        monkeypatch.setattr(read_ahead, "MIN_BYTES", least)
        with pytest.raises(InvalidInput) as raised:
            importer.import_csv(ctx, source)
        errors.append(str(raised.value))
        assert ctx.db.scalar("SELECT count(*) FROM contact") == 0  # rolled back, the first batch too
        assert ctx.db.scalar("SELECT count(*) FROM operation") == 0
    assert errors == ["cut.csv: line 3002: not valid utf-8 text"] * 2  # the line of the byte
    assert len(spawned) == 1 and spawned[0].returncode is not None


def test_a_writer_that_stops_ends_the_child_and_keeps_nothing(
    ctx: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spawned: list[Any]
) -> None:
    source = tmp_path / "big.csv"
    source.write_text(HEADER + _rows(6000), encoding="utf-8")
    monkeypatch.setattr(read_ahead, "MIN_BYTES", 0)
    seen = []

    def interrupted(event: importer.ImportEvent) -> None:
        seen.append(event)
        if len(seen) == 2500:
            raise KeyboardInterrupt  # Ctrl-C, in the middle of the file

    with pytest.raises(KeyboardInterrupt):
        importer.import_csv(ctx, source, on_event=interrupted)
    assert len(spawned) == 1 and spawned[0].returncode is not None
    assert ctx.db.scalar("SELECT count(*) FROM contact") == 0


def test_a_child_that_dies_is_an_error_not_a_short_import(
    ctx: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spawned: list[Any]
) -> None:
    source = tmp_path / "big.csv"
    source.write_text(HEADER + _rows(20000), encoding="utf-8")  # more than the pipe holds
    monkeypatch.setattr(read_ahead, "MIN_BYTES", 0)

    def kill_the_child(event: importer.ImportEvent) -> None:
        if event.line == 100:
            spawned[0].kill()
            spawned[0].wait()

    with pytest.raises(Exception, match="the process reading the file ahead ended before the end"):
        importer.import_csv(ctx, source, on_event=kill_the_child)
    assert ctx.db.scalar("SELECT count(*) FROM contact") == 0
