"""``minicrm tui``: the full-screen app."""

from __future__ import annotations

from typing import Annotated

import typer


def tui(
    screen: Annotated[
        str | None,
        typer.Option(
            "--screen",
            help="The screen to open on: today, contacts, pipeline, followups "
            "(default: the one set in the app's settings, else today).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Open the full-screen app: Today, Contacts, Pipeline, Follow-ups (keys: 1-4, /, ?, ctrl+p, q)."""
    from minicrm.cli.state import open_tui

    open_tui(screen)
