"""Stored text made inert for a terminal: the one escaping rule the CLI and the TUI share.

Control characters (ESC, NUL, CR, C1 controls, …) and bidirectional overrides are shown as
escapes such as ``\\x1b`` and ``\\u202e``, so a name can never style, move, retitle or reorder the
terminal. Markup (rich's ``[bold]``) is a separate concern of each interface: the CLI never
renders text as markup, the TUI wraps it in ``rich.text.Text``.
"""

from __future__ import annotations

import re

# Patterns, not compiled ones: ``re`` compiles each on first use (and caches it), so a command
# whose text is all printable never pays the ~2 ms each of these character classes costs.
# Lone surrogates are what Python makes of bytes that are not UTF-8 (a name typed in a Latin-1
# terminal arrives in argv as "Jos\udce9"): they cannot be written to a UTF-8 terminal at all, so
# they are shown as the byte they stand for (``\xe9``).
_UNSAFE = "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
_UNSAFE_WITH_LINES = "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"


def _escape(match: re.Match[str]) -> str:
    ch = match.group(0)
    if ch == "\n":
        return "\\n"
    if ch == "\t":
        return "\\t"
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the byte that was not UTF-8
        code -= 0xDC00
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def inert(value: object, *, keep_newlines: bool = False) -> str:
    """``value`` as text that cannot style, move or reorder the terminal."""
    if value is None:
        return ""
    text = str(value)
    if text.isprintable():  # every character the patterns match is unprintable
        return text
    return re.sub(_UNSAFE if keep_newlines else _UNSAFE_WITH_LINES, _escape, text)


def not_utf8(exc: UnicodeEncodeError) -> str:
    """The message for text Python could not encode as UTF-8: bytes that were not UTF-8 (in a
    command-line argument, most often), shown as the bytes they were, around the first one."""
    text = exc.object if isinstance(exc.object, str) else ""
    start, end = max(0, exc.start - 30), exc.end + 30
    shown = ("…" if start else "") + inert(text[start:end]) + ("…" if end < len(text) else "")
    return (
        f"text that is not valid UTF-8: '{shown}' "
        "(minicrm keeps text in UTF-8; is the terminal's locale UTF-8?)"
    )


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode control pictures: ␛ for ESC, ␇ for BEL
    return "\u2421" if code == 0x7F else "\ufffd"


def pictured(value: str) -> str:
    """``value`` with each character ``inert`` escapes replaced by one visible stand-in (``␛``,
    ``�``): the same length, for an editor whose cursor counts characters (a TUI input field
    showing a stored name); the value itself is kept as stored."""
    if value.isprintable():
        return value
    return re.sub(_UNSAFE_WITH_LINES, _picture, value)
