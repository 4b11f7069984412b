"""The keys of a screen, derived from its bindings: the help panel (``?``) and the palette.

Every binding is declared once, with its description (and, where the description is not enough,
a tooltip); what a screen lists under ``?`` and what the command palette offers are read from
the bindings that are active there (the focused widget's, the screen's and the app's), so a key
added to a screen appears in both without being written down again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Static

from minicrm.tui.sheet import Sheet

#: actions that are how a widget works rather than something to do (never in the palette)
MOTION = frozenset(
    {"cursor", "page", "jump", "select", "cursor_up", "cursor_down", "first", "last", "page_up", "page_down"}
)


#: Textual's own plumbing on every screen: the same in every Textual app, not this app's keys
PLUMBING = frozenset(
    {
        "focus_next",
        "focus_previous",
        "app.focus_next",
        "app.focus_previous",
        "copy_text",
        "screen.copy_text",
        # a scroll view's sideways keys: no list here scrolls sideways
        "scroll_left",
        "scroll_right",
        "page_left",
        "page_right",
    }
)


def _own(node: DOMNode) -> bool:
    """A binding declared by this app (a screen, the app, one of its widgets), not one that a
    Textual widget brings (a scroll view's arrows, an input's editing keys)."""
    return node is node.app or isinstance(node, Screen) or not type(node).__module__.startswith("textual.")


@dataclass(frozen=True, slots=True)
class KeyHelp:
    keys: tuple[str, ...]
    description: str
    tooltip: str
    action: str
    node: DOMNode
    #: "screen" for the screen's own and its widgets' keys, "app" for those that work everywhere
    scope: str

    @property
    def motion(self) -> bool:
        return self.action.split("(", 1)[0] in MOTION


def keys_of(screen: Screen[Any]) -> list[KeyHelp]:
    """Every key that does something on ``screen`` now, one entry per action (its keys joined),
    in the order they are declared, the screen's before the app's."""
    app = screen.app
    by_action: dict[tuple[int, str], list[Any]] = {}
    for key, active in screen.active_bindings.items():
        binding: Binding = active.binding
        if binding.system or not binding.description or binding.action in PLUMBING or not _own(active.node):
            continue
        entry = by_action.setdefault((id(active.node), binding.action), [active, []])
        entry[1].append(app.get_key_display(Binding(key, binding.action)))
    out: list[KeyHelp] = []
    for active, keys in by_action.values():
        binding = active.binding
        out.append(
            KeyHelp(
                keys=tuple(keys),
                description=binding.description,
                tooltip=binding.tooltip,
                action=binding.action,
                node=active.node,
                scope="app" if active.node is app else "screen",
            )
        )
    out.sort(key=lambda k: k.scope == "app")  # stable: declaration order within each scope
    return out


def help_table(entries: list[KeyHelp]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    scope = ""
    for entry in entries:
        if entry.scope != scope:
            scope = entry.scope
            title = "On this screen" if scope == "screen" else "Everywhere"
            table.add_row(Text(title, style="bold underline"), "")
        description = Text(entry.description)
        if entry.tooltip:
            description.append(f" — {entry.tooltip}", style="dim")
        table.add_row(Text(" ".join(entry.keys)), description)
    return table


class KeysScreen(Sheet[None]):
    """What every key does on the screen below (``?``, esc or q closes)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close", id="help.close"),
    ]

    def __init__(self, title: str, entries: list[KeyHelp]) -> None:
        super().__init__()
        self.title_text = title
        self.entries = entries

    def compose(self) -> ComposeResult:
        with Vertical(classes="sheet"):
            yield Static(Text(f"Keys: {self.title_text}"), id="keys-title", classes="sheet-title")
            with VerticalScroll(id="keys-list"):
                yield Static(help_table(self.entries), id="keys-table")
            yield Static(Text("esc closes · ctrl+p lists the same as commands", style="dim"))

    def on_mount(self) -> None:
        self.query_one("#keys-list", VerticalScroll).focus()  # j/k and the arrows scroll it

    def action_close(self) -> None:
        self.dismiss(None)
