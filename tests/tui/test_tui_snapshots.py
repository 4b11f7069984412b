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


#: a dialog or sheet over a record whose text is markup or terminal control: (screen, keys)
HOSTILE_DIALOGS = {
    "contact-edit": ("contacts", ("e",)),
    "contact-delete": ("contacts", ("x",)),
    "contact-note": ("contacts", ("n",)),
    "contact-followup": ("contacts", ("f",)),
    "contact-tags": ("contacts", ("t",)),
    "contact-deals": ("contacts", ("d",)),
    "contact-filter": ("contacts", ("F",)),
    "deal-detail": ("pipeline", ("j", "o")),  # the lead column's second: QuitCorp
    "deal-won": ("pipeline", ("right", "w")),  # qualified's first: Broken [/oops] Co
    "deal-lost": ("pipeline", ("right", "x")),
    "followup-snooze": ("followups", ("s",)),
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("dialog", HOSTILE_DIALOGS)
def test_dialog_over_hostile_text(dialog: str, size: str, snap_compare: Any) -> None:
    """Every dialog shows a hostile name, company, title or text literally, at both sizes (the
    first contact of the list is ``\\x1b]0;PWNED\\x07Eve Title`` of ``Broken [/oops] Co``)."""
    with open_context() as ctx:
        seed(ctx)
        seed_hostile(ctx)
    screen, keys = HOSTILE_DIALOGS[dialog]

    async def open_it(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)
        for box in pilot.app.screen.query("Input, TextArea"):
            box.cursor_blink = False  # a blinking cursor would make the picture depend on timing
        await pilot.pause()
        assert pilot.app.is_running

    assert snap_compare(MinicrmApp(screen=screen), terminal_size=SIZES[size], run_before=open_it)
