"""Read one large JSON document piece by piece, in bounded memory.

``json.load`` holds the whole text and every parsed value at once: a million-contact archive
would take gigabytes. This reader walks the outer objects and arrays itself and hands each
inner value to ``json``'s own decoder (``raw_decode``), so only the value being read is in
memory. Any JSON layout is accepted; the input is read in chunks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from minicrm.core.errors import InvalidInput

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any, TextIO

__all__ = ["JsonStream"]

_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
CHUNK = 1 << 16


class JsonStream:
    """A cursor over the JSON text of ``fh``; ``what`` names it in error messages."""

    def __init__(self, fh: TextIO, what: str, chunk: int = CHUNK) -> None:
        self._fh = fh
        self._what = what
        self._chunk = chunk
        self._buf = ""
        self._pos = 0
        self._eof = False

    # -- the buffer ------------------------------------------------------------------------
    def _fill(self, at_least: int = 0) -> bool:
        """Read another chunk (keeping what is not consumed); False at the end of the input."""
        if self._eof:
            return False
        try:
            more = self._fh.read(max(self._chunk, at_least))
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"{self._what}: the text is not UTF-8") from exc
        if not more:
            self._eof = True
            return False
        self._buf = self._buf[self._pos :] + more
        self._pos = 0
        return True

    def _skip_space(self) -> None:
        while True:
            match = _SPACE.match(self._buf, self._pos)
            assert match is not None  # the pattern matches the empty string
            self._pos = match.end()
            if self._pos < len(self._buf) or not self._fill():
                return

    def peek(self) -> str:
        """The next character that is not white space ('' at the end)."""
        self._skip_space()
        return self._buf[self._pos : self._pos + 1]

    def expect(self, char: str) -> None:
        found = self.peek()
        if found != char:
            self.fail(f"expected {char!r}, found {found!r}" if found else f"expected {char!r}, found the end")
        self._pos += 1

    def fail(self, reason: str) -> None:
        raise InvalidInput(f"{self._what}: {reason}")

    # -- values ----------------------------------------------------------------------------
    def value(self) -> Any:
        """The next complete JSON value."""
        self._skip_space()
        while True:
            try:
                found, end = _DECODER.raw_decode(self._buf, self._pos)
            except json.JSONDecodeError as exc:
                # maybe only cut off by the chunk's end: read more (twice as much each time, so a
                # value larger than a chunk is not re-parsed chunk by chunk) and try again
                if self._fill(len(self._buf)):
                    continue
                self.fail(f"{exc.msg} (at character {exc.pos})" if not self._eof else "the text is cut short")
            if end == len(self._buf) and self._fill():
                continue  # a number may go on in the next chunk
            self._pos = end
            return found

    def members(self) -> Iterator[str]:
        """The keys of the object that starts here; after each key, the caller reads its value
        (with ``value``, ``members`` or ``elements``) before asking for the next key."""
        self.expect("{")
        if self.peek() == "}":
            self._pos += 1
            return
        while True:
            key = self.value()
            if not isinstance(key, str):
                self.fail("an object key is not a string")
            self.expect(":")
            yield key
            if self._closed("}", "an object"):
                return

    def elements(self) -> Iterator[Any]:
        """The values of the array that starts here, one at a time."""
        self.expect("[")
        if self.peek() == "]":
            self._pos += 1
            return
        while True:
            yield self.value()
            if self._closed("]", "an array"):
                return

    def _closed(self, close: str, where: str) -> bool:
        """After a member or an element: True at the closing bracket, False at a comma."""
        separator = self.peek()
        self._pos += 1
        if separator == close:
            return True
        if separator != ",":
            self.fail(f"expected ',' or {close!r} in {where}, found {separator!r}")
        return False

    def end(self) -> None:
        """Nothing but white space may follow the document."""
        if self.peek():
            self.fail("extra data after the end of the document")
