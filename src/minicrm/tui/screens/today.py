"""Today: overdue and due follow-ups, deals closing within 14 days, contacts losing touch,
and the pipeline totals. Enter opens the item under the cursor."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from minicrm.core.words import counted
from minicrm.services.deals import dashboard
from minicrm.services.dto import FollowUp
from minicrm.services.dto.board import StageTotal, Today
from minicrm.services.followups import commands as followups
from minicrm.tui import format as fmt
from minicrm.tui import safe
from minicrm.tui.agenda_list import AgendaList
from minicrm.tui.screens.base import CrmScreen


class TodayScreen(CrmScreen):
    MODE = "today"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", show=True),
        Binding("d", "done", "Done"),
    ]
    COMMANDS_HERE = (
        ("Open the selected item", "Today: open the follow-up, deal or contact", "open"),
        ("Mark the selected follow-up done", "Today", "done"),
    )

    def __init__(self) -> None:
        super().__init__()
        #: the follow-ups listed, by id, as read (their versions go with done)
        self.followups: dict[int, FollowUp] = {}

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="today"):
            with Vertical(id="agenda-box"):
                yield Static("Today", classes="pane-title", id="today-title")
                yield AgendaList(id="agenda")
            with Vertical(id="totals-box"):
                yield Static("Pipeline", classes="pane-title")
                yield Static("", id="totals")

    def refresh_data(self) -> None:
        self.db(dashboard.today, then=self.show, group="today", exclusive=True)

    def show(self, view: Today) -> None:
        tz = self.crm.clock.tz
        self.followups = {f.id: f for f in (*view.due.overdue, *view.due.due)}
        agenda = self.query_one("#agenda", OptionList)
        keep = agenda.highlighted
        keep_id = agenda.highlighted_option.id if agenda.highlighted_option is not None else None
        options: list[Option] = []

        def section(title: str, count: int) -> None:
            options.append(Option(Text(f"{title} ({count})", style="bold"), disabled=True))

        section("Overdue", len(view.due.overdue))
        for f in view.due.overdue:
            options.append(
                Option(
                    safe.assemble(
                        ("  ● ", "red"),
                        safe.cut(f.title, 50),
                        "  ",
                        (f.contact or "", "cyan"),
                        "  ",
                        (fmt.due(f, tz, view.today), "red"),
                    ),
                    id=f"followup:{f.id}:{f.contact_id or ''}",
                )
            )
        section("Due today", len(view.due.due))
        for f in view.due.due:
            options.append(
                Option(
                    safe.assemble(
                        ("  ○ ", "yellow"),
                        safe.cut(f.title, 50),
                        "  ",
                        (f.contact or "", "cyan"),
                        "  ",
                        fmt.due(f, tz, view.today),
                    ),
                    id=f"followup:{f.id}:{f.contact_id or ''}",
                )
            )
        section("Deals closing within 14 days", len(view.closing))
        for d in view.closing:
            late = d.close_date is not None and d.close_date < view.today
            options.append(
                Option(
                    safe.assemble(
                        ("  $ ", "green"),
                        safe.cut(d.title, 40),
                        "  ",
                        (fmt.money(d.value_minor, d.currency), "bold"),
                        "  ",
                        (fmt.day(d.close_date, view.today), "red" if late else ""),
                    ),
                    id=f"deal:{d.id}:{d.contact_id or ''}",
                )
            )
        section("Losing touch", len(view.due.cadence))
        for c in view.due.cadence:
            days = c.days_since
            since = f"{counted(days, 'day')} since last touch" if days is not None else "never contacted"
            every = f"every {counted(c.cadence_days, 'day')} · {since}"
            options.append(
                Option(
                    safe.assemble(("  ◌ ", "magenta"), (c.name, "cyan"), "  ", every),
                    id=f"contact:{c.contact_id}:{c.contact_id}",
                )
            )
        agenda.set_options(options)
        selectable = [i for i, o in enumerate(options) if not o.disabled]
        same = next((i for i, o in enumerate(options) if keep_id is not None and o.id == keep_id), None)
        if same is not None:  # the same item, wherever it is now
            agenda.highlighted = same
        elif selectable:
            agenda.highlighted = min(selectable, key=lambda i: abs(i - (keep or 0)))
        else:
            agenda.highlighted = None
        self.query_one("#totals", Static).update(self.totals_table(view.totals))
        waiting = len(view.due.overdue) + len(view.due.due)
        self.query_one("#today-title", Static).update(
            safe.text(f"Today · {view.today:%A %d %B %Y} · {counted(waiting, 'follow-up')} waiting")
        )
        self.refreshed()

    @staticmethod
    def totals_table(totals: tuple[StageTotal, ...]) -> Table:
        table = Table(box=None, expand=True, show_edge=False, pad_edge=False)
        table.add_column("Stage")
        table.add_column("Deals", justify="right")
        table.add_column("Value", justify="right")
        money: dict[str, int] = {}
        for t in totals:
            table.add_row(safe.text(t.stage), str(t.count), fmt.totals(t.totals))
            for currency, value in t.totals:
                money[currency] = money.get(currency, 0) + value
        table.add_section()
        table.add_row(
            "open", str(sum(t.count for t in totals)), fmt.totals(tuple(sorted(money.items()))), style="bold"
        )
        return table

    def _selected(self) -> tuple[str, int, int | None] | None:
        agenda = self.query_one("#agenda", OptionList)
        option = agenda.highlighted_option
        if option is None or option.id is None:
            return None
        kind, ident, contact = option.id.split(":")
        return kind, int(ident), int(contact) if contact else None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        selected = self._selected()
        if selected is None:
            return
        kind, ident, contact = selected
        if kind == "deal":
            self.crm.open_deal(ident)
        elif contact is not None:
            self.crm.open_contact(contact)
        else:
            self.crm.open_followup(ident)

    def action_done(self) -> None:
        selected = self._selected()
        if selected is None or selected[0] != "followup":
            self.notify("select a follow-up to mark it done", severity="warning")
            return
        item = self.followups.get(selected[1])
        self.write(
            followups.done,
            [selected[1]],
            expected_versions={item.id: item.version} if item else None,
            done=f"Done: {item.title}" if item else "Follow-up done",
        )

    def on_resize(self) -> None:
        # narrow terminals: the pipeline totals go under the agenda instead of beside it
        self.query_one("#today").set_class(self.size.width < 100, "-narrow")

    def on_show(self) -> None:
        self.query_one("#agenda", OptionList).focus()
