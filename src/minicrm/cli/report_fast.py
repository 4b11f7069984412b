"""The fast path of the board and the sales reports (see ``minicrm.cli.fast``).

A report must answer cold in ≤ 300 ms over 100k deals (SPEC §7); importing Typer alone costs most
of that. These argparse builders read the same options as ``cli/pipeline.py`` and
``cli/report.py`` and call the same functions (``cli/report_views.py``); anything unusual falls
back to Typer.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import NoReturn

Action = Callable[[], None]


class Fallback(Exception):
    """Let Typer handle these arguments (help, usage errors)."""


class _Parser(argparse.ArgumentParser):
    def __init__(self) -> None:
        super().__init__(add_help=False, allow_abbrev=False, exit_on_error=False)
        self.add_argument("--format", "-f", dest="fmt")
        self.add_argument("--json", dest="json_flag", action="store_true")

    def error(self, message: str) -> NoReturn:
        raise Fallback(message)


def _limit(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError(text)
    return value


def _board(args: list[str]) -> Action:
    p = _Parser()
    p.add_argument("--pipeline", "-p")
    p.add_argument("--owner")
    p.add_argument("--all", dest="all_", action="store_true")
    p.add_argument("--limit", "-n", type=_limit, default=10)
    ns = p.parse_args(args)
    from minicrm.cli import report_views

    return lambda: report_views.show_board(
        pipeline=ns.pipeline,
        owner=None if ns.all_ else ns.owner,
        limit=ns.limit,
        fmt=ns.fmt,
        json_flag=ns.json_flag,
    )


def _stages(args: list[str]) -> Action:
    ns = _Parser().parse_args(args)
    from minicrm.cli import report_views

    return lambda: report_views.show_stages(fmt=ns.fmt, json_flag=ns.json_flag)


def _report(kind: str) -> Callable[[list[str]], Action]:
    def build(args: list[str]) -> Action:
        p = _Parser()
        p.add_argument("--from", dest="start")
        p.add_argument("--to", dest="end")
        p.add_argument("--owner")
        p.add_argument("--pipeline", "-p")
        ns = p.parse_args(args)
        from minicrm.cli import report_views

        return lambda: report_views.show_report(
            kind,
            start=ns.start,
            end=ns.end,
            owner=ns.owner,
            pipeline=ns.pipeline,
            fmt=ns.fmt,
            json_flag=ns.json_flag,
        )

    return build


#: command words → builder; ``pipeline stages`` comes before ``pipeline`` so that it matches first.
COMMANDS: dict[tuple[str, ...], Callable[[list[str]], Action]] = {
    ("pipeline", "stages"): _stages,
    ("pipeline",): _board,
    **{
        ("report", kind): _report(kind)
        for kind in ("pipeline", "forecast", "winrate", "conversion", "activity")
    },
}
