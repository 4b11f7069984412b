"""``minicrm import …`` and ``minicrm export …``: moving data in and out in open formats."""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Annotated, Any

import typer

from minicrm.cli.output import inert
from minicrm.cli.state import services
from minicrm.errors import InvalidInput

import_app = typer.Typer(help="Bring data in: CSV, vCard, JSON.", no_args_is_help=True)
export_app = typer.Typer(help="Take data out: CSV, vCard, iCalendar, JSON.", no_args_is_help=True)

PathArg = Annotated[Path, typer.Argument(help="The file to import.", show_default=False)]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Show what would be created, updated, skipped and rejected; write nothing.")]
DuplicateOpt = Annotated[str, typer.Option("--on-duplicate", help="A record with a known email or phone: update (fill and merge), skip, or create anyway.")]


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
            self._fh = self.path.open("w", encoding="utf-8", newline="")
            self._writer = csv.writer(self._fh, lineterminator="\r\n")
            self._writer.writerow([*self.header, "_error"])
        extras = [v for k, v in row.items() if k.startswith("__extra_")]
        self._writer.writerow([*(row.get(h, "") for h in self.header), *extras, error])
        self.count += 1

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int], None] | None]:
    """A rich progress display on a terminal only; None otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.completed} records"),
                  TimeElapsedColumn(), console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=None)
        yield lambda done: bar.update(task, completed=done)


def _report(summary: Any, rejects: _Rejects | None) -> None:
    verb = "would be " if summary.dry_run else ""
    parts = [f"{summary.created} {verb}created", f"{summary.updated} {verb}updated",
             f"{summary.skipped} {verb}skipped", f"{summary.rejected} rejected"]
    tail = ""
    if rejects is not None and rejects.count:
        tail = f"; rejected rows written to {rejects.path}"
    prefix = "dry run, nothing written: " if summary.dry_run else ""
    _say(prefix + ", ".join(parts) + tail)


def _events(dry_run: bool, rejects_box: list[_Rejects | None]) -> Callable[[Any], None]:
    def on_event(event: Any) -> None:
        if dry_run:
            print("\t".join(inert(x) for x in (str(event.line), event.action, event.name, event.reason)))
        elif event.action in ("rejected", "skipped"):
            _say(f"line {event.line}: {event.action}: {event.reason}" + (f" ({event.name})" if event.name else ""))
        rejects = rejects_box[0]
        if event.action == "rejected" and rejects is not None and event.row:
            rejects.write(event.row, event.reason)

    return on_event


@import_app.command("csv")
def import_csv(
    path: PathArg,
    type_: Annotated[str, typer.Option("--type", help="What the rows are: contacts, companies or deals.")] = "contacts",
    preset: Annotated[str | None, typer.Option("--preset", help="google, outlook, thunderbird, hubspot, pipedrive, salesforce or generic (default: detected).")] = None,
    map_: Annotated[list[str] | None, typer.Option("--map", help='Column mapping COLUMN=FIELD, e.g. "E-mail 1 - Value=email" or "Shoe size=field:shoe" (repeatable).')] = None,
    dry_run: DryRunOpt = False,
    on_duplicate: DuplicateOpt = "update",
    rejects: Annotated[Path | None, typer.Option("--rejects", help="Where to write rows that cannot be imported (default: PATH.rejects.csv).")] = None,
) -> None:
    """Import a CSV file in one transaction; rows that cannot be imported go to a rejects file."""
    from minicrm.exchange.presets import parse_map_option
    from minicrm.services import importer

    overrides = dict(parse_map_option(m) for m in map_ or ())
    target = rejects if (rejects or not dry_run) else None
    if target is None and not dry_run:
        target = path.with_name(path.name + ".rejects.csv")
    box: list[_Rejects | None] = [None]
    with services() as ctx:
        if target is not None:
            from minicrm.exchange.csvfile import read_csv

            header = read_csv(path)
            header.rows.close()  # type: ignore[attr-defined]
            box[0] = _Rejects(target, header.header)
        try:
            with _progress(f"importing {path.name}") as progress:
                summary = importer.import_csv(
                    ctx, path, kind=type_, preset=preset, overrides=overrides, dry_run=dry_run,
                    on_duplicate=on_duplicate, on_event=_events(dry_run, box), progress=progress,
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
    from minicrm.services import importer

    with services() as ctx, _progress(f"importing {path.name}") as progress:
        summary = importer.import_vcard(ctx, path, dry_run=dry_run, on_duplicate=on_duplicate,
                                        on_event=_events(dry_run, [None]), progress=progress)
    _report(summary, None)


def _check_exists(path: Path) -> None:
    if not path.exists():
        raise InvalidInput(f"no such file: {path}")
