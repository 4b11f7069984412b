"""A bad ``--out`` is one error line and exit 1, for every export and ``privacy export``: no
traceback, no ``.partial`` left behind, no directories made (issue 17, item 4)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

EXPORTS = [
    ("export", "csv"),
    ("export", "csv", "--type", "deals"),
    ("export", "json"),
    ("export", "ics"),
    ("privacy", "export", "Ana Lima"),
    ("segment", "export", "vips"),
]


@pytest.fixture
def data(cli) -> None:
    assert cli("contact", "add", "Ana Lima", "--email", "ana@lima.pt", "--tag", "vip").exit_code == 0
    assert cli("segment", "save", "vips", "--tag", "vip").exit_code == 0


def _refused(run, message: str) -> None:
    assert (run.exit_code, run.stdout) == (1, "")
    assert run.stderr == message + "\n"


@pytest.mark.parametrize("command", EXPORTS, ids=" ".join)
def test_a_missing_directory(cli, data, tmp_path, command) -> None:
    target = tmp_path / "missing" / "out.file"
    _refused(
        cli(*command, "--out", str(target)),
        f"error: cannot write {target}: no such directory {target.parent}",
    )
    assert not target.parent.exists()


@pytest.mark.parametrize("command", [c for c in EXPORTS if c != ("export", "ics")], ids=" ".join)
def test_an_existing_directory(cli, data, tmp_path, command) -> None:
    # (export ics to a directory writes a vdir: tests/transfer/test_ics_recurrence.py)
    _refused(cli(*command, "--out", str(tmp_path)), f"error: cannot write {tmp_path}: it is a directory")
    assert not tmp_path.with_name(tmp_path.name + ".partial").exists()


@pytest.mark.parametrize("command", EXPORTS, ids=" ".join)
def test_a_path_the_system_refuses_leaves_nothing(cli, data, tmp_path, command) -> None:
    target = Path("/dev/null/out.file")  # the parent is no directory
    run = cli(*command, "--out", str(target))
    assert (run.exit_code, run.stdout) == (1, "")
    assert run.stderr.startswith(f"error: cannot write {target}: ") and run.stderr.count("\n") == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into any directory")
@pytest.mark.parametrize("command", EXPORTS, ids=" ".join)
def test_an_unwritable_directory(cli, data, tmp_path, command) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    _refused(
        cli(*command, "--out", str(locked / "x")), f"error: cannot write {locked / 'x'}: permission denied"
    )
    assert list(locked.iterdir()) == []


def test_an_export_that_fails_while_writing_leaves_no_partial(cli, data, tmp_path, monkeypatch) -> None:
    from minicrm.exchange import csvfile

    def broken(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(csvfile, "write_csv", broken)
    target = tmp_path / "out" / "out.csv"
    target.parent.mkdir()
    _refused(
        cli("export", "csv", "--out", str(target)),
        f"error: cannot write {target}: No space left on device (the disk is full)",
    )
    assert list(target.parent.iterdir()) == []


def test_vcard_export_makes_one_directory_never_a_whole_path(cli, data, tmp_path) -> None:
    deep = tmp_path / "no" / "such" / "dir"
    _refused(
        cli("export", "vcard", "--out", f"{deep}/"),
        f"error: cannot write {deep}/: no such directory {deep.parent}",
    )
    assert not (tmp_path / "no").exists()
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    _refused(
        cli("export", "vcard", "--out", str(a_file)),
        f"error: cannot write {a_file}/: it exists and is not a directory",
    )
    new = tmp_path / "cards"
    run = cli("export", "vcard", "--out", str(new))
    assert run.exit_code == 0, run.stderr
    assert [p.suffix for p in new.iterdir()] == [".vcf"]
