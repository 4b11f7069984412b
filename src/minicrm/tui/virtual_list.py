"""A list that shows millions of rows while holding only a few pages of them.

``VirtualList`` is a Line API widget: it knows the row count (from a count query) and renders
only the visible lines. Rows come in pages of ``PAGE`` from a fetch function run in a thread
worker; pages live in a small LRU cache. A page that follows a cached one is fetched by keyset
(after that page's last row), a far jump by offset. A missing page renders as a dim placeholder
for the moment it takes to arrive, so scrolling never waits for the database.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from minicrm.core.text import inert
from minicrm.tui.work import run_db

R = TypeVar("R")
PAGE = 100
CACHED_PAGES = 12

#: render(row, width) -> text of the line (the widget cuts and pads it)
Render = Callable[[Any, int], str]


class RowSource(Protocol):
    """Where a VirtualList gets its rows (each method runs in a worker with a Context)."""

    def first(self, ctx: Any, offset: int, limit: int) -> tuple[int | None, list[Any]]:
        """A page and, when it comes cheaply with it, the total (else None: ``count`` is asked)."""
        ...

    def page(self, ctx: Any, offset: int, limit: int, after: Any) -> list[Any]:
        """The rows from ``offset``, or right after the row ``after`` when it is given."""
        ...

    def count(self, ctx: Any) -> int: ...


class VirtualList(ScrollView, Generic[R], can_focus=True):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home,g", "jump(0)", "First", show=False),
        Binding("end,G", "jump(-1)", "Last", show=False),
        Binding("enter", "select", "Open", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "virtual-list--cursor",
        "virtual-list--pending",
        "virtual-list--muted",
        "virtual-list--marked",
    }
    DEFAULT_CSS = """
    VirtualList { height: 1fr; overflow-x: hidden; }
    VirtualList > .virtual-list--cursor { background: $block-cursor-blurred-background; }
    VirtualList:focus > .virtual-list--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold;
    }
    VirtualList > .virtual-list--pending { color: $text-muted; }
    VirtualList > .virtual-list--marked { background: $accent 30%; text-style: bold; }
    """

    cursor: reactive[int] = reactive(0, repaint=False)

    class Highlighted(Message):
        def __init__(self, source: VirtualList[Any], index: int, row: Any, by_user: bool = True) -> None:
            super().__init__()
            self.source = source
            self.index = index
            self.row = row
            #: False when a reload (refresh) re-announces the row that was already under the cursor
            self.by_user = by_user

    class Selected(Highlighted):
        pass

    class Loaded(Message):
        """The total of the list is known (after a reload)."""

        def __init__(self, source: VirtualList[Any], total: int) -> None:
            super().__init__()
            self.source = source
            self.total = total

    def __init__(self, source: RowSource, render: Render, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.source = source
        self.render_row = render
        self.total = 0
        self._pages: OrderedDict[int, list[R]] = OrderedDict()
        self._pending: set[int] = set()
        self._generation = 0
        self._announced = -1
        self._quiet = False
        self._styles: tuple[Style, Style, Style] | None = None
        #: rows the screen has marked (a multi-selection), drawn marked; None: no marking
        self.is_marked: Callable[[Any], bool] | None = None

    # -- data ----------------------------------------------------------------------------
    def reload(self, *, keep_cursor: bool = False) -> None:
        """Forget every page and ask for the total and the first page again."""
        self._generation += 1
        generation = self._generation
        cursor = self.cursor if keep_cursor else 0
        first = (cursor // PAGE) if keep_cursor else 0
        #: the record under the cursor: it keeps the cursor when rows came or went before it
        keep_id = getattr(self.current, "id", None) if keep_cursor else None

        source = self.source

        def load(ctx: Any) -> tuple[int | None, list[R]]:
            return source.first(ctx, first * PAGE, PAGE)

        def done(result: tuple[int | None, list[R]]) -> None:
            if generation != self._generation:
                return
            self._quiet = keep_cursor
            total, rows = result
            self._pages.clear()
            self._pending.clear()
            self._pages[first] = rows
            if total is None:  # show the rows now, the total follows once they are drawn
                self.call_after_refresh(count)
                total = max(self.total, first * PAGE + len(rows)) if keep_cursor else first * PAGE + len(rows)
            self._set_total(total)
            self._announced = -1
            at = None
            if keep_id is not None:
                at = next((i for i, row in enumerate(rows) if getattr(row, "id", None) == keep_id), None)
            self.cursor = first * PAGE + at if at is not None else min(cursor, max(0, total - 1))
            if not keep_cursor:
                self.scroll_to(y=0, animate=False)
            self.refresh()
            self._announce()

        def count() -> None:
            if generation == self._generation:
                run_db(self, source.count, then=counted, group="count", exclusive=True)

        def counted(total: int) -> None:
            if generation == self._generation:
                self._set_total(total)

        run_db(self, load, then=done, group="reload", exclusive=True)

    def _set_total(self, total: int) -> None:
        self.total = total
        self.virtual_size = Size(self.size.width, total)
        self.refresh()
        self.post_message(self.Loaded(self, total))

    def row(self, index: int) -> R | None:
        page = self._pages.get(index // PAGE)
        if page is None or index % PAGE >= len(page):
            return None
        return page[index % PAGE]

    @property
    def current(self) -> R | None:
        return self.row(self.cursor) if self.total else None

    def _want(self, page_no: int) -> None:
        if page_no in self._pages or page_no in self._pending or page_no * PAGE >= self.total or page_no < 0:
            return
        self._pending.add(page_no)
        generation = self._generation
        before = self._pages.get(page_no - 1)
        after = before[-1] if before and len(before) == PAGE else None

        source = self.source

        def fetch(ctx: Any) -> list[R]:
            return source.page(ctx, page_no * PAGE, PAGE, after)

        def done(rows: list[R]) -> None:
            self._pending.discard(page_no)
            if generation != self._generation:
                return
            self._pages[page_no] = rows
            while len(self._pages) > CACHED_PAGES:
                self._pages.popitem(last=False)
            self.refresh()
            self._announce()

        run_db(self, fetch, then=done, group=f"page-{page_no}")

    # -- rendering -------------------------------------------------------------------------
    def render_lines(self, crop: Region) -> list[Strip]:
        # the styles are worked out once per frame, not once per line
        base = self.rich_style
        self._styles = (
            base,
            base + self.get_component_rich_style("virtual-list--cursor"),
            base + self.get_component_rich_style("virtual-list--pending"),
        )
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        if self._styles is None:
            self._styles = (self.rich_style,) * 3
        base, cursor_style, pending_style = self._styles
        if index >= self.total:
            return Strip.blank(width, base)
        page_no = index // PAGE
        page = self._pages.get(page_no)
        if page is None:
            self._want(page_no)
            return Strip([Segment("  …".ljust(width), pending_style)], width)
        self._pages.move_to_end(page_no)
        if index % PAGE >= len(page):
            return Strip.blank(width, base)
        if index % PAGE > PAGE - 20:
            self._want(page_no + 1)
        row = page[index % PAGE]
        # the row renderers cut inert text to their columns; this is the guard that no control
        # character of a renderer that forgot reaches the terminal (cheap on printable text)
        text = inert(self.render_row(row, max(width, self.virtual_size.width)))
        style = cursor_style if index == self.cursor else base
        if self.is_marked is not None and self.is_marked(row):
            text = "●" + text[1:]
            style += self.get_component_rich_style("virtual-list--marked")
        line = text[scroll_x : scroll_x + width].ljust(width)
        return Strip([Segment(line, style)], width)

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, self.total)

    # -- cursor ----------------------------------------------------------------------------
    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh_line(old - int(self.scroll_y))
        self.refresh_line(new - int(self.scroll_y))
        self.scroll_to_region(Region(0, new, 1, 1), animate=False, force=True, immediate=True)
        self._announce()

    def refresh_line(self, y: int) -> None:
        if 0 <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def _announce(self) -> None:
        row = self.current
        if row is not None and self._announced != self.cursor:
            self._announced = self.cursor
            self.post_message(self.Highlighted(self, self.cursor, row, by_user=not self._quiet))
            self._quiet = False

    def select_id(self, ident: object) -> bool:
        """Put the cursor on the row with this id if it is among the rows held (quietly: the
        caller shows its detail); False when it is not."""
        for page_no, rows in self._pages.items():
            for i, row in enumerate(rows):
                if getattr(row, "id", None) == ident:
                    self._quiet = True
                    self._announced = page_no * PAGE + i  # already shown by the caller
                    self.cursor = page_no * PAGE + i
                    self._quiet = False
                    return True
        return False

    def move_to(self, index: int) -> None:
        self._quiet = False
        if self.total:
            self.cursor = max(0, min(self.total - 1, index))

    def action_cursor(self, step: int) -> None:
        self.move_to(self.cursor + step)

    def action_page(self, direction: int) -> None:
        self.move_to(self.cursor + direction * max(1, self.size.height - 1))

    def action_jump(self, where: int) -> None:
        self.move_to(self.total - 1 if where < 0 else where)

    def action_select(self) -> None:
        row = self.current
        if row is not None:
            self.post_message(self.Selected(self, self.cursor, row))

    def on_click(self, event: Any) -> None:
        index = int(self.scroll_y) + event.y
        if 0 <= index < self.total:
            if index == self.cursor and event.chain >= 2:
                self.action_select()
            self.cursor = index
