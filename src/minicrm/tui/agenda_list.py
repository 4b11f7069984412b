"""The grouped lists of Today and Follow-ups: an OptionList whose section headers (disabled
options) never hold the cursor, with vi keys."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import OptionList


class AgendaList(OptionList):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g", "first", "First", show=False),
        Binding("G", "last", "Last", show=False),
    ]

    def action_page_down(self) -> None:
        before = self.highlighted
        super().action_page_down()  # type: ignore[no-untyped-call]
        self._off_headers(1, before)

    def action_page_up(self) -> None:
        before = self.highlighted
        super().action_page_up()  # type: ignore[no-untyped-call]
        self._off_headers(-1, before)

    def _off_headers(self, direction: int, before: int | None) -> None:
        """A page jump that ends on a header (or nowhere) goes on to the next item that way,
        else back to the nearest one the other way."""
        count = self.option_count
        at = self.highlighted if self.highlighted is not None else before
        if at is None or count == 0:
            return
        if not self.get_option_at_index(at).disabled:
            self.highlighted = at  # the jump found nothing to rest on: stay
            return
        ahead = range(at, count) if direction > 0 else range(at, -1, -1)
        behind = range(at, -1, -1) if direction > 0 else range(at, count)
        for i in (*ahead, *behind):
            if not self.get_option_at_index(i).disabled:
                self.highlighted = i
                return
