"""``minicrm mail import SOURCE`` and ``minicrm mail compose REF``."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from minicrm.cli.options import JsonOpt
from minicrm.cli.output import Printer, emit
from minicrm.cli.state import services
from minicrm.core.errors import InvalidInput

app = typer.Typer(
    help="Mail: capture messages to and from contacts on their timeline; write to a contact.",
    no_args_is_help=True,
)


@app.command("import")
def import_(
    source: Annotated[
        str,
        typer.Argument(
            help="An mbox file, a Maildir (or a folder of Maildirs), - for one message on stdin, "
            "or imaps://user@host[:port]/FOLDER (imap:// without TLS).",
            show_default=False,
        ),
    ],
    since: Annotated[
        str | None, typer.Option("--since", help="Only messages from this date on, e.g. 2026-01-01.")
    ] = None,
    create_contacts: Annotated[
        bool,
        typer.Option(
            "--create-contacts", help="Correspondents who are not contacts become contacts (else skipped)."
        ),
    ] = False,
    rescan: Annotated[
        bool,
        typer.Option(
            "--rescan",
            help="Read messages read before again (e.g. after adding contacts); still adds nothing twice.",
        ),
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No summary (for cron); errors are still shown.")
    ] = False,
    json_flag: JsonOpt = False,
) -> None:
    """Capture mail to and from contacts as `email` interactions on their timeline.

    Idempotent: importing the same messages again adds nothing, and an IMAP folder is read from
    where the last run stopped. Messages that cannot be read are named on stderr and skipped."""
    from minicrm.core.dates import parse_when
    from minicrm.services.capture import mail

    def say(text: str) -> None:
        Printer("plain", ctx.clock.tz).message(f"error: {text}")

    with services() as ctx:
        since_at = parse_when(since, ctx.clock).at if since else None
        if source.startswith(("imap://", "imaps://")):
            from minicrm.services.capture.imap_source import import_imap

            summary = import_imap(
                ctx, source, since=since_at, create_contacts=create_contacts, rescan=rescan, on_error=say
            )
        else:
            from minicrm.exchange.mail import open_source

            stdin = sys.stdin.buffer.read() if source == "-" else None
            box = open_source(source, stdin)
            summary = mail.import_mail(
                ctx,
                mail.read_source(box),
                mail.Checkpoint("mail", "stdin" if source == "-" else box.name),
                since=since_at,
                create_contacts=create_contacts,
                rescan=rescan,
                on_error=say,
            )
    if json_flag:
        emit(summary.to_dict(), "json")
    elif not quiet:
        parts = [
            f"{summary.read} read",
            f"{summary.captured} captured ({summary.interactions} timeline entries)",
            f"{summary.seen} read before",
            f"{summary.not_contacts} not with a contact ({len(summary.unknown)} unknown correspondents)",
        ]
        if summary.already:
            parts.append(f"{summary.already} captured before")
        if summary.ignored:
            parts.append(f"{summary.ignored} ignored")
        if summary.before_since:
            parts.append(f"{summary.before_since} before --since")
        if summary.created_contacts:
            parts.append(f"{summary.created_contacts} contacts created")
        if summary.errors:
            parts.append(f"{len(summary.errors)} unreadable")
        Printer("plain", ctx.clock.tz).message(f"{summary.source}: " + ", ".join(parts))
    if summary.errors:
        raise InvalidInput(
            f"{len(summary.errors)} message(s) in {summary.source} could not be read (named above); "
            "the others were imported"
        )
