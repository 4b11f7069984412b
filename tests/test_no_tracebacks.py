"""No tracebacks: what a user can type or a machine can do ends in one ``error: …`` line.

Bytes that are not UTF-8 on the command line (a name typed in a Latin-1 terminal) in every kind
of command, a full disk under stdout, under ``--out`` and under the database, an archive whose
cells are not what their columns hold."""

from __future__ import annotations

import errno
import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
JOSE = "Jos\udce9"  # how Python receives the bytes b"Jos\xe9" in argv
#: the bytes shown as they were (the text around them may be folded to lower case, or quoted)
SAID = re.compile(
    r"error: text that is not valid UTF-8: '[^']*[Jj]os\\xe9[^']*' "
    r"\(minicrm keeps text in UTF-8; is the terminal's locale UTF-8\?\)\n"
)

NOT_UTF8 = [
    ["contact", "add", JOSE],
    ["contact", "add", "Ana", "--tag", JOSE],
    ["contact", "edit", "1", "--name", JOSE],
    ["contact", "show", JOSE],
    ["contact", "list", "--tag", JOSE],
    ["contact", "list", "--owner", JOSE],
    ["company", "add", JOSE],
    ["company", "show", JOSE],
    ["search", JOSE],
    ["note", "add", "1", JOSE],
    ["log", "call", "1", JOSE],
    ["deal", "add", JOSE, "--contact", "1"],
    ["followup", "add", "1", JOSE, "--due", "tomorrow"],
    ["request", "add", "1", JOSE],
    ["segment", "save", JOSE, "--tag", "vip"],
    ["user", "add", JOSE],
    ["timeline", JOSE],
    ["--as", JOSE, "contact", "add", "Bruno"],
]


def _run(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run([sys.executable, "-m", "minicrm", *args], text=True, env=env, timeout=60, **kwargs)


@pytest.mark.slow
@pytest.mark.parametrize("args", NOT_UTF8, ids=lambda a: " ".join(a).replace(JOSE, "Jos<e9>"))
def test_an_argument_that_is_not_utf8_is_one_error_line(cli, args: list[str]) -> None:
    assert cli("contact", "add", "Ana Lima", "--email", "ana@lima.pt").exit_code == 0
    before = cli("export", "json").stdout
    proc = _run(args, capture_output=True)
    assert (proc.returncode, proc.stdout) == (1, ""), proc.stderr
    assert SAID.fullmatch(proc.stderr), proc.stderr
    assert cli("export", "json").stdout == before


@pytest.mark.slow
def test_a_file_name_that_is_not_utf8_still_works_and_is_shown_as_its_bytes(cli, tmp_path: Path) -> None:
    source = tmp_path / "caf\udce9.csv"
    source.write_text("name,email\nAna,ana@lima.pt\n", encoding="utf-8")
    proc = _run(["import", "csv", str(source)], capture_output=True)
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "out\udce9.csv"
    proc = _run(["export", "csv", "--out", str(out)], capture_output=True)
    assert (proc.returncode, proc.stderr) == (0, f"exported 1 contacts to {tmp_path}/out\\xe9.csv\n")
    assert "ana@lima.pt" in out.read_text(encoding="utf-8")


# -- a full disk ------------------------------------------------------------------------------

STDOUT_COMMANDS = [
    ["export", "csv"],
    ["export", "json"],
    ["export", "ics"],
    ["privacy", "export", "1"],
    ["contact", "list", "--format", "csv"],
    ["contact", "list", "--format", "json"],
    ["search", "ana"],
]


@pytest.mark.slow
@pytest.mark.parametrize("args", STDOUT_COMMANDS, ids=" ".join)
def test_stdout_on_a_full_disk_is_one_error_line(cli, args: list[str]) -> None:
    cli("contact", "add", "Ana Lima", "--email", "ana@lima.pt")
    cli("followup", "add", "1", "call", "--due", "tomorrow")
    with open("/dev/full", "w") as full:  # every write: ENOSPC
        proc = _run(args, stdout=full, stderr=subprocess.PIPE)
    assert (proc.returncode, proc.stderr) == (
        1,
        "error: cannot write the output: the disk is full (No space left on device)\n",
    )


class _FullFile:
    """A file on a full disk: nothing can be written to it."""

    def __init__(self, binary: bool) -> None:
        self.binary = binary

    def write(self, data: Any) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __enter__(self) -> _FullFile:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file minicrm creates for its output (``exchange.private``) is on a full disk."""
    import minicrm.exchange.private as private
    import minicrm.exchange.vdir as vdir

    real = private.create_private

    def create(path: Path, *, binary: bool = False, exclusive: bool = False) -> Any:
        real(path, binary=binary, exclusive=exclusive).close()  # the name exists, as it would
        return _FullFile(binary)

    monkeypatch.setattr(private, "create_private", create)
    monkeypatch.setattr(vdir, "create_private", create)


@pytest.mark.parametrize(
    "args",
    [["export", "csv"], ["export", "json"], ["export", "ics"], ["privacy", "export", "1"]],
    ids=" ".join,
)
def test_export_out_on_a_full_disk_is_one_error_line_and_leaves_no_file(
    cli, full_disk, tmp_path: Path, args: list[str]
) -> None:
    cli("contact", "add", "Ana Lima", "--email", "ana@lima.pt")
    cli("followup", "add", "1", "call", "--due", "tomorrow")
    out = tmp_path / "out.file"
    result = cli(*args, "--out", str(out))
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        f"error: cannot write {out}: No space left on device (the disk is full)\n",
    )
    assert not out.exists() and list(tmp_path.glob("*.partial")) == []


def test_vcard_export_on_a_full_disk_is_one_error_line(cli, full_disk, tmp_path: Path) -> None:
    cli("contact", "add", "Ana Lima", "--email", "ana@lima.pt")
    result = cli("export", "vcard", "--out", str(tmp_path / "cards"))
    assert (result.exit_code, result.stderr) == (
        1,
        f"error: cannot write {tmp_path / 'cards'}/: No space left on device (the disk is full)\n",
    )


@pytest.mark.sqlite_only
def test_import_csv_on_a_full_disk_says_the_disk_is_full(cli, db_path, dump, tmp_path, monkeypatch) -> None:
    """SQLite reports a full disk as SQLITE_FULL, which ``max_page_count`` provokes."""
    from minicrm.store import db as store_db

    cli("contact", "add", "Ana Lima")
    before = dump()
    rows = "".join(f"Person {i},p{i}@example.com,{'x' * 200}\n" for i in range(3000))
    source = tmp_path / "big.csv"
    source.write_text("name,email,notes\n" + rows, encoding="utf-8")
    real = store_db._connect_sqlite

    def connect(target: Any) -> sqlite3.Connection:
        conn = real(target)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages + 40}")
        return conn

    monkeypatch.setattr(store_db, "_connect_sqlite", connect)
    result = cli("import", "csv", str(source))
    assert result.exit_code == 3
    assert result.stderr == ("error: the disk is full: cannot write the database (nothing was changed)\n")
    monkeypatch.undo()

    # the import committed its first batches before the disk filled and took them back: every
    # row is as it was, only AUTOINCREMENT's counters moved on (an id is never given twice)
    def rows(dumped: list) -> list:
        return [r for r in dumped if r[0] != "sqlite_sequence"]

    assert rows(dump()) == rows(before)


# -- archives whose cells are not what their columns hold ------------------------------------


def _archive(cli, tmp_path: Path, table: str, column: str, value: Any) -> Path:
    cli("contact", "add", "Ana Lima", "--email", "ana@lima.pt")
    cli("deal", "add", "Website", "--contact", "1", "--value", "1200")
    data = json.loads(cli("export", "json").stdout)
    rows = data["tables"][table]
    rows["rows"][0][rows["columns"].index(column)] = value
    path = tmp_path / "archive.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("table", "column", "value", "said"),
    [
        (
            "contact",
            "created_at",
            "not-a-date",
            "created_at is not a timestamp ('not-a-date'; expected e.g. 2026-11-23T10:00:00.000000Z)",
        ),
        ("deal", "close_date", "2026-02-30", "close_date is not a date ('2026-02-30'; expected YYYY-MM-DD)"),
        ("contact", "name", ["Ana", "Lima"], "name is a list or an object, not a value"),
        ("deal", "value_minor", {"amount": 1200}, "value_minor is a list or an object, not a value"),
        ("deal", "value_minor", 12.5, "value_minor is not a whole number"),
        ("contact", "do_not_contact", "yes", "do_not_contact is not 0 or 1"),
        ("contact", "title", 7, "title is not text"),
    ],
    ids=["not-a-date", "no-such-day", "list", "dict", "float", "bool", "number-for-text"],
)
def test_import_json_refuses_a_bad_cell_naming_its_record(
    cli, tmp_path: Path, table: str, column: str, value: Any, said: str
) -> None:
    path = _archive(cli, tmp_path, table, column, value)
    fresh = tmp_path / "fresh.db"
    result = cli("--db", str(fresh), "import", "json", str(path))
    assert (result.exit_code, result.stderr) == (1, f"error: the archive's table {table!r}, row 1: {said}\n")
    assert cli("--db", str(fresh), "contact", "list", "--format", "json").json() == []
