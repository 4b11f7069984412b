"""Screens never go stale: a screen switched to is read again, and a change made outside the app
(the CLI, a teammate) shows while a screen is open, with the cursor on the same record."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from conftest import settle
from minicrm.services.contacts import commands as contacts
from minicrm.services.deals import commands as deals
from minicrm.services.dto import ContactCreate
from minicrm.services.followups import commands as followups
from minicrm.tui import app as tui_app
from minicrm.tui.app import MinicrmApp
from minicrm.tui.screens.contacts import ContactsScreen
from minicrm.tui.screens.pipeline import PipelineScreen
from minicrm.tui.screens.today import TodayScreen
from minicrm.tui.virtual_list import VirtualList

SIZE = (120, 40)


@pytest.fixture
def fast_poll(monkeypatch: Any) -> None:
    monkeypatch.setattr(tui_app, "POLL_SECONDS", 0.05)


async def wait_for(pilot: Any, condition: Any, seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.05)):
        await settle(pilot)
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the screen did not catch up")


def today_ids(screen: TodayScreen) -> list[str]:
    agenda = screen.query_one("#agenda")
    return [agenda.get_option_at_index(i).id or "" for i in range(agenda.option_count)]  # type: ignore[attr-defined]


async def test_a_follow_up_done_on_follow_ups_leaves_today(seeded: Any) -> None:
    app = MinicrmApp(screen="today")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        today = app.screen
        assert isinstance(today, TodayScreen)
        assert any(i.startswith("followup:") for i in today_ids(today))
        first = today_ids(today)[1]
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("d")  # the overdue one, also first on Today
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        assert app.screen is today
        assert first not in today_ids(today)


async def test_a_contact_added_elsewhere_shows_without_refresh_and_the_cursor_stays_put(
    seeded: Any, check: Any, fast_poll: None
) -> None:
    app = MinicrmApp(screen="contacts")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ContactsScreen)
        rows = screen.query_one("#rows", VirtualList)
        await pilot.press("down", "down")  # Carla Mendes
        await settle(pilot)
        assert rows.current.name == "Carla Mendes"
        contacts.add(check(), ContactCreate(name="Aaron Abbot"))  # sorts first, before Carla
        await wait_for(pilot, lambda: rows.total == 6)
        assert rows.current.name == "Carla Mendes" and rows.cursor == 3


async def test_a_deal_moved_elsewhere_moves_on_the_open_board(
    seeded: dict[str, int], check: Any, fast_poll: None
) -> None:
    app = MinicrmApp(screen="pipeline")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PipelineScreen)
        deals.move(check(), seeded["Globex pilot"], "proposal")

        def moved() -> bool:
            board = screen.board
            return board is not None and seeded["Globex pilot"] in [d.id for d in board.columns["proposal"]]

        await wait_for(pilot, moved)


async def test_a_follow_up_done_elsewhere_leaves_the_open_agenda(
    seeded: Any, check: Any, fast_poll: None
) -> None:
    app = MinicrmApp(screen="followups")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        ctx = check()
        first = next(f for f in followups.list_followups(ctx, "open") if f.title == "Send the proposal")
        followups.done(ctx, [first.id])
        await wait_for(pilot, lambda: first.id not in screen.items)  # type: ignore[attr-defined]
