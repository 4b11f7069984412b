"""The pipeline board: one column per stage with its count and value; move the selected deal
between stages with keys, mark it won or lost with a reason. Stale deals are marked ⚠."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from minicrm.core.words import counted
from minicrm.services.deals import dashboard
from minicrm.services.dto.board import Board, BoardDeal
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


class StageColumn(Vertical):
    def __init__(self, stage: str) -> None:
        super().__init__(classes="stage")
        self.stage = stage

    def compose(self) -> ComposeResult:
        yield Static(safe.text(self.stage), classes="stage-head")
        yield OptionList(classes="stage-deals")


class PipelineScreen(CrmScreen):
    MODE = "pipeline"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,h", "column(-1)", "◀ Column", show=False),
        Binding("right", "column(1)", "Column ▶", show=False),
        Binding("shift+left,less_than_sign", "move(-1)", "Move ◀"),
        Binding("shift+right,greater_than_sign", "move(1)", "Move ▶"),
        Binding("w", "won", "Won"),
        Binding("x", "lost", "Lost"),
        Binding("enter", "open", "Open contact", show=False),
    ]
    COMMANDS_HERE = (
        ("Move the deal to the next stage", "Pipeline", "move(1)"),
        ("Move the deal to the previous stage", "Pipeline", "move(-1)"),
        ("Mark the deal won", "Pipeline: asks for an optional note", "won"),
        ("Mark the deal lost", "Pipeline: asks for the reason", "lost"),
        ("Open the deal's contact", "Pipeline", "open"),
    )

    def __init__(self) -> None:
        super().__init__()
        self.board: Board | None = None
        self.follow: int | None = None

    def compose_body(self) -> ComposeResult:
        yield Static("", id="board-summary")
        yield Horizontal(id="board")

    def refresh_data(self) -> None:
        self.db(dashboard.board, then=self.show, group="board", exclusive=True)

    async def show(self, board: Board) -> None:
        self.board = board
        holder = self.query_one("#board", Horizontal)
        columns = list(self.query(StageColumn))
        if [c.stage for c in columns] != list(board.stages):
            await holder.remove_children()
            columns = [StageColumn(stage) for stage in board.stages]
            await holder.mount_all(columns)
        focus_here = self._focused_column()
        for column, total in zip(columns, board.totals, strict=True):
            column.query_one(".stage-head", Static).update(
                safe.assemble(
                    (total.stage, "bold"),
                    f" ({total.count})",
                    safe.NEWLINE,
                    (fmt.totals(total.totals), "green"),
                )
            )
            deals = column.query_one(OptionList)
            keep = deals.highlighted
            kept = deals.highlighted_option
            keep_id = int(kept.id) if kept is not None and kept.id is not None else None
            shown = board.columns[total.stage]
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
                + "   ←/→ column · < > move"
            )
        )
        if columns:
            self.set_focus(columns[focus_here if focus_here is not None else 0].query_one(OptionList))
        self.refreshed()

    def _focused_column(self) -> int | None:
        for i, column in enumerate(self.query(StageColumn)):
            if column.query_one(OptionList).has_focus:
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
        deal = next((d for d in self.board.columns[column.stage] if d.id == int(option.id)), None)
        return (index, deal) if deal else None

    def action_column(self, step: int) -> None:
        columns = list(self.query(StageColumn))
        if not columns:
            return
        index = self._focused_column()
        target = 0 if index is None else max(0, min(len(columns) - 1, index + step))
        self.set_focus(columns[target].query_one(OptionList))

    def action_move(self, step: int) -> None:
        selected = self._selected()
        if selected is None or self.board is None:
            self.notify("select a deal first", severity="warning")
            return
        index, deal = selected
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

    def _close(self, won: bool, typed: str = "", deal_id: int | None = None) -> None:
        """Ask for the note (won) or reason (lost) and write it; after a failure the dialog comes
        back with what was typed, over the deal as it is now (``deal_id``)."""
        if deal_id is None:
            selected = self._selected()
            if selected is None:
                self.notify("select a deal first", severity="warning")
                return
            deal = selected[1]
        else:
            found = self._on_board(deal_id)
            if found is None:
                self.notify(
                    f"not saved: the deal is no longer open (you typed “{typed}”)", severity="warning"
                )
                return
            deal = found
        reasons = ", ".join(self.crm.lost_reasons)

        def save(text: str | None) -> None:
            if text is None:
                return
            self.follow = deal.id
            self.write(
                dashboard.close_deal,
                deal.id,
                won,
                None if won else (text or None),
                note=(text or None) if won else None,
                expected_version=deal.version,
                done=f"{deal.title}: {'won' if won else 'lost'}",
                retry=lambda: self._close(won, text, deal.id),
            )

        if won:
            prompt = PromptModal(
                f"Won “{deal.title}”", "Note", typed, placeholder="optional: what clinched it"
            )
        else:
            prompt = PromptModal(
                f"Lost “{deal.title}”",
                "Reason",
                typed,
                check=check_required("a reason"),
                placeholder=f"e.g. {reasons}" if reasons else "e.g. price, timing, competitor",
            )
        self.app.push_screen(prompt, save)

    def _on_board(self, deal_id: int) -> BoardDeal | None:
        if self.board is None:
            return None
        return next((d for deals in self.board.columns.values() for d in deals if d.id == deal_id), None)

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
