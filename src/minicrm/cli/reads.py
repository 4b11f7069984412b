"""The hot read commands (``due``, ``search``, ``contact list``, ``contact show``).

Shared by the Typer commands and by the fast path (``minicrm.cli.fast``), which runs them
without importing Typer, so that they answer in well under 150 ms on a large database.
"""

from __future__ import annotations

import sys
from datetime import tzinfo

from minicrm.cli import views
from minicrm.cli.output import Printer, check_format, inert, json_text, show_moment
from minicrm.cli.state import services
from minicrm.dates import parse_duration
from minicrm.services import contacts, followups
from minicrm.services import search as search_service
from minicrm.services.dto import DueReport, FollowUp


def contact_list(*, tags: list[str], company: str | None, status: str | None, owner: str | None,
                 search: str | None, stale: str | None, sort: str, limit: int | None, offset: int,
                 fmt: str | None, json_flag: bool) -> None:
    fmt = check_format(fmt, json_flag)
    descending = sort.startswith("-")
    query = contacts.ContactQuery(
        tags=tuple(tags), company=company, status=status, owner=owner, search=search,
        stale=parse_duration(stale) if stale else None, sort=sort.lstrip("-"), descending=descending,
        limit=limit, offset=offset,
    )
    with services() as ctx:
        found = contacts.list_contacts(ctx, query)
        Printer(fmt, ctx.clock.tz).records(found, views.contact_columns(), empty="no contacts match")


def contact_show(ref: str, *, fmt: str | None, json_flag: bool, timeline: int = 20) -> None:
    fmt = check_format(fmt, json_flag)
    from minicrm.services.interactions import Links
    from minicrm.services.interactions import timeline as load_timeline

    with services() as ctx:
        with ctx.db.snapshot():
            contact = contacts.find(ctx, ref)
            items = followups.list_followups(ctx, "open", contact=str(contact.id))
            events = load_timeline(ctx, Links(contact=str(contact.id)), limit=timeline)
            deals = ctx.db.all(
                "SELECT id, title, stage, status, value_minor, currency FROM deal WHERE contact_id = ? ORDER BY id",
                (contact.id,),
            )
        tz = ctx.clock.tz
        printer = Printer(fmt, tz)
        if fmt in ("json", "jsonl"):
            data = contact.to_dict(tz)
            data["followups"] = [f.to_dict(tz) for f in items]
            data["timeline"] = [i.to_dict(tz) for i in events]
            data["deals"] = [dict(d) for d in deals]
            printer.record(data, [])
            return
        from minicrm.cli.output import Column

        deal_columns = [Column("ID", lambda d: d["id"]), Column("Deal", lambda d: d["title"]),
                        Column("Stage", lambda d: d["stage"]), Column("Status", lambda d: d["status"])]
        printer.record(contact, views.contact_fields(contact, tz), sections=[
            ("Deals", deals, deal_columns),
            ("Follow-ups", items, views.followup_columns(tz)),
            ("Timeline", events, views.interaction_columns(tz)),
        ])


def search(query: str, *, types: list[str], limit: int, fmt: str | None, json_flag: bool) -> None:
    fmt = check_format(fmt, json_flag)
    from minicrm.errors import InvalidInput

    for kind in types:
        if kind not in search_service.ENTITIES:
            raise InvalidInput(f"invalid type {kind!r} (choose from {', '.join(search_service.ENTITIES)})")
    with services() as ctx:
        hits = search_service.search(ctx, query, limit=limit, entities=types or search_service.ENTITIES)
        Printer(fmt, ctx.clock.tz).records(hits, views.search_columns(), empty=f"nothing matches {query!r}")


def due(*, within: str | None, owner: str | None, fmt: str | None, json_flag: bool) -> None:
    """Print what is due. Nothing due prints nothing at all (cron mails only non-empty output)."""
    fmt = check_format(fmt, json_flag)
    window = parse_duration(within) if within else None
    with services() as ctx:
        report = followups.due(ctx, within=window, owner=owner)
        tz = ctx.clock.tz
        if fmt == "json":
            sys.stdout.write(json_text(_due_dict(report, tz), indent=2) + "\n")
            return
        if report.is_empty():
            return
        if fmt in ("jsonl", "csv"):
            rows = [{"group": "overdue", **f.to_dict(tz)} for f in report.overdue]
            rows += [{"group": "due", **f.to_dict(tz)} for f in report.due]
            if fmt == "jsonl":
                sys.stdout.write("".join(json_text(r) + "\n" for r in rows))
            else:
                Printer(fmt, tz).records([f for f in (*report.overdue, *report.due)], views.followup_columns(tz))
            return
        sys.stdout.write(due_text(report, tz, ctx.clock.today()))


def _due_dict(report: DueReport, tz: tzinfo) -> dict[str, object]:
    return {
        "overdue": [f.to_dict(tz) for f in report.overdue],
        "due": [f.to_dict(tz) for f in report.due],
        "cadence": [c.to_dict(tz) for c in report.cadence],
    }


def due_text(report: DueReport, tz: tzinfo, today: object) -> str:
    """The mail cron sends: groups with a heading, one item a line."""
    out: list[str] = []

    def line(f: FollowUp) -> str:
        when = show_moment(f.due_at, tz, date_only=f.all_day)
        if not f.overdue and str(today) == when[:10]:
            when = "today" + when[10:]
        who = f" — {f.contact}" if f.contact else ""
        deal = f" (deal #{f.deal_id} {f.deal})" if f.deal_id else ""
        return inert(f"  #{f.id:<5} {when:<16} {f.title}{who}{deal}")

    if report.overdue:
        out.append(f"Overdue ({len(report.overdue)})")
        out.extend(line(f) for f in report.overdue)
    if report.due:
        if out:
            out.append("")
        out.append(f"Due ({len(report.due)})")
        out.extend(line(f) for f in report.due)
    if report.cadence:
        if out:
            out.append("")
        out.append(f"Keep in touch ({len(report.cadence)})")
        for c in report.cadence:
            last = (f"last contact {show_moment(c.last_interaction_at, tz, date_only=True)} ({c.days_since} days ago)"
                    if c.last_interaction_at else "never contacted")
            out.append(inert(f"  {c.name} — {last}, every {c.cadence_days} days"))
    return "\n".join(out) + "\n"
