"""One deal: its fields, its stage history (how long it sat in each stage, who moved it) and its
timeline, what ``deal show`` prints. Opened over the screen it came from; esc goes back there.

Also the list of one contact's deals (``d`` on Contacts), from which a deal opens or is added.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from minicrm.core.text import inert
from minicrm.core.words import counted
from minicrm.tui import format as fmt
from minicrm.tui.safe import cut, text
from minicrm.tui.screens.base import CrmScreen
from minicrm.tui.sheet import Sheet
from minicrm.tui.timeline import headline
from minicrm.tui.work import run_db

if TYPE_CHECKING:
    from minicrm.services.dto.contact_detail import DealSummary
    from minicrm.services.dto.deals import Deal, DealDetail
    from minicrm.services.kernel.context import Context

#: the deal screen shows this many timeline entries, and says so when there are more
DEAL_TIMELINE = 200


def load_deal(ctx: Context, deal_id: int) -> DealDetail:
    from minicrm.services.deals.queries import deal_detail

    return deal_detail(ctx, deal_id, timeline_limit=DEAL_TIMELINE + 1)


def load_contact_deals(ctx: Context, contact_id: int) -> tuple[str, list[DealSummary]]:
    from minicrm.services.contacts import queries as contacts
    from minicrm.services.deals.queries import summaries_of_contact

    return contacts.get(ctx, contact_id).name, summaries_of_contact(ctx, contact_id)


def styled(value: object, style: str) -> Text:
    """Stored text, made safe, in ``style``."""
    shown = text(value)
    shown.stylize(style)
    return shown


def duration(start: datetime, end: datetime) -> str:
    seconds = max(0, int((end - start).total_seconds()))
    days, rest = divmod(seconds, 86400)
    if days:
        return f"{days}d"
    hours = rest // 3600
    return f"{hours}h" if hours else f"{rest // 60}m"


def deal_fields(deal: Deal, tz: Any) -> Table:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column()
    status = deal.status + (f" ({deal.lost_reason})" if deal.lost_reason else "")
    for label, value in (
        ("Value", fmt.money(deal.value_minor, deal.currency)),
        ("Stage", f"{deal.stage} · {deal.pipeline}" + ("" if deal.stage_known else " (not in the config)")),
        ("Status", status + (" · ⚠ stale" if deal.stale else "")),
        ("Probability", f"{deal.probability}%" + ("" if deal.probability_set is not None else " (stage)")),
        ("Contact", deal.contact),
        ("Company", deal.company),
        ("Owner", deal.owner),
        ("Close date", deal.close_date.isoformat() if deal.close_date else None),
        ("Closed", fmt.moment(deal.closed_at, tz) if deal.closed_at else None),
        ("Created", fmt.moment(deal.created_at, tz)),
        ("Updated", fmt.moment(deal.updated_at, tz)),
    ):
        if value:
            grid.add_row(label, text(value))
    return grid


def history_table(detail: DealDetail, tz: Any, now: datetime) -> Table:
    table = Table(box=None, padding=(0, 1), show_edge=False, header_style="bold dim")
    for name in ("When", "Change", "For", "By"):
        table.add_column(name, no_wrap=name != "Change")
    for change in detail.stage_history:
        if change.status == "open":
            what = (
                f"{change.from_stage} → {change.to_stage}"
                if change.from_stage
                else f"created in {change.to_stage}"
            )
        else:
            what = f"{change.status} in {change.to_stage}"
        table.add_row(
            fmt.moment(change.at, tz),
            text(what),
            duration(change.at, change.left_at or now) + ("" if change.left_at else " so far"),
            text(change.actor or "—"),
        )
    return table


class DealScreen(CrmScreen):
    """A deal's detail; esc goes back to where it was opened."""

    HELP_TITLE = "Deal"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="deal.back"),
        Binding("e", "edit", "Edit", id="deal.edit"),
        Binding("n", "note", "Note", id="deal.note"),
        Binding("c", "contact", "Contact", tooltip="open the deal's contact", id="deal.contact"),
    ]

    def __init__(self, deal_id: int, mode: str = "pipeline") -> None:
        super().__init__()
        self.MODE = mode  # type: ignore[misc]  # the tab it was opened from stays lit
        self.deal_id = deal_id
        self.detail: DealDetail | None = None

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="deal-pane"):
            yield Static(text("Loading…"), id="deal-detail")

    def refresh_data(self) -> None:
        self.db(load_deal, self.deal_id, then=self.show, group="deal", exclusive=True)

    def show(self, detail: DealDetail) -> None:
        self.detail = detail
        deal, tz, now = detail.deal, self.crm.clock.tz, self.crm.clock.now()
        parts: list[Any] = [
            Text.assemble(
                ("Deal #", "dim"), (str(deal.id), "dim"), "  ", styled(deal.title, "bold underline")
            ),
            deal_fields(deal, tz),
            Text(f"\nStage history ({len(detail.stage_history)})", style="bold"),
            history_table(detail, tz, now),
        ]
        shown = detail.timeline[:DEAL_TIMELINE]
        more = len(detail.timeline) > DEAL_TIMELINE
        parts.append(
            Text(
                f"\nTimeline ({'latest ' if more else ''}{counted(len(shown), 'entry', 'entries')})",
                style="bold",
            )
        )
        if not shown:
            parts.append(Text("  nothing yet: n adds a note", style="dim"))
        for item in shown:
            parts.append(
                Text.assemble(
                    (f"  {fmt.moment(item.at, tz)} ", "dim"),
                    (f"{item.kind_label():<12} ", "cyan"),  # captured mail: direction, people
                    text(cut(headline(item), 400)),
                )
            )
        if more:
            parts.append(Text(f"  … older entries: minicrm deal show {deal.id}", style="dim"))
        self.query_one("#deal-detail", Static).update(Group(*parts))
        self.refreshed()

    # -- actions -------------------------------------------------------------------------
    def action_back(self) -> None:
        self.dismiss(None)

    def _loaded(self) -> Deal | None:
        if self.detail is None:
            self.notify("still loading; try again", severity="warning")
            return None
        return self.detail.deal

    def action_edit(self) -> None:
        from minicrm.tui.deal_form import DealModal

        deal = self._loaded()
        if deal is None:
            return

        def saved(result: Deal | None) -> None:
            if result is not None:
                self.notify(inert(f"Saved {result.title}"), markup=False)
                self.refresh_data()

        self.app.push_screen(DealModal(self.crm.config, self.crm.clock, deal=deal), saved)

    def action_note(self) -> None:
        from minicrm.services.history import interactions
        from minicrm.services.history.interactions import Links
        from minicrm.tui.modals import LogEntry, NoteModal

        deal = self._loaded()
        if deal is None:
            return

        def save(entry: LogEntry, retry: Callable[[], None]) -> None:
            self.write(
                interactions.add,
                entry.kind,
                Links(deal=str(deal.id)),
                entry.body,
                done=f"Logged {entry.kind} on the deal",
                retry=retry,
            )

        self.ask(lambda: NoteModal(deal.title, "note"), save)

    def action_contact(self) -> None:
        deal = self._loaded()
        if deal is None:
            return
        if deal.contact_id is None:
            self.notify("this deal has no contact", severity="warning")
            return
        contact_id, app = deal.contact_id, self.crm

        async def go() -> None:
            # back to the screen of the mode (through the list of a contact's deals, if any)
            while len(app.screen_stack) > 1 and (
                isinstance(app.screen, DealScreen) or not isinstance(app.screen, CrmScreen)
            ):
                await app.pop_screen()
            app.open_contact(contact_id)

        app.run_worker(go(), group="navigate")


def summary_option(deal: DealSummary) -> Option:
    close = f" · closes {deal.close_date.isoformat()}" if deal.close_date else ""
    line = Text.assemble(
        styled(deal.title, "bold"),
        (f"\n  {fmt.money(deal.value_minor, deal.currency)} · {deal.stage} ({deal.status}){close}", "dim"),
    )
    return Option(line, id=str(deal.id))


class ContactDealsScreen(Sheet[None]):
    """One contact's deals: enter opens one, a adds one for the contact, esc goes back."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="contactdeals.back"),
        Binding("enter", "open", "Open", id="contactdeals.open"),
        Binding("a", "add", "Add deal", id="contactdeals.add"),
    ]

    def __init__(self, contact_id: int, mode: str = "contacts") -> None:
        super().__init__()
        self.contact_id = contact_id
        self.contact_name = ""
        self.origin_mode = mode
        self.deals: list[DealSummary] = []

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="sheet"):
            yield Static(text("Deals…"), id="contact-deals-title", classes="sheet-title")
            yield OptionList(id="contact-deals")
            yield Static(Text("enter opens · a adds a deal · esc back", style="dim"))

    def on_mount(self) -> None:
        self.reload()

    def reload(self, select: int | None = None) -> None:
        def show(result: tuple[str, list[DealSummary]]) -> None:
            self.contact_name, self.deals = result
            title = f"Deals of {self.contact_name} ({len(self.deals)})"
            self.query_one("#contact-deals-title", Static).update(text(title))
            options = self.query_one(OptionList)
            options.set_options([summary_option(d) for d in self.deals])
            if not self.deals:
                options.add_option(Option(Text("No deals yet: a adds one.", style="dim"), disabled=True))
            elif select is not None:
                options.highlighted = next((i for i, d in enumerate(self.deals) if d.id == select), 0)
            else:
                options.highlighted = 0
            options.focus()

        run_db(self, load_contact_deals, self.contact_id, then=show, group="contact-deals", exclusive=True)

    def action_back(self) -> None:
        self.dismiss(None)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        option = self.query_one(OptionList).highlighted_option
        if option is None or option.id is None:
            return
        self.app.push_screen(
            DealScreen(int(option.id), self.origin_mode), lambda _: self.reload(int(option.id or 0))
        )

    def action_add(self) -> None:
        from minicrm.tui.deal_form import DealModal

        app: Any = self.app

        def saved(deal: Deal | None) -> None:
            if deal is not None:
                self.notify(inert(f"Added {deal.title}"), markup=False)
                self.reload(deal.id)

        self.app.push_screen(
            DealModal(app.config, app.clock, contact=(self.contact_id, self.contact_name)), saved
        )
