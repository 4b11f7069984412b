"""The fast path of the board and the sales reports (see ``minicrm.cli.fast``).

A report must answer cold in ≤ 300 ms over 100k deals (SPEC §7); importing Typer alone costs most
of that. These callers do what ``cli/pipeline.py`` and ``cli/report.py`` do, with the options
those declare (read from ``minicrm.cli.spellings``), and call the same functions
(``cli/report_views.py``); anything unusual falls back to Typer.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    Values = dict[str, Any]


def _board(v: Values) -> None:
    from minicrm.cli import report_views

    report_views.show_board(
        pipeline=v["pipeline"],
        owner=None if v["all_"] else v["owner"],
        limit=v["limit"],
        fmt=v["fmt"],
        json_flag=v["json_flag"],
    )


def _stages(v: Values) -> None:
    from minicrm.cli import report_views

    report_views.show_stages(fmt=v["fmt"], json_flag=v["json_flag"])


def _report(kind: str) -> Callable[[Values], None]:
    def run(v: Values) -> None:
        from minicrm.cli import report_views

        report_views.show_report(kind, **v)  # the same names as the Typer command's

    return run


#: command words → caller (``pipeline stages`` is matched before ``pipeline``: the longest wins)
COMMANDS: dict[tuple[str, ...], Callable[[Values], None]] = {
    ("pipeline", "stages"): _stages,
    ("pipeline",): _board,
    **{
        ("report", kind): _report(kind)
        for kind in ("pipeline", "forecast", "winrate", "conversion", "activity")
    },
}
