"""The deal form: add a deal (for a contact, or on its own) or edit one.

Every field checks itself as you type with the rules the services apply (amounts in the
currency's minor unit, ISO 4217 codes, dates as ``deal add --close`` reads them). The form does
its own write in a worker and closes only when it succeeded: a refused save (a conflict, a
contact that is not found, a locked database) leaves what was typed on screen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.widgets import Input, Label, Select, Static

from minicrm.core.clock import Clock
from minicrm.core.config import Config
from minicrm.core.dates import parse_when
from minicrm.core.errors import InvalidInput
from minicrm.core.money import currency_code, major, parse_amount
from minicrm.services.dto import UNSET, Deal, DealCreate, DealPatch
from minicrm.tui.modals import Check, Dialog, Field, check_required
from minicrm.tui.safe import text
from minicrm.tui.work import run_db

if TYPE_CHECKING:
    from minicrm.services.kernel.context import Context


def check_currency(value: str) -> str | None:
    if not value.strip():
        return None
    try:
        currency_code(value)
    except InvalidInput:
        return "an ISO 4217 code, like EUR"
    return None


def check_amount(currency: Callable[[], str]) -> Check:
    def check(value: str) -> str | None:
        if not value.strip():
            return None
        try:
            parse_amount(value.strip(), currency_code(currency() or "EUR"))
        except InvalidInput:
            return "a plain amount, like 1200.50"
        return None

    return check


def check_percent(value: str) -> str | None:
    if not value.strip():
        return None
    ok = value.strip().isdigit() and 0 <= int(value) <= 100
    return None if ok else "a whole percentage, 0 to 100"


def close_hint(clock: Clock) -> Callable[[str], tuple[str | None, str]]:
    def hint(value: str) -> tuple[str | None, str]:
        if not value.strip():
            return None, ""
        try:
            day = parse_when(value, clock).local_date(clock)
        except InvalidInput:
            return "try 2026-12-31, end of month, in 3 weeks", ""
        return None, day.strftime("%a %Y-%m-%d")

    return hint


@dataclass(frozen=True)
class DealForm:
    title: str
    contact: str
    company: str
    value: str
    currency: str
    stage: str
    close: str
    probability: str
    owner: str


def amount_text(deal: Deal) -> str:
    return "" if deal.value_minor is None else str(major(deal.value_minor, deal.currency))


def create_of(form: DealForm, clock: Clock, pipeline: str | None) -> DealCreate:
    return DealCreate(
        title=form.title,
        contact=form.contact or None,
        company=form.company or None,
        value=form.value or None,
        currency=form.currency or None,
        stage=form.stage or None,
        pipeline=pipeline,
        close_date=parse_when(form.close, clock).local_date(clock) if form.close else None,
        probability=int(form.probability) if form.probability else None,
        owner=form.owner or None,
    )


def patch_of(form: DealForm, deal: Deal, clock: Clock) -> DealPatch:
    """Only what the form changed; an emptied field is cleared."""
    clear: list[str] = []
    changes: dict[str, Any] = {}

    def field(name: str, now: str, before: str, clear_as: str | None = None) -> None:
        if now == before:
            return
        if not now and clear_as:
            clear.append(clear_as)
        else:
            changes[name] = now

    field("title", form.title, deal.title)
    field("contact", form.contact, deal.contact or "", "contact")
    field("company", form.company, deal.company or "", "company")
    field("value", form.value, amount_text(deal), "value")
    field("currency", form.currency, deal.currency)
    field("owner", form.owner, deal.owner or "", "owner")
    before_close = deal.close_date.isoformat() if deal.close_date else ""
    if form.close != before_close:
        if form.close:
            changes["close_date"] = parse_when(form.close, clock).local_date(clock)
        else:
            clear.append("close")
    before_p = "" if deal.probability_set is None else str(deal.probability_set)
    if form.probability != before_p:
        if form.probability:
            changes["probability"] = int(form.probability)
        else:
            clear.append("probability")
    return DealPatch(
        title=changes.get("title", UNSET),
        contact=changes.get("contact", UNSET),
        company=changes.get("company", UNSET),
        value=changes.get("value", UNSET),
        currency=changes.get("currency", UNSET),
        close_date=changes.get("close_date", UNSET),
        probability=changes.get("probability", UNSET),
        owner=changes.get("owner", UNSET),
        clear=tuple(clear),
        expected_version=deal.version,
    )


def save_new(ctx: Context, data: DealCreate) -> Deal:
    from minicrm.services.deals import commands as deals

    return deals.add(ctx, data)


def save_edit(ctx: Context, deal_id: int, patch: DealPatch, stage: str | None) -> Deal:
    """The edit, then the move when the stage changed (a move is its own history entry)."""
    from minicrm.services.deals import commands as deals

    deal = deals.edit(ctx, deal_id, patch)
    if stage and stage != deal.stage:
        deal = deals.move(ctx, deal_id, stage)
    return deal


class DealModal(Dialog):
    """Add a deal (``contact``: whose, by id) or edit ``deal``; dismisses with the saved Deal."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dealform.cancel"),
        Binding("ctrl+s", "submit", "Save", id="dealform.save"),
    ]

    def __init__(
        self,
        config: Config,
        clock: Clock,
        *,
        deal: Deal | None = None,
        contact: tuple[int, str] | None = None,
    ) -> None:
        super().__init__()
        self.config = config
        self.clock = clock
        self.deal = deal
        self.contact = contact
        self.pipeline = config.pipeline(deal.pipeline if deal and deal.stage_known else None)

    def compose(self) -> ComposeResult:
        d = self.deal
        title = (
            f"Edit deal “{d.title}”"
            if d
            else "New deal" + (f" for {self.contact[1]}" if self.contact else "")
        )
        stages = [(s.name, s.name) for s in self.pipeline.stages]
        if d is not None and d.stage not in {s.name for s in self.pipeline.stages}:
            stages.insert(0, (d.stage, d.stage))
        with Vertical(classes="dialog wide"):
            yield Static(text(title), classes="dialog-title")
            with Grid(classes="form"):
                yield Field("Title", d.title if d else "", check=check_required("a title"), id="f-title")
                contact = (d.contact or "") if d else (self.contact[1] if self.contact else "")
                yield Field("Contact", contact, id="f-contact", placeholder="name, email or #id")
                yield Field("Company", (d.company or "") if d else "", id="f-company")
                yield Field(
                    "Value",
                    amount_text(d) if d else "",
                    check=check_amount(lambda: self.value("currency") or self.config.currency),
                    id="f-value",
                )
                yield Field(
                    "Currency",
                    d.currency if d else self.config.currency,
                    check=check_currency,
                    id="f-currency",
                )
                with Horizontal(classes="field-row field", id="f-stage"):
                    yield Label("Stage", classes="field-label")
                    yield Select(
                        stages,
                        value=d.stage if d else self.pipeline.stages[0].name,
                        allow_blank=False,
                        compact=True,
                        id="stage",
                    )
                yield Field(
                    "Close date",
                    d.close_date.isoformat() if d and d.close_date else "",
                    hint=close_hint(self.clock),
                    id="f-close",
                )
                yield Field(
                    "Probability %",
                    "" if d is None or d.probability_set is None else str(d.probability_set),
                    check=check_percent,
                    id="f-probability",
                )
                yield Field("Owner", (d.owner or "") if d else "", id="f-owner")
            yield Static("ctrl+s saves · esc cancels · an empty field is cleared", classes="hint")
            yield from self.buttons()

    def on_mount(self) -> None:
        self.query_one("#f-title Input", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def value(self, name: str) -> str:
        fields = self.query(f"#f-{name}").results(Field)
        for found in fields:
            return found.text.strip()
        return ""

    def form(self) -> DealForm:
        stage = self.query_one("#stage", Select).value
        contact = self.value("contact")
        if self.contact is not None and contact == self.contact[1].strip():
            contact = str(self.contact[0])  # the contact it was opened for, by id: names repeat
        return DealForm(
            title=self.value("title"),
            contact=contact,
            company=self.value("company"),
            value=self.value("value"),
            currency=self.value("currency").upper(),
            stage=str(stage) if isinstance(stage, str) else "",
            close=self.value("close"),
            probability=self.value("probability"),
            owner=self.value("owner"),
        )

    def action_submit(self) -> None:
        if not self.fields_valid():
            return
        form = self.form()
        if self.deal is None:
            data = create_of(form, self.clock, self.pipeline.name)
            run_db(self, save_new, data, then=self.dismiss, group="write")
        else:
            patch = patch_of(form, self.deal, self.clock)
            run_db(self, save_edit, self.deal.id, patch, form.stage, then=self.dismiss, group="write")
