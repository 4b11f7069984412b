"""A timeline in the TUI: the detail panes' lines, the whole timeline as a list (i), and one
entry opened in full (enter): the message's people, attachments and whole excerpt.

The entries come grouped by thread from the services (``history.interactions.group_threads``,
which ``contact show`` and ``timeline`` print too), and each line says what the CLI's Kind column
says (``Interaction.kind_label``: direction, the other people, ``↳`` for a reply). Stored text
reaches the screen only through ``tui/safe``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import tzinfo
from typing import ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from minicrm.services.dto.interactions import Interaction
from minicrm.tui import format as fmt
from minicrm.tui import safe
from minicrm.tui.hanging import Hanging
from minicrm.tui.sheet import Sheet

#: characters of an entry's text a timeline line shows
LINE_TEXT = 400


def headline(i: Interaction) -> str:
    """What a line shows of an entry's text: a captured message's subject (its first line; the
    excerpt is opened in full), anything else whole."""
    if i.external_id is not None and i.kind == "email":
        return i.body.split("\n", 1)[0]
    return i.body


def full_text(i: Interaction) -> str:
    """What an opened entry shows under its facts: a captured message's whole excerpt (its
    subject is the title), anything else whole."""
    if i.external_id is not None and i.kind == "email":
        return i.body.split("\n", 1)[1].lstrip("\n") if "\n" in i.body else ""
    return i.body


def entry_line(i: Interaction, tz: tzinfo, *, indent: str = "  ") -> Text:
    """``2026-03-02 10:00 email ← ana@lima.pt  Offer``: a reply in a thread is indented under
    the thread's newer messages (the services put them together)."""
    lead = indent + ("  " if i.is_reply else "")
    return safe.assemble(
        (f"{lead}{fmt.moment(i.at, tz)} ", "dim"),
        (f"{i.kind_label():<8} ", "cyan"),
        safe.cut(headline(i), LINE_TEXT),
        *(((f"  · {i.contact}", "dim"),) if "," in (i.contact or "") else ()),
    )


def entries_table(entries: Iterable[Interaction], tz: tzinfo) -> Group:
    """Timeline entries as a pane shows them: one line each, a long one wrapping under its
    text with a hanging indent."""
    return Group(*(Hanging(entry_line(i, tz), 6 if i.is_reply else 4) for i in entries))


def entry_fields(i: Interaction, tz: tzinfo) -> Table:
    """The entry's facts, one per row: when, what, who, and for captured mail its people and
    attachments (names and sizes; their content is never captured)."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column()
    d = i.details or {}
    attachments = [
        f"{a.get('name') or '(unnamed)'} ({int(a.get('size') or 0):,} bytes)"
        for a in d.get("attachments", [])
    ]
    rows: list[tuple[str, object]] = [
        ("When", fmt.moment(i.at, tz)),
        ("Kind", i.kind_label()),
        ("Direction", i.direction),
        ("Contact", i.contact),
        ("Deal", f"#{i.deal_id}" if i.deal_id else None),
        ("From", d.get("from")),
        ("To", ", ".join(d.get("to", []))),
        ("Cc", ", ".join(d.get("cc", []))),
        ("Attendees", ", ".join(str(a) for a in d.get("attendees", []))),
        ("Location", d.get("location")),
        ("Attachments", ", ".join(attachments)),
        ("Message-ID", d.get("message_id")),
        ("By", i.author),
    ]
    for label, value in rows:
        if value:
            grid.add_row(safe.text(label), safe.text(value))
    return grid


class EntrySheet(Sheet[None]):
    """One timeline entry in full; esc goes back to the list."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter", "close", "Back", id="entry.back"),
    ]
    DEFAULT_CSS = """
    EntrySheet > .sheet { width: 100; }
    EntrySheet #entry-text { height: auto; max-height: 20; }
    """

    def __init__(self, entry: Interaction, tz: tzinfo) -> None:
        super().__init__()
        self.entry = entry
        self.tz = tz

    def compose(self) -> ComposeResult:
        i = self.entry
        with Vertical(classes="sheet"):
            title = headline(i) if i.external_id is not None and i.kind == "email" else ""
            yield Static(safe.text(title or i.kind.capitalize()), id="entry-title", classes="sheet-title")
            yield Static(entry_fields(i, self.tz), id="entry-fields")
            with VerticalScroll(id="entry-text", classes="sheet-body"):
                yield Static(safe.text(full_text(i), keep_newlines=True), id="entry-body")
            yield Static(Text("j/k scroll · esc back", style="dim"))

    def on_mount(self) -> None:
        self.query_one("#entry-text").focus()

    def action_close(self) -> None:
        self.dismiss(None)


class TimelineSheet(Sheet[None]):
    """A contact's or a company's timeline, threads together; enter opens an entry in full."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="timeline.close"),
    ]
    DEFAULT_CSS = """
    TimelineSheet > .sheet { width: 110; }
    """

    def __init__(self, title: str, entries: tuple[Interaction, ...], tz: tzinfo) -> None:
        super().__init__()
        self.title_text = title
        self.entries = entries
        self.tz = tz

    def compose(self) -> ComposeResult:
        with Vertical(classes="sheet"):
            yield Static(safe.text(self.title_text), id="timeline-title", classes="sheet-title")
            yield OptionList(
                *(Option(entry_line(i, self.tz, indent=""), id=str(n)) for n, i in enumerate(self.entries)),
                id="timeline-entries",
            )
            yield Static(Text("enter opens an entry · esc close", style="dim"))

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        if not self.entries:
            options.add_option(Option(Text("nothing on the timeline yet", style="dim"), disabled=True))
        else:
            options.highlighted = 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.app.push_screen(EntrySheet(self.entries[int(event.option.id)], self.tz))

    def action_close(self) -> None:
        self.dismiss(None)
