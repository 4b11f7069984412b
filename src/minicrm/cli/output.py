"""The one writer of everything minicrm prints: ``table`` (rich, on a terminal), ``plain`` (one
record a line, tab-separated, no colour), ``json``, ``jsonl`` and ``csv``, to stdout or to the file
named by ``--out``.

Listings and records go through ``Printer``; whole documents (reports, ``privacy export``, ``due``,
``doctor``, campaign exports) through ``emit``; files through ``output_stream``. Services return
data and never write. Each format has one implementation here (CSV: ``exchange.csvfile``'s,
that interchange files use too), and one escaping rule:

* text from the database is always printed inertly: control characters (ESC, NUL, CR, …) and
  bidirectional overrides are shown as escapes such as ``\\x1b`` and ``\\u202e``, and rich markup
  in a name is never interpreted (``inert``);
* JSON escapes the same characters as ``\\uXXXX``, which any JSON reader decodes to the very same
  string (``json_text``, ``json_inert``);
* CSV is data for spreadsheets: cells are kept exact, and only formula-looking cells are
  neutralised; CSV printed to a terminal is made inert like any other text.

``inert`` itself is ``core.text``'s, which the TUI uses too.

rich is imported only for the table format, ``json`` and ``csv`` only when used.
"""

from __future__ import annotations

import re
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from minicrm.core.text import inert as inert

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
    from pathlib import Path
    from typing import IO, Any

FORMATS = ("table", "plain", "json", "jsonl", "csv")
_JSON_UNSAFE = "[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\u2028\u2029\ud800-\udfff]"


def json_text(data: object, indent: int | None = None, *, sort_keys: bool = False) -> str:
    """JSON that is inert on a terminal too: besides the control characters JSON always escapes,
    DEL, C1 controls and bidirectional overrides are written as ``\\uXXXX`` escapes (the same
    string to any JSON reader). A value JSON has no type for (a datetime or a Decimal in a raw
    database row) is written as its ``str()``."""
    import json

    return json_inert(json.dumps(data, ensure_ascii=False, indent=indent, sort_keys=sort_keys, default=str))


def json_inert(text: str) -> str:
    """JSON text (``ensure_ascii=False``, whole or any piece of it) with the characters that are
    unsafe on a terminal escaped. Outside its strings JSON is all ASCII, so this is right
    anywhere in the text, which lets a document streamed in pieces be written piece by piece."""
    if text.isascii() and "\x7f" not in text:
        return text
    return re.sub(_JSON_UNSAFE, lambda m: f"\\u{ord(m.group(0)):04x}", text)


def emit(data: object, fmt: str = "json", out: IO[str] | None = None, *, sort_keys: bool = False) -> None:
    """Write one document as ``json`` (indented) or ``jsonl``: a list one item a line, anything
    else on one line."""
    stream = out or sys.stdout
    if fmt == "json":
        stream.write(json_text(data, indent=2, sort_keys=sort_keys) + "\n")
    elif fmt == "jsonl":
        items = data if isinstance(data, list) else [data]
        stream.write("".join(json_text(i, sort_keys=sort_keys) + "\n" for i in items))
    else:
        raise ValueError(f"emit writes json or jsonl, not {fmt!r}")


def write_csv(
    rows: Iterable[Mapping[str, object] | Sequence[object]],
    header: Sequence[str],
    out: IO[str] | None = None,
    *,
    lineterminator: str = "\n",
) -> int:
    """CSV to stdout (or ``out``) through the exchange layer's writer (formula-looking cells
    neutralised): a listing's records end in ``\\n``, an export file's in ``\\r\\n``. Returns
    the number of rows written."""
    from minicrm.exchange.csvfile import write_csv as write

    stream = out or sys.stdout
    if on_terminal(stream):
        rows = ([inert(v) for v in _cells(r, header)] for r in rows)
        header = [inert(h) for h in header]
    return write(rows, header, stream, lineterminator=lineterminator)


def on_terminal(stream: object) -> bool:
    """Whether ``stream`` is a terminal: CSV written there is made inert too (it is read, not
    imported), where a file or a pipe gets every cell exact."""
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError, OSError):
        return False


def _cells(row: Mapping[str, object] | Sequence[object], header: Sequence[str]) -> Sequence[object]:
    from collections.abc import Mapping

    return [row.get(h) for h in header] if isinstance(row, Mapping) else row


@contextmanager
def output_stream(path: Path | None, *, binary: bool = False) -> Iterator[Any]:
    """The file named by ``--out``, written whole or not at all (a ``.partial`` file renamed at the
    end), else stdout. A file that cannot be written is one ``error: cannot write …`` line.
    The file is created 0600: what minicrm exports is personal data."""
    if path is None:
        if binary:
            yield sys.stdout.buffer
            sys.stdout.buffer.flush()
        else:
            yield sys.stdout
        return
    check_out_path(path)
    from minicrm.exchange.private import create_private

    partial = path.with_name(path.name + ".partial")
    try:
        with create_private(partial, binary=binary) as fh:
            yield fh
        partial.replace(path)
    except OSError as exc:
        raise write_error(path, exc) from None
    finally:
        partial.unlink(missing_ok=True)


def write_error(path: Path | str, exc: OSError) -> Exception:
    """The one error for an output that could not be written: ``cannot write PATH: reason``,
    and a full disk said so (``No space left on device (the disk is full)``)."""
    from errno import EDQUOT, ENOSPC

    from minicrm.core.errors import InvalidInput

    full = " (the disk is full)" if exc.errno in (ENOSPC, EDQUOT) else ""
    return InvalidInput(f"cannot write {path}: {exc.strerror or exc}{full}")


def check_out_path(path: Path, *, directory: bool = False) -> None:
    """Refuse an ``--out`` that cannot be written before any work is done: a directory where a
    file is wanted (or a file where a directory is), or a parent directory that does not exist
    (it is never created: a typo in the path would otherwise make a tree of directories)."""
    import os

    from minicrm.core.errors import InvalidInput

    shown = f"{path}/" if directory else str(path)
    if directory and path.exists() and not path.is_dir():
        raise InvalidInput(f"cannot write {shown}: it exists and is not a directory")
    if not directory and path.is_dir():
        raise InvalidInput(f"cannot write {shown}: it is a directory")
    parent = path.absolute().parent
    if not (directory and path.is_dir()) and not parent.is_dir():
        raise InvalidInput(f"cannot write {shown}: no such directory {parent}")
    if not os.access(path if directory and path.is_dir() else parent, os.W_OK):
        raise InvalidInput(f"cannot write {shown}: permission denied")


def default_format() -> str:
    return "table" if sys.stdout.isatty() else "plain"


def check_format(fmt: str | None, json_flag: bool = False) -> str:
    from minicrm.core.errors import InvalidInput

    if json_flag:
        return "json"
    if fmt is None:
        return default_format()
    if fmt not in FORMATS:
        raise InvalidInput(f"invalid format {fmt!r} (choose from {', '.join(FORMATS)})")
    return fmt


def show_moment(value: datetime | date | None, tz: tzinfo, *, date_only: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        local = value.astimezone(tz)
        # isoformat is ~10x faster than strftime, which shows on a list of thousands
        return local.date().isoformat() if date_only else local.isoformat(" ", "minutes")[:16]
    return value.isoformat()


@dataclass(frozen=True)
class Column:
    """One column of a listing. On a narrow terminal a table keeps the ``keep`` columns (a
    record's id, its name or text) whole, wraps the ``wrap`` ones and drops the others, least
    important first: by ``rank`` (lower matters more), else by position."""

    header: str
    get: Callable[[Any], object]
    wrap: bool = False
    keep: bool = False
    rank: int | None = None
    #: what CSV writes instead of ``get``: ``(header, get)`` pairs, such as a money column's
    #: number and currency (a pair whose header an earlier column wrote already is left out)
    csv: tuple[tuple[str, Callable[[Any], object]], ...] = ()


#: columns between two cells of a table: padding, the (blank) rule, padding
_GAP = 3
#: the widths a column is given before less important ones are dropped: a kept text (a title,
#: a note) 30, any other column 24 (longer values wrap or end in "…")
_COMFORT_TEXT, _COMFORT_CELL = 30, 24
#: the narrowest a kept text gets on a very narrow terminal
_MIN_TEXT = 12


def kept_columns(columns: Sequence[Column]) -> set[int]:
    """The columns a table never drops: the declared ``keep`` ones, else the first (and the
    second too when the first is an id)."""
    kept = {i for i, c in enumerate(columns) if c.keep}
    if not kept and columns:
        kept = {0, 1} if columns[0].header == "ID" and len(columns) > 1 else {0}
    return kept


def fit_columns(
    columns: Sequence[Column], cells: Sequence[Sequence[str]], width: int
) -> list[tuple[int, int]]:
    """How a table of ``cells`` (one row of strings per record) fits ``width`` terminal columns:
    ``(index, width)`` of each column shown, in order. Every column is first given its width
    up to a comfortable one; while that is too wide the least important column that is not
    kept (``kept_columns``) is dropped; if the kept ones alone are still too wide, their texts
    narrow down to 12. What is left over widens the kept columns, then the others by
    importance, up to their longest value."""
    natural = [_natural(c, cells, i) for i, c in enumerate(columns)]
    kept = kept_columns(columns)
    short = {i for i in kept if not columns[i].wrap and _is_short(cells, i)}

    def comfortable(i: int) -> int:
        if i in short:
            return natural[i]
        if i in kept:
            return min(natural[i], _COMFORT_TEXT if columns[i].wrap else _COMFORT_CELL)
        return min(natural[i], max(_COMFORT_CELL, len(columns[i].header)))

    def rank(i: int) -> int:
        declared = columns[i].rank
        return declared if declared is not None else 1000 + i

    shown = list(range(len(columns)))
    widths = {i: comfortable(i) for i in shown}

    def total() -> int:
        return sum(widths[i] for i in shown) + _GAP * (len(shown) - 1)

    for victim in sorted((i for i in shown if i not in kept), key=rank, reverse=True):
        if total() <= width:
            break
        shown.remove(victim)
    if total() > width:
        for i in shown:
            if i not in short:
                widths[i] = min(natural[i], max(_MIN_TEXT, len(columns[i].header)))
    spare = width - total()
    for i in sorted(shown, key=lambda i: (i not in kept, rank(i), i)):
        more = min(spare, natural[i] - widths[i])
        if more > 0:
            widths[i] += more
            spare -= more
    return [(i, widths[i]) for i in shown]


@contextmanager
def plain_header(on: bool = True) -> Iterator[None]:
    """Within this block, ``plain`` listings start with a line of their column names (a report's
    ``--header``, for ``cut`` and spreadsheets): reports build their printers deep inside."""
    global _PLAIN_HEADER
    before, _PLAIN_HEADER = _PLAIN_HEADER, on
    try:
        yield
    finally:
        _PLAIN_HEADER = before


_PLAIN_HEADER = False


def money_column(
    header: str,
    minor: Callable[[Any], int | None],
    currency: Callable[[Any], str],
    *,
    rank: int | None = None,
) -> Column:
    """An amount: ``12,500.00 EUR`` on screen; in CSV a number (``12500.00``) and a currency
    column, which a spreadsheet can sum."""
    from minicrm.core.money import format_amount, plain_amount

    return Column(
        header,
        lambda i: format_amount(minor(i), currency(i)),
        rank=rank,
        csv=((header, lambda i: plain_amount(minor(i), currency(i))), ("Currency", currency)),
    )


def _csv_columns(columns: Sequence[Column]) -> list[tuple[str, Callable[[Any], object]]]:
    found: dict[str, Callable[[Any], object]] = {}
    for column in columns:
        for header, get in column.csv or ((column.header, column.get),):
            found.setdefault(header.lower().replace(" ", "_"), get)
    return list(found.items())


class Printer:
    """Writes records to stdout in one format; ``tz`` renders timestamps in local time."""

    def __init__(self, fmt: str, tz: tzinfo, out: IO[str] | None = None) -> None:
        self.fmt = fmt
        self.tz = tz
        self.out = out or sys.stdout

    # -- lists --------------------------------------------------------------------------
    def records(
        self,
        items: Sequence[Any],
        columns: Sequence[Column],
        *,
        title: str | None = None,
        empty: str | None = None,
    ) -> None:
        if self.fmt in ("json", "jsonl"):
            emit([self._dict(i) for i in items], self.fmt, self.out)
        elif self.fmt == "csv":
            from minicrm.exchange.csvfile import CsvWriter  # what write_csv writes with

            pairs = _csv_columns(columns)
            writer = CsvWriter(self.out, [h for h, _ in pairs], lineterminator="\n")
            shown = _inert_text if on_terminal(self.out) else _text
            writer.write_records(items, [g for _, g in pairs], shown)
        elif self.fmt == "plain":
            head = [plain_line([c.header for c in columns])] if _PLAIN_HEADER else []
            self._write("".join([*head, *(plain_line([c.get(i) for c in columns]) for i in items)]))
        else:
            if not items:
                if empty:
                    print(empty, file=sys.stderr)
                return
            self._table(items, columns, title)

    def _dict(self, item: Any) -> Any:
        if isinstance(item, dict):
            return item
        try:
            return item.to_dict(self.tz)
        except TypeError:
            return item.to_dict()

    def _table(self, items: Sequence[Any], columns: Sequence[Column], title: str | None) -> None:
        from rich.table import Table
        from rich.text import Text

        # the console reads no markup: a str title is text, and inert
        title_text = inert(title) if title else None
        con = console()
        cells = [[inert(_text(c.get(item))) for c in columns] for item in items]
        shown = fit_columns(columns, cells, con.width)
        kept = kept_columns(columns)
        table = Table(title=title_text, header_style="bold", show_edge=False, pad_edge=False, box=_box())
        for i, width in shown:
            # a kept column (a name, a text) wraps rather than losing its end to "…"
            folds = columns[i].wrap or i in kept
            table.add_column(
                columns[i].header,
                width=width,
                overflow="fold" if folds else "ellipsis",
                no_wrap=not folds,
            )
        for row in cells:
            table.add_row(*(Text(row[i]) for i, _ in shown))
        con.print(table)

    # -- one record ---------------------------------------------------------------------
    def record(
        self,
        item: Any,
        fields: Sequence[tuple[str, object]],
        sections: Sequence[tuple[str, Sequence[Any], Sequence[Column]]] = (),
    ) -> None:
        """One record: JSON object, or ``Label: value`` lines with sections below."""
        if self.fmt in ("json", "jsonl"):
            emit(self._dict(item), self.fmt, self.out)
            return
        if self.fmt == "csv":
            self.records([item], [Column(label, _constant(value)) for label, value in fields])
            return
        if self.fmt == "plain":
            width = max((len(inert(label)) for label, _ in fields), default=0)
            lines = [
                f"{inert(label) + ':':<{width + 1}} {inert(_text(value))}"
                for label, value in fields
                if _text(value)
            ]
            self._write("\n".join(lines) + "\n")
            for title, rows, columns in sections:
                if rows:
                    self._write(f"\n{title}:\n")
                    self._write("".join(["  " + plain_line([c.get(r) for c in columns]) for r in rows]))
            return
        from rich.table import Table
        from rich.text import Text

        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold")
        grid.add_column()
        for label, value in fields:
            if _text(value):
                grid.add_row(Text(inert(label)), Text(inert(_text(value), keep_newlines=True)))
        con = console()
        con.print(grid)
        for title, rows, columns in sections:
            if rows:
                con.print()
                self._table(rows, columns, title)

    def message(self, text: str) -> None:
        """A human message: stderr, so that stdout carries data only."""
        print(inert(text, keep_newlines=True), file=sys.stderr)

    def _write(self, text: str) -> None:
        self.out.write(text)


def _natural(column: Column, cells: Sequence[Sequence[str]], i: int) -> int:
    from rich.cells import cell_len

    return max([cell_len(column.header), *(cell_len(row[i]) for row in cells)])


def _is_short(cells: Sequence[Sequence[str]], i: int) -> bool:
    """A column of short one-word values (ids, dates) that is kept whole."""
    return all(len(row[i]) <= 16 and " " not in row[i] for row in cells)


def _constant(value: object) -> Callable[[Any], object]:
    return lambda _item: value


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(v) for v in value)
    return str(value)


def _inert_text(value: object) -> str:
    return inert(_text(value))


def _box() -> Any:
    from rich import box

    return box.SIMPLE_HEAD


def console() -> Any:
    from rich.console import Console

    return Console(highlight=False, markup=False, emoji=False)  # rich itself honours NO_COLOR


def plain_line(cells: Iterable[object]) -> str:
    """One record of the plain format: its cells inert, tab-separated, and a newline."""
    return "\t".join([inert(_text(c)) for c in cells]) + "\n"


def write_lines(lines: Iterable[str], out: IO[str] | None = None) -> None:
    """Lines of text for people (or for ``cut``), each made inert."""
    stream = out or sys.stdout
    for line in lines:
        stream.write(inert(line) + "\n")
