"""Stored text is data on every screen: markup, click actions and terminal control sequences in
names, companies, deal titles, notes and follow-ups are shown literally, never obeyed."""

from __future__ import annotations

from typing import Any

import pytest
from tui_dataset import BOLD_X, BROKEN_CO, CLEAR_SEQ, QUIT_CORP, TITLE_SEQ, seed_hostile

from conftest import screen_text, settle
from minicrm.core.text import inert
from minicrm.services.kernel.context import open_context
from minicrm.tui.app import MinicrmApp
from minicrm.tui.screens.contacts import ContactsScreen, ContactView

SIZE = (120, 40)

#: what the screens must show: the stored text, escaped for the terminal, markup left as typed
QUIT_SHOWN, BROKEN_SHOWN, BOLD_SHOWN = QUIT_CORP, BROKEN_CO, BOLD_X
TITLE_SHOWN, CLEAR_SHOWN = inert(TITLE_SEQ), inert(CLEAR_SEQ)


@pytest.fixture
def hostile() -> dict[str, int]:
    with open_context() as ctx:
        return seed_hostile(ctx)


def toasts(app: Any) -> list[str]:
    """The notifications on screen, as shown."""
    return [str(toast.render()) for toast in app.screen.query("Toast")]


def assert_inert(app: Any, *shown: str) -> str:
    assert app.is_running
    text = screen_text(app)
    assert "\x1b" not in text and "\x07" not in text
    for part in shown:
        assert part in text, f"{part!r} not on screen:\n{text}"
    return text


async def test_today_shows_hostile_text_literally(hostile: Any) -> None:
    app = MinicrmApp(screen="today")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert_inert(app, "[urgent] call back", QUIT_SHOWN, TITLE_SHOWN, BROKEN_SHOWN[:12])
        for _ in range(8):
            await pilot.press("down")
        await settle(pilot)
        assert_inert(app)


async def test_every_contact_and_company_detail_shows_hostile_text_literally(hostile: Any) -> None:
    app = MinicrmApp(screen="contacts")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ContactsScreen)
        seen = set()
        for _ in range(5):
            await settle(pilot)
            assert isinstance(screen.view, ContactView)
            seen.add(screen.view.contact.id)
            assert_inert(app, inert(screen.view.contact.name)[:20])
            await pilot.press("down")
        assert len(seen) == 5
        await pilot.press("up", "up", "up", "up", "up")  # back to the top: Eve at Broken [/oops] Co
        await settle(pilot)
        assert_inert(app, f"Company   {BROKEN_SHOWN}", f"call     {TITLE_SHOWN}", QUIT_SHOWN)
        await pilot.press("c")  # the companies, each opened
        await settle(pilot)
        for _ in range(4):
            await settle(pilot)
            assert_inert(app)
            await pilot.press("down")
        await settle(pilot)
        assert_inert(app, BROKEN_SHOWN, QUIT_SHOWN)


async def test_a_click_on_a_company_named_like_a_click_action_does_nothing(hostile: Any) -> None:
    app = MinicrmApp(screen="contacts")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # [bold red]X[/] of [@click=app.quit]QuitCorp[/]: second by name, after the ESC one
        await pilot.press("home", "down")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ContactsScreen) and isinstance(screen.view, ContactView)
        assert screen.view.contact.name == BOLD_X
        for y in range(0, 12):
            for x in range(0, 40, 3):
                await pilot.click("#detail", offset=(x, y))
        await settle(pilot)
        assert_inert(app, f"Company   {QUIT_SHOWN}")


async def test_pipeline_shows_hostile_deal_titles_literally(hostile: Any) -> None:
    app = MinicrmApp(screen="pipeline")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert_inert(app, QUIT_SHOWN[:24], BROKEN_SHOWN, f"{CLEAR_SHOWN}Clear deal", TITLE_SHOWN)
        for _ in range(4):
            await pilot.press("right")
            await settle(pilot)
            assert_inert(app)


async def test_follow_ups_show_hostile_text_and_notifications_keep_it(hostile: Any) -> None:
    app = MinicrmApp(screen="followups")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert_inert(app, "[urgent] call back", QUIT_SHOWN, f"{TITLE_SHOWN} ring", BOLD_SHOWN)
        await pilot.press("d")  # done: "[urgent] call back"
        await settle(pilot)
        assert [n.message for n in app._notifications] == ["Done: [urgent] call back"]
        assert toasts(app) == ["Done: [urgent] call back"]


async def test_the_added_notification_and_the_delete_prompt_show_names_as_typed(hostile: Any) -> None:
    from textual.widgets import Static

    from minicrm.tui.modals import ConfirmModal

    app = MinicrmApp(screen="contacts")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await pilot.press(*"Bad", "space", *"[/x]", "space", *"markup")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert toasts(app) == ["Added Bad [/x] markup"]
        assert_inert(app, "Bad [/x] markup")
        await pilot.press("escape", "home")
        await settle(pilot)
        await pilot.press("down")  # [bold red]X[/], second by name
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        question = app.screen.query_one(".question", Static)
        assert str(question.render()) == f"Delete {BOLD_X} with their notes and follow-ups?"
        await pilot.press("n")
        assert app.is_running


async def test_the_edit_form_shows_control_characters_as_pictures_and_saves_the_name_unchanged(
    hostile: dict[str, int], check: Any
) -> None:
    from minicrm.services.contacts import commands as contacts

    app = MinicrmApp(screen="contacts")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")  # Eve, whose name starts with the retitling sequence
        await settle(pilot)
        assert_inert(app, "␛]0;PWNED␇Eve Title")
        await pilot.press("tab", "tab", "tab", "tab")  # to Title
        await pilot.press(*"CEO")
        await pilot.press("ctrl+s")
        await settle(pilot)
    eve = contacts.get(check(), hostile["eve"])
    assert (eve.name, eve.title) == (f"{TITLE_SEQ}Eve Title", "CEO")
