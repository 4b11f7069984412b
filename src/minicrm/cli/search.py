"""``minicrm search``"""

from __future__ import annotations

from typing import Annotated

import typer

from minicrm.cli import reads
from minicrm.cli.options import FormatOpt, JsonOpt


def search(
    query: Annotated[
        str, typer.Argument(help="Words to find in names, emails, phones, companies, deals and notes.")
    ],
    type_: Annotated[
        list[str] | None, typer.Option("--type", help="Only contact, company, deal or note (repeatable).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="At most N results.")] = 50,
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """Search everything. Every word must appear; the text is taken literally."""
    reads.search(query, types=type_ or [], limit=limit, fmt=fmt, json_flag=json_flag)
