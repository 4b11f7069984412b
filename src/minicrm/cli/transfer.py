"""``minicrm import …`` and ``minicrm export …``: moving data in and out in open formats."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import IO, Annotated, Any, TextIO, TypeVar

import typer

from minicrm.cli.output import inert, json_inert, output_stream, plain_line, write_csv, write_error
from minicrm.cli.state import services
from minicrm.core.errors import InvalidInput
from minicrm.core.words import counted

import_app = typer.Typer(help="Bring data in: CSV, vCard, JSON.", no_args_is_help=True)
export_app = typer.Typer(help="Take data out: CSV, vCard, iCalendar, JSON.", no_args_is_help=True)

PathArg = Annotated[Path, typer.Argument(help="The file to import.", show_default=False)]
DryRunOpt = Annotated[
    bool,
    typer.Option(
        "--dry-run", help="Show what would be created, updated, skipped and rejected; write nothing."
    ),
]
DuplicateOpt = Annotated[
    str,
    typer.Option(
        "--on-duplicate",
        help="A record with a known email or phone: update (fill and merge), skip, or create anyway.",
    ),
]


def _say(text: str) -> None:
    print(inert(text), file=sys.stderr)


class _Rejects:
    """The rejects CSV: the original columns plus ``_error``, written as rejects arrive."""

    def __init__(self, path: Path, header: list[str]) -> None:
        self.path = path
        self.header = header
        self.count = 0
        self._fh: IO[str] | None = None
        self._writer: Any = None

    def write(self, row: dict[str, str], error: str) -> None:
        if self._writer is None:
            from minicrm.exchange.private import create_private

            try:
                self._fh = create_private(self.path)  # the user's rows: personal data, 0600
            except OSError as exc:  # the import rolls back: nothing is lost silently
                raise InvalidInput(
                    f"cannot write the rejects file {self.path}: {exc.strerror or exc} (use --rejects PATH)"
                ) from exc
            from minicrm.exchange.csvfile import CsvWriter

            # the user's rows, exact: the file is fixed and imported again
            self._writer = CsvWriter(self._fh, [*self.header, "_error"], neutralize=False)
        extras = [v for k, v in row.items() if k.startswith("__extra_")]
        self._writer.write([*(row.get(h, "") for h in self.header), *extras, error])
        self.count += 1

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()


T = TypeVar("T")


@contextmanager
def _progress(label: str) -> Iterator[Callable[..., None] | None]:
    """A rich progress display on a terminal only; None otherwise.

    It draws on stderr and never takes over stdout: rich's live display would otherwise
    redirect ``sys.stdout`` into itself, and the data of ``export csv > file`` would be drawn
    on the terminal instead of written to the file."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TaskProgressColumn, TextColumn
    from rich.progress import TimeElapsedColumn as Elapsed

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),  # a bar where the total is known (``_counting``'s), a pulse where it is not
        TaskProgressColumn(),  # the percentage, where the total is known
        _count_column(),
        Elapsed(),
        console=Console(stderr=True),
        transient=True,
        redirect_stdout=False,
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int | None = None) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _count_column() -> Any:
    """``1,200/5,000 records`` (or ``1,200 records`` while the total is not known)."""
    from rich.progress import ProgressColumn
    from rich.text import Text

    class Count(ProgressColumn):
        def render(self, task: Any) -> Text:
            done = f"{int(task.completed):,}"
            return Text(
                f"{done}/{int(task.total):,} records" if task.total is not None else f"{done} records"
            )

    return Count()


def _counting(
    items: Iterable[T],
    progress: Callable[..., None] | None,
    every: int = 1000,
    total: Callable[[], int] | None = None,
) -> Iterator[T]:
    """``items`` unchanged, telling ``progress`` how many have gone by, every ``every`` items,
    and how many there are when ``total`` can say (asked only when there is a progress bar)."""
    if progress is None:
        yield from items
        return
    known = total() if total is not None else None
    if known is not None:
        progress(0, known)
    count = 0
    for item in items:
        yield item
        count += 1
        if count % every == 0:
            progress(count, known)
    progress(count, known)


def _report(summary: Any, rejects: _Rejects | None) -> None:
    verb = "would be " if summary.dry_run else ""
    parts = [
        f"{summary.created} {verb}created",
        f"{summary.updated} {verb}updated",
        f"{summary.skipped} {verb}skipped",
        f"{summary.rejected} rejected",
    ]
    tail = ""
    if rejects is not None and rejects.count:
        tail = f"; rejected rows written to {rejects.path}"
    cards = getattr(summary, "skipped_cards", 0)
    if cards:
        tail += f"; {counted(cards, 'card')} skipped (cut off)"
    files = len(getattr(summary, "broken", [])) - cards
    if files:
        tail += f"; {counted(files, 'file')} skipped (cannot be read)"
    prefix = "dry run, nothing written: " if summary.dry_run else ""
    ignored = getattr(summary, "ignored", [])
    if ignored:
        shown = ", ".join(inert(c) for c in ignored[:_IGNORED_SHOWN])
        more = f", and {len(ignored) - _IGNORED_SHOWN} more" if len(ignored) > _IGNORED_SHOWN else ""
        verb = "would be " if summary.dry_run else ""
        _say(f"{counted(len(ignored), 'column')} {verb}ignored (no --map for them): {shown}{more}")
    _say(prefix + ", ".join(parts) + tail)


_IGNORED_SHOWN = 12


def _events(dry_run: bool, rejects_box: list[_Rejects | None]) -> Callable[[Any], None]:
    def on_event(event: Any) -> None:
        where = event.place or f"line {event.line}"
        named = f" ({event.name})" if event.name else ""
        if dry_run:
            sys.stdout.write(plain_line((event.place or event.line, event.action, event.name, event.reason)))
        elif event.action in ("rejected", "skipped"):
            _say(f"{where}: {event.action}: {event.reason}{named}")
        for warning in event.warnings:  # the record is in, one value of it not as it came
            _say(f"{where}: warning: {warning}{named}")
        rejects = rejects_box[0]
        if event.action == "rejected" and rejects is not None and event.row:
            rejects.write(event.row, event.reason)

    return on_event


@import_app.command("csv")
def import_csv(
    path: PathArg,
    type_: Annotated[
        str, typer.Option("--type", help="What the rows are: contacts, companies or deals.")
    ] = "contacts",
    preset: Annotated[
        str | None,
        typer.Option(
            "--preset",
            help="google, outlook, thunderbird, yahoo, roundcube, hubspot, pipedrive, salesforce or generic "
            "(default: detected).",
        ),
    ] = None,
    map_: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help='Column mapping COLUMN=FIELD, e.g. "E-mail 1 - Value=email" or "Shoe size=field:shoe" '
            '(repeatable, or several at once: "1=name,2=email").',
        ),
    ] = None,
    dry_run: DryRunOpt = False,
    on_duplicate: DuplicateOpt = "update",
    no_header: Annotated[
        bool,
        typer.Option(
            "--no-header", help="The first row is data: name the columns by position (--map 1=name)."
        ),
    ] = False,
    rejects: Annotated[
        Path | None,
        typer.Option(
            "--rejects", help="Where to write rows that cannot be imported (default: PATH.rejects.csv)."
        ),
    ] = None,
) -> None:
    """Import a CSV file in one transaction; rows that cannot be imported go to a rejects file."""
    from minicrm.exchange.presets import parse_map_options
    from minicrm.services.transfer import importer

    overrides = parse_map_options(map_ or [])
    target = rejects if (rejects or not dry_run) else None
    if target is None and not dry_run:
        target = path.with_name(path.name + ".rejects.csv")
    box: list[_Rejects | None] = [None]
    with services() as ctx:
        if target is not None:
            from minicrm.exchange.csvfile import read_csv

            header = read_csv(path, header=not no_header)
            header.rows.close()  # type: ignore[attr-defined]
            box[0] = _Rejects(target, header.header)
        try:
            with _progress(f"importing {path.name}") as progress:
                summary = importer.import_csv(
                    ctx,
                    path,
                    kind=type_,
                    preset=preset,
                    overrides=overrides,
                    dry_run=dry_run,
                    on_duplicate=on_duplicate,
                    on_event=_events(dry_run, box),
                    progress=progress,
                    header=not no_header,
                )
        finally:
            if box[0] is not None:
                box[0].close()
    _report(summary, box[0])


@import_app.command("vcard")
def import_vcard(
    path: Annotated[Path, typer.Argument(help="A .vcf file or a directory of them.", show_default=False)],
    dry_run: DryRunOpt = False,
    on_duplicate: DuplicateOpt = "update",
) -> None:
    """Import vCards (2.1, 3.0, 4.0) from a file or a directory, in one transaction."""
    from minicrm.services.transfer import importer

    with services() as ctx, _progress(f"importing {path.name}") as progress:
        summary = importer.import_vcard(
            ctx,
            path,
            dry_run=dry_run,
            on_duplicate=on_duplicate,
            on_event=_events(dry_run, [None]),
            progress=progress,
        )
    for problem in summary.broken:
        _say(f"error: {problem}")
    _report(summary, None)
    if summary.broken:
        raise typer.Exit(1)


@import_app.command("json")
def import_json(
    path: Annotated[
        Path, typer.Argument(help="An archive written by `minicrm export json`.", show_default=False)
    ],
) -> None:
    """Load a whole-database JSON archive into an EMPTY database (lossless round trip)."""
    from minicrm.services.transfer import archive

    with _open_text(path) as source, services() as ctx, _progress(f"importing {path.name}") as progress:
        counts = archive.import_database(ctx, source, progress)
    total = sum(counts.values())
    _say(
        f"imported {total} rows into {len(counts)} tables "
        f"({counts.get('contact', 0)} contacts, {counts.get('company', 0)} companies, "
        f"{counts.get('deal', 0)} deals)"
    )


@contextmanager
def _open_text(path: Path) -> Iterator[TextIO]:
    """The archive as UTF-8 text (a BOM is dropped), after a look at its start: an empty or a
    binary file gets a clear error before anything is read into the database."""
    try:
        with path.open("rb") as fh:
            head = fh.read(1 << 16)
            if not head.strip() and not fh.read(1):
                raise InvalidInput(f"empty file: {path.name}")
        source = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror or exc}") from exc
    if b"\x00" in head:
        source.close()
        raise InvalidInput(f"not a JSON archive: {path.name} holds binary data")
    with source:
        yield source


OutOpt = Annotated[Path | None, typer.Option("--out", "-o", help="Write here instead of stdout.")]
TypeOpt = Annotated[str, typer.Option("--type", help="contacts, companies, deals or followups.")]


SegmentOpt = Annotated[
    str | None, typer.Option("--segment", "-s", help="Only the contacts of this saved segment.")
]
PresetOpt = Annotated[
    str | None,
    typer.Option(
        "--preset",
        help="mailchimp: a campaign file (Email Address, First Name, Last Name, Tags; "
        "do-not-contact and email-less contacts left out and counted on stderr).",
    ),
]
FieldOpt = Annotated[
    list[str] | None, typer.Option("--field", help="With --preset: add this custom field as a column.")
]


@export_app.command("csv")
def export_csv(
    type_: TypeOpt = "contacts",
    out: OutOpt = None,
    segment: SegmentOpt = None,
    preset: PresetOpt = None,
    field: FieldOpt = None,
) -> None:
    """CSV of contacts, companies, deals or follow-ups.

    Formula-like cells are neutralised. `--segment NAME --preset mailchimp` writes a campaign
    file for an email-marketing tool."""
    from minicrm.cli.campaign import export_campaign
    from minicrm.services.transfer import exporter

    if segment is not None or preset is not None:
        if type_ != "contacts":
            raise InvalidInput("--segment and --preset export contacts; leave out --type")
        if segment is None:
            raise InvalidInput("--preset needs --segment NAME (the contacts to export)")
        export_campaign(segment, out=out, fmt="csv", preset=preset or "mailchimp", fields=tuple(field or ()))
        return
    with services() as ctx, _progress(f"exporting {type_}") as progress:
        header, rows = exporter.csv_rows(ctx, type_)
        total = partial(exporter.export_count, ctx, type_)
        with output_stream(out) as fh:
            count = write_csv(_counting(rows, progress, total=total), header, fh, lineterminator="\r\n")
    if out is not None:
        _say(f"exported {count} {type_} to {out}")


@export_app.command("vcard")
def export_vcard(
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="Directory to write (vdir: one .vcf per contact, named by UID)."),
    ],
    segment: SegmentOpt = None,
) -> None:
    """vCard 4.0 files, one per contact, in a directory (khard and vdirsyncer read it).

    Exporting again rewrites only the cards that changed and removes the cards minicrm wrote
    for contacts no longer exported; other files in the directory are left alone."""
    from minicrm.cli.output import check_out_path
    from minicrm.exchange.vdir import sync_vdir
    from minicrm.services.transfer import exporter

    check_out_path(out, directory=True)
    with services() as ctx, _progress("exporting contacts") as progress:
        try:
            total = None if segment else partial(exporter.export_count, ctx, "contacts")
            done = sync_vdir(out, _counting(exporter.vcard_files(ctx, segment), progress, total=total))
        except OSError as exc:
            raise write_error(f"{out}/", exc) from None
    _say(f"exported {counted(done.exported, 'contact')} to {out}/")
    if done.removed:
        cards = "card" if done.removed == 1 else "cards"
        _say(f"removed {done.removed} stale {cards} (contacts no longer exported)")


@export_app.command("ics")
def export_ics(
    out: Annotated[
        str | None,
        typer.Option(
            "--out",
            "-o",
            help="Write here instead of stdout; a directory (existing, or ending in /): one .ics each.",
        ),
    ] = None,
) -> None:
    """The open follow-ups as iCalendar VTODOs (recurring ones with DTSTART and their RRULE).

    To a directory, a vdir for todoman and vdirsyncer: one .ics per follow-up series, named by
    its UID; exporting again rewrites only what changed and removes minicrm's files of
    follow-ups no longer open."""
    from minicrm.cli.output import check_out_path
    from minicrm.services.transfer import todos

    vdir = out is not None and (out.endswith(("/", os.sep)) or Path(out).is_dir())
    if out is not None:
        check_out_path(Path(out), directory=vdir)
    with services() as ctx:
        items = todos.open_followup_todos(ctx)
    if out is not None and vdir:
        from minicrm.exchange.vdir import sync_vdir

        try:
            done = sync_vdir(Path(out), todos.todo_files(items), suffix=".ics")
        except OSError as exc:
            raise write_error(out, exc) from None
        _say(f"exported {counted(done.exported, 'follow-up')} to {out.rstrip('/' + os.sep)}/")
        if done.removed:
            _say(f"removed {counted(done.removed, 'stale file')} (follow-ups no longer open)")
        return
    from minicrm.exchange.ics import followups_to_ics

    data = followups_to_ics(items)
    with output_stream(Path(out) if out is not None else None, binary=True) as fh:
        fh.write(data)


@export_app.command("json")
def export_json(out: OutOpt = None, segment: SegmentOpt = None) -> None:
    """The whole database as one JSON document (`import json` restores it losslessly).

    With `--segment NAME`, a JSON array of that segment's contacts."""
    from minicrm.cli.campaign import export_campaign
    from minicrm.services.transfer import archive

    if segment is not None:
        export_campaign(segment, out=out, fmt="json", preset=None)
        return
    with services() as ctx, output_stream(out) as fh, _progress("exporting the database") as progress:
        if progress is not None:  # the bar's total: every row of every table
            progress(0, archive.row_count(ctx))
        for piece in archive.export_database(ctx, progress):
            fh.write(json_inert(piece))  # inert like all JSON minicrm writes: the same strings to a reader
