"""The streaming JSON reader: any layout, any chunk boundary, clear errors."""

from __future__ import annotations

import io
import json

import pytest

from minicrm.core.errors import InvalidInput
from minicrm.exchange.jsonstream import JsonStream

DOC = {
    "format": "x",
    "n": [12345678901234567890, -0.5e-3, 7],
    "tables": {
        "a": {
            "columns": ["id", "name"],
            "rows": [[1, 'Ana "quoted" \\ \u00fcn\u00efcode \U0001f600'], [2, None]],
        },
        "empty": {"columns": [], "rows": []},
    },
    "last": True,
}


def _walk(stream: JsonStream) -> dict:
    """Rebuild the document through members/elements, as the archive loader reads it."""
    out: dict = {}
    for key in stream.members():
        if key == "tables":
            tables: dict = {}
            for name in stream.members():
                table: dict = {}
                for part in stream.members():
                    table[part] = list(stream.elements()) if part == "rows" else stream.value()
                tables[name] = table
            out[key] = tables
        else:
            out[key] = stream.value()
    stream.end()
    return out


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64, 1 << 16])
@pytest.mark.parametrize("indent", [None, 0, 3])
def test_every_chunk_size_and_layout_reads_the_same_document(chunk: int, indent: int | None) -> None:
    text = json.dumps(DOC, indent=indent, ensure_ascii=indent is None)
    assert _walk(JsonStream(io.StringIO(text), "doc", chunk=chunk)) == DOC


def test_a_number_cut_by_the_chunk_boundary_is_read_whole() -> None:
    stream = JsonStream(io.StringIO("[1234567, 89]"), "doc", chunk=4)
    assert list(stream.elements()) == [1234567, 89]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"a": [1, 2', "doc: the text is cut short"),
        ('{"a": 1} {"b": 2}', "doc: extra data after the end of the document"),
        ('{"a": 1 "b": 2}', "doc: expected ',' or '}' in an object, found '\"'"),
        ("[1 2]", "doc: expected ',' or ']' in an array, found '2'"),
        ("{1: 2}", "doc: an object key is not a string"),
        ('{"a" 1}', "doc: expected ':', found '1'"),
        ("", "doc: expected '{', found the end"),
    ],
)
def test_malformed_text_is_one_clear_error(text: str, message: str) -> None:
    stream = JsonStream(io.StringIO(text), "doc", chunk=3)
    with pytest.raises(InvalidInput) as caught:
        if text.startswith("["):
            list(stream.elements())
        else:
            _walk(stream)
    assert str(caught.value).startswith(message)


def test_text_that_is_not_utf8_is_an_error() -> None:
    raw = io.TextIOWrapper(io.BytesIO(b'{"a": "\xff\xfe"}'), encoding="utf-8")
    with pytest.raises(InvalidInput, match="doc: the text is not UTF-8"):
        _walk(JsonStream(raw, "doc"))
