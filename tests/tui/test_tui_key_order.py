"""Keys act in the order they were typed, each on the screen the key before it left: esc then 3
typed at once (one read from the terminal) closes the dialog, then switches to the pipeline."""

from __future__ import annotations

from typing import Any

import pytest
from textual import events

from conftest import settle
from minicrm.tui.app import MinicrmApp
from minicrm.tui.esc_keys import EscThenKeyParser
from minicrm.tui.modals import ContactModal
from minicrm.tui.screens.followups import FollowupsScreen
from minicrm.tui.screens.pipeline import PipelineScreen


def keys(data: str) -> list[tuple[str, str | None]]:
    return [(t.key, t.character) for t in EscThenKeyParser().feed(data) if isinstance(t, events.Key)]


@pytest.mark.parametrize(
    ("data", "read"),
    [
        ("\x1b3", [("escape", "\x1b"), ("3", "3")]),  # Textual alone: one key, "£"
        ("\x1bq", [("escape", "\x1b"), ("q", "q")]),  # Textual alone: alt+q, once more comes
        ("\x1b[A", [("up", None)]),  # escape codes are read as before
        ("\x1bOP", [("f1", None)]),
        ("\x1bf", [("ctrl+right", None)]),  # a word move in a text field, as Textual names it
    ],
)
def test_esc_then_a_key_in_one_read_is_two_keys(data: str, read: list[tuple[str, str | None]]) -> None:
    assert keys(data) == read


def burst(app: Any, *typed: str) -> None:
    """Keys as a terminal delivers them in one read: all queued before the first is handled."""
    for key in typed:
        app.post_message(events.Key(key, "\x1b" if key == "escape" else key))


async def typed_out(pilot: Any) -> None:
    """Wait until every key of a burst has been handled (``KeyOrder`` holds none, has none on
    its way and is not waiting for a screen), then for what they started: a fixed number of
    pauses was too few on a loaded machine, where a screen takes longer to read its data."""
    import asyncio

    order = pilot.app._keys
    for _ in range(1500):  # 30 s at most
        await settle(pilot)
        if not order.held and order.in_flight is None and order._retry is None:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"keys still held after 30 s: {[k.key for k in order.held]}")


@pytest.fixture(autouse=True)
def patient(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keys wait for their screen as long as it takes: what these tests check is the order, and
    on a loaded machine (PostgreSQL under CI) a screen took longer than ``SCREEN_PATIENCE``, the
    cap after which a key goes anyway."""
    from minicrm.tui import key_order

    monkeypatch.setattr(key_order, "SCREEN_PATIENCE", 30.0)


async def test_esc_then_a_screen_key_closes_the_dialog_then_switches(seeded: Any) -> None:
    app = MinicrmApp(screen="contacts")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ContactModal)
        name = app.screen.value("name")
        burst(app, "escape", "3")
        await typed_out(pilot)
        assert isinstance(app.screen, PipelineScreen)
        burst(app, "2", "e", "escape", "4")
        await typed_out(pilot)
        assert isinstance(app.screen, FollowupsScreen)
        await pilot.press("2", "e")
        await settle(pilot)
        assert isinstance(app.screen, ContactModal)
        assert app.screen.value("name") == name  # nothing was typed into the form meanwhile


async def test_keys_typed_while_a_screen_loads_act_on_what_it_shows(seeded: dict[str, int]) -> None:
    """'3 → o' typed at once: the board is read, then the second column's deal opens."""
    from minicrm.tui.screens.deal import DealScreen

    app = MinicrmApp(screen="today")
    async with app.run_test(size=(120, 40)) as pilot:
        burst(app, "3", "right", "o")
        await typed_out(pilot)
        assert isinstance(app.screen, DealScreen)
        assert app.screen.deal_id == seeded["Acme add-on"]  # qualified's first deal
