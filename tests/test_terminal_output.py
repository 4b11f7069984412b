"""Inert output everywhere: what goes to a terminal cannot write the clipboard (OSC 52), retitle
the window, or reorder the line, whatever the stored names hold: CSV included (to a file or a
pipe its cells stay exact), and JSON (escaped as ``\\uXXXX``, the same string to a reader)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pty_helpers import run_on_terminal

ROOT = Path(__file__).resolve().parent.parent
#: a clipboard write, a window title, a C1 CSI, a right-to-left override, and a bell
HOSTILE = "Evil\x1b]52;c;aGVsbG8=\x07 \x1b]0;pwned\x07 \x9b31m \u202eoh"
RAW = [b"\x1b", "\x9b".encode(), "\u202e".encode(), b"\x07"]


def _on_terminal(args: list[str]) -> tuple[int, bytes]:
    """stdout on a pseudo-terminal: (exit code, what it showed)."""
    return run_on_terminal(args, stream="stdout", other=subprocess.DEVNULL)


@pytest.fixture
def hostile(cli) -> None:
    assert cli("contact", "add", HOSTILE, "--email", "evil@x.pt", "--tag", "vip").exit_code == 0
    cli("segment", "save", "vips", "--tag", "vip")


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [
        ["export", "csv"],
        ["export", "csv", "--segment", "vips", "--preset", "mailchimp"],
        ["contact", "list", "--format", "csv"],
        ["contact", "show", "evil@x.pt", "--format", "csv"],
        ["search", "Evil", "--format", "csv"],
        ["export", "json"],
        ["export", "json", "--segment", "vips"],
        ["privacy", "export", "evil@x.pt"],
        ["contact", "list", "--format", "jsonl"],
    ],
    ids=" ".join,
)
def test_nothing_raw_reaches_a_terminal(hostile, args: list[str]) -> None:
    code, shown = _on_terminal(args)
    assert code == 0
    assert b"Evil" in shown
    assert [raw for raw in RAW if raw in shown] == []


def test_csv_to_a_file_keeps_the_cells_exact(cli, hostile) -> None:
    result = cli("contact", "list", "--format", "csv")
    assert HOSTILE in result.stdout
    assert HOSTILE in cli("export", "csv").stdout


@pytest.mark.parametrize("title", ["＝1+1", "﹦HYPERLINK(1)", "＋351 912", "＠SUM(A1)"])
def test_formula_guards_catch_full_width_signs(cli, title: str) -> None:
    """(Leading blanks and line breaks, which the CLI trims from a title, are in
    ``tests/exchange/test_csv.py``.)"""
    import csv
    import io

    assert cli("contact", "add", "Ana", "--title", title).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(cli("export", "csv").stdout, newline="")))
    assert rows[0]["title"] == "'" + title
