"""The entry point loads only the command module it runs (Typer converts every command it is
given on each run, and importing all of them costs more than most commands take), and the whole
tree for help, errors and the bare command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

_LOADED = """
import json, sys
from minicrm.cli.app import app
try:
    app(args=sys.argv[1:], prog_name="minicrm", standalone_mode=False)
except BaseException:
    pass
from minicrm.cli.commands import GRAFTS, TREE
modules = {e.module for e in TREE.values()} | {e.module for g in GRAFTS.values() for e in g.values()}
print(json.dumps(sorted(m.rsplit(".", 1)[1] for m in modules if m in sys.modules)))
"""


def _loaded(*argv: str) -> set[str]:
    """The command modules that running ``argv`` through the Typer tree imported."""
    proc = subprocess.run(
        [sys.executable, "-c", _LOADED, *argv],
        capture_output=True,
        text=True,
        check=True,
        env={
            "PYTHONPATH": str(ROOT / "src"),
            "PATH": "/usr/bin:/bin",
            "MINICRM_DB": "/nonexistent/x.db",
            "HOME": "/nonexistent",
        },
    )
    return set(json.loads(proc.stdout.splitlines()[-1]))


@pytest.mark.parametrize(
    ("argv", "kept"),
    [
        (["contact", "add", "--help"], {"contact"}),
        (["--db", "x.db", "followup", "done", "--help"], {"followup"}),
        (["--db=x.db", "--as", "rita", "note", "add", "--help"], {"notes"}),
        (["init", "--help"], {"database"}),
        (["report", "service", "--help"], {"report", "request"}),
    ],
)
def test_one_command_is_built(argv, kept) -> None:
    assert _loaded(*argv) == kept


@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["nosuchcommand"], ["-x"]])
def test_help_errors_and_the_bare_command_load_no_command_module(argv) -> None:
    assert _loaded(*argv) == set()


def test_a_pruned_run_prints_what_the_whole_app_prints(cli, sh) -> None:
    cli("contact", "add", "Ana", "--email", "ana@lima.pt")
    for argv in (
        ["contact", "show", "ana"],
        ["followup", "list"],
        ["contact", "add", "Bea", "--json"],
        ["contact", "edit", "nobody", "--title", "x"],
        ["company", "frob"],
    ):
        process = sh(*argv)
        in_process = cli(*argv)
        assert process.exit_code == in_process.exit_code, argv
        if argv[1] == "add":
            assert process.json()["name"] == "Bea"
            continue
        assert (process.stdout, process.stderr.splitlines()[:1]) == (
            in_process.stdout,
            in_process.stderr.splitlines()[:1],
        ), argv


def test_the_help_lines_of_the_table_are_what_the_commands_say() -> None:
    import inspect

    import typer.main

    from minicrm.cli.app import app
    from minicrm.cli.commands import GRAFTS, TREE

    root = typer.main.get_command(app)
    ctx = typer.Context(root)
    tables = [(root, TREE), *((root.get_command(ctx, noun), grafts) for noun, grafts in GRAFTS.items())]
    for group, table in tables:
        for name, entry in table.items():
            command = group.get_command(ctx, name)
            said = inspect.cleandoc(command.short_help or command.help or "").split("\n\n")[0].strip()
            assert entry.help == said, name
