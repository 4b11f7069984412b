"""The TUI's deal screens, per-screen help, undo, copy, $EDITOR notes and settings, driven with
Pilot; each asserts what the database (or the config file) holds afterwards."""

from __future__ import annotations

import io
import sys
import tomllib
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from textual.widgets import Input, OptionList, Static

from conftest import settle
from minicrm.core.config import config_path
from minicrm.services.contacts import commands as contacts
from minicrm.services.deals import commands as deals
from minicrm.services.dto import DealCreate, DealPatch
from minicrm.services.history import interactions
from minicrm.services.history.interactions import Links
from minicrm.tui.app import MinicrmApp
from minicrm.tui.deal_form import DealModal
from minicrm.tui.keyhelp import KeysScreen
from minicrm.tui.screens.contacts import ContactsScreen, ContactView
from minicrm.tui.screens.deal import ContactDealsScreen, DealScreen
from minicrm.tui.settings_form import SettingsModal
from minicrm.tui.undo import UndoConfirm, UndoList

SIZE = (120, 40)
HOSTILE = "Deal [/oops] [@click=app.quit]Q[/] \x1b]0;PWNED\x07"


async def type_text(pilot: Any, text: str) -> None:
    for ch in text:
        await pilot.press("space" if ch == " " else ch)


def shown(widget: Static) -> str:
    """What the widget shows, as plain text (its content rendered on a wide console)."""
    console = Console(width=200, file=io.StringIO(), record=True, color_system=None)
    console.print(widget.content)
    return console.export_text()


async def contacts_on(pilot: Any, name: str) -> ContactsScreen:
    """The Contacts screen with ``name``'s detail open."""
    await pilot.press("2")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ContactsScreen)
    await pilot.press("slash")
    await type_text(pilot, name)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(screen.view, ContactView) and screen.view.contact.name == name
    return screen


# -- deals -----------------------------------------------------------------------------------
async def test_a_contacts_deals_open_from_the_contact_and_a_deal_is_added_there(
    seeded: dict[str, int], check: Any
) -> None:
    app = MinicrmApp()
    async with app.run_test(size=SIZE) as pilot:
        await contacts_on(pilot, "Ana Silva")
        await pilot.press("d")
        await settle(pilot)
        listing = app.screen
        assert isinstance(listing, ContactDealsScreen)
        assert "Deals of Ana Silva (1)" in shown(listing.query_one("#contact-deals-title", Static))
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, DealModal)
        await type_text(pilot, "Acme training")
        await pilot.press("tab", "tab", "tab")  # contact (prefilled), company, value
        await type_text(pilot, "1500.50")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is listing, [n.message for n in app._notifications]
        assert listing.query_one(OptionList).option_count == 2
    added = [d for d in deals.list_deals(check(), deals.DealQuery(status=None)) if d.title == "Acme training"]
    assert len(added) == 1
    assert added[0].contact_id == seeded["ana"] and added[0].value_minor == 150050
    assert added[0].stage == "lead"


async def test_the_deal_form_keeps_what_was_typed_when_the_save_is_refused(seeded: Any, check: Any) -> None:
    app = MinicrmApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await type_text(pilot, "Orphan deal")
        await pilot.press("tab")
        await type_text(pilot, "Nobody Here")
        await pilot.press("ctrl+s")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, DealModal)  # still open, with the text
        assert form.query_one("#f-title Input", Input).value == "Orphan deal"
    assert not [d for d in deals.list_deals(check()) if d.title == "Orphan deal"]


async def test_the_deal_screen_shows_stage_history_and_timeline_and_edits_the_deal(
    seeded: dict[str, int], check: Any
) -> None:
    ctx = check()
    deal_id = seeded["Acme renewal"]
    deals.edit(ctx, deal_id, DealPatch(title=HOSTILE))
    deals.move(ctx, deal_id, "negotiation")
    interactions.add(ctx, "note", Links(deal=str(deal_id)), "[urgent] call back")
    app = MinicrmApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot)
        app.open_deal_detail(deal_id)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DealScreen)
        body = shown(screen.query_one("#deal-detail", Static))
        assert "Deal [/oops] [@click=app.quit]Q[/] \\x1b]0;PWNED\\x07" in body  # literal, inert
        assert "proposal → negotiation" in body and "Stage history (1)" in body
        assert "[urgent] call back" in body
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, DealModal)
        value = app.screen.query_one("#f-value Input", Input)
        assert value.value == "12000.00"
        value.value = "13000"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen and app.is_running
        assert "13,000 EUR" in shown(screen.query_one("#deal-detail", Static))
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, DealScreen)
    after = deals.get(check(), deal_id)
    assert after.value_minor == 1_300_000 and after.stage == "negotiation" and after.title == HOSTILE


async def test_a_stale_deal_form_is_refused_and_stays_open(seeded: dict[str, int], check: Any) -> None:
    deal_id = seeded["Globex pilot"]
    app = MinicrmApp()
    async with app.run_test(size=SIZE) as pilot:
        app.open_deal_detail(deal_id)
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        deals.edit(check(), deal_id, DealPatch(title="Renamed elsewhere"))  # another shell
        app.screen.query_one("#f-value Input", Input).value = "999"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DealModal)
    after = deals.get(check(), deal_id)
    assert after.title == "Renamed elsewhere" and after.value_minor == 350_000


async def test_from_a_deal_to_its_contact_and_back_to_the_deals(seeded: dict[str, int], check: Any) -> None:
    app = MinicrmApp()
    async with app.run_test(size=SIZE) as pilot:
        await contacts_on(pilot, "Carla Mendes")
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DealScreen)
        assert app.screen.detail is not None and app.screen.detail.deal.title == "Globex pilot"
        deals.add(check(), DealCreate(title="Second Globex deal", contact=str(seeded["carla"])))
        await pilot.press("escape")
        await settle(pilot)
        listing = app.screen
        assert isinstance(listing, ContactDealsScreen)
        options = listing.query_one(OptionList)
        assert options.option_count == 2 and options.highlighted == 0  # reloaded, on the deal it left
        await pilot.press("j")
        assert options.highlighted == 1
        await pilot.press("k")
        assert options.highlighted == 0
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ContactsScreen)
        assert isinstance(screen.view, ContactView) and screen.view.contact.id == seeded["carla"]


async def test_the_board_opens_a_deals_detail(seeded: dict[str, int]) -> None:
    app = MinicrmApp(screen="pipeline")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, DealScreen)
        assert app.screen.detail is not None and app.screen.detail.deal.title == "Globex pilot"


# -- help and keys ---------------------------------------------------------------------------
async def test_question_mark_lists_this_screens_keys_from_its_bindings(seeded: Any) -> None:
    app = MinicrmApp(screen="contacts")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        help_screen = app.screen
        assert isinstance(help_screen, KeysScreen)
        listed = {(" ".join(e.keys), e.description) for e in help_screen.entries}
        assert ("a", "Add") in listed and ("d", "Deals") in listed and ("y", "Copy email") in listed
        assert ("u", "Undo") in listed and ("?", "Keys") in listed
        assert "Keys: Contacts" in shown(help_screen.query_one("#keys-title", Static))
        assert "Scroll Left" not in {e.description for e in help_screen.entries}  # Textual's plumbing
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        await pilot.press("j", "j")  # over a modal too
        await settle(pilot)
        assert help_screen.query_one("#keys-list").scroll_y == 2
        await pilot.press("escape")
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, KeysScreen)
        listed = {e.description for e in app.screen.entries}
        assert {"Won", "Lost", "Deal", "Add deal"} <= listed and "Add" not in listed


async def test_the_palette_offers_every_key_of_the_screen(seeded: Any) -> None:
    app = MinicrmApp(screen="pipeline")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Deal", "Add deal", "Edit deal", "Undo list", "Undo the last change", "Settings"} <= titles
        assert "Mark the deal won" in titles  # the screen's own wording where it gave one


async def test_j_and_k_move_on_the_follow_ups_and_g_goes_to_the_end(seeded: Any) -> None:
    app = MinicrmApp(screen="followups")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        agenda = app.screen.focused
        assert isinstance(agenda, OptionList)
        first = agenda.highlighted
        await pilot.press("j")
        assert agenda.highlighted is not None and first is not None and agenda.highlighted > first
        await pilot.press("k")
        assert agenda.highlighted == first
        await pilot.press("G")
        last = agenda.highlighted
        await pilot.press("g")
        assert agenda.highlighted is not None and last is not None and agenda.highlighted < last


# -- undo --------------------------------------------------------------------------------------
async def test_u_shows_the_last_change_and_undoes_it(seeded: dict[str, int], check: Any) -> None:
    deals.edit(check(), seeded["Acme add-on"], DealPatch(title="Renamed"))
    app = MinicrmApp(screen="pipeline")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        confirm = app.screen
        assert isinstance(confirm, UndoConfirm)
        plan = shown(confirm.query_one("#ask-body", Static))
        assert "deal edit" in plan and "restore deal" in plan and "(title)" in plan
        await pilot.press("y")
        await settle(pilot)
        assert not isinstance(app.screen, UndoConfirm)
    assert deals.get(check(), seeded["Acme add-on"]).title == "Acme add-on"


async def test_n_keeps_the_change(seeded: dict[str, int], check: Any) -> None:
    deals.edit(check(), seeded["Acme add-on"], DealPatch(title="Renamed"))
    app = MinicrmApp(screen="pipeline")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
    assert deals.get(check(), seeded["Acme add-on"]).title == "Renamed"


async def test_the_undo_list_undoes_the_operation_picked(seeded: dict[str, int], check: Any) -> None:
    ctx = check()
    deals.edit(ctx, seeded["Acme add-on"], DealPatch(title="First rename"))
    contacts.find(ctx, "Eva Martins")
    interactions.add(ctx, "note", Links(contact="Eva Martins"), "later note")
    app = MinicrmApp(screen="today")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.action_undo_list()
        await settle(pilot)
        listing = app.screen
        assert isinstance(listing, UndoList)
        options = listing.query_one(OptionList)
        titles = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert "note" in titles[0] or "interaction" in titles[0] or "later" in titles[0] or titles[0]
        index = next(i for i, t in enumerate(titles) if "deal edit" in t)
        options.highlighted = index
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, UndoConfirm)
        await pilot.press("y")
        await settle(pilot)
    assert deals.get(check(), seeded["Acme add-on"]).title == "Acme add-on"


# -- copy, editor, settings ----------------------------------------------------------------------
async def test_y_copies_the_email_and_Y_the_phone(seeded: dict[str, int], monkeypatch: Any) -> None:
    copied: list[str] = []
    monkeypatch.setattr(MinicrmApp, "copy_to_clipboard", lambda self, text: copied.append(text))
    app = MinicrmApp()
    async with app.run_test(size=SIZE) as pilot:
        await contacts_on(pilot, "Ana Silva")
        await pilot.press("y")
        await pilot.press("Y")  # Ana has no phone: nothing copied, a warning
        await settle(pilot)
    assert copied == ["ana@example.com"]


@contextmanager
def _no_terminal_handover(self: Any) -> Any:
    yield


async def test_a_note_written_in_the_editor_is_saved(
    seeded: dict[str, int], check: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys\n"
        "path = sys.argv[1]\n"
        "text = open(path).read()\n"
        "open(path, 'w').write(text + 'Met at the fair.\\n[bold]Second line[/]\\n')\n"
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    monkeypatch.setattr(MinicrmApp, "suspend", _no_terminal_handover)
    app = MinicrmApp()
    async with app.run_test(size=SIZE) as pilot:
        await contacts_on(pilot, "Diogo Rocha")
        await pilot.press("E")
        await settle(pilot)
    notes = interactions.timeline(check(), Links(contact=str(seeded["diogo"])))
    assert notes[0].kind == "note" and notes[0].body == "Met at the fair.\n[bold]Second line[/]"


async def test_an_editor_that_fails_saves_nothing(
    seeded: dict[str, int], check: Any, monkeypatch: Any
) -> None:
    monkeypatch.setenv("EDITOR", "false")
    monkeypatch.setattr(MinicrmApp, "suspend", _no_terminal_handover)
    app = MinicrmApp()
    async with app.run_test(size=SIZE) as pilot:
        await contacts_on(pilot, "Diogo Rocha")
        await pilot.press("E")
        await settle(pilot)
    assert interactions.timeline(check(), Links(contact=str(seeded["diogo"]))) == []


async def test_settings_are_kept_in_the_config_file_with_its_comments(seeded: Any) -> None:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('# my config\ncurrency = "EUR"  # euros\n')
    app = MinicrmApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.action_settings()
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, SettingsModal)
        from textual.widgets import Select

        modal.query_one("#theme", Select).value = "nord"
        modal.query_one("#screen", Select).value = "pipeline"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.theme == "nord"
    text = path.read_text()
    assert text.startswith('# my config\ncurrency = "EUR"  # euros\n')
    assert tomllib.loads(text)["tui"] == {"theme": "nord", "screen": "pipeline"}
    again = MinicrmApp()
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert again.theme == "nord" and again.current_mode == "pipeline"


async def test_a_theme_picked_in_the_palette_is_kept(seeded: Any) -> None:
    app = MinicrmApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.theme = "gruvbox"
        await settle(pilot)
    assert tomllib.loads(config_path().read_text())["tui"]["theme"] == "gruvbox"


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_deal_screen_snapshot(size: tuple[int, int], seeded: dict[str, int], snap_compare: Any) -> None:
    async def open_deal(pilot: Any) -> None:
        await settle(pilot)
        pilot.app.open_deal_detail(seeded["Initech licences"])
        await settle(pilot)

    assert snap_compare(MinicrmApp(screen="pipeline"), terminal_size=size, run_before=open_deal)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_deal_form_snapshot(size: tuple[int, int], seeded: dict[str, int], snap_compare: Any) -> None:
    async def open_form(pilot: Any) -> None:
        await settle(pilot)
        pilot.app.open_deal_detail(seeded["Initech licences"])
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False

    assert snap_compare(MinicrmApp(screen="pipeline"), terminal_size=size, run_before=open_form)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_keys_screen_snapshot(size: tuple[int, int], seeded: Any, snap_compare: Any) -> None:
    async def open_keys(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)

    assert snap_compare(MinicrmApp(screen="contacts"), terminal_size=size, run_before=open_keys)


# -- filters, sorting, segments ----------------------------------------------------------------
def test_the_list_filters_by_tag_status_owner_and_company_as_contact_list_does(
    seeded: Any, check: Any
) -> None:
    from minicrm.services.contacts import browse
    from minicrm.services.contacts.queries import ContactQuery

    ctx = check()

    def names(facets: ContactQuery, search: str = "") -> list[str]:
        rows = browse.contact_page(ctx, search, facets=facets)
        assert browse.contact_count(ctx, search, facets) == len(rows)
        return [r.name for r in rows]

    assert names(ContactQuery(tags=("vip",))) == ["Ana Silva"]
    assert names(ContactQuery(company="Acme")) == ["Ana Silva", "Bruno Costa"]
    assert names(ContactQuery(company="Acme"), search="bruno") == ["Bruno Costa"]
    assert names(ContactQuery(status="customer")) == []
    assert names(ContactQuery()) == [p[0] for p in sorted(__import__("tui_dataset").PEOPLE)]
    by_company = browse.contact_page(ctx, sort="company", descending=True)
    assert [r.company for r in by_company][:3] == ["Initech", "Globex", "Acme"]
    first = browse.contact_page(ctx, sort="status", limit=2)
    rest = browse.contact_page(ctx, sort="status", limit=10, after=first[-1])
    assert len(first) + len(rest) == 5


async def test_f_filters_the_list_and_the_status_line_says_how(seeded: Any) -> None:
    from minicrm.tui.contact_filter import FilterModal
    from minicrm.tui.virtual_list import VirtualList

    app = MinicrmApp(screen="contacts")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ContactsScreen)
        await pilot.press("F")
        await settle(pilot)
        assert isinstance(app.screen, FilterModal)
        app.screen.query_one("#f-tags Input", Input).value = ""
        app.screen.query_one("#f-company Input", Input).value = "Acme"
        await pilot.press("ctrl+s")
        await settle(pilot)
        rows = screen.query_one("#rows", VirtualList)
        assert rows.total == 2
        status = shown(screen.query_one("#list-status", Static))
        assert "2 contacts · --company Acme · sorted by name" in status
        assert "Name ▲" in shown(screen.query_one("#list-head", Static))
        await pilot.press("F")
        await settle(pilot)
        await pilot.press("ctrl+r")  # clear all
        await settle(pilot)
        assert rows.total == 5 and screen.applied is None


async def test_a_filter_saved_as_a_segment_is_selectable_again(seeded: Any, check: Any) -> None:
    from textual.widgets import Select

    from minicrm.services.customer import segments
    from minicrm.tui.contact_filter import FilterModal
    from minicrm.tui.virtual_list import VirtualList

    app = MinicrmApp(screen="contacts")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ContactsScreen)
        await pilot.press("F")
        await settle(pilot)
        form = app.screen
        form.query_one("#f-tags Input", Input).value = "lisbon"
        form.query_one("#f-save Input", Input).value = "Lisboners"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "segment Lisboners" in shown(screen.query_one("#list-status", Static))
        assert screen.query_one("#rows", VirtualList).total == 1
        await pilot.press("F")
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        await pilot.press("F")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FilterModal)
        select = form.query_one("#segment", Select)
        assert ("Lisboners", "Lisboners") in [(str(p), v) for p, v in select._options if isinstance(v, str)]
        select.value = "Lisboners"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen.query_one("#rows", VirtualList).total == 1
    assert [c.name for c in segments.members(check(), "Lisboners")] == ["Carla Mendes"]


async def test_s_sorts_by_each_column_in_turn_and_the_heading_shows_it(seeded: Any) -> None:
    app = MinicrmApp(screen="contacts")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ContactsScreen)
        while screen.sort != "company":
            await pilot.press("s")
        await pilot.press("S")
        await settle(pilot)
        assert "Company ▼" in shown(screen.query_one("#list-head", Static))
        assert "sorted by company ↓" in shown(screen.query_one("#list-status", Static))
        assert screen.rows.current is not None and screen.rows.current.company == "Initech"


# -- many at once -------------------------------------------------------------------------------
async def test_space_and_shift_arrows_mark_and_t_tags_them_all_after_the_count(
    seeded: Any, check: Any
) -> None:
    from minicrm.services.contacts.queries import ContactQuery
    from minicrm.tui.sheet import Ask

    app = MinicrmApp(screen="contacts")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ContactsScreen)
        await pilot.press("space", "shift+down")  # Ana, then Bruno and Carla
        assert screen.selection.count == 3
        assert "5 contacts · sorted by name · 3 marked" in shown(screen.query_one("#list-status", Static))
        await pilot.press("t")
        await settle(pilot)
        await type_text(pilot, "bulk")
        await pilot.press("enter")
        await settle(pilot)
        ask = app.screen
        assert isinstance(ask, Ask)
        assert "Change the tags of 3 contacts: +bulk?" in shown(ask.query_one("#ask-body", Static))
        await pilot.press("y")
        await settle(pilot)
        assert not screen.selection
    ctx = check()
    tagged = {c.name for c in contacts.list_contacts(ctx, ContactQuery(tags=("bulk",)))}
    assert tagged == {"Ana Silva", "Bruno Costa", "Carla Mendes"}


async def test_star_takes_every_matching_contact_and_delete_says_how_many(seeded: Any, check: Any) -> None:
    from minicrm.services.contacts.queries import ContactQuery
    from minicrm.tui.sheet import Ask

    app = MinicrmApp(screen="contacts")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ContactsScreen)
        await pilot.press("slash")
        await type_text(pilot, "example.com")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("asterisk")
        assert screen.selection.everything and screen.selection.count == 3
        await pilot.press("x")
        await settle(pilot)
        ask = app.screen
        assert isinstance(ask, Ask)
        assert "Delete 3 contacts with their notes and follow-ups?" in shown(
            ask.query_one("#ask-body", Static)
        )
        await pilot.press("y")
        await settle(pilot)
        # one operation: u brings the three back at once
        await pilot.press("u")
        await settle(pilot)
        plan = shown(app.screen.query_one("#ask-body", Static))
        assert "contact rm 3 contacts" in plan and plan.count("re-create contact") == 3
        await pilot.press("n")
        await settle(pilot)
    ctx = check()
    assert sorted(c.name for c in contacts.list_contacts(ctx, ContactQuery())) == [
        "Carla Mendes",
        "Diogo Rocha",
    ]


async def test_o_gives_the_marked_contacts_an_owner_and_esc_unmarks(seeded: Any, check: Any) -> None:
    app = MinicrmApp(screen="contacts")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ContactsScreen)
        await pilot.press("space", "space", "space")
        await pilot.press("escape")
        assert not screen.selection
        await pilot.press("g", "space", "space")
        await pilot.press("o")
        await settle(pilot)
        await type_text(pilot, "rita")
        await pilot.press("enter")
        await settle(pilot)
        assert "Give 2 contacts to rita?" in shown(app.screen.query_one("#ask-body", Static))
        await pilot.press("y")
        await settle(pilot)
    ctx = check()
    assert {c.name: c.owner for c in contacts.list_contacts(ctx)} == {
        "Ana Silva": "rita",
        "Bruno Costa": "rita",
        "Carla Mendes": None,
        "Diogo Rocha": None,
        "Eva Martins": None,
    }


async def test_follow_ups_marked_with_space_are_done_together_after_the_count(
    seeded: Any, check: Any
) -> None:
    from minicrm.services.followups import queries as followups
    from minicrm.tui.screens.followups import FollowupsScreen
    from minicrm.tui.sheet import Ask

    app = MinicrmApp(screen="followups")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FollowupsScreen)
        await pilot.press("space", "space")
        assert len(screen.marked) == 2
        assert "2 marked" in shown(screen.query_one("#agenda-summary", Static))
        await pilot.press("d")
        await settle(pilot)
        ask = app.screen
        assert isinstance(ask, Ask)
        assert "Mark 2 follow-ups done?" in shown(ask.query_one("#ask-body", Static))
        await pilot.press("y")
        await settle(pilot)
        assert not screen.marked
        await pilot.press("asterisk")
        assert len(screen.marked) == 2  # the two still open
        await pilot.press("escape")
        assert not screen.marked
    assert len(followups.list_followups(check(), "open")) == 2


async def test_hostile_text_in_the_new_sheets_is_shown_literally(seeded: dict[str, int], check: Any) -> None:
    ctx = check()
    deals.add(ctx, DealCreate(title=HOSTILE, contact=str(seeded["eva"])))
    app = MinicrmApp()
    async with app.run_test(size=SIZE) as pilot:
        await contacts_on(pilot, "Eva Martins")
        await pilot.press("d")
        await settle(pilot)
        listing = app.screen
        assert isinstance(listing, ContactDealsScreen)
        options = listing.query_one(OptionList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any("Deal [/oops] [@click=app.quit]Q[/] \\x1b]0;PWNED\\x07" in p for p in prompts)
        await pilot.press("escape")
        app.action_undo_list()
        await settle(pilot)
        undo_list = app.screen
        assert isinstance(undo_list, UndoList)
        first = str(undo_list.query_one(OptionList).get_option_at_index(0).prompt)
        assert "[/oops]" in first and "\x1b" not in first
        await pilot.press("escape")
        await pilot.press("u")
        await settle(pilot)
        assert "\\x1b]0;PWNED\\x07" in shown(app.screen.query_one("#ask-body", Static))
        await pilot.press("n")
        await settle(pilot)
        assert app.is_running


async def test_the_deal_form_marks_a_bad_amount_and_reads_the_close_date(seeded: Any, check: Any) -> None:
    app = MinicrmApp(screen="pipeline")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, DealModal)
        form.query_one("#f-title Input", Input).value = "Checked deal"
        form.query_one("#f-value Input", Input).value = "12x"
        form.query_one("#f-close Input", Input).value = "2026-12-24"
        await pilot.pause()
        assert "a plain amount" in shown(form.query_one("#f-value .field-error", Static))
        assert "Thu 2026-12-24" in shown(form.query_one("#f-close .field-error", Static))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        form.query_one("#f-value Input", Input).value = "99.90"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, DealModal)
    saved = next(d for d in deals.list_deals(check()) if d.title == "Checked deal")
    assert saved.value_minor == 9990 and str(saved.close_date) == "2026-12-24"


async def test_o_on_one_contact_asks_by_name_and_leaves_nothing_marked(seeded: Any, check: Any) -> None:
    app = MinicrmApp()
    async with app.run_test(size=SIZE) as pilot:
        screen = await contacts_on(pilot, "Eva Martins")
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("escape")  # changed my mind
        await settle(pilot)
        assert not screen.selection
        await pilot.press("o")
        await settle(pilot)
        await type_text(pilot, "rita")
        await pilot.press("enter")
        await settle(pilot)
        assert "Give Eva Martins to rita?" in shown(app.screen.query_one("#ask-body", Static))
        await pilot.press("y")
        await settle(pilot)
    assert contacts.find(check(), "Eva Martins").owner == "rita"
