"""The one rule for tags: a tag is kept as it was written (``My Contacts``, ``VIP``) and two
spellings that differ only in case, or in spaces, hyphens and underscores between the words,
are the same tag (``my contacts``, ``my-contacts``, ``MY_CONTACTS``). The first spelling stored
is the one shown; a database from before this rule, whose tags were all ``my-contacts``, still
finds them when ``My Contacts`` is typed."""

from __future__ import annotations

import re
import unicodedata

_BETWEEN_WORDS = re.compile(r"[\s_-]+")
_SPACES = re.compile(r"\s+")


def tag_spelling(value: str) -> str:
    """A tag as it is stored: NFC, trimmed, inner runs of blanks one space, no ``#`` around it."""
    text = _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()
    return text.strip("#").strip()


def tag_key(value: str) -> str:
    """What makes two spellings one tag: case-folded, words joined by one ``-``."""
    return _BETWEEN_WORDS.sub("-", tag_spelling(value).casefold()).strip("-")
