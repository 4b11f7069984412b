"""``minicrm pipeline`` (the board) and ``minicrm pipeline stages``."""

from __future__ import annotations

from typing import Annotated

import typer

from minicrm.cli import report_views
from minicrm.cli.options import AllOpt, FormatOpt, JsonOpt, OwnerOpt

app = typer.Typer(
    help="The deal pipeline: the board (no subcommand) and its stages.", invoke_without_command=True
)

PipelineOpt = Annotated[
    str | None, typer.Option("--pipeline", "-p", help="Which pipeline (default: the first configured).")
]
LimitOpt = Annotated[
    int, typer.Option("--limit", "-n", min=0, help="Deals listed per stage (the most valuable first).")
]


@app.callback()
def board(
    ctx: typer.Context,
    pipeline: PipelineOpt = None,
    owner: OwnerOpt = None,
    all_: AllOpt = False,
    limit: LimitOpt = 10,
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """The board: one column per stage with its count, total and weighted value per currency, and
    its deals (stale ones marked). Deals in stages no longer configured get a column of their own."""
    if ctx.invoked_subcommand is not None:
        return
    report_views.show_board(
        pipeline=pipeline, owner=None if all_ else owner, limit=limit, fmt=fmt, json_flag=json_flag
    )


@app.command("stages")
def stages(fmt: FormatOpt = None, json_flag: JsonOpt = False) -> None:
    """The configured pipelines and stages: probability, idle days, open deals.

    Also lists any stage that open deals are in but the config no longer has."""
    report_views.show_stages(fmt=fmt, json_flag=json_flag)
