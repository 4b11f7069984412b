"""Import hygiene: a hot command loads none of the heavy libraries.

The hot commands answer in a few tens of milliseconds because they never import Typer, Click,
Rich, SQLAlchemy, SQLModel, Textual or Pydantic: one stray module-level import anywhere on their
path (``import typer`` in ``cli/reads.py``, say) costs more than the command itself. Each hot
command of the fast path's registry runs here in its own process, as a user would run it, and the
process reports what it loaded when it exits.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from minicrm.cli.fast import _COMMANDS

ROOT = Path(__file__).resolve().parent.parent

#: libraries that no hot command may load
HEAVY = ("typer", "click", "rich", "sqlalchemy", "sqlmodel", "textual", "pydantic")

#: the arguments each hot command runs with, against the database ``_seed`` makes; a new hot
#: command must be added here (with the arguments of a real, successful run)
ARGS: dict[tuple[str, ...], list[str]] = {
    ("due",): [],
    ("next",): ["--all"],
    ("search",): ["lima"],
    ("contact", "list"): ["--tag", "vip"],
    ("contact", "show"): ["ana"],
    ("contact", "add"): ["Bruno Costa", "--email", "bruno@costa.pt", "--tag", "new"],
    ("followup", "done"): ["1"],
    ("pipeline",): [],
    ("pipeline", "stages"): [],
    ("report", "pipeline"): [],
    ("report", "forecast"): [],
    ("report", "winrate"): [],
    ("report", "conversion"): [],
    ("report", "activity"): [],
}
#: not run: the full-screen app is Textual itself
SKIP = {("tui",)}
HOT = sorted(set(_COMMANDS) - SKIP)

#: runs the ``minicrm`` entry point, and at exit writes the names of every loaded module to the
#: file named by its first argument
WRAPPER = """\
import atexit, sys
out = sys.argv.pop(1)
sys.argv[0] = "minicrm"
def dump():
    with open(out, "w", encoding="utf-8") as f:
        f.write("\\n".join(sorted(sys.modules)))
atexit.register(dump)
from minicrm.cli.entry import main
main()
"""


def _seed(cli: Callable[..., Any]) -> None:
    for args in (
        ("contact", "add", "Ana Lima", "--email", "ana@lima.pt", "--company", "Lima Lda", "--tag", "vip"),
        ("deal", "add", "Website", "--contact", "ana", "--value", "1200.50"),
        ("followup", "add", "ana", "send the quote", "--due", "today"),
        ("log", "call", "ana", "talked about the quote"),
    ):
        result = cli(*args)
        assert result.exit_code == 0, (args, result.stderr)


def _loaded(tmp_path: Path, args: list[str]) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    out = tmp_path / "modules.txt"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run(
        [sys.executable, "-c", WRAPPER, str(out), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    return proc, out.read_text(encoding="utf-8").splitlines()


def test_every_hot_command_has_its_arguments_here() -> None:
    assert sorted(set(ARGS)) == HOT, "a hot command was added or removed: list its arguments in ARGS"


@pytest.mark.parametrize("command", HOT, ids=" ".join)
def test_a_hot_command_loads_no_heavy_library(
    command: tuple[str, ...], cli: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if "MINICRM_DB" not in os.environ:  # SQLite; on PostgreSQL the fixtures named the database
        monkeypatch.setenv("MINICRM_DB", str(tmp_path / "crm.db"))
    _seed(cli)
    proc, modules = _loaded(tmp_path, [*command, *ARGS.get(command, [])])
    assert (proc.returncode, proc.stderr) == (0, ""), proc.stderr
    assert proc.stdout.strip(), "the command printed nothing"
    heavy = sorted({m for m in modules if m.split(".")[0] in HEAVY})
    assert heavy == [], f"`minicrm {' '.join(command)}` loaded {heavy}"


@pytest.mark.parametrize(
    "words",
    [["contact", "s"], ["contact", "show", "an"], ["deal", "move", "1", ""], ["--format"]],
    ids=" ".join,
)
def test_a_tab_loads_no_heavy_library(
    words: list[str], cli: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Shell completion (``minicrm __complete``) answers on every Tab: the fast path's budget."""
    if "MINICRM_DB" not in os.environ:
        monkeypatch.setenv("MINICRM_DB", str(tmp_path / "crm.db"))
    _seed(cli)
    proc, modules = _loaded(tmp_path, ["__complete", "bash", *words])
    assert (proc.returncode, proc.stderr) == (0, ""), proc.stderr
    heavy = sorted({m for m in modules if m.split(".")[0] in HEAVY})
    assert heavy == [], f"completing {words} loaded {heavy}"
