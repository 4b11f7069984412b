"""Contacts and companies: a list that filters as you type, a detail pane, and every everyday
edit (add, edit, note, log, follow-up, tags, delete) without leaving the screen."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.timer import Timer
from textual.widgets import Input, Static

from minicrm.services.contacts import browse
from minicrm.services.contacts.browse import CompanyRow, ContactRow
from minicrm.services.dto.companies import CompanyDetail
from minicrm.services.dto.contact_detail import ContactDetail
from minicrm.tui import format as fmt
from minicrm.tui import safe
from minicrm.tui.bulk import Selection
from minicrm.tui.hanging import Hanging
from minicrm.tui.screens.base import CrmScreen
from minicrm.tui.virtual_list import VirtualList

if TYPE_CHECKING:
    # the services and the dialogs load on first use: the list paints without them
    from collections.abc import Callable
    from datetime import tzinfo

    from minicrm.services.contacts.queries import ContactQuery
    from minicrm.services.dto import Contact, DealSummary
    from minicrm.services.dto.interactions import Interaction
    from minicrm.services.history.interactions import Links
    from minicrm.services.kernel.context import Context
    from minicrm.tui.bulk import Target
    from minicrm.tui.contact_filter import Applied
    from minicrm.tui.modals import ContactForm, FollowUpForm, LogEntry

SORT_ORDER = tuple(browse.CONTACT_SORTS)
#: seconds: a cursor moving faster than this loads the detail pane only where it stops
DETAIL_DELAY = 0.12


#: the detail panes show at most this many open follow-ups, timeline entries and people
PANE_FOLLOWUPS, PANE_TIMELINE, PANE_PEOPLE = 20, 30, 30
#: … and this many deals, ordered by status, then close date (undated first)
PANE_DEALS = 100

#: what the panes show: the services' detail views, the same that ``contact show`` and
#: ``company show`` print
ContactView = ContactDetail
CompanyView = CompanyDetail


def load_contact(ctx: Context, contact_id: int, timeline: int = PANE_TIMELINE) -> ContactDetail:
    from minicrm.services.customer.profile import contact_detail

    return contact_detail(ctx, contact_id, followup_limit=PANE_FOLLOWUPS, timeline_limit=timeline)


def load_company(ctx: Context, company_id: int, timeline: int = PANE_TIMELINE) -> CompanyDetail:
    from minicrm.services.customer.profile import company_detail

    return company_detail(ctx, company_id, people_limit=PANE_PEOPLE, timeline_limit=timeline)


def timeline_more(shown: int, limit: int) -> Text | None:
    """The line under a timeline that stops at its limit: there may be more."""
    if shown < limit:
        return None
    return Text(f"  … the latest {shown} entries; m shows {PANE_TIMELINE} more", style="dim italic")


def timeline_rows(entries: tuple[Interaction, ...], tz: tzinfo) -> Group:
    """The timeline as the panes show it (``tui/timeline``, loaded with the first one)."""
    from minicrm.tui.timeline import entries_table

    return entries_table(entries, tz)


def pane_deals(deals: tuple[DealSummary, ...]) -> list[DealSummary]:
    """The contact's deals as the pane lists them."""
    order = sorted(deals, key=lambda d: (d.status, d.close_date is not None, d.close_date or date.min, d.id))
    return order[:PANE_DEALS]


def tag_patch(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``vip -old +lisbon`` → (add vip lisbon, remove old); with commas, tags of several words:
    ``+My Contacts, -old``."""
    words = fmt.split_tags(text)
    remove = tuple(w[1:] for w in words if w.startswith("-") and len(w) > 1)
    add = tuple(w.lstrip("+") for w in words if not w.startswith("-") and w.lstrip("+"))
    return add, remove


def contact_line(row: ContactRow, width: int) -> str:
    if width < 70:
        name_w = max(12, width * 5 // 10)
        return f" {safe.cut(row.name, name_w - 1):<{name_w}}{safe.cut(row.email, width - name_w - 1)}"
    name_w, email_w, status_w = width * 30 // 100, width * 34 // 100, 10
    company_w = width - name_w - email_w - status_w - 1
    return (
        f" {safe.cut(row.name, name_w - 1):<{name_w}}{safe.cut(row.email, email_w - 1):<{email_w}}"
        f"{safe.cut(row.company, company_w - 1):<{company_w}}{safe.cut(row.status, status_w):<{status_w}}"
    )


def contact_head(width: int) -> str:
    if width < 70:
        name_w = max(12, width * 5 // 10)
        return f" {'Name':<{name_w}}Email"
    name_w, email_w, status_w = width * 30 // 100, width * 34 // 100, 10
    company_w = width - name_w - email_w - status_w - 1
    return f" {'Name':<{name_w}}{'Email':<{email_w}}{'Company':<{company_w}}{'Status':<{status_w}}"


#: the list's column headings, by the sort that orders them
SORTED_COLUMNS = {"name": "Name", "email": "Email", "company": "Company", "status": "Status"}


def sorted_head(head: str, sort: str, descending: bool) -> str:
    """The heading with the sorted column marked ▲ (ascending) or ▼, in the same width."""
    label = SORTED_COLUMNS.get(sort)
    if label is None:
        return head
    arrow = "▼" if descending else "▲"
    if f" {label}  " in head:
        return head.replace(f" {label}  ", f" {label} {arrow}", 1)
    return head + f" {arrow}" if head.endswith(f" {label}") else head


def company_line(row: CompanyRow, width: int) -> str:
    name_w = width * 45 // 100
    return (
        f" {safe.cut(row.name, name_w - 1):<{name_w}}{safe.cut(row.domain, 24):<25}{row.contacts:>6} people"
    )


@dataclass(frozen=True)
class ContactSource:
    """The contact list as the filter and sort make it (see ``services.browse``)."""

    search: str
    sort: str
    descending: bool
    facets: ContactQuery | None = None

    def first(
        self, ctx: Context, offset: int, limit: int, after: ContactRow | None = None
    ) -> tuple[int | None, list[ContactRow]]:
        return browse.contact_window(
            ctx,
            self.search,
            sort=self.sort,
            descending=self.descending,
            offset=offset,
            limit=limit,
            after=after,
            facets=self.facets,
        )

    def page(self, ctx: Context, offset: int, limit: int, after: ContactRow | None) -> list[ContactRow]:
        return self.first(ctx, offset, limit, after)[1]

    def count(self, ctx: Context) -> int:
        return browse.contact_count(ctx, self.search, self.facets)


@dataclass(frozen=True)
class CompanySource:
    search: str

    def first(self, ctx: Context, offset: int, limit: int) -> tuple[int | None, list[CompanyRow]]:
        return None, browse.company_page(ctx, self.search, offset=offset, limit=limit)

    def page(self, ctx: Context, offset: int, limit: int, after: CompanyRow | None) -> list[CompanyRow]:
        return browse.company_page(ctx, self.search, offset=offset, limit=limit, after=after)

    def count(self, ctx: Context) -> int:
        return browse.company_count(ctx, self.search)


class ContactsScreen(CrmScreen):
    MODE = "contacts"
    AUTO_FOCUS = "#rows"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Search", show=False),
        Binding("a", "add", "Add"),
        Binding("e", "edit", "Edit"),
        Binding("n", "note", "Note"),
        Binding("l", "log", "Log call"),
        Binding("f", "followup", "Follow-up"),
        Binding("t", "tags", "Tags", show=False),
        Binding("delete,x", "delete", "Delete", show=False),
        Binding("s", "sort", "Sort", show=False),
        Binding("S", "reverse", "Reverse", show=False),
        Binding("c", "toggle_kind", "Companies", show=False),
        Binding("d", "deals", "Deals", tooltip="the contact's deals: open, add", id="contacts.deals"),
        Binding(
            "y", "copy('email')", "Copy email", show=False, tooltip="to the clipboard", id="contacts.copy"
        ),
        Binding(
            "Y",
            "copy('phone')",
            "Copy phone",
            show=False,
            tooltip="to the clipboard",
            id="contacts.copy_phone",
        ),
        Binding("E", "note_in_editor", "Note in $EDITOR", show=False, id="contacts.editor_note"),
        Binding(
            "F",
            "filter",
            "Filter",
            show=False,
            tooltip="tag, status, owner, company, segment",
            id="contacts.filter",
        ),
        Binding(
            "space", "mark", "Mark", show=False, tooltip="select for tags, owner, delete", id="contacts.mark"
        ),
        Binding("shift+down", "extend(1)", "Mark down", show=False, id="contacts.mark_down"),
        Binding("shift+up", "extend(-1)", "Mark up", show=False, id="contacts.mark_up"),
        Binding("asterisk", "mark_all", "Mark all matching", show=False, id="contacts.mark_all"),
        Binding(
            "o",
            "owner",
            "Owner",
            show=False,
            tooltip="of the marked contacts (or this one)",
            id="contacts.owner",
        ),
        Binding("escape", "to_list", "List", show=False),
        Binding("m", "more", "More timeline", show=False),
        Binding(
            "i",
            "timeline",
            "Timeline",
            show=False,
            tooltip="threads, enter opens an entry",
            id="contacts.timeline",
        ),
    ]
    COMMANDS_HERE = (
        ("Add a contact", "Contacts: open the new-contact form", "add"),
        ("Edit the contact", "Contacts: edit the selected contact", "edit"),
        ("Add a note", "Contacts: write a note about the selected contact", "note"),
        ("Log a call, email or meeting", "Contacts: log an interaction", "log"),
        ("Set a follow-up", "Contacts: remind me about the selected contact", "followup"),
        ("Add or remove tags", "Contacts: +tag adds, -tag removes", "tags"),
        ("Delete the contact", "Contacts: delete after confirmation", "delete"),
        ("Change the sort order", "Contacts: name, created, updated, last interaction", "sort"),
        ("Open the timeline", "Contacts: threads together, an entry in full", "timeline"),
        ("Reverse the sort order", "Contacts", "reverse"),
        ("Show companies / contacts", "Contacts: switch between people and companies", "toggle_kind"),
    )

    def __init__(self) -> None:
        super().__init__()
        self.kind = "contacts"
        self.search = ""
        self.sort = "name"
        self.descending = False
        self.view: ContactView | CompanyView | None = None
        #: a record opened by id (from another screen): actions apply to it, not to the cursor row
        self.pinned = False
        self._last_highlight = 0.0
        self._detail_timer: Timer | None = None
        self._head = ""
        #: the filters besides the typed text (tag, status, owner, company, segment)
        self.applied: Applied | None = None
        self.selection = Selection()
        self._found = ""
        #: the contact opened from another screen (the list's cursor goes to it once loaded)
        self.pin_id: int | None = None
        #: timeline entries the detail pane shows (m shows more)
        self.timeline_limit = PANE_TIMELINE

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="people"):
            with Vertical(id="list-pane"):
                # no select-on-focus: the focus event comes after keys typed in one burst with
                # the "/", and selecting them then made the next key replace the whole filter
                yield safe.SafeInput(
                    placeholder="/ filter: name, email, phone, company…", id="filter", select_on_focus=False
                )
                yield Static("", id="list-head")
                yield VirtualList(self._source(), contact_line, id="rows")
                yield Static("", id="list-status")
            with VerticalScroll(id="detail-pane"):
                yield Static("Nothing selected.", id="detail")

    # -- the list -------------------------------------------------------------------------
    @property
    def rows(self) -> VirtualList[Any]:
        return self.query_one("#rows", VirtualList)

    def _source(self) -> ContactSource | CompanySource:
        if self.kind == "companies":
            return CompanySource(self.search)
        return ContactSource(
            self.search, self.sort, self.descending, self.applied.query if self.applied else None
        )

    def refresh_data(self) -> None:
        self.reload_list(keep_cursor=True)
        self.reload_detail()

    def reload_list(self, keep_cursor: bool = False) -> None:
        rows = self.rows
        rows.source = self._source()
        rows.render_row = contact_line if self.kind == "contacts" else company_line
        rows.is_marked = (lambda row: row.id in self.selection) if self.kind == "contacts" else None
        if self.selection.everything:  # "all matching" meant the list as it was
            self.selection.clear()
        rows.reload(keep_cursor=keep_cursor)

    def on_resize(self) -> None:
        self._update_head()

    def _update_head(self) -> None:
        width = self.rows.size.width or 80
        head = (
            contact_head(width)
            if self.kind == "contacts"
            else f" {'Company':<{width * 45 // 100}}{'Domain':<25}"
        )
        if self.kind == "contacts":
            head = sorted_head(head, self.sort, self.descending)
        if head != self._head:  # one line of a fixed size: a repaint, no layout
            self._head = head
            self.query_one("#list-head", Static).update(Text(head, style="bold"), layout=False)

    def on_virtual_list_loaded(self, event: VirtualList.Loaded) -> None:
        self.shown_once = True  # the list is what the keys act on first
        self._update_head()
        if self.pinned and self.pin_id is not None:  # opened from another screen: cursor on it
            self.rows.select_id(self.pin_id)
        what = "contacts" if self.kind == "contacts" else "companies"
        one = "contact" if self.kind == "contacts" else "company"
        order = (
            f" · sorted by {self.sort}{' ↓' if self.descending else ''}" if self.kind == "contacts" else ""
        )
        capped = bool(self.search) and event.total >= browse.MATCH_CAP
        found = f"{event.total:,}{'+' if capped else ''} {one if event.total == 1 else what}"
        if self.search:
            found += f" matching “{self.search}”" + (", type more" if capped else "")
        if self.applied is not None and self.kind == "contacts":
            found += f" · {self.applied.label}"
        self._found = found + order
        self._update_status()
        if event.total == 0:
            self.view = None
            self.query_one("#detail", Static).update(
                "No match. Press esc to clear the filter."
                if self.search
                else f"No {what} yet. Press a to add one."
            )

    def _update_status(self) -> None:
        marks = f" · {self.selection.count:,} marked" if self.selection else ""
        self.query_one("#list-status", Static).update(safe.text(self._found + marks), layout=False)

    def on_virtual_list_highlighted(self, event: VirtualList.Highlighted) -> None:
        if not event.by_user and (self.view is not None or self.pinned):
            return  # a refresh: keep showing the record that is open
        self.pinned = False
        # while the cursor runs (key repeat), wait for it to stop before loading the detail
        now = time.monotonic()
        running = now - self._last_highlight < DETAIL_DELAY
        self._last_highlight = now
        if self._detail_timer is not None:
            self._detail_timer.stop()
            self._detail_timer = None
        ident = event.row.id
        if running:
            self._detail_timer = self.set_timer(DETAIL_DELAY, lambda: self.load_detail(ident))
        else:  # the list's new frame first (rows, cursor), then the detail
            self.call_after_refresh(self.load_detail, ident)

    def on_virtual_list_selected(self, event: VirtualList.Selected) -> None:
        self.query_one("#detail-pane").focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "filter":
            self.search = event.value
            self.reload_list()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter":
            self.rows.focus()

    def on_show(self) -> None:
        # at once, not deferred as ``focus()`` is: a "/" typed meanwhile has put it in the filter
        if not isinstance(self.focused, Input):
            self.set_focus(self.rows)

    # -- the detail pane ------------------------------------------------------------------
    def load_detail(self, ident: int) -> None:
        self.timeline_limit = PANE_TIMELINE  # another record: its latest entries first
        loader = load_contact if self.kind == "contacts" else load_company
        self.db(loader, ident, then=self.show_detail, group="detail", exclusive=True)

    def reload_detail(self) -> None:
        limit = self.timeline_limit
        if isinstance(self.view, ContactView):
            self.db(
                load_contact,
                self.view.contact.id,
                limit,
                then=self.show_detail,
                failed=self._detail_gone,
                group="detail",
                exclusive=True,
            )
        elif isinstance(self.view, CompanyView):
            self.db(
                load_company,
                self.view.company.id,
                limit,
                then=self.show_detail,
                failed=self._detail_gone,
                group="detail",
                exclusive=True,
            )

    def action_more(self) -> None:
        """m: a longer timeline in the detail pane."""
        if self.view is not None:
            self.timeline_limit += PANE_TIMELINE
            self.reload_detail()

    def action_timeline(self) -> None:
        """i: the timeline the pane shows, as a list to open entries from."""
        from minicrm.tui.timeline import TimelineSheet

        view = self.view
        if view is None:
            return
        name = view.contact.name if isinstance(view, ContactView) else view.company.name
        self.app.push_screen(TimelineSheet(f"Timeline of {name}", view.timeline, self.crm.clock.tz))

    def show_contact(self, contact_id: int) -> None:
        """Open one contact in the detail pane (from Today, the pipeline or the agenda)."""
        if self.kind != "contacts":
            self.kind = "contacts"
            self.reload_list(keep_cursor=True)
        self.pinned = True
        self.timeline_limit = PANE_TIMELINE
        self.pin_id = contact_id
        self.rows.select_id(contact_id)  # the list's cursor on it too, when it is in the list
        self.db(load_contact, contact_id, then=self.show_detail, group="detail", exclusive=True)

    def show_detail(self, view: ContactView | CompanyView) -> None:
        if self.rows.total == 0 and not self.pinned:
            return  # a detail asked for before the filter emptied the list: "No match" stays
        self.view = view
        body = self.render_contact(view) if isinstance(view, ContactView) else self.render_company(view)
        self.query_one("#detail", Static).update(body)
        self.refreshed()

    def _detail_gone(self, error: Exception) -> None:
        """The open record could not be read again (deleted meanwhile): nothing is open."""
        from minicrm.core.errors import NotFound

        if isinstance(error, NotFound):
            self.view = None
            self.pinned = False
            self.query_one("#detail", Static).update("")
        self.refreshed()

    def render_contact(self, view: ContactView) -> Group:
        c, tz, today = view.contact, self.crm.clock.tz, self.crm.clock.today()
        fields = Table.grid(padding=(0, 1))
        fields.add_column(style="dim", no_wrap=True)
        fields.add_column()
        for label, value in (
            ("Nickname", c.nickname),
            ("Email", ", ".join(c.email_texts())),
            ("Phone", ", ".join(c.phone_texts())),
            ("Company", c.company),
            ("Department", c.department),
            ("Title", c.title),
            *((f"Address ({a.label})" if a.label else "Address", a.as_text()) for a in c.addresses),
            ("Status", c.status),
            ("Owner", c.owner),
            ("Tags", " ".join(f"#{t}" for t in c.tags)),
            ("Keep in touch", f"every {c.cadence_days} days" if c.cadence_days else None),
            ("Last touch", fmt.moment(c.last_interaction_at, tz)),
            *((k, v) for k, v in c.fields.items()),
        ):
            if value:
                fields.add_row(safe.text(label), safe.text(value))
        parts: list[Any] = [safe.text(c.name, "bold underline"), fields]
        deals = pane_deals(view.deals)
        parts.append(Text(f"\nDeals ({len(deals)})", style="bold"))
        for d in deals:
            money = fmt.money(d.value_minor, d.currency)
            parts.append(Hanging(safe.text(f"  {d.title} · {money} · {d.stage} ({d.status})"), 4))
        parts.append(Text(f"\nFollow-ups ({len(view.followups)})", style="bold"))
        for f in view.followups:
            line = f"  {'●' if f.overdue else '○'} {fmt.due(f, tz, today)}: {f.title}"
            parts.append(Hanging(safe.text(line, "red" if f.overdue else ""), 4))
        parts.append(Text("\nTimeline", style="bold"))
        if not view.timeline:
            parts.append(Text("  nothing yet: n adds a note, l logs a call", style="dim"))
        if view.timeline:
            parts.append(timeline_rows(view.timeline, tz))
        more = timeline_more(len(view.timeline), self.timeline_limit)
        if more is not None:
            parts.append(more)
        return Group(*parts)

    def render_company(self, view: CompanyView) -> Group:
        co, tz = view.company, self.crm.clock.tz
        fields = Table.grid(padding=(0, 1))
        fields.add_column(style="dim")
        fields.add_column()
        for label, value in (
            ("Domain", co.domain),
            ("Industry", co.industry),
            ("Size", co.size),
            ("Tags", " ".join(f"#{t}" for t in co.tags)),
            ("Owner", co.owner),
            ("People", str(co.contacts_count)),
        ):
            if value:
                fields.add_row(safe.text(label), safe.text(value))
        parts: list[Any] = [safe.text(co.name, "bold underline"), fields, Text("\nPeople", style="bold")]
        parts += [Hanging(safe.text(f"  {p.name}  {p.email or ''}"), 4) for p in view.people]
        parts.append(Text("\nTimeline", style="bold"))
        if view.timeline:
            parts.append(timeline_rows(view.timeline, tz))
        more = timeline_more(len(view.timeline), self.timeline_limit)
        if more is not None:
            parts.append(more)
        return Group(*parts)

    # -- actions ---------------------------------------------------------------------------
    def focus_filter(self) -> None:
        """Put the focus in the filter (the app hands it the keys typed after "/")."""
        self.set_focus(self.query_one("#filter", Input))

    def action_search(self) -> None:
        self.focus_filter()

    def action_to_list(self) -> None:
        """esc: from the filter or the list, clear the filter; from the detail, back to the list."""
        if self.selection and self.focused is self.rows:
            self.selection.clear()
            self.rows.refresh()
            self._update_status()
            return
        filter_input = self.query_one("#filter", Input)
        if filter_input.value and self.focused in (filter_input, self.rows):
            filter_input.value = ""
        self.rows.focus()

    def action_sort(self) -> None:
        self.sort = SORT_ORDER[(SORT_ORDER.index(self.sort) + 1) % len(SORT_ORDER)]
        self.reload_list()

    def action_reverse(self) -> None:
        self.descending = not self.descending
        self.reload_list()

    def action_toggle_kind(self) -> None:
        self.kind = "companies" if self.kind == "contacts" else "contacts"
        self.view = None
        self.query_one("#detail", Static).update("")
        self.reload_list()

    def _subject(self) -> tuple[str, int, str] | None:
        """What an action applies to: the record opened from another screen, else the row under
        the cursor (even while its detail is still loading)."""
        view = self.view
        if self.pinned and isinstance(view, ContactView):
            return "contact", view.contact.id, view.contact.name
        row = self.rows.current
        if row is None:
            self.notify(f"select a {self.kind[:-1]} first", severity="warning")
            return None
        return ("contact" if isinstance(row, ContactRow) else "company"), row.id, row.name

    def _loaded(self) -> ContactView | CompanyView | None:
        """The detail of the subject, once it is on screen (edits start from it)."""
        subject = self._subject()
        if subject is None:
            return None
        view = self.view
        if isinstance(view, ContactView) and subject[:2] == ("contact", view.contact.id):
            return view
        if isinstance(view, CompanyView) and subject[:2] == ("company", view.company.id):
            return view
        self.notify("still loading; try again", severity="warning")
        return None

    def _links(self) -> tuple[Links, str] | None:
        from minicrm.services.history.interactions import Links

        subject = self._subject()
        if subject is None:
            return None
        kind, ident, name = subject
        return (Links(contact=str(ident)) if kind == "contact" else Links(company=str(ident))), name

    def _after_contact_write(self, contact: Contact) -> None:
        self.show_contact(contact.id)

    def action_add(self) -> None:
        from minicrm.services.companies import commands as companies
        from minicrm.services.contacts import commands as contacts
        from minicrm.services.dto import CompanyCreate, ContactCreate
        from minicrm.tui.modals import ContactModal, PromptModal, check_required

        if self.kind == "companies":

            def add_company(name: str, retry: Callable[[], None]) -> None:
                self.write(companies.add, CompanyCreate(name=name), done=f"Added {name}", retry=retry)

            self.ask(lambda: PromptModal("New company", "Name", check=check_required("a name")), add_company)
            return

        def save(form: ContactForm, retry: Callable[[], None]) -> None:
            data = ContactCreate(
                name=form.name,
                emails=(form.email,) if form.email else (),
                phones=(form.phone,) if form.phone else (),
                company=form.company or None,
                title=form.title or None,
                tags=fmt.split_tags(form.tags),
                cadence_days=int(form.cadence) if form.cadence else None,
            )
            self.write(
                contacts.add, data, done=f"Added {form.name}", then=self._after_contact_write, retry=retry
            )

        self.ask(lambda: ContactModal(self.crm.region), save)

    def _open_view(
        self, kind: type[ContactView] | type[CompanyView], ident: int
    ) -> ContactView | CompanyView | None:
        """The detail on screen if it is still that record's (a dialog reopened after a refused
        write is built over it)."""
        view = self.view
        if isinstance(view, ContactView) and kind is ContactView and view.contact.id == ident:
            return view
        if isinstance(view, CompanyView) and kind is CompanyView and view.company.id == ident:
            return view
        return None

    def action_edit(self) -> None:
        from minicrm.services.companies import commands as companies
        from minicrm.services.contacts import commands as contacts
        from minicrm.services.dto import CompanyPatch
        from minicrm.tui.modals import ContactModal, PromptModal, check_required, contact_patch

        loaded = self._loaded()
        if isinstance(loaded, CompanyView):
            company_id = loaded.company.id
            shown: list[CompanyView] = []

            def rename_dialog() -> PromptModal | None:
                view = self._open_view(CompanyView, company_id)
                if not isinstance(view, CompanyView):
                    return None
                shown[:] = [view]
                return PromptModal(
                    "Rename company", "Name", view.company.name, check=check_required("a name")
                )

            def rename(name: str, retry: Callable[[], None]) -> None:
                company = shown[0].company
                if name != company.name:
                    patch = CompanyPatch(name=name, expected_version=company.version)
                    self.write(companies.edit, str(company.id), patch, done=f"Renamed to {name}", retry=retry)

            self.ask(rename_dialog, rename)
            return
        if not isinstance(loaded, ContactView):
            return
        contact_id = loaded.contact.id

        def edit_dialog() -> ContactModal | None:
            view = self._open_view(ContactView, contact_id)
            return ContactModal(self.crm.region, view.contact) if isinstance(view, ContactView) else None

        def save(form: ContactForm, retry: Callable[[], None]) -> None:
            assert form.over is not None
            patch = contact_patch(form, form.over)
            if patch is None:
                self.notify("Nothing changed", timeout=2)
                return
            self.write(
                contacts.edit,
                contact_id,
                patch,
                done=f"Saved {form.name}",
                then=self._after_contact_write,
                retry=retry,
            )

        self.ask(edit_dialog, save)

    def _log(self, kind: str) -> None:
        from minicrm.services.history import interactions
        from minicrm.tui.modals import NoteModal

        target = self._links()
        if target is None:
            return
        links, who = target

        def save(entry: LogEntry, retry: Callable[[], None]) -> None:
            self.write(
                interactions.add,
                entry.kind,
                links,
                entry.body,
                done=f"Logged {entry.kind} for {who}",
                retry=retry,
            )

        self.ask(lambda: NoteModal(who, kind), save)

    def action_note(self) -> None:
        self._log("note")

    def action_log(self) -> None:
        self._log("call")

    def action_followup(self) -> None:
        from minicrm.services.followups import commands as followups
        from minicrm.tui.modals import FollowUpModal

        target = self._links()
        if target is None:
            return
        links, who = target

        def save(form: FollowUpForm, retry: Callable[[], None]) -> None:
            self.write(
                followups.add, links, form.title, form.when, done=f"Follow-up set for {who}", retry=retry
            )

        self.ask(lambda: FollowUpModal(who, self.crm.clock), save)

    def action_tags(self) -> None:
        from minicrm.services.companies import commands as companies
        from minicrm.services.contacts import commands as contacts
        from minicrm.services.dto import CompanyPatch, ContactPatch
        from minicrm.tui.modals import tags_prompt

        if self.selection:
            self._bulk_tags()
            return
        view = self._loaded()
        if view is None:
            return
        current = view.contact.tags if isinstance(view, ContactView) else view.company.tags

        def save(text: str, retry: Callable[[], None]) -> None:
            add, remove = tag_patch(text)
            if isinstance(view, ContactView):
                self.write(
                    contacts.edit,
                    view.contact.id,
                    ContactPatch(add_tags=add, remove_tags=remove),
                    done="Tags saved",
                    then=self._after_contact_write,
                    retry=retry,
                )
            else:
                self.write(
                    companies.edit,
                    str(view.company.id),
                    CompanyPatch(add_tags=add, remove_tags=remove),
                    done="Tags saved",
                    retry=retry,
                )

        now = " ".join(f"#{t}" for t in current) or "none"
        self.ask(lambda: tags_prompt(f"Tags (now: {now})"), save)

    def action_filter(self) -> None:
        from minicrm.tui.contact_filter import FilterModal, ListFilter, apply

        if self.kind != "contacts":
            self.action_toggle_kind()

        def chosen(picked: ListFilter | None) -> None:
            if picked is None:
                return
            if picked.empty and not picked.save_as:
                self.applied = None
                self.reload_list()
                return
            self.db(apply, picked, then=self._filtered, group="filter", exclusive=True)

        self.app.push_screen(FilterModal(self.applied.chosen if self.applied else ListFilter()), chosen)

    def _filtered(self, applied: Applied) -> None:
        self.applied = applied
        self.reload_list()

    def action_deals(self) -> None:
        from minicrm.tui.screens.deal import ContactDealsScreen

        subject = self._subject()
        if subject is None:
            return
        if subject[0] != "contact":
            self.notify("deals are listed per contact: c shows the contacts", severity="warning")
            return
        self.app.push_screen(ContactDealsScreen(subject[1], self.MODE), lambda _: self.reload_detail())

    def action_copy(self, what: str) -> None:
        """The contact's first email (or phone) to the clipboard, through the terminal (OSC 52)."""
        from minicrm.core.text import inert

        view = self._loaded()
        if not isinstance(view, ContactView):
            return
        values = view.contact.emails if what == "email" else view.contact.phones
        if not values:
            self.notify(inert(f"{view.contact.name} has no {what}"), severity="warning", markup=False)
            return
        self.app.copy_to_clipboard(values[0])
        self.notify(inert(f"Copied {values[0]}"), markup=False, timeout=2)

    def action_note_in_editor(self) -> None:
        from minicrm.services.history import interactions
        from minicrm.tui.editor import edit_note

        target = self._links()
        if target is None:
            return
        links, who = target
        body = edit_note(self.app, who)
        if body is not None:
            self.write(interactions.add, "note", links, body, done="Note saved")

    def action_delete(self) -> None:
        from minicrm.services.companies import commands as companies
        from minicrm.services.contacts import commands as contacts
        from minicrm.tui.modals import ConfirmModal

        if self.selection:
            self._bulk_delete()
            return
        subject = self._subject()
        if subject is None:
            return
        kind, target, name = subject

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.view = None
                self.pinned = False
                self.query_one("#detail", Static).update("")
                if kind == "contact":
                    self.write(contacts.remove, [target], done=f"Deleted {name}")
                else:
                    self.write(companies.remove, [str(target)], done=f"Deleted {name}")

        self.app.push_screen(ConfirmModal(f"Delete {name} with their notes and follow-ups?"), confirmed)

    # -- many at once --------------------------------------------------------------------
    def _marked_changed(self) -> None:
        self.rows.refresh()
        self._update_status()

    def action_mark(self) -> None:
        row = self.rows.current
        if not isinstance(row, ContactRow):
            return
        self.selection.toggle(row.id)
        self.rows.action_cursor(1)
        self._marked_changed()

    def action_extend(self, step: int) -> None:
        rows = self.rows
        row = rows.current
        if not isinstance(row, ContactRow):
            return
        self.selection.add(row.id)
        rows.action_cursor(step)
        after = rows.current
        if isinstance(after, ContactRow):
            self.selection.add(after.id)
        self._marked_changed()

    def action_mark_all(self) -> None:
        if self.kind != "contacts":
            return
        if self.selection.everything:
            self.selection.clear()
        else:
            self.selection.take_all(self.rows.total)
        self._marked_changed()

    def _target(self) -> Target:
        from minicrm.tui.bulk import Target

        sel = self.selection
        if sel.everything:
            return Target(
                search=self.search, facets=self.applied.query if self.applied else None, everything=True
            )
        return Target(ids=tuple(sorted(sel.ids)))

    def _bulk(
        self,
        question: str,
        fn: Any,
        *args: Any,
        done: str,
        yes: str = "Yes",
        target: Target | None = None,
        retry: Callable[[], None] | None = None,
    ) -> None:
        """Ask with the count, then run ``fn(ctx, target, *args)`` (default: the marked contacts)
        and unmark; ``retry`` reopens the dialog that asked for ``args`` if the write fails."""
        from minicrm.core.text import inert
        from minicrm.tui.safe import text
        from minicrm.tui.sheet import Ask

        target = target or self._target()

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.selection.clear()
                self.write(
                    fn, target, *args, done=inert(done), then=lambda n: self._update_status(), retry=retry
                )

        self.app.push_screen(Ask(text(question), yes), confirmed)

    def _bulk_tags(self) -> None:
        from minicrm.tui.bulk import bulk_tags
        from minicrm.tui.modals import tags_prompt

        who = self.selection.describe()

        def chosen(text: str, retry: Callable[[], None]) -> None:
            add, remove = tag_patch(text)
            words = " ".join([*(f"+{t}" for t in add), *(f"-{t}" for t in remove)])
            self._bulk(
                f"Change the tags of {who}: {words}?",
                bulk_tags,
                add,
                remove,
                done=f"Tags saved for {who}",
                retry=retry,
            )

        self.ask(lambda: tags_prompt(f"Tags for {who}"), chosen)

    def action_owner(self) -> None:
        from minicrm.tui.bulk import Target, bulk_owner
        from minicrm.tui.modals import PromptModal

        target = None  # the marked contacts
        who = self.selection.describe()
        if not self.selection:
            subject = self._subject()
            if subject is None or subject[0] != "contact":
                return
            target, who = Target(ids=(subject[1],)), subject[2]

        def chosen(owner: str, retry: Callable[[], None]) -> None:
            name = owner.strip() or None
            self._bulk(
                f"Give {who} to {name or 'nobody'}?",
                bulk_owner,
                name,
                done=f"Owner of {who}: {name or 'nobody'}",
                target=target,
                retry=retry,
            )

        self.ask(lambda: PromptModal(f"Owner for {who}", "Owner", placeholder="empty: nobody"), chosen)

    def _bulk_delete(self) -> None:
        from minicrm.tui.bulk import bulk_delete

        who = self.selection.describe()
        self.view = None
        self._bulk(
            f"Delete {who} with their notes and follow-ups?",
            bulk_delete,
            done=f"Deleted {who}",
            yes="Yes, delete",
        )
