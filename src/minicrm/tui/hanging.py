"""A line of a pane that wraps with a hanging indent (Rich wraps to the left edge)."""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text


class Hanging:
    """A line that wraps with a hanging indent: what does not fit goes on below, ``hang`` cells
    in from where the entry starts, so that a long note never reads as the next entry."""

    def __init__(self, line: Text, hang: int) -> None:
        self.line = line
        self.hang = hang

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = max(self.hang + 8, options.max_width)
        first, *rest = self.line.wrap(console, width) or [Text()]
        first.rstrip()
        yield first
        if rest:
            plain, cut = self.line.plain, len(first.plain)  # the first line is its start
            while cut < len(plain) and plain[cut].isspace():
                cut += 1
            tail = self.line.divide([cut])[1]
            for line in tail.wrap(console, width - self.hang):
                line.rstrip()
                yield Text(" " * self.hang) + line
