"""The follow-up agenda, grouped overdue / today / this week / later: done, snooze and
reschedule with natural-language dates ("tomorrow 9:00", "next friday", "in 3 days")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from minicrm.core.dates import When, parse_when
from minicrm.services.dto import FollowUp
from minicrm.services.followups import commands as followups
from minicrm.services.followups.commands import FollowUpPatch
from minicrm.services.kernel.context import Context
from minicrm.tui import format as fmt
from minicrm.tui import safe
from minicrm.tui.agenda_list import AgendaList
from minicrm.tui.modals import PromptModal, when_hint
from minicrm.tui.screens.base import CrmScreen

AGENDA_LIMIT = 1000


def load_agenda(ctx: Context) -> list[FollowUp]:
    return followups.list_followups(ctx, "open", limit=AGENDA_LIMIT)


class FollowupsScreen(CrmScreen):
    MODE = "followups"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "done", "Done", tooltip="the marked follow-ups, or this one"),
        Binding("space", "mark", "Mark", show=False, tooltip="select several for done", id="followups.mark"),
        Binding("shift+down", "extend(1)", "Mark down", show=False, id="followups.mark_down"),
        Binding("shift+up", "extend(-1)", "Mark up", show=False, id="followups.mark_up"),
        Binding("asterisk", "mark_all", "Mark all", show=False, id="followups.mark_all"),
        Binding("escape", "unmark", "Unmark", show=False, id="followups.unmark"),
        Binding("s", "snooze", "Snooze"),
        Binding("e", "reschedule", "Reschedule"),
        Binding("enter", "open", "Open contact", show=False),
    ]
    COMMANDS_HERE = (
        ("Mark the follow-up done", "Follow-ups", "done"),
        ("Snooze the follow-up", "Follow-ups: until tomorrow, next monday…", "snooze"),
        ("Reschedule the follow-up", "Follow-ups: a new due date", "reschedule"),
        ("Open the follow-up's contact", "Follow-ups", "open"),
    )

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[int, FollowUp] = {}
        self.follow: int | None = None
        #: the marked follow-ups (space, shift+arrows, *): d marks them all done
        self.marked: set[int] = set()

    def compose_body(self) -> ComposeResult:
        yield Static("", id="agenda-summary")
        yield AgendaList(id="followups")

    def refresh_data(self) -> None:
        self.db(load_agenda, then=self.show, group="agenda", exclusive=True)

    def show(self, items: list[FollowUp]) -> None:
        clock = self.crm.clock
        tz, today = clock.tz, clock.today()
        now = clock.now()
        week_end = today + timedelta(days=7)
        groups: dict[str, list[FollowUp]] = {
            "Overdue": [],
            "Today": [],
            "This week": [],
            "Later": [],
            "Snoozed": [],
        }
        for f in items:
            local = f.due_at.astimezone(tz).date()
            if f.snoozed_until is not None and f.snoozed_until > now:
                groups["Snoozed"].append(f)
            elif f.overdue:
                groups["Overdue"].append(f)
            elif local <= today:
                groups["Today"].append(f)
            elif local <= week_end:
                groups["This week"].append(f)
            else:
                groups["Later"].append(f)
        self.items = {f.id: f for f in items}
        self.marked &= set(self.items)
        agenda = self.query_one("#followups", OptionList)
        keep = agenda.highlighted
        keep_id = agenda.highlighted_option.id if agenda.highlighted_option is not None else None
        options: list[Option] = []
        colours = {"Overdue": "red", "Today": "yellow", "This week": "", "Later": "dim", "Snoozed": "dim"}
        for title, group in groups.items():
            if title == "Snoozed" and not group:
                continue
            options.append(Option(Text(f"{title} ({len(group)})", style="bold"), disabled=True))
            for f in group:
                when = fmt.due(f, tz, today)
                if title == "Snoozed" and f.snoozed_until:
                    when += f" · snoozed until {fmt.moment(f.snoozed_until, tz)}"
                repeat = f" ↻ {f.recurrence}" if f.recurrence else ""
                options.append(
                    Option(
                        safe.assemble(
                            ("▶ ■ ", "bold reverse") if f.id in self.marked else "",
                            (
                                "" if f.id in self.marked else "  ● " if f.overdue else "  ○ ",
                                colours[title] or "green",
                            ),
                            f.title,
                            "  ",
                            (f.contact or f.deal or "", "cyan"),
                            "  ",
                            (when + repeat, colours[title]),
                        ),
                        id=str(f.id),
                    )
                )
        agenda.set_options(options)
        selectable = [i for i, o in enumerate(options) if not o.disabled]
        target = None
        wanted = str(self.follow) if self.follow is not None else keep_id  # the same record
        if wanted is not None:
            target = next((i for i, o in enumerate(options) if o.id == wanted), None)
        if target is None and selectable:
            target = min(selectable, key=lambda i: abs(i - (keep or 0)))
        agenda.highlighted = target
        self.follow = None
        counts = " · ".join(f"{len(g)} {t.lower()}" for t, g in groups.items() if g)
        marks = f" · {len(self.marked)} marked" if self.marked else ""
        self.query_one("#agenda-summary", Static).update(
            safe.text(f" Follow-ups: {counts or 'nothing open'}{marks}")
        )
        self.refreshed()

    def _selected(self) -> FollowUp | None:
        option = self.query_one("#followups", OptionList).highlighted_option
        if option is None or option.id is None:
            self.notify("select a follow-up first", severity="warning")
            return None
        return self.items.get(int(option.id))

    def action_done(self) -> None:
        if self.marked:
            self._done_marked()
            return
        f = self._selected()
        if f is not None:
            self.write(followups.done, [f.id], expected_versions={f.id: f.version}, done=f"Done: {f.title}")

    def _ask_date(
        self,
        verb: str,
        label: str,
        value: str,
        apply: Callable[[Context, FollowUp, When], object],
    ) -> None:
        """Ask for a date in words (checked as you type), then ``apply`` it in a worker; after a
        failure the dialog comes back with what was typed, over the follow-up as it is now."""
        selected = self._selected()
        if selected is None:
            return
        followup_id = selected.id
        clock = self.crm.clock
        shown: list[FollowUp] = []

        def dialog() -> PromptModal | None:
            f = self.items.get(followup_id)
            if f is None:
                self.notify("not saved: the follow-up is no longer open", severity="warning")
                return None
            shown[:] = [f]
            return PromptModal(
                f"{verb} “{f.title}”",
                label,
                value,
                hint=when_hint(clock),
                placeholder="e.g. tomorrow 9:00, next friday, in 3 days",
            )

        def save(text: str, retry: Callable[[], None]) -> None:
            if text:
                f = shown[0]
                self.follow = f.id
                self.write(apply, f, parse_when(text, clock), done=f"{verb}: {f.title}", retry=retry)

        self.ask(dialog, save)

    def action_snooze(self) -> None:
        self._ask_date(
            "Snoozed",
            "Until",
            "tomorrow",
            lambda ctx, f, when: followups.snooze(ctx, f.id, when, expected_version=f.version),
        )

    def action_reschedule(self) -> None:
        self._ask_date(
            "Rescheduled",
            "Due",
            "",
            lambda ctx, f, when: followups.edit(
                ctx, f.id, FollowUpPatch(due=when, expected_version=f.version)
            ),
        )

    def action_open(self) -> None:
        f = self._selected()
        if f is None:
            return
        if f.contact_id is None:
            self.notify("this follow-up has no contact", severity="warning")
            return
        self.crm.open_contact(f.contact_id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_open()

    def show_followup(self, followup_id: int) -> None:
        self.follow = followup_id
        self.refresh_data()

    def on_show(self) -> None:
        self.query_one("#followups", OptionList).focus()

    # -- many at once --------------------------------------------------------------------
    def _redraw_marks(self) -> None:
        option = self.query_one("#followups", OptionList).highlighted_option
        self.follow = int(option.id) if option is not None and option.id is not None else None
        self.show(list(self.items.values()))

    def action_mark(self) -> None:
        agenda = self.query_one("#followups", OptionList)
        option = agenda.highlighted_option
        if option is None or option.id is None:
            return
        self.marked ^= {int(option.id)}
        agenda.action_cursor_down()
        self._redraw_marks()

    def action_extend(self, step: int) -> None:
        agenda = self.query_one("#followups", OptionList)
        before = agenda.highlighted_option
        if before is None or before.id is None:
            return
        self.marked.add(int(before.id))
        if step > 0:
            agenda.action_cursor_down()
        else:
            agenda.action_cursor_up()
        after = agenda.highlighted_option
        if after is not None and after.id is not None:
            self.marked.add(int(after.id))
        self._redraw_marks()

    def action_mark_all(self) -> None:
        self.marked = set() if self.marked == set(self.items) else set(self.items)
        self._redraw_marks()

    def action_unmark(self) -> None:
        if self.marked:
            self.marked = set()
            self._redraw_marks()

    def _done_marked(self) -> None:
        from minicrm.core.words import counted
        from minicrm.tui.safe import text
        from minicrm.tui.sheet import Ask

        ids = sorted(self.marked)
        what = counted(len(ids), "follow-up")

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.marked = set()
                self.write(followups.done, ids, done=f"Done: {what}")

        self.app.push_screen(Ask(text(f"Mark {what} done?"), "Yes, done"), confirmed)
