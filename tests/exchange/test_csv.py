from __future__ import annotations

import io
from pathlib import Path

import pytest

from minicrm.core.errors import InvalidInput
from minicrm.exchange.csvfile import neutralize_cell, read_csv, write_csv
from minicrm.exchange.presets import build_mapping, row_to_contact


def rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    return list(read_csv(path).rows)


@pytest.mark.parametrize(
    ("fixture", "encoding", "delimiter", "first"),
    [
        ("bom.csv", "utf-8", ",", {"Name": "Ana Lima", "Email": "ana@lima.pt",
                                   "Phone": "+351 912 345 678"}),
        ("utf16le_bom.csv", "utf-16-le", ",", {"First Name": "José", "Last Name": "Núñez",
                                               "E-mail": "jose@example.es"}),
        ("cp1252.csv", "cp1252", ";", {"Name": "François Lefèvre",
                                       "Company": "Café Crème SARL"}),
        ("semicolon.csv", "utf-8", ";", {"Name": "John Doe", "Email": "john@example.com",
                                         "Company": "Acme, Inc."}),
        ("tab.tsv", "utf-8", "\t", {"Full Name": "Tab Person", "Email": "tab@example.com",
                                    "Notes": "has, comma"}),
        ("shiftjis.csv", "cp932", ",", {"名前": "山田 太郎", "メール": "taro@example.jp"}),
    ],
)  # fmt: skip
def test_detection(fixtures: Path, fixture: str, encoding: str, delimiter: str,
                   first: dict[str, str]) -> None:  # fmt: skip
    table = read_csv(fixtures / fixture)
    assert (table.encoding, table.delimiter) == (encoding, delimiter)
    assert table.header == list(first)
    line, record = next(table.rows)
    assert (line, record) == (2, first)


def test_quoted_newlines_keep_line_numbers(fixtures: Path) -> None:
    got = rows(fixtures / "quoted_newline.csv")
    assert [line for line, _ in got] == [2, 5, 7, 9]
    assert got[0][1]["Notes"] == "line one\r\nline two\r\nline three"
    assert [r["Name"] for _, r in got] == ["First", "Second", "Third", "Fourth"]


def test_multi_values(fixtures: Path) -> None:
    table = read_csv(fixtures / "multivalue.csv")
    line, row = next(table.rows)
    rec = row_to_contact(row, build_mapping(table.header, "google", {}), line)
    assert rec.emails == ["a@example.com", "b@example.com"]
    assert rec.phones == ["+1 555 0100", "+1 555 0101"]
    assert rec.tags == ["myContacts", "Friends", "VIP"]


def test_header_only(fixtures: Path) -> None:
    table = read_csv(fixtures / "header_only.csv")
    assert table.header == ["Name", "Email"]
    assert list(table.rows) == []


@pytest.mark.parametrize("fixture", ["empty.csv", "binary.csv"])
def test_bad_files(fixtures: Path, fixture: str) -> None:
    with pytest.raises(InvalidInput):
        read_csv(fixtures / fixture)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput):
        read_csv(tmp_path / "nope.csv")


def test_short_and_long_rows(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("a,b,c,\n1,2\n1,2,3,4,5\n")
    table = read_csv(path)
    assert table.header == ["a", "b", "c"]
    assert list(table.rows) == [
        (2, {"a": "1", "b": "2", "c": ""}),
        (3, {"a": "1", "b": "2", "c": "3", "__extra_1": "4", "__extra_2": "5"}),
    ]


def test_streams_large_file(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("w") as fh:
        fh.write("name,email\n")
        for i in range(50_000):
            fh.write(f"Person {i},p{i}@example.com\n")
    table = read_csv(path)
    count = 0
    last = 0
    for line, _ in table.rows:
        count += 1
        last = line
    assert (count, last) == (50_000, 50_001)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+1", "'=1+1"), ("+351 912 345 678", "'+351 912 345 678"), ("-5", "'-5"),
     ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"), ("Ana", "Ana"), ("", ""),
     ("a=b", "a=b"), (" =1+1", "' =1+1"), ("\n=1+1", "'\n=1+1"), ("  \t@x", "'  \t@x"),
     ("\u3000=1", "'\u3000=1"), ("\uff1d1+1", "'\uff1d1+1"), ("\ufe661", "'\ufe661"),
     ("\uff0b351", "'\uff0b351"), ("\uff201", "'\uff201"), (" Ana", " Ana"), ("   ", "   "),
     ("José", "José"), ("Ωmega", "Ωmega")],
)  # fmt: skip
def test_neutralize(value: str, expected: str) -> None:
    assert neutralize_cell(value) == expected


def test_write_csv_round_trip(tmp_path: Path) -> None:
    out = io.StringIO(newline="")
    n = write_csv(
        [{"name": '=HYPERLINK("x")', "notes": "a,b\nc"}, ["Bob", None]],
        ["name", "notes"],
        out,
    )
    assert n == 2
    path = tmp_path / "out.csv"
    path.write_text(out.getvalue(), newline="")
    got = list(read_csv(path).rows)
    assert got == [(2, {"name": "'=HYPERLINK(\"x\")", "notes": "a,b\nc"}),
                   (4, {"name": "Bob", "notes": ""})]  # fmt: skip


def test_a_quote_left_open_before_the_final_newline_is_a_truncated_file(tmp_path) -> None:
    path = tmp_path / "open.csv"
    path.write_bytes(b'name,email\n"Bruno,bruno@x\n')
    table = read_csv(path)
    with pytest.raises(InvalidInput, match="ends inside a quoted cell"):
        list(table.rows)


def test_binary_without_nul_bytes_is_not_a_csv(tmp_path) -> None:
    path = tmp_path / "noise.csv"
    path.write_bytes(bytes(range(1, 32)) * 10 + b"\xff\xfe\x80" * 20)
    with pytest.raises(InvalidInput, match="binary data"):
        read_csv(path)


def test_csv_writer_neutralises_unless_told_to_keep_the_cells_exact() -> None:
    from minicrm.exchange.csvfile import CsvWriter

    safe, exact = io.StringIO(newline=""), io.StringIO(newline="")
    writers = (
        CsvWriter(safe, ["phone", "=h"]),
        CsvWriter(exact, ["phone", "=h"], lineterminator="\n", neutralize=False),
    )
    for writer in writers:
        writer.write(["+351 912 345 678", None])
        writer.write(["=1+1", 7])
        assert writer.count == 2
    assert safe.getvalue() == "phone,'=h\r\n'+351 912 345 678,\r\n'=1+1,7\r\n"
    assert exact.getvalue() == "phone,=h\n+351 912 345 678,\n=1+1,7\n"


def test_a_row_separated_otherwise_than_the_file_is_split_on_its_own_delimiter(tmp_path: Path) -> None:
    # Thunderbird's tab_comma_mixed.csv: a comma line, then lines of tabs
    path = tmp_path / "mixed.csv"
    path.write_text('a,b,c\n1,x@y.pt,\n2\tz@y.pt\t\n3\t"q\tuoted"\tc\nnotes\twith a tab\nalone\n', newline="")
    table = read_csv(path)
    assert table.delimiter == ","
    assert [cells for _, cells in table.rows] == [
        {"a": "1", "b": "x@y.pt", "c": ""},
        {"a": "2", "b": "z@y.pt", "c": ""},
        {"a": "3", "b": "q\tuoted", "c": "c"},
        {"a": "notes", "b": "with a tab", "c": ""},
        {"a": "alone", "b": "", "c": ""},
    ]


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_a_byte_that_is_not_utf8_past_the_sample_is_named_by_its_own_line(
    tmp_path: Path, newline: bytes
) -> None:
    """The reader meets the byte when it decodes the block it is in; the line it names is the
    byte's (10,002 here), not the line the reader was on when that block was read."""
    path = tmp_path / "late.csv"
    lines = [b"Name,Email", *(f"P{i},p{i}@x.pt".encode() for i in range(10_000)), b'"Jos\xe9",j@x.pt']
    path.write_bytes(newline.join([*lines, b"Ana,a@x.pt"]) + newline)
    table = read_csv(path)
    assert table.encoding == "utf-8"  # the first 64 KiB are
    with pytest.raises(InvalidInput) as raised:
        list(table.rows)
    assert str(raised.value) == "late.csv: line 10002: not valid utf-8 text"
