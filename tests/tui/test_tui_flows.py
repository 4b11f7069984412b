"""The TUI's main flows driven with Pilot; each asserts the database afterwards."""

from __future__ import annotations

from datetime import date
from typing import Any

from textual.widgets import Input

from conftest import settle
from minicrm.services.contacts import browse
from minicrm.services.contacts import commands as contacts
from minicrm.services.contacts.commands import ContactQuery
from minicrm.services.dto import ContactCreate
from minicrm.services.followups import commands as followups
from minicrm.services.history import interactions
from minicrm.services.history.interactions import Links
from minicrm.tui.app import MinicrmApp
from minicrm.tui.modals import ContactModal
from minicrm.tui.screens.contacts import ContactsScreen, ContactView
from minicrm.tui.screens.followups import FollowupsScreen
from minicrm.tui.screens.pipeline import PipelineScreen
from minicrm.tui.virtual_list import VirtualList

SIZE = (120, 40)


async def open_contacts(pilot: Any) -> ContactsScreen:
    await pilot.press("2")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ContactsScreen)
    return screen


async def type_text(pilot: Any, text: str) -> None:
    await pilot.press(*[("space" if ch == " " else ch) for ch in text])


async def test_add_a_contact_through_the_form(seeded: dict[str, int], check: Any) -> None:
    app = MinicrmApp()
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot)
        await pilot.press("a")
        await type_text(pilot, "Zoe Lima")
        await pilot.press("tab")
        await type_text(pilot, "zoe@example.com")
        await pilot.press("ctrl+s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ContactsScreen) and isinstance(screen.view, ContactView)
        assert screen.view.contact.name == "Zoe Lima"
    found = contacts.find(check(), "Zoe Lima")
    assert found.emails == ("zoe@example.com",)


async def test_the_form_shows_an_invalid_email_beside_the_field_and_does_not_save(
    seeded: Any, check: Any
) -> None:
    app = MinicrmApp()
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot)
        await pilot.press("a")
        await type_text(pilot, "Yan")
        await pilot.press("tab")
        await type_text(pilot, "yan@")
        await pilot.pause()
        error = app.screen.query_one("#f-email .field-error")
        assert "not a valid email" in str(error.render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen.query("#f-email")  # the form is still open
    assert contacts.count(check(), ContactQuery(search="Yan")) == 0


async def test_filter_as_you_type_uses_the_search_index(seeded: Any) -> None:
    app = MinicrmApp()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_contacts(pilot)
        rows = screen.query_one("#rows", VirtualList)
        assert rows.total == 5
        await pilot.press("slash")
        await type_text(pilot, "example.org")
        await settle(pilot)
        assert rows.total == 1
        assert rows.current is not None and rows.current.name == "Carla Mendes"
        await pilot.press("escape")  # clears the filter
        await settle(pilot)
        assert rows.total == 5


async def test_enter_on_today_opens_the_contact_of_a_follow_up(seeded: Any) -> None:
    app = MinicrmApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # the first item: the overdue follow-up with Bruno
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ContactsScreen) and isinstance(screen.view, ContactView)
        assert screen.view.contact.name == "Bruno Costa"
        assert [f.title for f in screen.view.followups] == ["Send the proposal"]


async def test_add_a_note_from_the_detail_pane(seeded: dict[str, int], check: Any) -> None:
    app = MinicrmApp()
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot)  # Ana Silva is the first row
        await pilot.press("n")
        await type_text(pilot, "Likes the new plan")
        await pilot.press("enter")
        await type_text(pilot, "Call back in March")
        await pilot.press("ctrl+s")
        await settle(pilot)
    notes = interactions.timeline(check(), Links(contact=str(seeded["ana"])), kinds=("note",))
    assert [n.body for n in notes] == ["Likes the new plan\nCall back in March"]


async def test_set_a_follow_up_with_a_natural_language_date(seeded: dict[str, int], check: Any) -> None:
    app = MinicrmApp()
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot)
        await pilot.press("down", "f")  # Bruno Costa
        await settle(pilot)
        await type_text(pilot, "Send contract")
        await pilot.press("tab", *["backspace"] * 10)
        await type_text(pilot, "next friday")
        await pilot.press("ctrl+s")
        await settle(pilot)
    items = followups.list_followups(check(), "open", contact=str(seeded["bruno"]))
    made = [f for f in items if f.title == "Send contract"]
    assert len(made) == 1
    assert made[0].due_local(check().clock.tz) == date(2026, 11, 27)


async def test_tags_are_added_and_removed(seeded: dict[str, int], check: Any) -> None:
    app = MinicrmApp()
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot)
        await pilot.press("t")
        await type_text(pilot, "hot -vip")
        await pilot.press("enter")
        await settle(pilot)
    assert contacts.get(check(), seeded["ana"]).tags == ("hot",)


async def test_delete_asks_first(seeded: dict[str, int], check: Any) -> None:
    app = MinicrmApp()
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot)
        await pilot.press("x", "n")  # asked, and said no
        await settle(pilot)
        assert contacts.count(check()) == 5
        await pilot.press("x", "y")
        await settle(pilot)
        assert browse.contact_count(check()) == 4
        assert app.screen.query_one("#rows", VirtualList).total == 4


async def test_move_a_deal_right_and_mark_one_lost(seeded: dict[str, int], check: Any) -> None:
    app = MinicrmApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot)
        assert isinstance(app.screen, PipelineScreen)
        await pilot.press("shift+right")  # Globex pilot: lead → qualified
        await settle(pilot)
        await pilot.press("right", "x")  # the cursor followed Globex; one column on: Acme renewal
        await settle(pilot)
        await type_text(pilot, "price")
        await pilot.press("enter")
        await settle(pilot)
    ctx = check()
    globex = ctx.db.one("SELECT stage, status, probability FROM deal WHERE id = ?", (seeded["Globex pilot"],))
    assert (globex["stage"], globex["status"]) == ("qualified", "open")
    assert globex["probability"] is None  # no probability of its own: the stage's 25% applies
    moves = ctx.db.all(
        "SELECT from_stage, to_stage, status FROM deal_stage_change WHERE deal_id = ?",
        (seeded["Globex pilot"],),
    )
    assert [tuple(m) for m in moves] == [("lead", "qualified", "open")]
    logged = interactions.timeline(ctx, Links(deal=str(seeded["Globex pilot"])), kinds=("stage-change",))
    assert [i.body for i in logged] == ["Globex pilot: lead → qualified"]
    assert (
        ctx.db.scalar(
            "SELECT count(*) FROM change WHERE entity = 'deal' AND entity_id = ?", (seeded["Globex pilot"],)
        )
        == 1
    )
    acme = ctx.db.one("SELECT status, lost_reason FROM deal WHERE id = ?", (seeded["Acme renewal"],))
    assert (acme["status"], acme["lost_reason"]) == ("lost", "price")


async def test_mark_a_follow_up_done_and_snooze_another(seeded: Any, check: Any) -> None:
    app = MinicrmApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        await settle(pilot)
        assert isinstance(app.screen, FollowupsScreen)
        await pilot.press("d")  # the overdue one: Send the proposal
        await settle(pilot)
        await pilot.press("s")  # now the first: Call about renewal; snooze until tomorrow
        await pilot.press("enter")
        await settle(pilot)
    ctx = check()
    by_title = {f.title: f for f in followups.list_followups(ctx, "all")}
    assert by_title["Send the proposal"].done_at is not None
    snoozed = by_title["Call about renewal"].snoozed_until
    assert snoozed is not None and snoozed.astimezone(ctx.clock.tz).date() == date(2026, 11, 24)


async def test_reschedule_a_follow_up(seeded: Any, check: Any) -> None:
    app = MinicrmApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("e")
        await type_text(pilot, "2026-12-05")
        await pilot.press("enter")
        await settle(pilot)
    moved = [f for f in followups.list_followups(check(), "open") if f.title == "Send the proposal"]
    assert moved[0].due_local(check().clock.tz) == date(2026, 12, 5)


async def test_a_failing_write_is_a_notification_and_the_app_keeps_running(seeded: Any, check: Any) -> None:
    app = MinicrmApp()
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot)
        await pilot.press("a")
        await type_text(pilot, "Ana Again")
        await pilot.press("tab")
        await type_text(pilot, "ana@example.com")  # already Ana Silva's
        await pilot.press("ctrl+s")
        await settle(pilot)
        errors = [n for n in app._notifications if n.severity == "error"]
        assert errors and "already belongs to contact" in errors[0].message
        assert app.is_running
        assert isinstance(app.screen, ContactModal)  # back with what was typed, to fix it
        assert app.screen.value("name") == "Ana Again"
        assert app.screen.value("email") == "ana@example.com"
        await pilot.press("escape", "3")  # still usable
        await settle(pilot)
        assert isinstance(app.screen, PipelineScreen)
    assert contacts.count(check()) == 5


async def test_refresh_shows_what_another_process_wrote(seeded: Any, check: Any) -> None:
    app = MinicrmApp()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_contacts(pilot)
        rows = screen.query_one("#rows", VirtualList)
        assert rows.total == 5
        contacts.add(check(), ContactCreate(name="Added Elsewhere"))
        await pilot.press("r")
        await settle(pilot)
        assert rows.total == 6


async def test_the_command_palette_reaches_the_screens(seeded: Any) -> None:
    app = MinicrmApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, "Go to Pipeline")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PipelineScreen)


async def test_edit_a_contact_through_the_form(seeded: dict[str, int], check: Any) -> None:
    app = MinicrmApp()
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot)
        await pilot.press("e")  # Ana Silva, the form filled in
        await pilot.press("tab", "tab", "tab", "tab")  # to Title
        await type_text(pilot, "CTO")
        await pilot.press("tab", "end")
        await type_text(pilot, " lisbon")
        await pilot.press("ctrl+s")
        await settle(pilot)
    ana = contacts.get(check(), seeded["ana"])
    assert (ana.title, ana.tags) == ("CTO", ("lisbon", "vip"))
    assert (ana.emails, ana.company) == (("ana@example.com",), "Acme")


async def test_the_key_bar_lists_the_keys_that_work_here_and_a_click_presses_one(seeded: Any) -> None:
    from minicrm.tui.modals import ContactModal

    app = MinicrmApp()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_contacts(pilot)
        bar = screen.query_one("#keys")
        await settle(pilot)
        line = bar.render().plain  # type: ignore[attr-defined]
        assert line.startswith("a Add e Edit n Note l Log call f Follow-up ")
        assert line.rstrip().endswith("^p palette") and len(line) <= SIZE[0]
        await pilot.click("#keys", offset=(0, 0))  # on "a Add"
        await settle(pilot)
        assert isinstance(app.screen, ContactModal)
        await pilot.press("escape")
        await pilot.press("slash")  # in the filter only the app-wide keys work
        await settle(pilot)
        assert "a Add" not in bar.render().plain  # type: ignore[attr-defined]


async def test_the_detail_pane_shows_the_first_row_then_follows_the_cursor(seeded: Any) -> None:
    from textual.widgets import Static

    app = MinicrmApp(screen="contacts")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)  # the rows are drawn first, the detail of the first row follows
        screen = app.screen
        assert isinstance(screen, ContactsScreen) and isinstance(screen.view, ContactView)
        assert screen.view.contact.name == "Ana Silva"
        await pilot.press("down")
        await settle(pilot)
        assert isinstance(screen.view, ContactView) and screen.view.contact.name == "Bruno Costa"
        shown = screen.query_one("#detail", Static).content
        assert shown.renderables[0].plain == "Bruno Costa"  # type: ignore[union-attr]


async def test_typing_fast_ends_on_the_last_filters_matches_and_their_detail(seeded: Any) -> None:
    from textual.widgets import Static

    app = MinicrmApp(screen="contacts")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ContactsScreen)
        rows = screen.query_one("#rows", VirtualList)
        await pilot.press("slash")
        await type_text(pilot, "carla@example.or")  # every key queued at once: the queries overtake
        await pilot.press("g")
        await settle(pilot)
        assert rows.total == 1 and rows.current is not None and rows.current.name == "Carla Mendes"
        status = str(screen.query_one("#list-status", Static).render())
        assert status.startswith("1 contact matching “carla@example.org”")
        assert isinstance(screen.view, ContactView) and screen.view.contact.name == "Carla Mendes"


async def _status_after(*keys: str) -> str:
    """The contacts list's status line after pressing ``keys``."""
    from textual.widgets import Static

    app = MinicrmApp(screen="contacts")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)
        return str(app.screen.query_one("#list-status", Static).render())


async def test_the_status_line_shows_the_filter_as_typed(seeded: Any) -> None:
    status = await _status_after("slash", "[", "b", "]")
    assert "matching “[b]”" in status  # text, not markup


async def test_what_is_typed_in_one_burst_after_the_slash_goes_to_the_filter(seeded: Any) -> None:
    from textual import events

    app = MinicrmApp(screen="contacts")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ContactsScreen)
        # as a terminal delivers "/carla" in one read: every key queued before the first is handled
        for ch in "/carla":
            key = "slash" if ch == "/" else ch
            app.post_message(events.Key(key, ch))
        await settle(pilot)
        assert screen.query_one("#filter", Input).value == "carla"
        rows = screen.query_one("#rows", VirtualList)
        assert rows.total == 1 and rows.current is not None and rows.current.name == "Carla Mendes"
        # the next key typed adds to the filter (it replaced it when the focus selected the text)
        await pilot.press("backspace", "a")
        await settle(pilot)
        assert screen.query_one("#filter", Input).value == "carla"


async def test_a_filter_past_the_match_cap_says_to_type_more(seeded: Any, monkeypatch: Any) -> None:
    from minicrm.services.contacts import browse

    monkeypatch.setattr(browse, "MATCH_CAP", 2)
    status = await _status_after("slash", "e", "x", "a")
    assert status == "2+ contacts matching “exa”, type more · sorted by name"


async def test_today_counts_what_is_waiting_in_words(cli: Any) -> None:
    from textual.widgets import Static

    async def title() -> str:
        app = MinicrmApp(screen="today")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            return str(app.screen.query_one("#today-title", Static).render())

    cli("contact", "add", "Ana Lima")
    cli("followup", "add", "ana", "call back", "--due", "yesterday")
    assert (await title()).endswith(" · 1 follow-up waiting")
    cli("followup", "add", "ana", "send the quote", "--due", "today")
    assert (await title()).endswith(" · 2 follow-ups waiting")


async def test_a_tag_of_several_words_survives_an_edit_through_the_form(
    seeded: dict[str, int], check: Any
) -> None:
    from minicrm.services.dto import ContactPatch

    contacts.edit(check(), seeded["ana"], ContactPatch(tags=("My Contacts",)))
    app = MinicrmApp()
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot)
        await pilot.press("e")  # Ana Silva: her tags shown as "My Contacts,"
        await pilot.press("tab", "tab", "tab", "tab")  # to Title
        await type_text(pilot, "CTO")
        await pilot.press("ctrl+s")
        await settle(pilot)
    ana = contacts.get(check(), seeded["ana"])
    assert (ana.title, ana.tags) == ("CTO", ("My Contacts",))


def test_typed_tags_split_on_commas_when_there_are_some_else_on_blanks() -> None:
    from minicrm.tui.format import split_tags, tags_text
    from minicrm.tui.screens.contacts import tag_patch

    assert split_tags("vip lisbon") == ("vip", "lisbon")
    assert split_tags("My Contacts, vip,") == ("My Contacts", "vip")
    assert split_tags(tags_text(("My Contacts",))) == ("My Contacts",)
    assert split_tags(tags_text(("vip", "lisbon"))) == ("vip", "lisbon")
    assert tag_patch("vip -old +lisbon") == (("vip", "lisbon"), ("old",))
    assert tag_patch("+My Contacts, -old") == (("My Contacts",), ("old",))
