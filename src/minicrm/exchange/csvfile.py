"""Streaming CSV reading with encoding/delimiter detection, and safe CSV writing."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from minicrm.core.errors import InvalidInput

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing: a listing's csv loads this
if TYPE_CHECKING:
    from typing import IO, TypeVar

    T = TypeVar("T")

__all__ = ["CsvTable", "CsvWriter", "detect_delimiter", "detect_encoding", "neutralize_cell", "read_csv",
           "write_csv"]  # fmt: skip

SAMPLE_SIZE = 64 * 1024
DELIMITERS = (",", ";", "\t", "|")
# a pattern, not a compiled one: ``re`` compiles it on first use, so writing a CSV never pays for it
_JAPANESE = r"[\u3040-\u30ff\u4e00-\u9fff\uff66-\uff9f]"
csv.field_size_limit(16 * 1024 * 1024)


@dataclass
class CsvTable:
    """A CSV file opened for streaming.

    ``rows`` yields ``(line, record)`` where ``line`` is the 1-based physical line the
    record starts on (a quoted cell may span lines) and ``record`` maps every header
    column to its cell ("" when the row is short). Non-empty cells beyond the header are
    kept under ``__extra_1``, ``__extra_2``... so nothing is silently dropped.
    """

    header: list[str]
    rows: Iterator[tuple[int, dict[str, str]]]
    encoding: str
    delimiter: str


def _utf16_without_bom(sample: bytes) -> str | None:
    head = sample[:512]
    if len(head) < 4:
        return None
    even_nul, odd_nul = head[0::2].count(0), head[1::2].count(0)
    if even_nul > len(head) // 4 and odd_nul * 10 < even_nul:
        return "utf-16-be"
    if odd_nul > len(head) // 4 and even_nul * 10 < odd_nul:
        return "utf-16-le"
    return None


def _decodes(sample: bytes, encoding: str) -> str | None:
    """Strictly decode a prefix; a multi-byte character cut at the end is tolerated."""
    try:
        return codecs.getincrementaldecoder(encoding)("strict").decode(sample, final=False)
    except UnicodeDecodeError:
        return None


def detect_encoding(sample: bytes) -> tuple[str, int]:
    """Return (python codec, BOM length) for the first bytes of a file.

    Order: BOMs (UTF-8, UTF-16 LE/BE), UTF-16 without BOM (NUL pattern), strict UTF-8,
    Shift-JIS (strict, and only if the text actually contains Japanese), Windows-1252.
    Raises InvalidInput for binary data (NUL bytes that are not UTF-16).
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if sample.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", 2
    if sample.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", 2
    if b"\x00" in sample:
        utf16 = _utf16_without_bom(sample)
        if utf16 is None:
            raise InvalidInput("not a CSV file: binary data (NUL bytes)")
        return utf16, 0
    controls = sum(1 for b in sample if b < 0x20 and b not in (0x09, 0x0A, 0x0D))
    if controls > max(3, len(sample) // 100):
        raise InvalidInput("not a CSV file: binary data (control bytes)")
    if _decodes(sample, "utf-8") is not None:
        return "utf-8", 0
    text = _decodes(sample, "cp932")
    if text is not None and re.search(_JAPANESE, text):
        return "cp932", 0
    return "cp1252", 0


def detect_delimiter(text: str) -> str:
    """Pick the delimiter whose parse of the sample gives the most consistent rows.

    Each candidate is parsed with full CSV quoting rules (so delimiters inside quotes do
    not count); the score is how many of the first records have the header's field count,
    and only candidates that split the header into several columns qualify.
    """
    best, best_score = ",", (-1, -1)
    lines = text.splitlines(keepends=True)
    if lines and not text.endswith(("\n", "\r")):
        lines = lines[:-1] or lines  # the sample may end mid-record
    for delim in DELIMITERS:
        try:
            records = [r for r in csv.reader(lines[:200], delimiter=delim) if r][:50]
        except csv.Error:
            continue
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        score = (sum(1 for r in records[1:] if len(r) == width), width)
        if score > best_score:
            best, best_score = delim, score
    return best


def _resplit(cell: str, delimiter: str, width: int) -> list[str]:
    """A record that came as one cell of a file with ``width`` columns, split on another
    delimiter when that gives it several columns (at most ``width``): a file whose rows are
    not all separated alike (Thunderbird reads a line of tabs in a comma file so too)."""
    for other in DELIMITERS:
        if other != delimiter and other in cell:
            try:
                cells = next(csv.reader([cell], delimiter=other), [cell])
            except csv.Error:  # a line break in the cell: it is one cell
                continue
            if 1 < len(cells) <= width:
                return cells
    return [cell]


def _unique_header(cells: list[str]) -> list[str]:
    names = [c.strip().lstrip("\ufeff").strip() for c in cells]
    while names and not names[-1]:
        names.pop()  # "a,b," : a trailing delimiter is not a column
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        name = name or f"column_{i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
        out.append(name)
    return out


def read_csv(path: Path, *, header: bool = True) -> CsvTable:
    """Open a CSV file for streaming; see CsvTable. The header is read eagerly.

    With ``header=False`` the first record is data, and the columns are named by position:
    ``1``, ``2``, … (as wide as the first record), which is what ``--map 1=name`` refers to.
    Raises InvalidInput for an unreadable, empty, binary or undecodable file. A file with
    a header and no data rows gives an empty ``rows`` iterator.
    """
    try:
        with path.open("rb") as fh:
            sample = fh.read(SAMPLE_SIZE)
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror or exc}") from exc
    if not sample.strip(b" \t\r\n"):
        raise InvalidInput(f"empty CSV file: {path.name}")
    encoding, bom = detect_encoding(sample)
    errors = "replace" if encoding == "cp1252" else "strict"
    head_text = codecs.getincrementaldecoder(encoding)(errors).decode(sample[bom:], final=False)
    if not head_text.strip():
        raise InvalidInput(f"empty CSV file: {path.name}")
    delimiter = detect_delimiter(head_text)

    raw = path.open("rb")
    raw.seek(bom)
    text = io.TextIOWrapper(raw, encoding=encoding, errors=errors, newline="")
    reader = csv.reader(text, delimiter=delimiter)
    first_line = 1
    try:
        cells: list[str] = []
        while not any(c.strip() for c in cells):
            first_line = reader.line_num + 1
            cells = next(reader)
    except StopIteration:
        text.close()
        raise InvalidInput(f"empty CSV file: {path.name}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        text.close()
        raise InvalidInput(f"{path.name}: cannot read the header: {exc}") from exc
    if header:
        columns, pending = _unique_header(cells), None
    else:
        while cells and not cells[-1].strip():
            cells.pop()
        columns, pending = [str(i) for i in range(1, len(cells) + 1)], (first_line, cells)
    width = len(columns)

    def ends_inside_quotes() -> bool:
        """Non-strict parsing swallows a quote left open at EOF (a truncated file) into the last
        cell; a strict re-read tells. Only run when the last record spanned several lines."""
        with path.open("rb") as fh:
            fh.seek(bom)
            again = io.TextIOWrapper(fh, encoding=encoding, errors=errors, newline="")
            try:
                for _ in csv.reader(again, delimiter=delimiter, strict=True):
                    pass
            except csv.Error as exc:
                return "unexpected end of data" in str(exc)
            except UnicodeDecodeError:
                return False
        return False

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        if pending is not None:  # without a header, the first record is the first row
            yield pending[0], dict(zip(columns, pending[1], strict=True))
        with text:
            start = reader.line_num + 1
            line = start
            multiline_last = False
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    if multiline_last and ends_inside_quotes():
                        raise InvalidInput(
                            f"{path.name}: line {line}: the file ends inside a quoted cell (truncated?)"
                        ) from None
                    return
                except UnicodeDecodeError as exc:
                    bad = _undecodable_line(path, bom, encoding) or start
                    raise InvalidInput(f"{path.name}: line {bad}: not valid {encoding} text") from exc
                except csv.Error as exc:
                    raise InvalidInput(f"{path.name}: line {start}: {exc}") from exc
                line, start = start, reader.line_num + 1
                # a cell ending in a line break may be a quote left open at the end of the file
                multiline_last = start - line > 1 or bool(cells and cells[-1].endswith(("\n", "\r")))
                if not "".join(cells).strip():  # a blank record (one C call, not one per cell)
                    continue
                if len(cells) == 1 < width:
                    cells = _resplit(cells[0], delimiter, width)
                record = dict(zip(columns, cells, strict=False))
                if len(cells) != width:
                    for col in columns[len(cells) :]:
                        record[col] = ""
                    extras = [c for c in cells[width:] if c.strip()]
                    for k, cell in enumerate(extras, 1):
                        record[f"__extra_{k}"] = cell
                yield line, record

    return CsvTable(header=columns, rows=rows(), encoding=encoding, delimiter=delimiter)


def _undecodable_line(path: Path, bom: int, encoding: str) -> int | None:
    """The line of the first byte that is not ``encoding`` text (None for UTF-16, where a line
    break is two bytes). The reader meets that byte when it decodes the next block of the file
    (8 KiB), so the line it was on when the error came may be dozens of lines before it."""
    if "16" in encoding or "32" in encoding:
        return None
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    number = 1
    with path.open("rb") as fh:
        fh.seek(bom)
        for raw in fh:  # split at LF; a CR alone ends a line too, as for the reader
            try:
                decoder.decode(raw)
            except UnicodeDecodeError as exc:
                return number + raw[: exc.start].count(b"\r") - raw[: exc.start].count(b"\r\n")
            number += 1 + raw.count(b"\r") - raw.count(b"\r\n") - (not raw.endswith(b"\n"))
    return None


_DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\n")
#: what a spreadsheet reads as the start of a formula once leading blanks are skipped
_FORMULA = "=+-@"


def neutralize_cell(value: str) -> str:
    """Prefix a cell that a spreadsheet would run as a formula with a single quote.

    Follows OWASP's CSV-injection advice: any cell starting with ``= + - @``, TAB, CR or LF,
    and also one whose first character after leading blanks and line breaks is one of
    ``= + - @`` (spreadsheets skip them: `` =1+1``, ``\\n=1+1``), or is the full-width or
    small form of one (``＝``, ``﹦``, ``＋``…, which NFKC folds to ``=``, ``+``…: some
    spreadsheets, in East Asian locales, read ``＝1+1`` as a formula too). This deliberately
    includes phone numbers such as ``+351 912 345 678`` and negative numbers: the quote is
    shown by spreadsheets as a text marker, and a re-import strips nothing, so the value reads
    back as ``'+351 ...`` only in spreadsheet software.
    """
    if not value:
        return value
    if value.startswith(_DANGEROUS):
        return "'" + value
    first = value.lstrip()[:1]
    if not first or (first.isascii() and first not in _FORMULA):
        return value
    if first in _FORMULA:
        return "'" + value
    import unicodedata  # only for a cell that starts with something other than ASCII

    return "'" + value if unicodedata.normalize("NFKC", first)[:1] in tuple(_FORMULA) else value


def unneutralize_cell(value: str) -> str:
    """A cell of minicrm's own export without the quote ``neutralize_cell`` put before it."""
    if value.startswith("'") and neutralize_cell(value[1:]) == value:
        return value[1:]
    return value


def _text_of(value: object) -> str:
    """A cell's text: None is ""."""
    return "" if value is None else value if isinstance(value, str) else str(value)


def write_csv(
    rows: Iterable[Mapping[str, object] | Sequence[object]],
    header: Sequence[str],
    out: IO[str],
    *,
    lineterminator: str = "\r\n",
) -> int:
    """Write ``header`` and ``rows`` (mappings keyed by header, or sequences) as CSV.

    Every cell is neutralised (see neutralize_cell); None becomes "". Returns the number
    of data rows written. ``out`` should be opened with ``newline=""``. Export files end
    their records in ``\\r\\n`` (RFC 4180); the listings' ``--format csv`` in ``\\n``.
    """
    writer = CsvWriter(out, header, lineterminator=lineterminator)
    writer.write_rows(
        row if isinstance(row, list) or not isinstance(row, Mapping) else [row.get(h) for h in header]
        for row in rows
    )
    return writer.count


class CsvWriter:
    """CSV written a row at a time, header first (``write_csv`` writes a whole table with it).

    ``neutralize=False`` keeps every cell exactly as given: for a file of the user's own rows
    that is meant to be fixed and imported again (the rejects of an import), where a quote added
    before ``+351…`` would be imported as part of the phone number."""

    def __init__(
        self, out: IO[str], header: Sequence[str], *, lineterminator: str = "\r\n", neutralize: bool = True
    ) -> None:
        self._writer = csv.writer(out, lineterminator=lineterminator)
        self._neutralize = neutralize
        self.count = 0
        self._writer.writerow(self._cells(header))

    def _cells(self, values: Iterable[object]) -> list[str]:
        if self._neutralize:
            return [neutralize_cell(_text_of(v)) for v in values]
        return [_text_of(v) for v in values]

    def write(self, cells: Iterable[object]) -> None:
        self._writer.writerow(self._cells(cells))
        self.count += 1

    def write_rows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.write(row)

    def write_records(
        self,
        items: Iterable[T],
        getters: Sequence[Callable[[T], object]],
        text: Callable[[object], str] = _text_of,
    ) -> None:
        """A row per item, a cell per getter, ``text`` making each value the cell's text: for
        listings of thousands, in one pass (as many calls per cell as writing it by hand)."""
        writerow, count = self._writer.writerow, 0
        for item in items:
            if self._neutralize:
                writerow([neutralize_cell(text(get(item))) for get in getters])
            else:
                writerow([text(get(item)) for get in getters])
            count += 1
        self.count += count
