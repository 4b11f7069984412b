""" "/" focuses the filter from any screen, and every key typed after it reaches the filter, however
fast: right after start-up, before any data has loaded, in one burst from the terminal."""

from __future__ import annotations

from typing import Any

import pytest
from textual import events
from textual.widgets import Input

from conftest import settle
from minicrm.services.contacts import commands as contacts
from minicrm.services.dto import ContactCreate
from minicrm.services.kernel.context import open_context
from minicrm.tui.app import MinicrmApp
from minicrm.tui.screens.contacts import ContactsScreen
from minicrm.tui.virtual_list import VirtualList

SIZE = (80, 24)


@pytest.fixture
def people() -> None:
    with open_context() as ctx:
        for name in ("Quentin Blake", "Xavier Dolan", "Anna Karina", "Dana Scully"):
            contacts.add(ctx, ContactCreate(name=name))


async def _filter_after(screen: str, typed: str, *, burst: bool) -> tuple[MinicrmApp, str, int]:
    app = MinicrmApp(screen=screen)
    async with app.run_test(size=SIZE) as pilot:
        keys = ["slash" if ch == "/" else ch for ch in typed]
        if burst:  # as a terminal delivers it: all queued before the first is handled
            for key, ch in zip(keys, typed, strict=True):
                app.post_message(events.Key(key, ch))
        else:
            await pilot.press(*keys)  # straight after start-up: nothing has loaded yet
        await settle(pilot)
        assert app.is_running
        assert isinstance(app.screen, ContactsScreen)
        shown = app.screen.query_one("#filter", Input).value
        rows = app.screen.query_one("#rows", VirtualList)
        assert len(app.screen_stack) == 1  # no dialog opened (Add, Delete…)
        return app, shown, rows.total


@pytest.mark.parametrize("screen", ["today", "contacts", "pipeline", "followups"])
@pytest.mark.parametrize("burst", [False, True], ids=["pressed", "burst"])
@pytest.mark.parametrize("typed", ["/quentin", "/xavier", "/anna"])
async def test_keys_typed_right_after_the_slash_all_reach_the_filter(
    people: Any, screen: str, burst: bool, typed: str
) -> None:
    _app, shown, total = await _filter_after(screen, typed, burst=burst)
    assert shown == typed[1:]
    assert total == 1


async def test_a_slash_inside_the_filter_is_typed(people: Any) -> None:
    _app, shown, _total = await _filter_after("contacts", "/a/b", burst=False)
    assert shown == "a/b"


async def test_backspace_and_escape_after_the_slash_act_on_the_filter(people: Any) -> None:
    app = MinicrmApp(screen="today")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", "x", "y", "backspace", "a")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ContactsScreen)
        assert screen.query_one("#filter", Input).value == "xa"
        await pilot.press("escape")
        await settle(pilot)
        assert screen.query_one("#filter", Input).value == ""
        assert app.focused is screen.query_one("#rows")
