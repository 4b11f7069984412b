"""The fast path: ``due``, ``next``, ``search``, ``contact list``, ``contact show``, the writes
``contact add`` and ``followup done``, and ``tui`` (or a bare ``minicrm`` on a terminal) without
Typer.

Importing Typer and building the whole command tree costs more than these commands may take
(SPEC §7: ≤ 150 ms at 100k contacts). For exactly these commands, a strict little parser
(``minicrm.cli.argv``) reads the same options and calls the same functions (``minicrm.cli.reads``)
as the Typer commands. Anything it
does not fully understand (``--help``, a typo, a bad value) falls back to Typer, which gives the
usual help and usage errors. ``tests/test_fast_path.py`` checks both paths print the same.
"""

from __future__ import annotations

import sys

from minicrm.cli import report_fast
from minicrm.cli.argv import Fallback, Parser

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from collections.abc import Callable


def _positive(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError(text)
    return value


def _due(args: list[str]) -> Callable[[], None]:
    p = Parser().formats()
    p.value("--within")
    p.value("--owner")
    p.flag("--all", "--everyone", dest="all_")
    p.flag("--since-last-run", dest="since_last_run")
    ns = p.parse(args)
    from minicrm.cli import reads

    return lambda: reads.due(
        within=ns.within,
        owner=ns.owner,
        everyone=ns.all_,
        fmt=ns.fmt,
        json_flag=ns.json_flag,
        since_last_run=ns.since_last_run,
    )


def _next(args: list[str]) -> Callable[[], None]:
    p = Parser().formats()
    p.value("--limit", "-n", convert=int, default=10)
    p.flag("--explain")
    p.value("--owner")
    p.flag("--all", dest="all_")
    ns = p.parse(args)
    if ns.limit < 1:
        raise Fallback("limit")
    from minicrm.cli import next_actions

    owner = None if ns.all_ else ns.owner
    return lambda: next_actions.next_actions(
        limit=ns.limit, explain=ns.explain, owner=owner, fmt=ns.fmt, json_flag=ns.json_flag
    )


def _search(args: list[str]) -> Callable[[], None]:
    p = Parser().formats()
    p.positional("query")
    p.many("--type", dest="types")
    p.value("--limit", "-n", convert=int, default=50)
    ns = p.parse(args)
    if ns.limit < 1:
        raise Fallback("limit")
    from minicrm.cli import reads

    return lambda: reads.search(ns.query, types=ns.types, limit=ns.limit, fmt=ns.fmt, json_flag=ns.json_flag)


def _contact_list(args: list[str]) -> Callable[[], None]:
    p = Parser().formats()
    p.many("--tag", "-t", dest="tags")
    p.value("--company", "-c")
    p.value("--status")
    p.value("--owner")
    p.flag("--all", "--everyone", dest="all_")
    p.value("--search", "-s")
    p.value("--stale")
    p.value("--sort", default="name")
    p.value("--limit", "-n", convert=_positive)
    p.value("--offset", convert=_positive, default=0)
    p.value("--segment")
    p.many("--field", dest="fields")
    p.value("--min-value", dest="min_value")
    ns = p.parse(args)
    from minicrm.cli import reads

    return lambda: reads.contact_list(
        tags=ns.tags,
        company=ns.company,
        status=ns.status,
        owner=ns.owner,
        everyone=ns.all_,
        search=ns.search,
        stale=ns.stale,
        sort=ns.sort,
        limit=ns.limit,
        offset=ns.offset,
        fmt=ns.fmt,
        json_flag=ns.json_flag,
        segment=ns.segment,
        fields=ns.fields,
        min_value=ns.min_value,
    )


def _contact_show(args: list[str]) -> Callable[[], None]:
    p = Parser().formats()
    p.positional("ref")
    ns = p.parse(args)
    from minicrm.cli import reads

    return lambda: reads.contact_show(ns.ref, fmt=ns.fmt, json_flag=ns.json_flag)


def _contact_add(args: list[str]) -> Callable[[], None]:
    p = Parser().formats()
    p.positional("name")
    for flag, short in (("--email", "-e"), ("--phone", "-p"), ("--tag", "-t")):
        p.many(flag, short, dest=flag[2:])
    p.many("--field")
    p.value("--company", "-c")
    for flag in (
        "--title",
        "--status",
        "--source",
        "--owner",
        "--every",
        "--given-name",
        "--family-name",
        "--street",
        "--city",
        "--region",
        "--postcode",
        "--country",
    ):
        p.value(flag)
    p.flag("--allow-duplicate")
    ns = p.parse(args)
    from minicrm.cli import writes

    return lambda: writes.contact_add(
        ns.name,
        email=ns.email,
        phone=ns.phone,
        company=ns.company,
        title=ns.title,
        tag=ns.tag,
        status=ns.status,
        source=ns.source,
        owner=ns.owner,
        every=ns.every,
        field=ns.field,
        given_name=ns.given_name,
        family_name=ns.family_name,
        street=ns.street,
        city=ns.city,
        region=ns.region,
        postcode=ns.postcode,
        country=ns.country,
        allow_duplicate=ns.allow_duplicate,
        fmt=ns.fmt,
        json_flag=ns.json_flag,
    )


def _followup_done(args: list[str]) -> Callable[[], None]:
    p = Parser().formats()
    p.positional("ids", nargs_plus=True)
    ns = p.parse(args)
    from minicrm.cli import writes

    return lambda: writes.followup_done(ns.ids, fmt=ns.fmt, json_flag=ns.json_flag)


def _tui(args: list[str]) -> Callable[[], None]:
    """The full-screen app: Typer and the command tree would come before its first paint."""
    p = Parser()
    p.value("--screen", default="today")
    ns = p.parse(args)

    def run() -> None:
        from minicrm.cli.state import open_tui

        open_tui(ns.screen)

    return run


_COMMANDS: dict[tuple[str, ...], Callable[[list[str]], Callable[[], None]]] = {
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
    if not rest:  # a bare ``minicrm``: the TUI on a terminal, Typer's help otherwise
        return _execute(options, _tui([])) if sys.stdin.isatty() and sys.stdout.isatty() else None
    for words, build in _COMMANDS.items():
        if tuple(rest[: len(words)]) == words:
            try:
                action = build(rest[len(words) :])
            except Fallback:
                return None
            return _execute(options, action)
    return None


def _execute(options: dict[str, str], action: Callable[[], None]) -> int:
    import os

    from minicrm.cli.errors import ExitCode, report
    from minicrm.cli.state import GLOBALS
    from minicrm.errors import MinicrmError

    GLOBALS.db = options.get("--db") or os.environ.get("MINICRM_DB") or None
    GLOBALS.user = options.get("--as") or os.environ.get("MINICRM_USER") or None
    try:
        action()
        sys.stdout.flush()
    except MinicrmError as exc:
        return report(exc)
    except KeyboardInterrupt:
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return ExitCode.OK
    return ExitCode.OK
