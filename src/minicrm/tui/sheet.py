"""A sheet: a modal panel centred over the screen (the keys, a contact's deals, the undo list),
one look for all of them."""

from __future__ import annotations

from typing import ClassVar, TypeVar

from textual.binding import BindingType
from textual.screen import ModalScreen

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
