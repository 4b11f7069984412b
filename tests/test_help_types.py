"""``--help`` names what options take (TEXT, INTEGER, PATH), and nothing for flags: never
Typer's ``<bool>``, ``<str>`` or ``<list[str]>`` (issue 17, item 10)."""

from __future__ import annotations

import re

import typer


def _paths() -> list[list[str]]:
    from minicrm.cli.app import app

    found: list[list[str]] = []

    def walk(cmd, path: list[str]) -> None:
        found.append(path)
        for name, sub in (getattr(cmd, "commands", None) or {}).items():
            if not sub.hidden:
                walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return found


def test_no_python_types_in_any_help(cli, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    bad = {}
    for path in _paths():
        text = cli(*path, "--help").stdout
        found = re.findall(r"<(?:bool|str|int|float|list\[[^\]]*\]|Path)>", text)
        if found:
            bad[" ".join(path)] = sorted(set(found))
    assert bad == {}


def test_flags_take_nothing_and_values_say_what(cli, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    lines = {
        line.split()[1]: line
        for line in cli("contact", "add", "--help").stdout.splitlines()
        if "│ --" in line
    }
    assert lines["--email"].split()[3] == "TEXT"
    assert lines["--allow-duplicate"].split()[2] == "Add"  # the help text right after the flag
    limit = next(line for line in cli("contact", "list", "--help").stdout.splitlines() if "--limit" in line)
    assert "INTEGER" in limit
    out = next(line for line in cli("export", "csv", "--help").stdout.splitlines() if "--out" in line)
    assert "PATH" in out
