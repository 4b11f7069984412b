"""Filters on the contact list besides the typed text: tag, status, owner, company, or a saved
segment (``minicrm segment save``), which the other fields narrow further.

They are ``contact list``'s filters (a ``ContactQuery``), turned into SQL in the one place that
does it; the list's status line shows them as the ``contact list`` options that say the same.
A filter can be saved as a segment from the form.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.widgets import Input, Label, Select, Static

from minicrm.services.contacts.queries import ContactQuery
from minicrm.services.dto.common import CONTACT_STATUSES
from minicrm.tui.format import split_tags, tags_text
from minicrm.tui.modals import Dialog, Field, check_tags
from minicrm.tui.safe import text
from minicrm.tui.work import run_db

if TYPE_CHECKING:
    from minicrm.services.dto.segments import Segment
    from minicrm.services.kernel.context import Context


@dataclass(frozen=True, slots=True)
class ListFilter:
    """What the form chose: the fields, and the segment they narrow (None: all contacts)."""

    segment: str | None = None
    tags: tuple[str, ...] = ()
    status: str | None = None
    owner: str | None = None
    company: str | None = None
    #: save the result as a segment of this name
    save_as: str | None = None

    @property
    def empty(self) -> bool:
        return self.segment is None and not self.tags and not (self.status or self.owner or self.company)

    def own(self) -> ContactQuery:
        return ContactQuery(tags=self.tags, status=self.status, owner=self.owner, company=self.company)


def facets_of(ctx: Context, chosen: ListFilter) -> ContactQuery:
    """The query of ``chosen``: its segment's, narrowed by its fields."""
    from minicrm.services.customer import segments

    own = chosen.own()
    if chosen.segment is None:
        return own
    return segments.merge(segments.query(ctx, chosen.segment), own)


@dataclass(frozen=True, slots=True)
class Applied:
    """A filter ready for the list: the query and how the status line says it."""

    chosen: ListFilter
    query: ContactQuery
    label: str


def apply(ctx: Context, chosen: ListFilter) -> Applied:
    """Check the filter against the database (a company or segment that is not there is an
    error now, not an empty list), save it as a segment when asked."""
    from minicrm.services.contacts import queries
    from minicrm.services.customer import segments

    query = facets_of(ctx, chosen)
    queries.query_sql(ctx, query)  # an unknown company, status or tag fails here, once
    if chosen.save_as:
        segments.save(ctx, chosen.save_as, query)
        chosen = replace(ListFilter(segment=segments.get(ctx, chosen.save_as).name), save_as=None)
    return Applied(chosen, query, label_of(chosen))


def label_of(chosen: ListFilter) -> str:
    from minicrm.services.customer import segments

    parts = [f"segment {chosen.segment}"] if chosen.segment else []
    own = segments.filters_of(chosen.own())
    if len(own) > 1:  # more than its version
        parts.append(segments.describe(own))
    return " ".join(parts)


def load_segments(ctx: Context) -> list[Segment]:
    from minicrm.services.customer import segments

    return segments.list_segments(ctx)


class FilterModal(Dialog):
    """The list's filters; an empty form shows every contact again."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="filter.cancel"),
        Binding("ctrl+s", "submit", "Apply", id="filter.apply"),
        Binding("ctrl+r", "clear", "Clear all", id="filter.clear"),
    ]

    def __init__(self, current: ListFilter) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        c = self.current
        with Vertical(classes="dialog wide"):
            yield Static(text("Filter contacts"), classes="dialog-title")
            with Grid(classes="form"):
                with Horizontal(classes="field-row field"):
                    yield Label("Segment", classes="field-label")
                    yield Select[str](
                        [(c.segment, c.segment)] if c.segment else [],
                        value=c.segment if c.segment else Select.NULL,
                        prompt="all contacts",
                        compact=True,
                        id="segment",
                    )
                yield Field("Tags", tags_text(c.tags), check=check_tags, id="f-tags")
                with Horizontal(classes="field-row field"):
                    yield Label("Status", classes="field-label")
                    yield Select[str](
                        [(s, s) for s in CONTACT_STATUSES],
                        value=c.status if c.status else Select.NULL,
                        prompt="any",
                        compact=True,
                        id="status",
                    )
                yield Field("Owner", c.owner or "", id="f-owner")
                yield Field("Company", c.company or "", id="f-company")
                yield Field("Save as segment", "", id="f-save")
            yield Static(
                text("tags: all of them · ctrl+s applies · ctrl+r clears · esc cancels"), classes="hint"
            )
            yield from self.buttons("Apply")

    def on_mount(self) -> None:
        self.query_one("#f-tags Input", Input).focus()

        def show(found: list[Segment]) -> None:
            select = self.query_one("#segment", Select)
            keep = select.value
            select.set_options([(s.name, s.name) for s in found])
            if isinstance(keep, str) and keep in {s.name for s in found}:
                select.value = keep

        run_db(self, load_segments, then=show, group="segments", exclusive=True)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def _text(self, name: str) -> str:
        return self.query_one(f"#f-{name}", Field).text.strip()

    def action_clear(self) -> None:
        self.dismiss(ListFilter())

    def action_submit(self) -> None:
        if not self.fields_valid():
            return
        segment = self.query_one("#segment", Select).value
        status = self.query_one("#status", Select).value
        self.dismiss(
            ListFilter(
                segment=segment if isinstance(segment, str) else None,
                tags=split_tags(self._text("tags")),
                status=status if isinstance(status, str) else None,
                owner=self._text("owner") or None,
                company=self._text("company") or None,
                save_as=self._text("save") or None,
            )
        )
