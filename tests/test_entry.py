"""The entry point builds only the command group it runs (Typer converts every registered
command on each run), and the whole app for help, errors and the bare command."""

from __future__ import annotations

import pytest

from minicrm.cli.app import app, app_for


def _names(typer_app) -> set[str]:
    return {g.name for g in typer_app.registered_groups} | {c.name for c in typer_app.registered_commands}


@pytest.mark.parametrize(("argv", "kept"), [
    (["contact", "add", "Ana"], {"contact"}),
    (["--db", "x.db", "followup", "done", "1"], {"followup"}),
    (["--db=x.db", "--as", "rita", "note", "add", "ana", "hi"], {"note"}),
    (["init"], {"init"}),
])
def test_one_command_is_built(argv, kept) -> None:
    assert _names(app_for(argv)) == kept
    assert _names(app) > kept  # the shared app itself is left whole


@pytest.mark.parametrize("argv", [[], ["--help"], ["--version"], ["--db", "x.db"], ["nosuchcommand"], ["-x"]])
def test_help_errors_and_the_bare_command_get_the_whole_app(argv) -> None:
    assert app_for(argv) is app


def test_a_pruned_run_prints_what_the_whole_app_prints(cli, sh) -> None:
    cli("contact", "add", "Ana", "--email", "ana@lima.pt")
    for argv in (["contact", "show", "ana"], ["followup", "list"], ["contact", "add", "Bea", "--json"],
                 ["contact", "edit", "nobody", "--title", "x"], ["company", "frob"]):
        process = sh(*argv)
        in_process = cli(*argv)
        assert process.exit_code == in_process.exit_code, argv
        if argv[1] == "add":
            assert process.json()["name"] == "Bea"
            continue
        assert (process.stdout, process.stderr.splitlines()[:1]) == (
            in_process.stdout, in_process.stderr.splitlines()[:1]), argv
