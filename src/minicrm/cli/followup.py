"""``minicrm followup …`` and ``minicrm due``."""

from __future__ import annotations

from typing import Annotated

import typer

from minicrm.cli import reads, views, writes
from minicrm.cli.options import (
    AllOpt,
    EveryoneOpt,
    FormatOpt,
    IfVersionOpt,
    JsonOpt,
    OwnerOpt,
    ReassignOpt,
    YesOpt,
)
from minicrm.cli.output import Printer, check_format, show_moment
from minicrm.cli.parsing import duration, ids, when
from minicrm.cli.state import confirm, services
from minicrm.core.dates import parse_when
from minicrm.core.errors import InvalidInput
from minicrm.services.dto import UNSET
from minicrm.services.followups import commands as followups
from minicrm.services.history.interactions import Links
from minicrm.services.kernel.users import scope_owner

app = typer.Typer(
    help="Follow-ups (reminders): add, list, show, done, snooze, edit, remove.", no_args_is_help=True
)


@app.command("add")
def add(
    ref: Annotated[
        str | None,
        typer.Argument(
            help="Contact: id, email or name (optional with --deal/--company).", show_default=False
        ),
    ] = None,
    text: Annotated[str | None, typer.Argument(help="What to do.", show_default=False)] = None,
    due: Annotated[
        str, typer.Option("--due", help="When: 2026-12-01, tomorrow 9:00, next friday, in 3 days, …")
    ] = "today",
    every: Annotated[
        str | None, typer.Option("--every", help="Repeat every DURATION, e.g. 1w, 2w, 1m.")
    ] = None,
    rrule: Annotated[
        str | None,
        typer.Option(
            "--rrule",
            help="Repeat by an RFC 5545 rule, e.g. 'FREQ=MONTHLY;BYDAY=-1FR' "
            "(the last Friday of each month).",
        ),
    ] = None,
    until: Annotated[str | None, typer.Option("--until", help="Stop repeating after this date.")] = None,
    from_done: Annotated[
        bool,
        typer.Option("--from-done", help="With --every: count from each completion, not from the schedule."),
    ] = False,
    deal: Annotated[str | None, typer.Option("--deal", "-d", help="About this deal (id).")] = None,
    company: Annotated[str | None, typer.Option("--company", "-c", help="About this company.")] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Whose reminder (default: you).")] = None,
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """Set a follow-up: minicrm followup add ana "send the quote" --due "next friday"."""
    fmt = check_format(fmt, json_flag)
    if text is None and ref is not None and (deal or company):
        ref, text = None, ref
    if text is None:
        raise InvalidInput('say what to do, e.g. minicrm followup add ana "send the quote" --due friday')
    with services() as ctx:
        item = followups.add(
            ctx,
            Links(contact=ref, company=company, deal=deal),
            text,
            parse_when(due, ctx.clock),
            every=duration(every),
            owner=owner,
            rrule=rrule,
            until=when(until, ctx.clock),
            from_done=from_done,
        )
        Printer(fmt, ctx.clock.tz).record(item, views.followup_fields(item, ctx.clock.tz))


@app.command("list")
def list_(
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue ones.")] = False,
    today: Annotated[bool, typer.Option("--today", help="Overdue and due today.")] = False,
    week: Annotated[bool, typer.Option("--week", help="Overdue and due in the next 7 days.")] = False,
    done: Annotated[bool, typer.Option("--done", help="Only done ones, latest first.")] = False,
    all_: Annotated[bool, typer.Option("--all", help="Everything, done ones included.")] = False,
    contact: Annotated[str | None, typer.Option("--contact", help="Only this contact's.")] = None,
    owner: OwnerOpt = None,
    everyone: EveryoneOpt = False,
    limit: Annotated[int | None, typer.Option("--limit", "-n", min=0)] = None,
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """List follow-ups (default: every open one, by due date; in team mode only yours)."""
    fmt = check_format(fmt, json_flag)
    chosen = [
        name
        for name, flag in (
            ("overdue", overdue),
            ("today", today),
            ("week", week),
            ("done", done),
            ("all", all_),
        )
        if flag
    ]
    if len(chosen) > 1:
        raise InvalidInput(f"choose one of --{' / --'.join(chosen)}")
    window = chosen[0] if chosen else "open"
    with services() as ctx:
        items = followups.list_followups(
            ctx,
            window,  # type: ignore[arg-type]
            owner=scope_owner(ctx, owner, everyone=everyone),
            contact=contact,
            limit=limit,
        )
        Printer(fmt, ctx.clock.tz).records(items, views.followup_columns(ctx.clock.tz), empty="no follow-ups")


@app.command("show")
def show(
    followup_id: Annotated[str, typer.Argument(metavar="ID", help="Follow-up id.")],
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """Show one follow-up: what, when, for whom, how it repeats, its state."""
    fmt = check_format(fmt, json_flag)
    with services() as ctx:
        tz = ctx.clock.tz
        item = followups.get(ctx, ids([followup_id], "follow-up")[0])
        fields = [*views.followup_fields(item, tz), ("Created", show_moment(item.created_at, tz))]
        Printer(fmt, tz).record(item, fields)


@app.command("done")
def done(
    followup_ids: Annotated[list[str], typer.Argument(metavar="ID...", help="Follow-up ids.")],
    if_version: Annotated[
        int | None,
        typer.Option(
            "--if-version",
            min=1,
            metavar="N",
            help="With one ID: only if it is still at version N (from --json); else fail, changing nothing.",
        ),
    ] = None,
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """Mark follow-ups done (a repeating one is scheduled again). Prints them."""
    writes.followup_done(followup_ids, if_version=if_version, fmt=fmt, json_flag=json_flag)


@app.command("snooze")
def snooze(
    followup_id: Annotated[str, typer.Argument(metavar="ID")],
    until: Annotated[str, typer.Option("--until", help="Hide it until then, e.g. 'monday 9:00'.")],
    if_version: IfVersionOpt = None,
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """Hide a follow-up from due lists until a later moment."""
    fmt = check_format(fmt, json_flag)
    with services() as ctx:
        found = ids([followup_id], "follow-up")[0]
        item = followups.snooze(ctx, found, parse_when(until, ctx.clock), expected_version=if_version)
        Printer(fmt, ctx.clock.tz).record(item, views.followup_fields(item, ctx.clock.tz))


@app.command("edit")
def edit(
    followup_id: Annotated[str, typer.Argument(metavar="ID")],
    title: Annotated[str | None, typer.Option("--title", "--text", help="New text.")] = None,
    due: Annotated[str | None, typer.Option("--due", help="Reschedule.")] = None,
    every: Annotated[str | None, typer.Option("--every", help="Repeat every DURATION.")] = None,
    rrule: Annotated[str | None, typer.Option("--rrule", help="Repeat by an RFC 5545 rule instead.")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Stop repeating after this date.")] = None,
    no_until: Annotated[bool, typer.Option("--no-until", help="Repeat without an end.")] = False,
    from_done: Annotated[
        bool | None,
        typer.Option(
            "--from-done/--from-schedule",
            help="Count --every from each completion, or from the schedule.",
            show_default=False,
        ),
    ] = None,
    no_repeat: Annotated[bool, typer.Option("--no-repeat", help="Stop repeating.")] = False,
    owner: ReassignOpt = None,
    if_version: IfVersionOpt = None,
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """Change a follow-up's text, due date, repetition or owner."""
    fmt = check_format(fmt, json_flag)
    if no_repeat and (every or rrule or until or from_done):
        raise InvalidInput("--no-repeat cannot be combined with --every, --rrule, --until or --from-done")
    if until and no_until:
        raise InvalidInput("choose --until or --no-until")
    with services() as ctx:
        patch = followups.FollowUpPatch(
            title=UNSET if title is None else title,
            due=UNSET if due is None else parse_when(due, ctx.clock),
            every=None if no_repeat else (UNSET if every is None else duration(every)),
            rrule=None if no_repeat else (UNSET if rrule is None else rrule),
            until=None
            if (no_repeat or no_until)
            else UNSET
            if until is None
            else parse_when(until, ctx.clock),
            from_done=UNSET if from_done is None else from_done,
            owner=UNSET if owner is None else owner,
            expected_version=if_version,
        )
        item = followups.edit(ctx, ids([followup_id], "follow-up")[0], patch)
        Printer(fmt, ctx.clock.tz).record(item, views.followup_fields(item, ctx.clock.tz))


@app.command("rm")
def rm(
    followup_ids: Annotated[list[str], typer.Argument(metavar="ID...")],
    yes: YesOpt = False,
) -> None:
    """Delete follow-ups."""
    with services() as ctx:
        wanted = ids(followup_ids, "follow-up")
        found = [followups.get(ctx, i) for i in wanted]
        confirm(
            f"Delete {len(found)} follow-up{'s' if len(found) != 1 else ''} "
            f"({'; '.join(f'{f.id} {f.title}' for f in found)})?",
            yes=yes,
        )
        followups.remove(ctx, wanted)
        Printer("plain", ctx.clock.tz).message(
            f"deleted {len(found)} follow-up{'s' if len(found) != 1 else ''}"
        )


def due(
    within: Annotated[
        str | None, typer.Option("--within", help="Look ahead this far, e.g. 3d (default: end of today).")
    ] = None,
    owner: OwnerOpt = None,
    all_: AllOpt = False,
    since_last_run: Annotated[
        bool,
        typer.Option(
            "--since-last-run",
            help="Also list what fell due since the previous run of due (catches up on a missed night).",
        ),
    ] = False,
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """What is overdue and due, then who to get back in touch with.

    Prints nothing when nothing is due (for cron).
    Every run is recorded, so that `minicrm doctor` can tell when the cron job stopped."""
    reads.due(
        within=within, owner=owner, everyone=all_, fmt=fmt, json_flag=json_flag, since_last_run=since_last_run
    )
