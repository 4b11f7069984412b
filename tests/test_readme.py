"""The README documents every command the CLI has (a new command without docs fails here)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import typer

README = Path(__file__).resolve().parent.parent / "README.md"


def _command_objects() -> list[tuple[tuple[str, ...], Any]]:
    """(path, command) of every visible command and group under ``minicrm``."""
    from minicrm.cli.app import app

    root = typer.main.get_command(app)
    found: list[tuple[tuple[str, ...], Any]] = []

    def walk(cmd: Any, path: tuple[str, ...]) -> None:
        if path:
            found.append((path, cmd))
        for name, sub in (getattr(cmd, "commands", None) or {}).items():
            if not sub.hidden:
                walk(sub, (*path, name))

    walk(root, ())
    return found


def _commands() -> list[tuple[str, ...]]:
    """The paths of the commands that run (not the groups)."""
    return [path for path, cmd in _command_objects() if getattr(cmd, "commands", None) is None]


def _documented(top_level: set[str]) -> list[list[str]]:
    """The words of each inline code span of the README; a bare ``list`` in a row like
    `` `minicrm company add …` / `list` / `rm` `` belongs to the command named before it."""
    spans: list[list[str]] = []
    for line in README.read_text(encoding="utf-8").splitlines():
        head = None
        for span in re.findall(r"`([^`]+)`", line):
            words = [w for w in re.split(r"[\s|\\\[\]]+", span.removeprefix("minicrm ")) if w]
            if not words:
                continue
            if words[0] in top_level:
                head = words[0]
            elif head is not None:
                words = [head, *words]
            spans.append(words)
    return spans


def test_every_command_is_in_the_readme() -> None:
    commands = _commands()
    spans = _documented({path[0] for path in commands})
    missing = [
        " ".join(path)
        for path in commands
        if not any(w[0] == path[0] and set(path[1:]) <= set(w[1:]) for w in spans)
    ]
    assert missing == []
    assert len(commands) > 60  # the walk found the command tree


def test_every_command_has_a_one_line_summary_and_no_text_rich_would_swallow() -> None:
    """``minicrm --help`` lists each command by the first paragraph of its help: it must be one
    line. And rich reads ``[word]`` (lower case) in any help text as markup and drops it."""
    markup = re.compile(r"(?<!\\)\[[a-z#/@][^\[]*?\]")  # rich.markup's tag pattern
    bad = {}
    for path, cmd in _command_objects():
        summary = (cmd.help or "").strip().split("\n\n")[0]
        texts = [cmd.help or "", *(getattr(p, "help", None) or "" for p in cmd.params)]
        if not summary or "\n" in summary or any(markup.search(t) for t in texts):
            bad[" ".join(path)] = summary
    assert bad == {}


def _console_commands() -> list[tuple[int, list[str]]]:
    """(line, argv) of every ``$ minicrm …`` line in the README's console blocks, in order."""
    import shlex

    found = []
    for number, line in enumerate(README.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("$ minicrm "):
            words = shlex.split(line[2:], comments=True)
            found.append((number, words[1:]))
    return found


def test_the_quick_start_runs_as_written_on_a_fresh_database(cli) -> None:
    """The README's first block: its commands work on a fresh database and ``due`` prints
    exactly what the README shows."""
    text = README.read_text(encoding="utf-8")
    block = text.split("```console\n", 1)[1].split("```", 1)[0].splitlines()
    commands = [line[2:] for line in block if line.startswith("$ ")]
    shown = "\n".join(line for line in block[block.index("$ minicrm due") + 1 :]) + "\n"
    import shlex

    for command in commands[:-1]:
        run = cli(*shlex.split(command)[1:])
        assert run.exit_code == 0, (command, run.stderr)
    assert cli(*shlex.split(commands[-1])[1:]).stdout == shown


def test_the_readme_examples_run_on_a_fresh_database(cli, tmp_path, monkeypatch) -> None:
    """Every ``$ minicrm`` example that needs no file of the user's runs, in the README's order,
    on one fresh database (a terminal is assumed: ``undo`` is given ``--yes``)."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    needs_files = ("import", "dedupe", "merge", "restore", "--db")
    # minicrm's own backup is of a SQLite file (PostgreSQL has pg_dump, as the README says)
    sqlite_only = ("backup",) if os.environ.get("MINICRM_TEST_BACKEND") == "postgresql" else ()
    failed = {}
    for number, argv in _console_commands():
        if any(word in argv for word in (*needs_files, *sqlite_only)):
            continue
        argv = [str(tmp_path) + a[1:] if a.startswith("~/") else a for a in argv]
        if argv[:1] == ["undo"]:
            argv = [*argv, "--yes"]
        run = cli(*argv)
        if run.exit_code != 0:
            failed[number] = (" ".join(argv), run.stderr.strip())
    assert failed == {}
