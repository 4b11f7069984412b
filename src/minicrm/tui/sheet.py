"""A sheet: a modal panel centred over the screen (the keys, a contact's deals, the undo list),
one look for all of them."""

from __future__ import annotations

from typing import ClassVar, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from minicrm.tui import vim

T = TypeVar("T")


class Sheet(ModalScreen[T]):
    """Put the content in one container with ``classes="sheet"``; ``.sheet-title`` heads it and
    an OptionList in it grows with its options."""

    BINDINGS: ClassVar[list[BindingType]] = [*vim.bindings("sheet", sideways=False)]
    DEFAULT_CSS = """
    Sheet { align: center middle; background: $background 60%; }
    Sheet > .sheet {
        width: 80; max-width: 100%; height: auto; max-height: 100%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    Sheet .sheet-title { text-style: bold; margin: 1 0; }
    Sheet .sheet OptionList { height: auto; max-height: 24; border: none; }
    Sheet .sheet-body { margin: 1 0 0 0; }
    Sheet .buttons { height: auto; margin: 1 0; }
    """

    def action_vim(self, motion: str) -> None:
        vim.move(self, motion)


class Ask(Sheet[bool]):
    """A question (what is about to happen, counted) and y/n; No has the focus."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,n", "answer(False)", "No", id="ask.no"),
        Binding("y", "answer(True)", "Yes", id="ask.yes"),
    ]

    def __init__(self, body: Text, yes: str) -> None:
        super().__init__()
        self.body = body
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(classes="sheet"):
            yield Static(self.body, id="ask-body", classes="sheet-body")
            with Horizontal(classes="buttons"):
                yield Button(f"{self.yes} (y)", id="yes", variant="warning")
                yield Button("No (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
