"""Captured mail on the TUI's timeline: a thread's messages together, direction and the other
people on each line, i lists the timeline and enter opens an entry in full (its people,
attachments and whole excerpt); stored text is shown literally. Snapshots at 80×24 and 120×40."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from tests.capture.mailbox_files import message
from textual.widgets import OptionList, Static
from tui_dataset import seed

from conftest import screen_text, settle
from minicrm.services.capture.mail import Checkpoint, RawMessage, import_mail
from minicrm.services.kernel.context import open_context
from minicrm.tui.app import MinicrmApp
from minicrm.tui.screens.contacts import ContactsScreen
from minicrm.tui.timeline import EntrySheet, TimelineSheet

HOSTILE = "Offer [bold]now[/] [@click=app.quit]Q[/] \x1b]0;PWNED\x07"
CONFIG = '[mail]\naddresses = ["me@mine.org"]\n'


@pytest.fixture
def mailed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The TUI dataset, and a thread with Ana Silva captured from mail: the offer sent to her
    and Bruno (an attachment, a hostile subject), her reply, and a note in between."""
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    monkeypatch.setenv("MINICRM_CONFIG", str(config))
    mails = [
        message("Me <me@mine.org>", "Ana Silva <ana@example.com>, bruno@example.com", HOSTILE,
                "The offer is attached.\nLine two of the offer.", when="2026-11-19T09:00:00",
                message_id="o1@mine.org", attachments=(("offer.pdf", b"%PDF" * 300),)),
        message("ana@example.com", "me@mine.org", "Re: the offer", "Thanks, we accept.\nSee you soon.",
                when="2026-11-21T09:00:00", message_id="o2@example.com", in_reply_to="o1@mine.org"),
    ]  # fmt: skip
    with open_context() as ctx:
        seed(ctx)
        summary = import_mail(
            ctx,
            [RawMessage(f"message {n}", m.as_bytes()) for n, m in enumerate(mails, 1)],
            Checkpoint("mail", "test.mbox"),
        )
        assert (summary.captured, summary.errors) == (2, [])


async def open_contact(pilot: Any, name: str) -> ContactsScreen:
    await pilot.press("2")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ContactsScreen)
    await pilot.press("slash", *name.lower().split()[0])
    await pilot.press("enter")
    await settle(pilot)
    return screen


async def test_the_timeline_groups_a_thread_shows_who_and_opens_an_entry_in_full(mailed: None) -> None:
    app = MinicrmApp()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_contact(pilot, "Ana Silva")
        pane = shown(app.screen.query_one("#detail", Static)).splitlines()
        start = pane.index("Timeline")
        # newest first; the reply sits with the offer it answers, indented under it
        assert [line.rstrip() for line in pane[start + 1 : start + 4]] == [
            "  2026-11-23 10:00 call     Talked about the renewal",
            "    2026-11-21 09:00 ↳ email ← ana@example.com Re: the offer",  # the subject only
            "  2026-11-19 09:00 email → ana@example.com, bruno@example.com "
            "Offer [bold]now[/] [@click=app.quit]Q[/] \\x1b]0;PWNED\\x07",  # literally, inert
        ]
        await pilot.press("i")
        await settle(pilot)
        sheet = app.screen
        assert isinstance(sheet, TimelineSheet)
        entries = sheet.query_one(OptionList)
        assert entries.option_count == 3
        listed = screen_text(app)
        assert "Timeline of Ana Silva" in listed
        assert listed.index("↳ email ← ana@example.com") < listed.index("email → ana@example.com")
        await pilot.press("j", "j", "enter")  # the call, the reply, the offer
        await settle(pilot)
        entry = app.screen
        assert isinstance(entry, EntrySheet)
        facts = [line.rstrip() for line in shown(entry.query_one("#entry-fields", Static)).splitlines()]
        assert facts == [
            "When        2026-11-19 09:00",
            "Kind        email → ana@example.com, bruno@example.com",
            "Direction   sent",
            "Contact     Ana Silva",
            "From        Me <me@mine.org>",
            "To          Ana Silva <ana@example.com>, bruno@example.com",
            "Attachments offer.pdf (1,200 bytes)",
            "Message-ID  o1@mine.org",
        ]
        body = shown(entry.query_one("#entry-body", Static))
        assert body.splitlines() == ["The offer is attached.", "Line two of the offer."]
        title = shown(entry.query_one("#entry-title", Static)).strip()
        assert title == "Offer [bold]now[/] [@click=app.quit]Q[/] \\x1b]0;PWNED\\x07"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is sheet
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ContactsScreen)
        assert app.title != "PWNED"


def shown(widget: Static) -> str:
    """What the widget shows, as plain text (rendered on a wide console)."""
    console = Console(width=200, file=io.StringIO(), record=True, color_system=None)
    console.print(widget.content)
    return console.export_text()


SIZES = {"80x24": (80, 24), "120x40": (120, 40)}


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_of_the_timeline_and_an_entry(size: str, mailed: None, snap_compare: Any) -> None:
    async def open_entry(pilot: Any) -> None:
        await open_contact(pilot, "Ana Silva")
        await pilot.press("i")
        await settle(pilot)
        await pilot.press("j", "enter")  # the reply
        await settle(pilot)

    assert snap_compare(MinicrmApp(), terminal_size=SIZES[size], run_before=open_entry)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_of_the_threaded_timeline_list(size: str, mailed: None, snap_compare: Any) -> None:
    async def open_list(pilot: Any) -> None:
        await open_contact(pilot, "Ana Silva")
        await pilot.press("i")
        await settle(pilot)

    assert snap_compare(MinicrmApp(), terminal_size=SIZES[size], run_before=open_list)


async def test_the_deal_screen_shows_a_captured_message_with_direction_and_people(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from minicrm.tui.screens.deal import DealScreen

    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    monkeypatch.setenv("MINICRM_CONFIG", str(config))
    with open_context() as ctx:
        deal_id = seed(ctx)["Acme renewal"]
        mail = message("ana@example.com", "me@mine.org", "Acme renewal: the terms", "We agree.\nAna",
                       message_id="t1@example.com")  # fmt: skip
        import_mail(ctx, [RawMessage("message 1", mail.as_bytes())], Checkpoint("mail", "test.mbox"))
    app = MinicrmApp()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        await settle(pilot)
        app.open_deal_detail(deal_id)
        await settle(pilot)
        assert isinstance(app.screen, DealScreen)
        body = shown(app.screen.query_one("#deal-detail", Static))
        assert "email ← ana@example.com Acme renewal: the terms\n" in body
        assert "We agree." not in body  # the subject; the excerpt is the timeline's to open


def test_a_long_entry_wraps_under_its_text_not_under_the_date() -> None:
    from rich.text import Text

    from minicrm.tui.hanging import Hanging

    console = Console(width=30, file=io.StringIO(), color_system=None, legacy_windows=False)
    line = Text("  2026-12-03 13:27 note This is a long note about the renewal")
    console.print(Hanging(line, 4))
    assert console.file.getvalue().splitlines() == [  # type: ignore[attr-defined]
        "  2026-12-03 13:27 note This",
        "    is a long note about the",
        "    renewal",
    ]
