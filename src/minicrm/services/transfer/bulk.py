"""Fast building blocks for writing many contacts in one transaction.

One ORM-style call per row manages a few thousand rows a second; these helpers validate with
cached fast paths, and the record modules (``minicrm.store.records``) write with
``executemany``, so an import reaches tens of thousands.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache

from minicrm.core.errors import InvalidInput
from minicrm.services.kernel.validation import normalize_email, normalize_phone

# An ASCII address already in email-validator's normal form (lower-case domain): checking it
# with the regex alone gives the same answer, ~50x faster. (It is more lenient than
# email-validator in corners it has always been: special-use domains such as ``.invalid``,
# role mailboxes it lower-cases, the 254-byte limit; imports keep giving the same results.)
_SIMPLE_EMAIL = re.compile(
    r"(?=[^@]{1,64}@)[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
)
# The same with precomposed Latin letters in the local part (U+00C0-U+024F: letters and the
# symbols × ÷, all NFC-stable and never composing with a neighbour), as in ``joão@…``. These
# went through email-validator before, so this path gives exactly its answer: the domain is
# validated for real once (cached), the length limit is checked here.
_LATIN = r"A-Za-z0-9!#$%&'*+/=?^_`{|}~\u00c0-\u024f-"
_LATIN_EMAIL = re.compile(
    rf"(?=[^@]{{1,64}}@)[{_LATIN}]+(?:\.[{_LATIN}]+)*"
    r"@((?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63})"
)
_EMAIL_MAX_BYTES = 254
# Already E.164: parsing and formatting it again gives it back unchanged (valid or not).
_E164 = re.compile(r"\+[1-9]\d{6,14}")


def fast_email(value: str) -> str:
    """``normalize_email`` with regex fast paths; raises InvalidInput like it."""
    text = value.strip()
    if _SIMPLE_EMAIL.fullmatch(text):
        return text
    latin = _LATIN_EMAIL.fullmatch(text)
    if latin is not None and _plain_domain(latin[1]) and len(text.encode()) <= _EMAIL_MAX_BYTES:
        return text
    return _cached_email(text)


@lru_cache(maxsize=4096)
def _cached_email(text: str) -> str:
    return normalize_email(text)


@lru_cache(maxsize=65536)
def _plain_domain(domain: str) -> bool:
    """Whether email-validator accepts ``domain`` as it is (not special-use, not reserved)."""
    try:
        return normalize_email(f"a@{domain}") == f"a@{domain}"
    except InvalidInput:
        return False


def fast_phone(value: str, region: str | None) -> str:
    """``normalize_phone`` with fast paths and a cache for repeated numbers.

    Without a default region, phonenumbers parses only numbers written with a plus sign (it
    looks for one, ``+`` or fullwidth ``＋``, also in a ``phone-context``); any other number
    with a digit is kept as typed, so that answer needs no parsing."""
    text = value.strip()
    if _E164.fullmatch(text):
        return text
    if (
        region is None
        and "+" not in text
        and "\uff0b" not in text
        and "\x00" not in text
        and any(ch.isdigit() for ch in text)
    ):
        return " ".join(text.split())
    return _cached_phone(text, region)


@lru_cache(maxsize=65536)
def _cached_phone(text: str, region: str | None) -> str:
    return normalize_phone(text, region)


def new_uid() -> str:
    """A time-ordered (version 7) UUID as text (``new_uids``)."""
    return new_uids(1)[0]


def new_uids(count: int) -> list[str]:
    """``count`` version-7 UUIDs (RFC 9562), ascending: the Unix time in milliseconds (48
    bits), the version nibble 7, a 12-bit sequence number, the variant bits 10 and 62 random
    bits, from one ``os.urandom`` call. Time-ordered ids go at the end of the ``uid`` index
    (an import's and every later contact's), where random (version 4) ones went anywhere in it:
    each insert wrote into an old page of the index and left its pages a third empty."""
    import time

    start = time.time_ns() // 1_000_000 << 12  # the time and the sequence, counted on together
    digits = os.urandom(8 * count).hex()
    out = []
    for i in range(count):
        head = f"{start + i:015x}"  # 48 + 12 bits: 15 hex digits
        h = digits[16 * i : 16 * i + 16]
        out.append(f"{head[:8]}-{head[8:12]}-7{head[12:15]}-{_VARIANT[h[0]]}{h[1:4]}-{h[4:16]}")
    return out


#: a random hex digit with its two high bits set to 10 (the RFC 4122 variant)
_VARIANT = {d: "89ab"[int(d, 16) & 3] for d in "0123456789abcdef"}
