"""The read commands off the hot list, run without building their click commands.

With Typer, most of a command's cold start is not the command: converting it to click builds a
pydantic adapter per option (pydantic alone is ~60 ms to import), more than the read itself
takes. For the reads listed here the fast path's parser (``minicrm.cli.argv``) reads the command
line from the spellings copied out of the Typer declarations (``minicrm.cli.spellings``); then
the command's own module is imported (Typer's, but not its click conversion) and the very
function Typer would call is called with the same values. Anything the parser does not fully
understand falls back to the Typer tree, so help and usage errors are Typer's.
``tests/test_spellings.py`` runs every spelling of every one of these both ways.
"""

from __future__ import annotations

from minicrm.cli import fast
from minicrm.cli.argv import Fallback, parse
from minicrm.cli.spellings import SPELLINGS

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

#: the read commands the direct path runs (the hot ones are ``minicrm.cli.fast._COMMANDS``)
READS: tuple[tuple[str, ...], ...] = (
    ("timeline",),
    ("doctor",),
    ("contact", "history"),
    ("company", "list"),
    ("company", "show"),
    ("company", "history"),
    ("followup", "list"),
    ("followup", "show"),
    ("cadence", "list"),
    ("segment", "list"),
    ("segment", "show"),
    ("request", "list"),
    ("request", "show"),
    ("request", "report"),
    ("deal", "list"),
    ("deal", "show"),
    ("deal", "history"),
    ("report", "service"),
    ("report", "cadence"),
    ("hooks", "list"),
    ("user", "list"),
    ("db", "path"),
    ("db", "current"),
)


def try_run(args: list[str]) -> int | None:
    """Run one of ``READS`` and return its exit code, or None to let Typer handle ``args``."""
    split = fast._split_globals(args)
    if split is None:
        return None
    options, rest = split
    if any(a in ("-h", "--help", "--version") for a in rest):
        return None
    words = fast.match(rest, READS)
    if words is None:
        return None
    try:
        values = parse(SPELLINGS[words], rest[len(words) :])
    except Fallback:
        return None
    return fast.execute(options, lambda: _call(command_function(words), values))


def command_function(words: tuple[str, ...]) -> Callable[..., Any]:
    """The function that the Typer tree runs for ``words``, found as ``minicrm.cli.commands`` does."""
    import importlib

    from minicrm.cli.commands import GRAFTS, TREE

    entry = GRAFTS.get(words[0], {}).get(words[-1]) if len(words) == 2 else None
    entry = entry or TREE[words[0]]
    target = getattr(importlib.import_module(entry.module), entry.attr)
    if entry.kind == "command":
        function: Callable[..., Any] = target
        return function
    import typer.main

    for info in target.registered_commands:
        if (info.name or typer.main.get_command_name(info.callback.__name__)) == words[1]:
            function = info.callback
            return function
    raise LookupError(" ".join(words))


def _call(function: Callable[..., Any], values: dict[str, Any]) -> int | None:
    from typer import Exit

    try:
        function(**values)
    except Exit as exc:  # what Typer's main would turn into the exit code
        return int(exc.exit_code)
    return None
