"""Snapshots of each screen at 120×40 with the fixed dataset and the pinned clock.

Update after an intended change: ``pytest tests/tui/test_tui_snapshots.py --snapshot-update``."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Input

from conftest import settle
from minicrm.tui.app import MinicrmApp

SIZE = (120, 40)


async def ready(pilot: Any) -> None:
    await settle(pilot)


@pytest.mark.parametrize("screen", ["today", "contacts", "pipeline", "followups"])
def test_screen(screen: str, seeded: Any, snap_compare: Any) -> None:
    assert snap_compare(MinicrmApp(screen=screen), terminal_size=SIZE, run_before=ready)


def test_contact_form_shows_errors_beside_the_fields(seeded: Any, snap_compare: Any) -> None:
    async def fill(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False  # a blinking cursor would make the picture depend on timing
        await pilot.press("Z", "o", "e", "tab", "z", "o", "e", "@", "tab", "a", "b", "c")
        await settle(pilot)

    assert snap_compare(MinicrmApp(screen="contacts"), terminal_size=SIZE, run_before=fill)
