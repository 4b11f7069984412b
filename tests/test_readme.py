"""The README documents every command the CLI has (a new command without docs fails here)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer

README = Path(__file__).resolve().parent.parent / "README.md"


def _commands() -> list[tuple[str, ...]]:
    from minicrm.cli.app import app

    root = typer.main.get_command(app)
    found: list[tuple[str, ...]] = []

    def walk(cmd: Any, path: tuple[str, ...]) -> None:
        subcommands = getattr(cmd, "commands", None)
        if subcommands is not None:  # a group
            for name, sub in subcommands.items():
                if not sub.hidden:
                    walk(sub, (*path, name))
        elif path:
            found.append(path)

    walk(root, ())
    return found


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
