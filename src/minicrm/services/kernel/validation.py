"""Validation and normalisation of what users type: names, emails, phones, tags, statuses."""

from __future__ import annotations

import re
from collections.abc import Iterable

from minicrm.core.errors import InvalidInput
from minicrm.core.tags import tag_key, tag_spelling

#: the longest a name, title or other one-line value may be (characters)
LINE_MAX = 500
#: the longest a note, a logged call's summary or other free text may be (characters)
TEXT_MAX = 100_000
#: the longest a custom field's value may be (characters)
FIELD_MAX = 10_000


def check_length(text: str, what: str, limit: int) -> str:
    """``text`` unless it is longer than ``limit`` characters: then one clear error."""
    if len(text) > limit:
        raise InvalidInput(f"{what} is too long: {len(text):,} characters (at most {limit:,})")
    return text


def require_text(value: str | None, what: str, *, limit: int = LINE_MAX) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(f"{what} cannot be empty")
    if "\x00" in text:
        raise InvalidInput(f"{what} cannot contain a NUL byte")
    return check_length(text, what, limit)


def optional_text(value: str | None, what: str = "the text", *, limit: int = LINE_MAX) -> str | None:
    if value is None:
        return None
    text = value.strip()
    if "\x00" in text:
        raise InvalidInput("text cannot contain a NUL byte")
    return check_length(text, what, limit) or None


def normalize_email(value: str) -> str:
    """Syntax check only (no DNS); returns the address with its domain normalised."""
    from email_validator import EmailNotValidError, validate_email

    text = value.strip()
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise InvalidInput(f"invalid email {text!r}: {exc}") from exc


def normalize_phone(value: str, region: str | None) -> str:
    """E.164 when the number parses (with the configured default region), else as typed."""
    text = " ".join(value.split())
    if not text or "\x00" in text:
        raise InvalidInput(f"invalid phone {value!r}")
    if not any(ch.isdigit() for ch in text):
        raise InvalidInput(f"invalid phone {value!r}: it has no digits")
    import phonenumbers

    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return text
    if phonenumbers.is_valid_number(parsed):
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return text


_EXTENSION = re.compile(r"\s*(?:;\s*ext=|,?\s*(?:ext\.?|extension|x)\s*)(\d{1,12})\s*$", re.IGNORECASE)


def split_extension(value: str) -> tuple[str, str | None]:
    """A phone and its extension: ``+1 555 0100;ext=102`` (a tel: URI), ``555 0100 ext. 102``
    and ``555 0100 x102`` give ``("…0100", "102")``; anything else comes back whole."""
    if ";" not in value and "x" not in value and "X" not in value:
        return value, None  # the common case, without the regular expression
    m = _EXTENSION.search(value)
    if m is None or not any(ch.isdigit() for ch in value[: m.start()]):
        return value, None
    return value[: m.start()].strip(), m.group(1)


def phone_key(value: str) -> str:
    """Digits only (with a leading + kept), for duplicate detection."""
    digits = re.sub(r"[^\d+]", "", value)
    return digits


def normalize_tag(value: str) -> str:
    """A tag as written, trimmed (``VIP Client`` stays ``VIP Client``); ``core.tags`` says which
    spellings are one tag."""
    text = tag_spelling(value)
    if not text:
        raise InvalidInput(f"invalid tag {value!r}")
    if "\x00" in text or "," in text:
        raise InvalidInput(f"invalid tag {value!r}: no commas or NUL bytes")
    return check_length(text, "a tag", 100)


def normalize_tags(values: Iterable[str]) -> tuple[str, ...]:
    """The tags of ``values`` (each may hold several, comma-separated), each once: of two
    spellings of one tag (``VIP``, ``vip``) the first."""
    seen: dict[str, str] = {}
    for value in values:
        for part in value.split(","):  # "VIP Client, hot" is two tags: VIP Client and hot
            if part.strip():
                tag = normalize_tag(part)
                seen.setdefault(tag_key(tag), tag)
    return tuple(seen.values())


def unique_tags(names: Iterable[str]) -> list[str]:
    """Stored tags united (a merge, an import into a contact): each tag once, first spelling."""
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(tag_key(name), name)
    return list(seen.values())


def without_tags(names: Iterable[str], removed: Iterable[str]) -> list[str]:
    """``names`` less the tags of ``removed``, whatever their spelling."""
    gone = {tag_key(t) for t in removed}
    return [t for t in names if tag_key(t) not in gone]


def check_choice(value: str, choices: Iterable[str], what: str) -> str:
    options = tuple(choices)
    text = value.strip().lower()
    if text not in options:
        raise InvalidInput(f"invalid {what} {value!r} (choose from {', '.join(options)})")
    return text


def check_field_key(key: str) -> str:
    text = key.strip()
    if not text or "\x00" in text:
        raise InvalidInput(f"invalid custom field name {key!r}")
    return check_length(text, "a custom field name", 100)


def check_fields(fields: dict[str, str]) -> dict[str, str]:
    """Custom fields with checked names and values no longer than ``FIELD_MAX``."""
    return {
        check_field_key(k): check_length(v, f"custom field {k.strip()!r}", FIELD_MAX)
        if isinstance(v, str)
        else v
        for k, v in fields.items()
    }


def unique_ci(values: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(value.lower(), value)
    return tuple(seen.values())
