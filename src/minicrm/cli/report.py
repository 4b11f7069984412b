"""``minicrm report pipeline|forecast|winrate|conversion|activity``"""

from __future__ import annotations

from typing import Annotated

import typer

from minicrm.cli import report_views
from minicrm.cli.options import FormatOpt, HeaderOpt, JsonOpt

app = typer.Typer(
    help="Sales reports. Amounts in different currencies are never added together.", no_args_is_help=True
)

FromOpt = Annotated[
    str | None, typer.Option("--from", help="From this date (inclusive), e.g. 2026-01-01 or 'in 3 days'.")
]
ToOpt = Annotated[str | None, typer.Option("--to", help="Up to this date (inclusive).")]
OwnerOpt = Annotated[
    str | None, typer.Option("--owner", help="Only this user's deals (activity: interactions by them).")
]
PipelineOpt = Annotated[str | None, typer.Option("--pipeline", "-p", help="Which pipeline.")]

_HELP = {
    "pipeline": "Open deals per stage: count, value, weighted value, average age, stale count. "
    "--from/--to bound the expected close date; --pipeline defaults to the first.",
    "forecast": "Open deals by month of expected close: weighted and best case (a bar chart on a terminal). "
    "--from/--to bound the expected close date.",
    "winrate": "Won and lost deals: counts, values, win rate, average sales cycle, lost reasons ranked. "
    "--from/--to bound the closing date.",
    "conversion": "Stage-to-stage conversion and average days in each stage, from the stage history. "
    "--from/--to bound the deals' creation date; --pipeline defaults to the first.",
    "activity": "Interactions by ISO week and kind. --from/--to bound when they happened "
    "(default: the last 12 weeks); --owner is their author.",
}


def _command(kind: str) -> None:
    def command(
        start: FromOpt = None,
        end: ToOpt = None,
        owner: OwnerOpt = None,
        pipeline: PipelineOpt = None,
        fmt: FormatOpt = None,
        json_flag: JsonOpt = False,
        header: HeaderOpt = False,
    ) -> None:
        report_views.show_report(
            kind,
            start=start,
            end=end,
            owner=owner,
            pipeline=pipeline,
            fmt=fmt,
            json_flag=json_flag,
            header=header,
        )

    command.__doc__ = _HELP[kind]
    app.command(kind)(command)


for _kind in report_views.REPORTS:
    _command(_kind)
