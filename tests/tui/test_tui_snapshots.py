"""Snapshots of each screen at 80×24 and 120×40, with the fixed dataset and with hostile and long
text (markup, control sequences, very long names), under the pinned clock.

Update after an intended change: ``pytest tests/tui/test_tui_snapshots.py --snapshot-update``."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Input
from tui_dataset import seed, seed_hostile

from conftest import settle
from minicrm.services.kernel.context import open_context
from minicrm.tui.app import MinicrmApp

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}
SCREENS = ["today", "contacts", "pipeline", "followups"]


async def ready(pilot: Any) -> None:
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("screen", SCREENS)
def test_screen(screen: str, size: str, seeded: Any, snap_compare: Any) -> None:
    assert snap_compare(MinicrmApp(screen=screen), terminal_size=SIZES[size], run_before=ready)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("screen", SCREENS)
def test_screen_with_hostile_and_long_text(screen: str, size: str, snap_compare: Any) -> None:
    with open_context() as ctx:
        seed(ctx)
        seed_hostile(ctx)
    assert snap_compare(MinicrmApp(screen=screen), terminal_size=SIZES[size], run_before=ready)


def test_contact_form_shows_errors_beside_the_fields(seeded: Any, snap_compare: Any) -> None:
    async def fill(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False  # a blinking cursor would make the picture depend on timing
        await pilot.press("Z", "o", "e", "tab", "z", "o", "e", "@", "tab", "a", "b", "c")
        await settle(pilot)

    assert snap_compare(MinicrmApp(screen="contacts"), terminal_size=(120, 40), run_before=fill)
