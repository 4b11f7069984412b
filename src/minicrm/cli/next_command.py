"""The Typer face of ``minicrm next`` (the work is in ``minicrm.cli.next_actions``, shared with
the fast path)."""

from __future__ import annotations

from typing import Annotated

import typer

from minicrm.cli import next_actions
from minicrm.cli.options import AllOpt, FormatOpt, JsonOpt, OwnerOpt


def next_(
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many suggestions.")] = 10,
    explain: Annotated[bool, typer.Option("--explain", help="Show every part of each score.")] = False,
    owner: OwnerOpt = None,
    all_: AllOpt = False,
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """What to do now, most urgent first.

    Overdue follow-ups, deals closing or gone quiet, and people to get back to, ranked by an
    urgency score. Its weights are `weights` in the config's `next` table; --explain shows how
    each score is made."""
    next_actions.next_actions(
        limit=limit, explain=explain, owner=None if all_ else owner, fmt=fmt, json_flag=json_flag
    )
