"""Dialogs: confirm, a one-line prompt, the note/log editor, the contact form, a follow-up form.

Each validates as you type (pure checks, no database) and shows the error beside the field;
the result goes back through ``dismiss`` and the calling screen does the write in a worker.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from minicrm.core.clock import Clock
from minicrm.core.dates import When, parse_when
from minicrm.core.errors import InvalidInput
from minicrm.services.dto import Contact, ContactPatch
from minicrm.services.history.interactions import LOGGABLE
from minicrm.services.kernel.validation import normalize_email, normalize_phone, normalize_tags
from minicrm.tui import format as fmt
from minicrm.tui import safe

Check = Callable[[str], str | None]  # returns an error message or None


def check_email(value: str) -> str | None:
    if not value.strip():
        return None
    try:
        normalize_email(value)
    except InvalidInput:
        return "not a valid email address"
    return None


def check_phone(region: str | None) -> Check:
    def check(value: str) -> str | None:
        if not value.strip():
            return None
        try:
            normalize_phone(value, region)
        except InvalidInput as err:
            return str(err).split(": ", 1)[-1] if ": " in str(err) else "not a phone number"
        return None

    return check


def check_tags(value: str) -> str | None:
    try:
        normalize_tags([value])
    except InvalidInput as err:
        return str(err)
    return None


def check_days(value: str) -> str | None:
    if not value.strip():
        return None
    return None if value.strip().isdigit() and int(value) > 0 else "a number of days, like 30"


def check_required(what: str) -> Check:
    return lambda value: None if value.strip() else f"{what} is required"


def when_hint(clock: Clock) -> Callable[[str], tuple[str | None, str]]:
    """Validator for a date field: (error, what the text means)."""

    def hint(value: str) -> tuple[str | None, str]:
        if not value.strip():
            return "a date is required", ""
        try:
            when = parse_when(value, clock)
        except InvalidInput:
            return "try 2026-12-01, tomorrow, next friday, in 3 days", ""
        local = when.at.astimezone(clock.tz)
        return None, local.strftime("%a %Y-%m-%d" if when.all_day else "%a %Y-%m-%d %H:%M")

    return hint


class Field(Vertical):
    """A labelled input with its error (or hint) shown beside it as you type."""

    def __init__(
        self,
        label: str,
        value: str = "",
        *,
        check: Check | None = None,
        hint: Callable[[str], tuple[str | None, str]] | None = None,
        placeholder: str = "",
        id: str | None = None,
    ) -> None:
        super().__init__(classes="field", id=id)
        self.label = label
        self.value = value
        self.check = check
        self.hint = hint
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Horizontal(classes="field-row"):
            yield Label(safe.text(self.label), classes="field-label")
            yield safe.SafeInput(
                self.value, placeholder=self.placeholder, classes="field-input", compact=True
            )
            yield Static("", classes="field-error")

    def on_mount(self) -> None:
        self.validate(initial=True)

    def on_input_changed(self, event: Input.Changed) -> None:
        self.validate()

    @property
    def text(self) -> str:
        return self.query_one(Input).value

    def validate(self, initial: bool = False) -> str | None:
        value = self.text
        error: str | None = None
        note = ""
        if self.check is not None:
            error = self.check(value)
        if self.hint is not None:
            error, note = self.hint(value)
        shown = self.query_one(".field-error", Static)
        if initial and not value:
            shown.update("")
            self.remove_class("-invalid")
            return error
        shown.update(safe.text(f"✗ {error}" if error else (f"→ {note}" if note else "")))
        self.set_class(bool(error), "-invalid")
        return error


class Dialog(ModalScreen[Any]):
    """A form over a screen. What the user typed is kept: ``kept`` holds, once the dialog has
    closed with a result, each field that differs from what the dialog opened with (field id to
    text), and ``keep`` opens a new dialog with it typed in again. A screen whose write failed
    reopens the dialog that way (see ``BaseScreen.ask``), over the record as it is now: the
    fields the user changed come back as typed, the others show what is stored."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "submit", "Save"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.kept: dict[str, str] = {}
        self._to_type: dict[str, str] = {}
        self._opened_with: dict[str, str] = {}

    def keep(self, typed: dict[str, str]) -> Dialog:
        """This dialog, to open with ``typed`` (a previous dialog's ``kept``) typed in."""
        self._to_type = dict(typed)
        return self

    def typed(self) -> dict[str, str]:
        """What each field (with an id) holds now."""
        values = {f.id: f.text for f in self.query(Field) if f.id}
        values.update((a.id, a.text) for a in self.query(TextArea) if a.id)
        values.update(
            (s.id, str(s.value)) for s in self.query(Select) if s.id and s.value is not Select.BLANK
        )
        return values

    def on_mount(self) -> None:
        # Textual runs this after the subclass's own on_mount (each class's handler runs)
        self._opened_with = self.typed()
        for widget_id, value in self._to_type.items():
            for widget in self.query(f"#{widget_id}"):
                if isinstance(widget, Field):
                    widget.query_one(Input).value = value
                elif isinstance(widget, TextArea):
                    widget.text = value
                elif isinstance(widget, Select):
                    widget.value = value

    def dismiss(self, result: Any = None) -> Any:
        if result is not None and result is not False:
            now = self.typed()
            self.kept = {k: v for k, v in now.items() if v != self._opened_with.get(k)}
        return super().dismiss(result)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @abstractmethod
    def action_submit(self) -> None:
        """Validate and dismiss with the result; each dialog implements it."""

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self.action_submit()
        else:
            self.action_cancel()

    def buttons(self, ok: str = "Save") -> ComposeResult:
        with Horizontal(classes="buttons"):
            yield Button(ok, id="ok", variant="primary")
            yield Button("Cancel", id="cancel")

    def fields_valid(self) -> bool:
        errors = [f for f in self.query(Field) if f.validate() is not None]
        if errors:
            errors[0].query_one(Input).focus()
            self.notify("fix the marked fields first", severity="warning")
        return not errors


class ConfirmModal(Dialog):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,n", "cancel", "No"),
        Binding("y", "submit", "Yes"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(safe.text(self.question), classes="question")
            yield from self.buttons("Yes, delete")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    def action_submit(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


class PromptModal(Dialog):
    """One line of text (a reason, tags, a date) with optional live validation."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        title: str,
        label: str,
        value: str = "",
        *,
        check: Check | None = None,
        hint: Callable[[str], tuple[str | None, str]] | None = None,
        placeholder: str = "",
    ) -> None:
        super().__init__()
        self.title_text = title
        self.field = Field(label, value, check=check, hint=hint, placeholder=placeholder, id="f-value")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(safe.text(self.title_text), classes="dialog-title")
            yield self.field
            yield from self.buttons("OK")

    def on_mount(self) -> None:
        self.field.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        if self.fields_valid():
            self.dismiss(self.field.text)


def tags_prompt(title: str) -> PromptModal:
    """The dialog that changes tags: ``vip +lisbon -old`` (a bare tag adds, like ``+``)."""
    return PromptModal(
        title,
        "Tags",
        placeholder="e.g. vip +lisbon -old",
        check=lambda v: check_tags(v.replace("+", "").replace("-", "")),
    )


@dataclass(frozen=True)
class LogEntry:
    kind: str
    body: str


class NoteModal(Dialog):
    """A multi-line note, or a logged call/email/meeting (ctrl+s saves)."""

    def __init__(self, who: str, kind: str = "note") -> None:
        super().__init__()
        self.who = who
        self.kind = kind

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static(safe.text(f"Log for {self.who}"), classes="dialog-title")
            yield Select([(k, k) for k in LOGGABLE], value=self.kind, allow_blank=False, id="kind")
            yield TextArea(id="body", soft_wrap=True)
            yield Static("ctrl+s saves · esc cancels", classes="hint")
            yield from self.buttons()

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_submit(self) -> None:
        body = self.query_one(TextArea).text
        kind = str(self.query_one(Select).value)
        if kind == "note" and not body.strip():
            self.notify("the note is empty", severity="warning")
            return
        self.dismiss(LogEntry(kind, body))


@dataclass(frozen=True)
class ContactForm:
    name: str
    email: str
    phone: str
    company: str
    title: str
    tags: str
    cadence: str
    #: the contact as the form showed it (None for a new one): what an edit is checked against
    over: Contact | None = None


def contact_patch(form: ContactForm, contact: Contact) -> ContactPatch | None:
    """Only what the form changed (an emptied field is cleared), checked against the version the
    form was opened over (``contact``): a field left alone is never written back. None when
    nothing changed."""
    changes: dict[str, Any] = {}
    if form.name != contact.name:
        changes["name"] = form.name
    if form.email != (contact.email or ""):
        changes["emails"] = (form.email, *contact.emails[1:]) if form.email else contact.emails[1:]
    if form.phone != (contact.phone or ""):
        changes["phones"] = (form.phone, *contact.phones[1:]) if form.phone else contact.phones[1:]
    for name in ("company", "title"):
        now = getattr(form, name)
        if now != (getattr(contact, name) or ""):
            changes[name] = now or None
    tags = fmt.split_tags(form.tags)
    if tags != tuple(contact.tags):
        changes["tags"] = tags
    if form.cadence != str(contact.cadence_days or ""):
        changes["cadence_days"] = int(form.cadence) if form.cadence else None
    return ContactPatch(**changes, expected_version=contact.version) if changes else None


class ContactModal(Dialog):
    """Add or edit a contact; every field checks itself as you type."""

    def __init__(self, region: str | None, contact: Contact | None = None) -> None:
        super().__init__()
        self.phone_region = region
        self.contact = contact

    def compose(self) -> ComposeResult:
        c = self.contact
        with Vertical(classes="dialog wide"):
            yield Static(safe.text(f"Edit {c.name}" if c else "New contact"), classes="dialog-title")
            with Grid(classes="form"):
                yield Field("Name", c.name if c else "", check=check_required("a name"), id="f-name")
                yield Field(
                    "Email",
                    (c.email or "") if c else "",
                    check=check_email,
                    id="f-email",
                    placeholder="e.g. ana@example.com",
                )
                yield Field(
                    "Phone",
                    (c.phone or "") if c else "",
                    check=check_phone(self.phone_region),
                    id="f-phone",
                    placeholder="e.g. +351 912 345 678",
                )
                yield Field("Company", (c.company or "") if c else "", id="f-company")
                yield Field("Title", (c.title or "") if c else "", id="f-title")
                yield Field(
                    "Tags",
                    fmt.tags_text(c.tags) if c else "",
                    check=check_tags,
                    id="f-tags",
                    placeholder="e.g. vip, lisbon",
                )
                yield Field(
                    "Cadence (days)",
                    str(c.cadence_days or "") if c else "",
                    check=check_days,
                    id="f-cadence",
                    placeholder="e.g. 30",
                )
            yield from self.buttons()

    def on_mount(self) -> None:
        self.query_one("#f-name Input", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def value(self, name: str) -> str:
        return self.query_one(f"#f-{name}", Field).text.strip()

    def action_submit(self) -> None:
        if self.fields_valid():
            self.dismiss(
                ContactForm(
                    **{
                        n: self.value(n)
                        for n in ("name", "email", "phone", "company", "title", "tags", "cadence")
                    },
                    over=self.contact,
                )
            )


@dataclass(frozen=True)
class FollowUpForm:
    title: str
    when: When


class FollowUpModal(Dialog):
    def __init__(self, who: str, clock: Clock) -> None:
        super().__init__()
        self.who = who
        self.clock = clock

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static(safe.text(f"Follow up with {self.who}"), classes="dialog-title")
            yield Field(
                "What",
                "",
                check=check_required("the follow-up text"),
                id="f-what",
                placeholder="e.g. send the proposal",
            )
            yield Field(
                "When",
                "tomorrow",
                hint=when_hint(self.clock),
                id="f-when",
                placeholder="e.g. tomorrow, next friday 10:00, in 3 days",
            )
            yield from self.buttons()

    def on_mount(self) -> None:
        self.query_one("#f-what Input", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        if self.fields_valid():
            what = self.query_one("#f-what", Field).text
            when = parse_when(self.query_one("#f-when", Field).text, self.clock)
            self.dismiss(FollowUpForm(what, when))
