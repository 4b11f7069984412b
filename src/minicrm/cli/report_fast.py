"""The fast path of the board and the sales reports (see ``minicrm.cli.fast``).

A report must answer cold in ≤ 300 ms over 100k deals (SPEC §7); importing Typer alone costs most
of that. These builders (``minicrm.cli.argv``) read the same options as ``cli/pipeline.py`` and
``cli/report.py`` and call the same functions (``cli/report_views.py``); anything unusual falls
back to Typer.
"""

from __future__ import annotations

from collections.abc import Callable

from minicrm.cli.argv import Parser

Action = Callable[[], None]


def _limit(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError(text)
    return value


def _board(args: list[str]) -> Action:
    p = Parser().formats()
    p.value("--pipeline", "-p")
    p.value("--owner")
    p.flag("--all", dest="all_")
    p.value("--limit", "-n", convert=_limit, default=10)
    ns = p.parse(args)
    from minicrm.cli import report_views

    return lambda: report_views.show_board(
        pipeline=ns.pipeline,
        owner=None if ns.all_ else ns.owner,
        limit=ns.limit,
        fmt=ns.fmt,
        json_flag=ns.json_flag,
    )


def _stages(args: list[str]) -> Action:
    ns = Parser().formats().parse(args)
    from minicrm.cli import report_views

    return lambda: report_views.show_stages(fmt=ns.fmt, json_flag=ns.json_flag)


def _report(kind: str) -> Callable[[list[str]], Action]:
    def build(args: list[str]) -> Action:
        p = Parser().formats()
        p.value("--from", dest="start")
        p.value("--to", dest="end")
        p.value("--owner")
        p.value("--pipeline", "-p")
        ns = p.parse(args)
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
