"""The hot read commands (``due``, ``search``, ``contact list``, ``contact show``).

Shared by the Typer commands and by the fast path (``minicrm.cli.fast``), which runs them
without importing Typer, so that they answer in well under 150 ms on a large database.
"""

from __future__ import annotations

import sys

from minicrm.cli import views
from minicrm.cli.output import Printer, check_format, emit, inert, show_moment
from minicrm.cli.state import services
from minicrm.core import paths
from minicrm.core.dates import parse_duration
from minicrm.core.words import counted
from minicrm.services.dto.common import iso
from minicrm.services.kernel.users import scope_owner

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime, tzinfo

    from minicrm.services.dto import CadenceDue, DueReport, FollowUp
    from minicrm.services.kernel.context import Context


def contact_list(
    *,
    tags: list[str],
    company: str | None,
    status: str | None,
    owner: str | None,
    search: str | None,
    stale: str | None,
    sort: str,
    limit: int | None,
    offset: int,
    fmt: str | None,
    json_flag: bool,
    segment: str | None = None,
    fields: list[str] | None = None,
    min_value: str | None = None,
    everyone: bool = False,
) -> None:
    """``owner`` None and not ``everyone``: in team mode, the acting user's contacts."""
    fmt = check_format(fmt, json_flag)
    from minicrm.services.contacts import queries as contacts

    descending = sort.startswith("-")
    from minicrm.cli.parsing import key_values

    stale_for = parse_duration(stale) if stale else None
    field_filters = tuple(key_values(fields).items())
    with services() as ctx:
        query = contacts.ContactQuery(
            tags=tuple(tags),
            company=company,
            status=status,
            owner=scope_owner(ctx, owner, everyone=everyone),
            search=search,
            stale=stale_for,
            sort=sort.lstrip("-"),
            descending=descending,
            limit=limit,
            offset=offset,
            fields=field_filters,
            min_value=min_value,
        )
        if segment is not None:
            from minicrm.services.customer import segments

            found = segments.members(ctx, segment, query)
        else:
            found = contacts.list_contacts(ctx, query)
        Printer(fmt, ctx.clock.tz).records(found, views.contact_columns(), empty="no contacts match")


def contact_show(ref: str, *, fmt: str | None, json_flag: bool, timeline: int = 20) -> None:
    fmt = check_format(fmt, json_flag)
    from minicrm.services.customer.profile import contact_detail

    with services() as ctx:
        detail = contact_detail(ctx, ref, timeline_limit=timeline)
        tz = ctx.clock.tz
        printer = Printer(fmt, tz)
        if fmt in ("json", "jsonl"):
            printer.record(detail, [])
            return
        from minicrm.cli import customer_views

        printer.record(
            detail,
            views.contact_fields(detail.contact, tz),
            sections=[
                ("Deals", detail.deals, views.deal_summary_columns()),
                ("Purchases", detail.purchases.totals, customer_views.purchase_columns()),
                ("Requests", detail.requests, customer_views.request_columns(tz)),
                ("Follow-ups", detail.followups, views.followup_columns(tz)),
                ("Timeline", detail.timeline, views.interaction_columns(tz, preview=views.NOTE_PREVIEW)),
            ],
        )


def search(query: str, *, types: list[str], limit: int, fmt: str | None, json_flag: bool) -> None:
    fmt = check_format(fmt, json_flag)
    from minicrm.core.errors import InvalidInput
    from minicrm.services import search as search_service

    for kind in types:
        if kind not in search_service.ENTITIES:
            raise InvalidInput(f"invalid type {kind!r} (choose from {', '.join(search_service.ENTITIES)})")
    with services() as ctx:
        hits = search_service.search(ctx, query, limit=limit, entities=types or search_service.ENTITIES)
        Printer(fmt, ctx.clock.tz).records(hits, views.search_columns(), empty=f"nothing matches {query!r}")


def due(
    *,
    within: str | None,
    owner: str | None,
    fmt: str | None,
    json_flag: bool,
    since_last_run: bool = False,
    everyone: bool = False,
) -> None:
    """Print what is due, then record the run (so ``doctor`` knows cron works). Nothing due
    prints nothing at all (cron mails only non-empty output). In team mode only the acting
    user's, unless ``owner`` or ``everyone`` says otherwise."""
    fmt = check_format(fmt, json_flag)
    from minicrm.services.followups import queries as followups

    window = parse_duration(within) if within else None
    with services() as ctx:
        report = followups.due(
            ctx,
            within=window,
            owner=scope_owner(ctx, owner, everyone=everyone),
            since_last_run=since_last_run,
        )
        tz = ctx.clock.tz
        if not report.is_empty() and paths.hooks_dir(ctx.config.path).is_dir():
            from minicrm.services.kernel.hooks import run_due_hooks  # only with hooks to run

            run_due_hooks(ctx, lambda: _due_dict(report, tz))
        if fmt == "json":
            emit(_due_dict(report, tz))
        elif report.is_empty():
            pass
        elif fmt in ("jsonl", "csv"):
            new = {f.id for f in report.fell_due}
            rows = [{"group": "overdue", **f.to_dict(tz)} for f in report.overdue]
            rows += [{"group": "due", **f.to_dict(tz)} for f in report.due]
            if report.since_last_run:
                rows = [{**r, "new": r["id"] in new} for r in rows]
            if fmt == "jsonl":
                emit(rows, "jsonl")
            else:
                Printer(fmt, tz).records([*report.overdue, *report.due], views.followup_columns(tz))
        else:
            sys.stdout.write(due_text(report, tz, ctx.clock.today(), ctx.clock.now()))
        sys.stdout.flush()
        _record_due_run(ctx)


def _record_due_run(ctx: Context) -> None:
    from minicrm.core.errors import StorageError
    from minicrm.services.followups import runs

    try:
        runs.record_run(ctx)
    except StorageError as exc:  # the report is out; say why doctor will complain, but do not fail cron
        print(f"warning: could not record this run of due: {exc}", file=sys.stderr)


def _due_dict(report: DueReport, tz: tzinfo) -> dict[str, object]:
    data: dict[str, object] = {
        "overdue": [f.to_dict(tz) for f in report.overdue],
        "due": [f.to_dict(tz) for f in report.due],
        "cadence": [c.to_dict(tz) for c in report.cadence],
    }
    if report.since_last_run:
        data["since_last_run"] = {
            "previous_run": iso(report.previous_run, tz),
            "followups": [f.to_dict(tz) for f in report.fell_due],
            "cadence": [c.to_dict(tz) for c in report.cadence_fell_due],
        }
    return data


def due_text(report: DueReport, tz: tzinfo, today: object, now: datetime | None = None) -> str:
    """The mail cron sends: groups with a heading, one item a line."""
    out: list[str] = []

    def day(moment: datetime, date_only: bool) -> str:
        when = show_moment(moment, tz, date_only=date_only)
        return "today" + when[10:] if str(today) == when[:10] else when

    def line(f: FollowUp) -> str:
        when = show_moment(f.due_at, tz, date_only=f.all_day) if f.overdue else day(f.due_at, f.all_day)
        snoozed = ""
        if f.snoozed and f.snoozed_until is not None:  # a look-ahead: when it comes back
            back = f.snoozed_until.astimezone(tz)
            midnight = (back.hour, back.minute, back.second) == (0, 0, 0)  # snoozed until a day
            snoozed, when = f" (snoozed; due {when})", day(f.snoozed_until, midnight)
        who = f" — {f.contact}" if f.contact else ""
        deal = f" (deal #{f.deal_id} {f.deal})" if f.deal_id else ""
        return inert(f"  #{f.id:<5} {when:<16} {f.title}{who}{deal}{snoozed}")

    def contact_line(c: CadenceDue) -> str:
        last = "never contacted"
        if c.last_interaction_at:
            day = show_moment(c.last_interaction_at, tz, date_only=True)
            last = f"last contact {day} ({counted(c.days_since or 0, 'day')} ago)"
        rule = f" ({c.source.removeprefix('tag:')})" if c.source.startswith("tag:") else ""
        lapsed = f" — LAPSED (over {counted(c.max_days or 0, 'day')})" if c.lapsed else ""
        return inert(f"  {c.name} — {last}, every {counted(c.cadence_days, 'day')}{rule}{lapsed}")

    def group(title: str, lines: list[str]) -> None:
        if lines:
            if out:
                out.append("")
            out.append(f"{title} ({len(lines)})")
            out.extend(lines)

    if report.since_last_run:
        new = [line(f) for f in report.fell_due] + [contact_line(c) for c in report.cadence_fell_due]
        if report.previous_run is None:
            heading = "New (first run of due)"
        else:
            heading = f"New since the last run, {show_moment(report.previous_run, tz)}"
            if now is not None:
                from minicrm.services.followups.runs import ago

                heading += f", {ago(report.previous_run, now)}"
        if new:
            group(heading, new)
        else:
            out.append(f"{heading}: nothing new")
    group("Overdue", [line(f) for f in report.overdue])
    group("Due", [line(f) for f in report.due])
    group("Keep in touch", [contact_line(c) for c in report.cadence])
    return "\n".join(out) + "\n"


def record_history(
    entity: str, resolve: Callable[[Context, str], int], ref: str, *, fmt: str | None, json_flag: bool
) -> None:
    """``contact|company|deal history REF``: every change, oldest first, in one shape."""
    from minicrm.services.history.history import history

    fmt = check_format(fmt, json_flag)
    with services() as ctx:
        entries = history(ctx, entity, resolve(ctx, ref))
        Printer(fmt, ctx.clock.tz).records(entries, views.change_columns(ctx.clock.tz), empty="no history")
