"""``minicrm mail import SOURCE`` and ``minicrm mail compose REF``."""

from __future__ import annotations

import os
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


@app.command("compose")
def compose(
    ref: Annotated[str, typer.Argument(help="Contact: id, email or name.", show_default=False)],
    template: Annotated[
        str | None,
        typer.Option(
            "--template",
            "-t",
            help="A template: in the config (mail.templates) or a file in <config dir>/mail-templates/.",
        ),
    ] = None,
    deal: Annotated[
        str | None, typer.Option("--deal", "-d", help="The deal it is about: its fields fill the template.")
    ] = None,
    json_flag: JsonOpt = False,
) -> None:
    """Write to a contact in $EDITOR and send it with your own sendmail command.

    The message is logged on the timeline only when the command reports it sent. Leaving the
    editor without a text sends nothing."""
    from minicrm.cli import views
    from minicrm.cli.notes import edit_text
    from minicrm.services.capture import compose as mail_compose

    with services() as ctx:
        prepared = mail_compose.draft(ctx, ref, template=template, deal=deal)
        if not sys.stdin.isatty() and not (os.environ.get("VISUAL") or os.environ.get("EDITOR")):
            raise InvalidInput("no terminal for an editor: set $EDITOR, or run it in a terminal")
        text = edit_text(prepared.text, suffix=".eml", prefix="minicrm-mail-")
        if text.strip() == prepared.text.strip():
            raise InvalidInput("the message was left as it was: not sent")
        item = mail_compose.send(ctx, prepared, text)
        printer = Printer("json" if json_flag else "plain", ctx.clock.tz)
        if json_flag:
            printer.record(item, views.interaction_fields(item, ctx.clock.tz))
        else:
            printer.message(f"sent to {prepared.address}; logged as interaction {item.id}")
