"""The fast path: ``due``, ``next``, ``search``, ``contact list``, ``contact show`` and the writes
``contact add`` and ``followup done`` without Typer.

Importing Typer and building the whole command tree costs more than these commands may take
(SPEC §7: ≤ 150 ms at 100k contacts). For exactly these commands, argparse reads the same
options and calls the same functions (``minicrm.cli.reads``) as the Typer commands. Anything it
does not fully understand (``--help``, a typo, a bad value) falls back to Typer, which gives the
usual help and usage errors. ``tests/test_fast_path.py`` checks both paths print the same.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import NoReturn

from minicrm.cli import report_fast


class _Fallback(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def __init__(self) -> None:
        super().__init__(add_help=False, allow_abbrev=False, exit_on_error=False)

    def error(self, message: str) -> NoReturn:
        raise _Fallback(message)


def _with_format(parser: _Parser) -> _Parser:
    parser.add_argument("--format", "-f", dest="fmt")
    parser.add_argument("--json", dest="json_flag", action="store_true")
    return parser


def _positive(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError(text)
    return value


def _due(args: list[str]) -> Callable[[], None]:
    p = _with_format(_Parser())
    p.add_argument("--within")
    p.add_argument("--owner")
    p.add_argument("--all", "--everyone", dest="all_", action="store_true")
    p.add_argument("--since-last-run", dest="since_last_run", action="store_true")
    ns = p.parse_args(args)
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
    p = _with_format(_Parser())
    p.add_argument("--limit", "-n", type=int, default=10)
    p.add_argument("--explain", action="store_true")
    p.add_argument("--owner")
    p.add_argument("--all", dest="all_", action="store_true")
    ns = p.parse_args(args)
    if ns.limit < 1:
        raise _Fallback("limit")
    from minicrm.cli import next_actions

    owner = None if ns.all_ else ns.owner
    return lambda: next_actions.next_actions(
        limit=ns.limit, explain=ns.explain, owner=owner, fmt=ns.fmt, json_flag=ns.json_flag
    )


def _search(args: list[str]) -> Callable[[], None]:
    p = _with_format(_Parser())
    p.add_argument("query")
    p.add_argument("--type", dest="types", action="append", default=[])
    p.add_argument("--limit", "-n", type=int, default=50)
    ns = p.parse_args(args)
    if ns.limit < 1:
        raise _Fallback("limit")
    from minicrm.cli import reads

    return lambda: reads.search(ns.query, types=ns.types, limit=ns.limit, fmt=ns.fmt, json_flag=ns.json_flag)


def _glue(args: list[str], option: str) -> list[str]:
    """``--sort -id`` as ``--sort=-id``: argparse would take ``-id`` for an option."""
    out: list[str] = []
    i = 0
    while i < len(args):
        if args[i] == option and i + 1 < len(args):
            out.append(f"{option}={args[i + 1]}")
            i += 2
        else:
            out.append(args[i])
            i += 1
    return out


def _contact_list(args: list[str]) -> Callable[[], None]:
    p = _with_format(_Parser())
    p.add_argument("--tag", "-t", dest="tags", action="append", default=[])
    p.add_argument("--company", "-c")
    p.add_argument("--status")
    p.add_argument("--owner")
    p.add_argument("--all", "--everyone", dest="all_", action="store_true")
    p.add_argument("--search", "-s")
    p.add_argument("--stale")
    p.add_argument("--sort", default="name")
    p.add_argument("--limit", "-n", type=_positive)
    p.add_argument("--offset", type=_positive, default=0)
    p.add_argument("--segment")
    p.add_argument("--field", dest="fields", action="append", default=[])
    p.add_argument("--min-value", dest="min_value")
    ns = p.parse_args(_glue(args, "--sort"))
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
    p = _with_format(_Parser())
    p.add_argument("ref")
    ns = p.parse_args(args)
    from minicrm.cli import reads

    return lambda: reads.contact_show(ns.ref, fmt=ns.fmt, json_flag=ns.json_flag)


def _contact_add(args: list[str]) -> Callable[[], None]:
    p = _with_format(_Parser())
    p.add_argument("name")
    for flag, short in (("--email", "-e"), ("--phone", "-p"), ("--tag", "-t")):
        p.add_argument(flag, short, action="append")
    p.add_argument("--field", action="append")
    p.add_argument("--company", "-c")
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
        p.add_argument(flag)
    p.add_argument("--allow-duplicate", action="store_true")
    ns = p.parse_args(args)
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
    p = _with_format(_Parser())
    p.add_argument("ids", nargs="+")
    ns = p.parse_args(args)
    from minicrm.cli import writes

    return lambda: writes.followup_done(ns.ids, fmt=ns.fmt, json_flag=ns.json_flag)


_COMMANDS: dict[tuple[str, ...], Callable[[list[str]], Callable[[], None]]] = {
    ("due",): _due,
    ("next",): _next,
    ("search",): _search,
    ("contact", "list"): _contact_list,
    ("contact", "show"): _contact_show,
    ("contact", "add"): _contact_add,
    ("followup", "done"): _followup_done,
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
    for words, build in _COMMANDS.items():
        if tuple(rest[: len(words)]) == words:
            try:
                action = build(rest[len(words) :])
            except (_Fallback, report_fast.Fallback, argparse.ArgumentError, ValueError):
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
