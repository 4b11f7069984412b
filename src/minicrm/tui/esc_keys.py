"""Esc followed at once by a key is two keys: esc, then that key.

A terminal sends Alt+key as ESC then the key, so Textual's parser reads ``ESC 3`` that arrives
in one read as one key (Alt+3, or ``£`` from its table of macOS Option keys). That is what a
terminal hands over when the rep closes a dialog with esc and presses 3 at once, or types while
the app is busy and the keys pile up: the dialog stayed open and the 3 was lost. minicrm binds
nothing to Alt, so this parser reads such a pair as the two keys typed (``key_order`` then runs
them in that order). Escape codes (``ESC [``, ``ESC O``, …) and the pairs Textual names (``ESC
b``/``ESC f`` word moves, ``ESC Tab``, ``ESC Backspace``) are read as before.

Textual has no setting for its input parser: ``installed`` puts this one in the Linux driver's
place while the app runs, and puts Textual's back after.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator

from textual import events
from textual._ansi_sequences import ANSI_SEQUENCES_KEYS
from textual._xterm_parser import XTermParser

ESC = "\x1b"
#: the second character of an escape code, not a key
_INTRODUCERS = frozenset("[O]P_^\\")


class EscThenKeyParser(XTermParser):
    def _sequence_to_key_events(self, sequence: str, alt: bool = False) -> Iterable[events.Key]:
        if (
            len(sequence) == 2
            and sequence[0] == ESC
            and sequence[1].isprintable()
            and sequence[1] not in _INTRODUCERS
            and not isinstance(ANSI_SEQUENCES_KEYS.get(sequence), tuple)  # a key Textual names
        ):
            yield events.Key("escape", ESC)
            yield from super()._sequence_to_key_events(sequence[1])
            return
        yield from super()._sequence_to_key_events(sequence, alt)


@contextlib.contextmanager
def installed() -> Iterator[None]:
    """Read keys with ``EscThenKeyParser`` while the block runs (a terminal session)."""
    from textual.drivers import linux_driver

    original = getattr(linux_driver, "XTermParser")  # noqa: B009 (not exported)
    setattr(linux_driver, "XTermParser", EscThenKeyParser)  # noqa: B010
    try:
        yield
    finally:
        setattr(linux_driver, "XTermParser", original)  # noqa: B010
