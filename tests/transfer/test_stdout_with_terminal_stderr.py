"""stdout carries the data whatever stderr is: with stderr on a terminal, a progress display is
drawn there and never takes over stdout (``export csv > people.csv`` used to write 0 bytes).

Each exporting command, and ``import … --dry-run`` (its report is the data), runs in a real
process with stdout to a file and stderr on a pseudo-terminal; the file must hold exactly what
the same command writes with stderr not a terminal."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from transfer_helpers import EXPORTS

from pty_helpers import run_on_terminal

ROOT = Path(__file__).resolve().parents[2]


def _run(args: list[str], out: Path, *, stderr_tty: bool) -> tuple[int, bytes]:
    """``python -m minicrm ARGS > out``, stderr on a pseudo-terminal or a pipe; (exit code, stderr)."""
    with out.open("wb") as fh:
        if stderr_tty:
            return run_on_terminal(args, stream="stderr", other=fh)
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "TERM": "xterm-256color"}
        proc = subprocess.run(
            [sys.executable, "-m", "minicrm", *args],
            stdout=fh,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=env,
            timeout=60,
        )
        return proc.returncode, proc.stderr


@pytest.fixture
def filled(cli, tmp_path: Path) -> Path:
    """Enough records that the progress display has something to count."""
    rows = "".join(f"Person {i},p{i}@example.com,Acme {i % 7}\n" for i in range(2500))
    people = tmp_path / "people.csv"
    people.write_text("name,email,company\n" + rows, encoding="utf-8")
    assert cli("import", "csv", str(people)).exit_code == 0
    cli("deal", "add", "Big order", "--contact", "1", "--value", "1200 EUR")
    cli("followup", "add", "1", "call back", "--due", "2026-11-30")
    cli("contact", "edit", "1", "--tag", "vip")
    cli("segment", "save", "vips", "--tag", "vip")
    card = tmp_path / "one.vcf"
    card.write_text("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Vera Card\r\nEND:VCARD\r\n", encoding="utf-8")
    return tmp_path


COMMANDS = [
    *EXPORTS,
    ["import", "csv", "{tmp}/people.csv", "--dry-run"],
    ["import", "vcard", "{tmp}/one.vcf", "--dry-run"],
    ["contact", "list", "--format", "csv"],
    ["search", "Person", "--format", "jsonl"],
]


@pytest.mark.slow
@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a))
def test_stdout_to_a_file_with_stderr_on_a_terminal(filled: Path, args: list[str]) -> None:
    argv = [a.replace("{tmp}", str(filled)) for a in args]
    piped, tty = filled / "piped.out", filled / "tty.out"
    code, err = _run(argv, piped, stderr_tty=False)
    assert code == 0, err
    expected = piped.read_bytes()
    assert expected  # every one of these writes data
    code, err = _run(argv, tty, stderr_tty=True)
    assert code == 0, err
    assert _stable(tty.read_bytes()) == _stable(expected)


def _stable(data: bytes) -> bytes:
    """The output without an iCalendar DTSTAMP (the moment of writing, to the second)."""
    return re.sub(rb"\r\nDTSTAMP:[0-9TZ]+", b"", data)


@pytest.mark.slow
def test_vcard_export_with_stderr_on_a_terminal(filled: Path) -> None:
    code, err = _run(["export", "vcard", "--out", str(filled / "vdir")], filled / "out", stderr_tty=True)
    assert code == 0, err
    assert len(list((filled / "vdir").glob("*.vcf"))) == 2500
    assert (filled / "out").read_bytes() == b""  # the summary is for people: on stderr
    assert b"exported 2500 contacts" in err
