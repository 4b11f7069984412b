"""``minicrm note add``, ``minicrm log call|email|meeting`` and ``minicrm timeline``."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
from typing import Annotated

import typer

from minicrm.cli import views
from minicrm.cli.options import FormatOpt, JsonOpt
from minicrm.cli.output import Printer, check_format
from minicrm.cli.state import services
from minicrm.core.dates import parse_when
from minicrm.core.errors import InvalidInput
from minicrm.services.history import interactions
from minicrm.services.history.interactions import Links

note_app = typer.Typer(help="Notes on contacts, companies and deals.", no_args_is_help=True)
log_app = typer.Typer(help="Log a call, email or meeting on the timeline.", no_args_is_help=True)

CompanyOpt = Annotated[str | None, typer.Option("--company", "-c", help="Attach to this company.")]
DealOpt = Annotated[str | None, typer.Option("--deal", "-d", help="Attach to this deal (id).")]
AtOpt = Annotated[
    str | None, typer.Option("--at", help="When it happened (default: now), e.g. 'yesterday 15:00'.")
]


def _split(args: list[str], company: str | None, deal: str | None) -> tuple[str | None, str | None]:
    """``[REF] [TEXT]``: with --company/--deal and a single argument, that argument is the text."""
    if len(args) > 2:
        raise InvalidInput('too many arguments: quote the text, e.g. minicrm note add ana "called back"')
    if not args:
        return None, None
    if len(args) == 1:
        return (None, args[0]) if (company or deal) else (args[0], None)
    return args[0], args[1]


def _read_text(text: str | None) -> str:
    if text == "-":
        return sys.stdin.read()
    if text is not None:
        return text
    if not sys.stdin.isatty():
        raise InvalidInput("no text given and no terminal for an editor: pass TEXT, or - to read stdin")
    return _edit()


def _edit() -> str:
    return edit_text()


def edit_text(initial: str = "", *, suffix: str = ".md", prefix: str = "minicrm-note-") -> str:
    """``initial`` edited in $VISUAL or $EDITOR (vi), in a temporary file."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    with tempfile.NamedTemporaryFile("w+", suffix=suffix, prefix=prefix, delete=False) as handle:
        path = handle.name
        handle.write(initial)
    try:
        subprocess.run([*shlex.split(editor), path], check=True)
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, subprocess.CalledProcessError) as exc:
        raise InvalidInput(f"the editor {editor!r} failed: {exc}") from exc
    finally:
        os.unlink(path)


def _log(
    kind: str,
    args: list[str],
    company: str | None,
    deal: str | None,
    at: str | None,
    fmt: str | None,
    json_flag: bool,
    *,
    text_required: bool,
) -> None:
    fmt = check_format(fmt, json_flag)
    ref, text = _split(args, company, deal)
    if ref is None and not (company or deal):
        raise InvalidInput("say who this is about: a contact, --company or --deal")
    body = _read_text(text) if (text_required or text is not None) else ""
    with services() as ctx:
        when = parse_when(at, ctx.clock).at if at else None
        item = interactions.add(ctx, kind, Links(contact=ref, company=company, deal=deal), body, at=when)
        Printer(fmt, ctx.clock.tz).record(item, views.interaction_fields(item, ctx.clock.tz))


@note_app.command("add")
def note_add(
    args: Annotated[
        list[str] | None,
        typer.Argument(
            help="REF [TEXT]: contact (id, email, name) and the note; "
            "TEXT - reads stdin, no TEXT opens $EDITOR.",
            show_default=False,
        ),
    ] = None,
    company: CompanyOpt = None,
    deal: DealOpt = None,
    at: AtOpt = None,
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """Add a note to a contact (or --company / --deal)."""
    _log("note", args or [], company, deal, at, fmt, json_flag, text_required=True)


def _log_command(kind: str) -> None:
    def command(
        args: Annotated[
            list[str] | None,
            typer.Argument(
                help="REF [SUMMARY]: contact (id, email, name) and what was said.", show_default=False
            ),
        ] = None,
        company: CompanyOpt = None,
        deal: DealOpt = None,
        at: AtOpt = None,
        fmt: FormatOpt = None,
        json_flag: JsonOpt = False,
    ) -> None:
        _log(kind, args or [], company, deal, at, fmt, json_flag, text_required=False)

    command.__doc__ = f"Log {'an' if kind == 'email' else 'a'} {kind} with a contact (or --company / --deal)."
    log_app.command(kind)(command)


for _kind in ("call", "email", "meeting"):
    _log_command(_kind)


def timeline(
    ref: Annotated[str | None, typer.Argument(help="Contact: id, email or name.")] = None,
    company: CompanyOpt = None,
    deal: DealOpt = None,
    kind: Annotated[
        list[str] | None,
        typer.Option("--kind", "-k", help="Only these kinds (note, call, email, meeting, stage-change)."),
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", "-n", min=1)] = None,
    fmt: FormatOpt = None,
    json_flag: JsonOpt = False,
) -> None:
    """Everything that happened with a contact, company or deal, newest first."""
    fmt = check_format(fmt, json_flag)
    with services() as ctx:
        items = interactions.timeline(
            ctx, Links(contact=ref, company=company, deal=deal), limit=limit, kinds=tuple(kind or ())
        )
        items = interactions.group_threads(items)
        Printer(fmt, ctx.clock.tz).records(
            items, views.interaction_columns(ctx.clock.tz), empty="nothing on the timeline yet"
        )
