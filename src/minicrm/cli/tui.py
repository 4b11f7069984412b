"""``minicrm tui``: the full-screen app."""

from __future__ import annotations


def tui() -> None:
    """Open the full-screen app: Today, Contacts, Pipeline, Follow-ups (keys: 1-4, /, ?, ctrl+p, q)."""
    from minicrm.tui.app import run_tui

    run_tui()
