"""The pipeline board: one column per stage with its count and value; move the selected deal
between stages with keys, mark it won or lost with a reason. Stale deals are marked ⚠."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import HorizontalScroll, Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from minicrm.core.text import inert
from minicrm.core.words import counted
from minicrm.services.deals import dashboard
from minicrm.services.dto.board import Board, BoardDeal
from minicrm.services.dto.deals import Deal
from minicrm.tui import format as fmt
from minicrm.tui import safe
from minicrm.tui.modals import PromptModal, check_required
from minicrm.tui.screens.base import CrmScreen


def deal_option(deal: BoardDeal) -> Option:
    title = safe.assemble(("⚠ " if deal.stale else "", "yellow"), (deal.title, "bold"))
    value = fmt.money(deal.value_minor, deal.currency)
    extra = f"{deal.contact or '—'}"
    if deal.close_date:
        extra += f" · {deal.close_date:%d %b}"
    if deal.stale:
        extra += f" · idle {deal.idle_days}d"
    return Option(
        safe.assemble(title, safe.NEWLINE, (value, "green"), safe.NEWLINE, (extra, "dim")), id=str(deal.id)
    )


#: the narrowest a board column gets: fewer columns are shown side by side, the board scrolls
COLUMN_MIN = 26
#: the columns of closed deals, shown on request after the stages
CLOSED = ("won", "lost")


class BoardScroll(HorizontalScroll, can_focus=False, inherit_bindings=False):
    """The board's sideways scroll: the screen's ←/→ pick a column (and scroll to it), so the
    scroll itself binds no keys."""


class StageColumn(Vertical):
    def __init__(self, stage: str, *, closed: bool = False) -> None:
        super().__init__(classes="stage -closed" if closed else "stage")
        self.stage = stage
        self.closed = closed

    def compose(self) -> ComposeResult:
        yield Static(safe.text(self.stage), classes="stage-head")
        yield OptionList(classes="stage-deals")


class PipelineScreen(CrmScreen):
    MODE = "pipeline"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,h", "column(-1)", "◀ Column", show=False),
        Binding("right,l", "column(1)", "Column ▶", show=False),
        Binding("j", "deal(1)", "Down", show=False),
        Binding("k", "deal(-1)", "Up", show=False),
        Binding("v", "toggle_closed", "Won/lost", show=False),
        Binding("shift+left,less_than_sign", "move(-1)", "Move ◀"),
        Binding("shift+right,greater_than_sign", "move(1)", "Move ▶"),
        Binding("w", "won", "Won"),
        Binding("x", "lost", "Lost"),
        Binding("enter", "open", "Open contact", show=False),
        Binding(
            "o", "detail", "Deal", tooltip="the deal's detail: stage history, timeline", id="pipeline.detail"
        ),
        Binding("a", "add_deal", "Add deal", id="pipeline.add"),
        Binding("e", "edit_deal", "Edit deal", show=False, id="pipeline.edit"),
    ]
    COMMANDS_HERE = (
        ("Move the deal to the next stage", "Pipeline", "move(1)"),
        ("Move the deal to the previous stage", "Pipeline", "move(-1)"),
        ("Mark the deal won", "Pipeline: asks for an optional note", "won"),
        ("Mark the deal lost", "Pipeline: asks for the reason", "lost"),
        ("Open the deal's contact", "Pipeline", "open"),
        ("Show or hide the won and lost deals", "Pipeline: two more columns (v)", "toggle_closed"),
    )

    def __init__(self) -> None:
        super().__init__()
        self.board: Board | None = None
        self.follow: int | None = None
        #: the won and lost columns are shown (v)
        self.show_closed = False
        self._column_width = 0
        #: the column the rep is on, kept while the columns are put up again (v, a reload)
        self._column = 0

    def compose_body(self) -> ComposeResult:
        yield Static("", id="board-summary")
        yield BoardScroll(id="board")

    def refresh_data(self) -> None:
        self.db(dashboard.board, closed=self.show_closed, then=self.show, group="board", exclusive=True)

    def _lanes(self, board: Board) -> list[tuple[str, Text, tuple[BoardDeal, ...]]]:
        """Each column as shown: its name, its head, its deals (the stages, then won and lost)."""
        lanes = [
            (
                t.stage,
                safe.assemble(
                    (t.stage, "bold"),
                    f" ({t.count})",
                    safe.NEWLINE,
                    (fmt.totals(t.totals), "green") if t.count else ("no deals", "dim"),
                ),
                board.columns[t.stage],
            )
            for t in board.totals
        ]
        for status, deals in board.closed:
            money: dict[str, int] = {}
            for d in deals:
                money[d.currency] = money.get(d.currency, 0) + (d.value_minor or 0)
            head = safe.assemble(
                (status, "bold green" if status == "won" else "bold red"),
                f" (latest {len(deals)})" if deals else "",
                safe.NEWLINE,
                (fmt.totals(tuple(sorted(money.items()))) if deals else "none yet", "dim"),
            )
            lanes.append((status, head, deals))
        return lanes

    async def show(self, board: Board) -> None:
        self.board = board
        holder = self.query_one("#board", HorizontalScroll)
        lanes = self._lanes(board)
        columns = list(self.query(StageColumn))
        focus_here = self._focused_column()
        if focus_here is None:
            focus_here = self._column  # keys that came while the board was being put up again
        if [c.stage for c in columns] != [name for name, _head, _deals in lanes]:
            await holder.remove_children()
            columns = [StageColumn(name, closed=name in CLOSED) for name, _head, _deals in lanes]
            await holder.mount_all(columns)
            self._size_columns()
        for column, (_name, head, shown) in zip(columns, lanes, strict=True):
            column.query_one(".stage-head", Static).update(head)
            deals = column.query_one(OptionList)
            keep = deals.highlighted
            kept = deals.highlighted_option
            keep_id = int(kept.id) if kept is not None and kept.id is not None else None
            options: list[Option | None] = []
            for deal in shown:
                options += [deal_option(deal), None]
            deals.set_options(options[:-1])
            if self.follow is not None and any(d.id == self.follow for d in shown):
                deals.highlighted = next(i for i, d in enumerate(shown) if d.id == self.follow)
                focus_here = columns.index(column)
            elif keep_id is not None and any(d.id == keep_id for d in shown):  # the same deal
                deals.highlighted = next(i for i, d in enumerate(shown) if d.id == keep_id)
            elif deals.option_count:
                deals.highlighted = min(keep or 0, deals.option_count - 1)
        self.follow = None
        stale = sum(d.stale for deals in board.columns.values() for d in deals)
        open_deals = sum(t.count for t in board.totals)
        self.query_one("#board-summary", Static).update(
            safe.text(
                f" Pipeline “{board.pipeline}” · {counted(open_deals, 'open deal')}"
                + (f" · ⚠ {stale} stale" if stale else "")
                + f"   ←/→ column · < > move · v {'hides' if self.show_closed else 'shows'} won/lost"
            )
        )
        if columns:
            self._focus_column(columns[min(focus_here, len(columns) - 1)])
        self.refreshed()

    def _focus_column(self, column: StageColumn) -> None:
        """Focus the column's deals and scroll the board so that the whole column is on screen:
        the keys act on the selected deal, which is always one the rep can see."""
        self.set_focus(column.query_one(OptionList), scroll_visible=False)
        columns = list(self.query(StageColumn))
        board = self.query_one("#board", HorizontalScroll)
        each = self._column_width or COLUMN_MIN
        fit = max(1, board.size.width // each)
        index = self._column = columns.index(column)
        first = round(board.scroll_x / each)  # whole columns, never half of one at the edge
        if index < first:
            first = index
        elif index >= first + fit:
            first = index - fit + 1
        board.scroll_to(x=first * each, animate=False, immediate=True)

    def on_resize(self) -> None:
        self._size_columns()

    def _size_columns(self) -> None:
        """As many whole columns as fit side by side (each at least COLUMN_MIN wide), sharing
        the width; the board scrolls sideways to the others."""
        columns = list(self.query(StageColumn))
        width = self.size.width
        if not columns or width <= 0:
            return
        fit = max(1, min(len(columns), width // COLUMN_MIN))
        each = self._column_width = width // fit
        for column in columns:
            column.styles.width = each
        # the board as wide as the whole columns: the rest of the width would show the edge of
        # the next one, a column the keys cannot reach without scrolling
        self.query_one("#board", HorizontalScroll).styles.width = each * fit
        focused = self._focused_column()
        if focused is not None:
            self.call_after_refresh(self._focus_column, columns[focused])

    def action_toggle_closed(self) -> None:
        self.show_closed = not self.show_closed
        self.refresh_data()

    def _focused_column(self) -> int | None:
        # the screen's focus, not the list's has_focus: that follows a Focus event, after the
        # keys that came in the same burst ("→ → →" all move on from where the last one went)
        for i, column in enumerate(self.query(StageColumn)):
            # a column still being put up (a resize while the board reloads) has no list yet
            if any(lane is self.focused for lane in column.query(OptionList)):
                return i
        return None

    def _selected(self) -> tuple[int, BoardDeal] | None:
        index = self._focused_column()
        if index is None or self.board is None:
            return None
        column = list(self.query(StageColumn))[index]
        option = column.query_one(OptionList).highlighted_option
        if option is None or option.id is None:
            return None
        lane = dict(self.board.closed).get(column.stage) if column.closed else None
        deals = lane if lane is not None else self.board.columns.get(column.stage, ())
        deal = next((d for d in deals if d.id == int(option.id)), None)
        return (index, deal) if deal else None

    def action_column(self, step: int) -> None:
        columns = list(self.query(StageColumn))
        if not columns:
            return
        index = self._focused_column()
        if index is None:
            self._column = max(0, self._column + step)  # the board is being put up again
            return
        self._focus_column(columns[max(0, min(len(columns) - 1, index + step))])

    def action_move(self, step: int) -> None:
        selected = self._selected()
        if selected is None or self.board is None:
            self.notify("select a deal first", severity="warning")
            return
        index, deal = selected
        if deal.status != "open":
            self.notify(
                f"“{deal.title}” is {deal.status}: `minicrm deal move` reopens it", severity="warning"
            )
            return
        target = index + step
        if not 0 <= target < len(self.board.stages):
            self.notify(
                f"“{deal.title}” is already in the {'first' if step < 0 else 'last'} stage",
                severity="warning",
            )
            return
        stage = self.board.stages[target]
        self.follow = deal.id
        self.write(
            dashboard.move_deal,
            deal.id,
            stage,
            expected_version=deal.version,
            done=f"{deal.title} → {stage}",
        )

    def _close(self, won: bool) -> None:
        """Ask for the note (won) or reason (lost) and write it; after a failure the dialog comes
        back with what was typed, over the deal as the reloaded board shows it."""
        selected = self._selected()
        if selected is None:
            self.notify("select a deal first", severity="warning")
            return
        if selected[1].status != "open":
            self.notify(f"“{selected[1].title}” is already {selected[1].status}", severity="warning")
            return
        deal_id = selected[1].id
        reasons = ", ".join(self.crm.lost_reasons)
        shown: list[BoardDeal] = []

        def dialog() -> PromptModal | None:
            deal = self._on_board(deal_id)
            if deal is None or deal.status != "open":
                self.notify("not saved: the deal is no longer open", severity="warning")
                return None
            shown[:] = [deal]
            if won:
                return PromptModal(f"Won “{deal.title}”", "Note", placeholder="optional")
            return PromptModal(
                f"Lost “{deal.title}”",
                "Reason",
                check=check_required("a reason"),
                placeholder=f"e.g. {reasons}" if reasons else "e.g. price, timing, competitor",
            )

        def save(text: str, retry: Callable[[], None]) -> None:
            deal = shown[0]
            self.follow = deal.id
            self.write(
                dashboard.close_deal,
                deal.id,
                won,
                None if won else (text or None),
                note=(text or None) if won else None,
                expected_version=deal.version,
                done=f"{deal.title}: {'won' if won else 'lost'}",
                retry=retry,
            )

        self.ask(dialog, save)

    def _on_board(self, deal_id: int) -> BoardDeal | None:
        if self.board is None:
            return None
        return next((d for deals in self.board.columns.values() for d in deals if d.id == deal_id), None)

    def action_deal(self, step: int) -> None:
        index = self._focused_column()
        if index is not None:
            deals = list(self.query(StageColumn))[index].query_one(OptionList)
            deals.action_cursor_down() if step > 0 else deals.action_cursor_up()

    def action_won(self) -> None:
        self._close(True)

    def action_lost(self) -> None:
        self._close(False)

    def action_open(self) -> None:
        selected = self._selected()
        if selected is None:
            return
        deal = selected[1]
        if deal.contact_id is None:
            self.notify(f"“{deal.title}” has no contact", severity="warning")
            return
        self.crm.open_contact(deal.contact_id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_open()

    def show_deal(self, deal_id: int) -> None:
        self.follow = deal_id
        self.refresh_data()

    def action_detail(self) -> None:
        selected = self._selected()
        if selected is None:
            self.notify("select a deal first", severity="warning")
            return
        self.crm.open_deal_detail(selected[1].id)

    def _saved(self, deal: Deal | None) -> None:
        if deal is not None:
            self.notify(inert(f"Saved {deal.title}"), markup=False)
            self.follow = deal.id
            self.refresh_data()

    def action_add_deal(self) -> None:
        from minicrm.tui.deal_form import DealModal

        self.app.push_screen(DealModal(self.crm.config, self.crm.clock), self._saved)

    def action_edit_deal(self) -> None:
        from minicrm.services.deals import commands as deals
        from minicrm.tui.deal_form import DealModal

        selected = self._selected()
        if selected is None:
            self.notify("select a deal first", severity="warning")
            return

        def edit(deal: Deal) -> None:
            self.app.push_screen(DealModal(self.crm.config, self.crm.clock, deal=deal), self._saved)

        self.db(deals.get, selected[1].id, then=edit, group="deal")
