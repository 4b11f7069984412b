"""Shell completion (issue 17.9): ``minicrm completion bash|zsh|fish`` prints the script, and the
script's ``minicrm __complete SHELL WORD…`` offers commands, options, contact names, deal ids,
stage names and tags from the database. On both backends."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from minicrm.cli import completion, completion_gen


def _seed(cli) -> None:
    for args in (
        ("contact", "add", "Ana Lima", "--tag", "vip"),
        ("contact", "add", "ana costa", "--tag", "partner"),
        ("contact", "add", "Jürgen Müller", "--company", "Müller GmbH"),
        ("deal", "add", "Seats", "--contact", "ana lima"),
        ("deal", "add", "Hosting", "--contact", "jurgen"),
    ):
        assert cli(*args).exit_code == 0, args


def test_the_words_are_those_of_the_typer_tree() -> None:
    assert completion_gen.main(["--check"]) == 0, "run python -m minicrm.cli.completion_gen --write"


def test_commands_subcommands_and_options() -> None:
    def values(*words: str) -> list[str]:
        return [v for v, _ in completion.complete(list(words))]

    assert values("fo") == ["followup"]
    assert values("followup", "s") == ["show", "snooze"]
    assert values("contact", "show", "--") == ["--format", "--json", "--help"]
    assert values("deal", "list", "--format", "j") == ["json", "jsonl"]
    assert values("--db", "x.db", "deal", "m") == ["move"]
    assert values("completion", "") == ["bash", "zsh", "fish"]


def test_values_come_from_the_database(cli) -> None:
    _seed(cli)

    def values(*words: str) -> list[str]:
        return [v for v, _ in completion.complete(list(words))]

    assert values("contact", "show", "an") == ["Ana Lima", "ana costa"]
    assert values("contact", "show", "Ana L") == ["Ana Lima"]
    assert values("note", "add", "jü") == ["Jürgen Müller"]
    assert values("note", "add", "Jürgen Müller", "") == []  # the text is free
    assert values("company", "show", "m") == ["Müller GmbH"]
    assert values("followup", "add", "--contact", "ana") == ["Ana Lima", "ana costa"]
    assert completion.complete(["deal", "show", ""]) == [("2", "Hosting"), ("1", "Seats")]
    assert values("deal", "move", "1", "") == ["lead", "qualified", "proposal", "negotiation"]
    assert values("deal", "move", "1", "pro") == ["proposal"]
    assert values("contact", "list", "--tag", "") == ["partner", "vip"]
    assert values("contact", "edit", "ana lima", "--add-tag", "v") == ["vip"]
    assert values("contact", "rm", "ana lima", "ana") == ["Ana Lima", "ana costa"]  # many refs


def test_the_complete_command_in_a_real_process(cli, sh) -> None:
    _seed(cli)
    assert sh("__complete", "bash", "contact", "show", "An").stdout == "Ana Lima\nana costa\n"
    assert sh("__complete", "zsh", "deal", "show", "1").stdout == "1\tSeats\n"
    assert sh("__complete", "fish", "contact", "show", "Ana\\ L").stdout == "Ana Lima\t#1\n"
    nothing = sh("__complete", "tcsh", "contact")
    assert (nothing.exit_code, nothing.stdout, nothing.stderr) == (0, "", "")


@pytest.mark.sqlite_only
def test_a_tab_never_creates_a_database(sh, tmp_path) -> None:
    missing = tmp_path / "none" / "crm.db"
    run = sh("__complete", "bash", "contact", "show", "a", env={"MINICRM_DB": str(missing)})
    assert (run.exit_code, run.stdout, run.stderr) == (0, "", "")
    assert not missing.exists() and not missing.parent.exists()


def test_completion_prints_each_shells_script(cli) -> None:
    for shell, marker in (
        ("bash", "complete -o nosort -F _minicrm_complete minicrm"),
        ("zsh", "compdef _minicrm minicrm"),
        ("fish", "complete -c minicrm"),
    ):
        run = cli("completion", shell)
        assert run.exit_code == 0 and marker in run.stdout and "__complete " + shell in run.stdout
    bad = cli("completion", "tcsh")
    assert (bad.exit_code, bad.stderr) == (1, "error: unknown shell 'tcsh' (choose bash, zsh, fish)\n")


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash")
def test_bash_completes_a_name_with_a_space(cli, tmp_path) -> None:
    """The bash script itself, run by bash: a name with a space is offered escaped."""
    _seed(cli)
    shim = tmp_path / "bin"
    shim.mkdir()
    root = Path(__file__).resolve().parent.parent
    (shim / "minicrm").write_text(
        f'#!/bin/sh\nPYTHONPATH={root / "src"} exec {sys.executable} -m minicrm "$@"\n'
    )
    (shim / "minicrm").chmod(0o755)
    script = cli("completion", "bash").stdout
    test = (
        script
        + 'COMP_WORDS=(minicrm contact show "Ana\\ L"); COMP_CWORD=3; _minicrm_complete\n'
        + 'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    env = {**os.environ, "PATH": f"{shim}:{os.environ['PATH']}"}
    out = subprocess.run(["bash", "-c", test], capture_output=True, text=True, env=env, timeout=60)
    assert out.stdout == "Ana\\ Lima\n", out.stderr
