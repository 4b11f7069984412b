"""The smaller defects: cursor and detail agree after Enter on Today, page keys never rest on a
section header, esc clears the filter from the list, the timeline says when it stops, j/k move
on every list, placeholders read as examples."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Input, OptionList, Static

from conftest import settle
from minicrm.services.history import interactions
from minicrm.services.history.interactions import Links
from minicrm.tui.app import MinicrmApp
from minicrm.tui.screens.contacts import PANE_TIMELINE, ContactsScreen, ContactView
from minicrm.tui.virtual_list import VirtualList

SIZE = (80, 24)


async def test_after_enter_on_today_the_list_cursor_is_on_the_contact_shown(seeded: Any) -> None:
    app = MinicrmApp(screen="today")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # the overdue follow-up with Bruno Costa
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ContactsScreen) and isinstance(screen.view, ContactView)
        rows = screen.query_one("#rows", VirtualList)
        assert screen.view.contact.name == rows.current.name == "Bruno Costa"
        await pilot.press("down")  # and the cursor carries on from there
        await settle(pilot)
        assert screen.view.contact.name == rows.current.name == "Carla Mendes"


@pytest.mark.parametrize(("screen", "ident"), [("today", "#agenda"), ("followups", "#followups")])
async def test_page_keys_never_rest_on_a_section_header(seeded: Any, screen: str, ident: str) -> None:
    app = MinicrmApp(screen=screen)
    async with app.run_test(size=(80, 12)) as pilot:
        await settle(pilot)
        agenda = app.screen.query_one(ident, OptionList)
        for key in ("pagedown", "pagedown", "pageup", "pagedown", "pageup", "pageup", "pageup"):
            await pilot.press(key)
            await pilot.pause()
            assert agenda.highlighted is not None
            assert not agenda.get_option_at_index(agenda.highlighted).disabled


@pytest.mark.parametrize(("screen", "ident"), [("today", "#agenda"), ("followups", "#followups")])
async def test_j_and_k_move_on_the_agendas(seeded: Any, screen: str, ident: str) -> None:
    app = MinicrmApp(screen=screen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        agenda = app.screen.query_one(ident, OptionList)
        first = agenda.highlighted
        await pilot.press("j")
        await pilot.pause()
        assert agenda.highlighted is not None and first is not None and agenda.highlighted > first
        await pilot.press("k")
        await pilot.pause()
        assert agenda.highlighted == first


async def test_j_and_k_move_on_the_board(seeded: Any) -> None:
    app = MinicrmApp(screen="pipeline")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("l")  # qualified: one deal; proposal…
        await settle(pilot)
        deals = app.focused
        assert isinstance(deals, OptionList)
        deals.add_option(None)
        deals.add_option("extra")
        await pilot.press("j")
        await pilot.pause()
        assert deals.highlighted == 1
        await pilot.press("k")
        await pilot.pause()
        assert deals.highlighted == 0


async def test_esc_on_the_list_clears_the_filter(seeded: Any) -> None:
    app = MinicrmApp(screen="contacts")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"zzz", "enter")  # no match; the focus back on the list
        await settle(pilot)
        screen = app.screen
        rows = screen.query_one("#rows", VirtualList)
        assert rows.total == 0 and app.focused is rows
        assert "esc to clear the filter" in str(screen.query_one("#detail", Static).render())
        await pilot.press("escape")
        await settle(pilot)
        assert screen.query_one("#filter", Input).value == "" and rows.total == 5


async def test_the_timeline_says_when_it_stops_and_m_shows_more(seeded: dict[str, int], check: Any) -> None:
    ctx = check()
    for n in range(PANE_TIMELINE + 10):
        interactions.add(ctx, "note", Links(contact=str(seeded["ana"])), f"note {n}")
    app = MinicrmApp(screen="contacts")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ContactsScreen) and isinstance(screen.view, ContactView)
        assert len(screen.view.timeline) == PANE_TIMELINE
        shown = screen.query_one("#detail", Static).content
        assert f"the latest {PANE_TIMELINE} entries; m shows" in shown.renderables[-1].plain  # type: ignore[union-attr]
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(screen.view, ContactView)
        assert len(screen.view.timeline) == PANE_TIMELINE + 11  # every note and the call
        shown = screen.query_one("#detail", Static).content
        assert not any("m shows" in getattr(part, "plain", "") for part in shown.renderables)  # type: ignore[union-attr]


async def test_placeholders_read_as_examples(seeded: Any) -> None:
    app = MinicrmApp(screen="contacts")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        placeholders = [i.placeholder for i in app.screen.query(Input) if i.placeholder]
        assert placeholders and all(p.startswith("e.g. ") for p in placeholders)
