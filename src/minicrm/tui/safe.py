"""The one way stored text reaches the TUI's screen: as inert, literal text.

A name, a title or a note is data. Two things could make it act instead: Textual/Rich markup
(``[bold]``, ``[@click=app.quit]``, an unbalanced ``[/x]`` that raises MarkupError) and terminal
control or bidi characters (``\\x1b]0;…\\x07`` retitles the terminal, ``\\x1b[2J`` blanks it).
Every helper here passes the text through ``minicrm.core.text.inert`` (the CLI's rule) and
returns a ``rich.text.Text``, which Textual and Rich never parse for markup. Widgets, table
cells, option prompts, titles, modals and notifications take these, never an f-string of
stored text. ``markup()`` is for the rare place that must be a markup string (a link).
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.markup import escape
from textual.widgets import Input

from minicrm.core.text import inert, pictured

__all__ = ["NEWLINE", "SafeInput", "assemble", "cut", "inert", "markup", "plain", "text"]

StyleType = str | Style

#: a line break between the parts of ``assemble`` (a plain "\n" part is stored text: escaped)
NEWLINE = Text("\n")


def plain(value: object, *, keep_newlines: bool = False) -> str:
    """``value`` as inert plain text (for places that never parse markup: Input values, Text)."""
    return inert(value, keep_newlines=keep_newlines)


def text(value: object, style: StyleType = "", *, keep_newlines: bool = False) -> Text:
    """``value`` as a Text shown literally, in ``style``."""
    return Text(inert(value, keep_newlines=keep_newlines), style=style)


def assemble(*parts: object | tuple[object, StyleType], style: StyleType = "") -> Text:
    """Like ``Text.assemble``, but every part is stored text made inert. A part is a value or a
    ``(value, style)`` pair; a Text part is kept as it is (it was made by these helpers)."""
    out = Text(style=style)
    for part in parts:
        if isinstance(part, Text):
            out.append_text(part)
        elif isinstance(part, tuple):
            value, part_style = part
            out.append(inert(value), style=part_style or None)
        else:
            out.append(inert(part))
    return out


def cut(value: object, width: int) -> str:
    """``value`` on one line, inert, at most ``width`` characters (``…`` marks a cut). The
    escaping comes first, so that a cut column is as wide as it says."""
    one_line = inert("" if value is None else str(value).replace("\r\n", " ").replace("\n", " "))
    return one_line if len(one_line) <= width else one_line[: max(0, width - 1)] + "…"


def markup(value: object) -> str:
    """``value`` for a markup string: inert, with its square brackets escaped."""
    return escape(inert(value))


class SafeInput(Input):
    """An Input that shows a stored value's control and bidi characters as ``␛``/``�`` stand-ins
    (one for one, so the cursor stays on its character) and never sends them to the terminal;
    the value itself is edited and saved as stored."""

    @property
    def _value(self) -> Text:
        if self.password:
            return super()._value
        shown = Text(pictured(self.value), no_wrap=True, overflow="ignore", end="")
        return self.highlighter(shown) if self.highlighter is not None else shown
