"""Undo in the app: the same change log and service as ``minicrm undo``.

``u`` shows what undoing the latest operation will do (the records it re-creates, deletes or
restores, as the CLI lists them) and asks; the undo list (from the command palette) shows the
recent operations and undoes the one picked. An undo is recorded too: undoing it redoes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from minicrm.tui import format as fmt
from minicrm.tui.safe import cut, text
from minicrm.tui.sheet import Ask, Sheet
from minicrm.tui.work import run_db

if TYPE_CHECKING:
    from minicrm.services.history.undo import Operation, UndoPlan
    from minicrm.services.kernel.context import Context

#: steps listed in the confirmation (the rest are counted)
SHOWN_STEPS = 8
#: operations in the undo list
RECENT = 30


def load_plan(ctx: Context, op_id: int | None) -> UndoPlan:
    from minicrm.services.history import undo

    return undo.plan(ctx, op_id)


def run_undo(ctx: Context, op_id: int) -> tuple[Operation, UndoPlan]:
    from minicrm.services.history import undo

    return undo.undo(ctx, op_id)


def load_recent(ctx: Context) -> list[Operation]:
    from minicrm.services.history import undo

    return undo.recent(ctx, RECENT)


def plan_lines(plan: UndoPlan, tz: Any) -> list[str]:
    op = plan.op
    by = f" by {op.actor}" if op.actor else ""
    lines = [f"Undo #{op.id} “{op.summary}” ({fmt.moment(op.at, tz)}{by})?"]
    lines += [f"  {step.describe()}" for step in plan.steps[:SHOWN_STEPS]]
    if plan.total > SHOWN_STEPS:
        lines.append(f"  … and {plan.total - SHOWN_STEPS} more ({'; '.join(plan.totals())})")
    return lines


def plan_text(plan: UndoPlan, tz: Any) -> Text:
    """The plan, a line each (every line made safe on its own: the line breaks are ours)."""
    parts = [text(line) for line in plan_lines(plan, tz)]
    parts[0].stylize("bold")
    return Text("\n").join(parts)


class UndoConfirm(Ask):
    """What the undo will do, and y/n."""

    def __init__(self, plan: UndoPlan, tz: Any) -> None:
        super().__init__(plan_text(plan, tz), "Yes, undo")
        self.plan = plan


def operation_option(op: Operation, tz: Any) -> Option:
    state = f"  ({op.state})" if op.state else ""
    line = Text.assemble(
        (f"#{op.id:<5} ", "bold"),
        (f"{fmt.moment(op.at, tz)}  ", "dim"),
        text(cut(op.summary, 60)),
        (state, "dim"),
    )
    return Option(line, id=str(op.id), disabled=op.undone_by is not None)


class UndoList(Sheet[int | None]):
    """The recent operations, newest first; enter undoes the highlighted one (after asking)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="undolist.close"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="sheet"):
            yield Static(
                text("Recent changes (enter undoes one; undoing an undo redoes)"),
                id="undo-title",
                classes="sheet-title",
            )
            yield OptionList(id="undo-ops")
            yield Static(Text("enter undo · esc close · the same list as minicrm undo --list", style="dim"))

    def on_mount(self) -> None:
        tz = self.app.clock.tz  # type: ignore[attr-defined]

        def show(ops: list[Operation]) -> None:
            options = self.query_one(OptionList)
            options.set_options([operation_option(op, tz) for op in ops])
            if not ops:
                options.add_option(Option(Text("nothing recorded yet", style="dim"), disabled=True))
            options.focus()

        run_db(self, load_recent, then=show, group="undo-list", exclusive=True)

    def action_close(self) -> None:
        self.dismiss(None)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.dismiss(int(event.option.id))
