"""The fast path: ``due``, ``next``, ``search``, ``contact list``, ``contact show``, the writes
``contact add`` and ``followup done``, the board, the sales reports and ``tui`` (or a bare
``minicrm`` on a terminal) without Typer.

Importing Typer costs more than these commands may take (SPEC §7: ≤ 150 ms at 100k contacts).
For exactly these commands a strict little parser (``minicrm.cli.argv``) reads the command line
with the option spellings of the Typer declarations, copied into ``minicrm.cli.spellings`` by
``python -m minicrm.cli.spelling_gen --write`` (a test fails when the copy is stale), and calls
what the Typer command calls. Anything it does not fully understand (``--help``, a typo, a bad
value) falls back to Typer, which gives the usual help and usage errors.
``tests/test_spellings.py`` runs every spelling both ways; ``tests/test_fast_path.py`` more
cases. The other reads take ``minicrm.cli.direct``.
"""

from __future__ import annotations

import sys

from minicrm.cli import report_fast
from minicrm.cli.argv import Fallback, parse
from minicrm.cli.spellings import SPELLINGS

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    Values = dict[str, Any]


# Each caller does what the Typer command's body does, with the values by the Typer parameter
# names; the options themselves are read from ``SPELLINGS`` (copied from the Typer declarations).


def _due(v: Values) -> None:
    from minicrm.cli import reads

    reads.due(
        within=v["within"],
        owner=v["owner"],
        everyone=v["all_"],
        fmt=v["fmt"],
        json_flag=v["json_flag"],
        since_last_run=v["since_last_run"],
    )


def _next(v: Values) -> None:
    from minicrm.cli import next_actions

    next_actions.next_actions(
        limit=v["limit"],
        explain=v["explain"],
        owner=None if v["all_"] else v["owner"],
        fmt=v["fmt"],
        json_flag=v["json_flag"],
    )


def _search(v: Values) -> None:
    from minicrm.cli import reads

    reads.search(v["query"], types=v["type_"] or [], limit=v["limit"], fmt=v["fmt"], json_flag=v["json_flag"])


def _contact_list(v: Values) -> None:
    from minicrm.cli import reads

    reads.contact_list(
        tags=v["tag"] or [],
        company=v["company"],
        status=v["status"],
        owner=v["owner"],
        everyone=v["all_"],
        search=v["search"],
        stale=v["stale"],
        sort=v["sort"],
        limit=v["limit"],
        offset=v["offset"],
        fmt=v["fmt"],
        json_flag=v["json_flag"],
        segment=v["segment"],
        fields=v["field"],
        min_value=v["min_value"],
    )


def _contact_show(v: Values) -> None:
    from minicrm.cli import reads

    reads.contact_show(v["ref"], fmt=v["fmt"], json_flag=v["json_flag"])


def _contact_add(v: Values) -> None:
    from minicrm.cli import writes

    writes.contact_add(**v)  # the same names as the Typer command's


def _followup_done(v: Values) -> None:
    from minicrm.cli import writes

    writes.followup_done(
        v["followup_ids"], if_version=v["if_version"], fmt=v["fmt"], json_flag=v["json_flag"]
    )


def _tui(v: Values) -> None:
    """The full-screen app: Typer and the command tree would come before its first paint."""
    from minicrm.cli.state import open_tui

    open_tui(v["screen"])


#: the hot commands: their words → what runs them (``tests/test_hygiene`` reads the words)
_COMMANDS: dict[tuple[str, ...], Callable[[Values], None]] = {
    ("due",): _due,
    ("next",): _next,
    ("search",): _search,
    ("contact", "list"): _contact_list,
    ("contact", "show"): _contact_show,
    ("contact", "add"): _contact_add,
    ("followup", "done"): _followup_done,
    ("tui",): _tui,
}
_COMMANDS.update(report_fast.COMMANDS)  # the board and the sales reports


def _split_globals(args: list[str]) -> tuple[dict[str, str], list[str]] | None:
    """Leading ``--db X`` / ``--as U`` (also ``--db=X``); None when something else leads."""
    found: dict[str, str] = {}
    i = 0
    while i < len(args) and args[i].startswith("-"):
        name, eq, value = args[i].partition("=")
        if name not in ("--db", "--as"):
            return None
        if not eq:
            if i + 1 >= len(args):
                return None
            value = args[i + 1]
            i += 1
        found[name] = value
        i += 1
    return found, args[i:]


def try_run(args: list[str]) -> int | None:
    """Run a hot command and return its exit code, or None to let Typer handle ``args``."""
    split = _split_globals(args)
    if split is None:
        return None
    options, rest = split
    if any(a in ("-h", "--help", "--version") for a in rest):
        return None
    words: tuple[str, ...] | None = ("tui",)
    if rest:
        words = match(rest, _COMMANDS)
    elif not (sys.stdin.isatty() and sys.stdout.isatty()):
        return None  # a bare ``minicrm``: the TUI on a terminal, Typer's help otherwise
    if words is None:
        return None
    try:
        values = parse(SPELLINGS[words], rest[len(words) :])
    except Fallback:
        return None
    caller = _COMMANDS[words]
    return execute(options, lambda: caller(values))


def match(rest: list[str], table: Any) -> tuple[str, ...] | None:
    """The longest key of ``table`` (command words) that ``rest`` starts with."""
    best: tuple[str, ...] | None = None
    for words in table:
        if tuple(rest[: len(words)]) == words and (best is None or len(words) > len(best)):
            best = words
    return best


def execute(options: dict[str, str], action: Callable[[], object]) -> int:
    """Run ``action`` with the global options set as the root command sets them; errors end
    the way they do on the Typer path (``minicrm.cli.errors.exit_code_for``)."""
    import os

    from minicrm.cli.errors import HANDLED, ExitCode, exit_code_for
    from minicrm.cli.state import GLOBALS

    GLOBALS.db = options.get("--db") or os.environ.get("MINICRM_DB") or None
    GLOBALS.user = options.get("--as") or os.environ.get("MINICRM_USER") or None
    try:
        code = action()
        sys.stdout.flush()
    except HANDLED as exc:
        return exit_code_for(exc)
    return code if isinstance(code, int) else ExitCode.OK
