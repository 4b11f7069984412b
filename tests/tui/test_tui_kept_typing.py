"""Nothing typed in a dialog is lost: a write that fails (a newer change made elsewhere, a
locked or broken database) brings the dialog back with what was typed, over the record as it is
now, and an edit sends only the fields the user changed."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Input, TextArea

from conftest import settle
from minicrm.core.errors import StorageError
from minicrm.services.companies import commands as companies
from minicrm.services.contacts import commands as contacts
from minicrm.services.dto import CompanyPatch, ContactPatch
from minicrm.services.history import interactions
from minicrm.services.history.interactions import Links
from minicrm.tui.app import MinicrmApp
from minicrm.tui.modals import ContactForm, ContactModal, NoteModal, PromptModal, contact_patch

SIZE = (120, 40)


def errors(app: Any) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "error"]


def field(app: Any, name: str) -> str:
    return str(app.screen.query_one(f"#f-{name} Input", Input).value)


def test_an_edit_sends_only_what_the_form_changed(seeded: dict[str, int], check: Any) -> None:
    ana = contacts.get(check(), seeded["ana"])
    form = ContactForm(
        name=ana.name,
        email=ana.email or "",
        phone="",
        company=ana.company or "",
        title="CTO",
        tags="vip",
        cadence="30",
        over=ana,
    )
    assert contact_patch(form, ana) == ContactPatch(title="CTO", expected_version=ana.version)
    unchanged = ContactForm(ana.name, ana.email or "", "", "Acme", "", "vip", "30", over=ana)
    assert contact_patch(unchanged, ana) is None
    emptied = ContactForm(ana.name, ana.email or "", "", "", "", "", "", over=ana)
    assert contact_patch(emptied, ana) == ContactPatch(
        company=None, tags=(), cadence_days=None, expected_version=ana.version
    )


async def test_an_edit_over_a_newer_change_comes_back_with_what_was_typed(
    seeded: dict[str, int], check: Any
) -> None:
    app = MinicrmApp(screen="contacts")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)  # Ana Silva under the cursor, her detail open
        contacts.edit(check(), seeded["ana"], ContactPatch(phones=("+351 912 345 678",)))  # elsewhere
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("tab", "tab", "tab", "tab", *"CTO", "enter")  # the title field
        await settle(pilot)
        assert errors(app) and "changed" in errors(app)[0]
        assert isinstance(app.screen, ContactModal)  # back, over Ana as she is now
        assert field(app, "title") == "CTO"
        assert field(app, "phone") == "+351912345678"
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, ContactModal)
    ana = contacts.get(check(), seeded["ana"])
    assert (ana.title, ana.phones) == ("CTO", ("+351912345678",))


async def test_a_note_whose_write_fails_comes_back_with_its_text(
    seeded: dict[str, int], check: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_add = interactions.add
    calls: list[int] = []

    def add_once_locked(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise StorageError("the database is locked by another program; try again")
        return real_add(*args, **kwargs)

    monkeypatch.setattr(interactions, "add", add_once_locked)
    app = MinicrmApp(screen="contacts")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"Asked", "space", *"for", "space", *"a", "space", *"quote", "ctrl+s")
        await settle(pilot)
        assert errors(app) == ["the database is locked by another program; try again"]
        assert isinstance(app.screen, NoteModal)
        assert app.screen.query_one(TextArea).text == "Asked for a quote"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, NoteModal)
    notes = interactions.timeline(check(), Links(contact=str(seeded["ana"])), kinds=("note",))
    assert [n.body for n in notes] == ["Asked for a quote"]


async def test_a_company_rename_over_a_newer_rename_is_refused_and_kept(
    seeded: dict[str, int], check: Any
) -> None:
    app = MinicrmApp(screen="contacts")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c")  # the companies: Acme first
        await settle(pilot)
        companies.edit(check(), "Acme", CompanyPatch(domain="acme.example"))  # elsewhere
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("end", *" Corp", "enter")
        await settle(pilot)
        assert errors(app) and "changed" in errors(app)[0]
        assert isinstance(app.screen, PromptModal)
        assert field(app, "value") == "Acme Corp"
        await pilot.press("enter")
        await settle(pilot)
    renamed = companies.find(check(), "Acme Corp")
    assert renamed.domain == "acme.example"
