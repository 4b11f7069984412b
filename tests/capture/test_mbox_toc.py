"""``FastMbox`` finds the same messages as the standard library's ``mailbox.mbox``."""

from __future__ import annotations

import mailbox

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minicrm.exchange.mail import FastMbox

CASES = [
    b"",
    b"From a\nx\n",
    b"From a\nx\n\nFrom b\ny\n\n",
    b"From a\nx\nFrom b\ny",
    b"junk first\nFrom a\nx\n\n\nFrom b\n",
    b"From a\n>From not a start\n\nFrom b\n\n\n",
    b"From a\r\nx\r\n\r\nFrom b\r\n",
    b"\nFrom a\n\nFrom \n",
]


def toc(cls: type[mailbox.mbox], path) -> dict[int, tuple[int, int]]:
    box = cls(path, create=False)
    box._generate_toc()
    return dict(box._toc)


@pytest.mark.parametrize("data", CASES)
def test_the_table_of_contents_is_the_standard_librarys(tmp_path, data: bytes) -> None:
    path = tmp_path / "m.mbox"
    path.write_bytes(data)
    assert toc(FastMbox, path) == toc(mailbox.mbox, path)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.sampled_from([b"From x", b"", b"text", b"From", b" From y", b">From z"]), max_size=30),
    st.booleans(),
    st.integers(min_value=1, max_value=16),
)
def test_any_lines_in_any_block_size(tmp_path_factory, lines, newline_at_end, block) -> None:
    path = tmp_path_factory.mktemp("toc") / "m.mbox"
    path.write_bytes(b"\n".join(lines) + (b"\n" if newline_at_end else b""))
    FastMbox._BLOCK = block
    try:
        assert toc(FastMbox, path) == toc(mailbox.mbox, path)
    finally:
        FastMbox._BLOCK = 1 << 22
