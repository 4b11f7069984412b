"""The importer's fast validation paths give exactly what the full validators give."""

from __future__ import annotations

import pytest

from minicrm.core.errors import InvalidInput
from minicrm.services.kernel.validation import normalize_email
from minicrm.services.transfer import bulk

# Addresses with accented local parts used to go through email-validator: the fast path must
# give exactly its answers. (ASCII addresses keep the long-standing regex path, which accepts
# a few things email-validator refuses, e.g. ``a@b.invalid``; the import corpus relies on it.)
EMAILS = [
    "ana.lima@example.com",
    "Ana.Lima@example.com",
    "joão.dias@example.pt",
    "joão@b.local",
    "joão@x.test",
    "joão@x.invalid",
    "joão@exämple.com",
    "joão@xn--exmple-cua.com",
    "joão@Example.com",
    "joão..dias@example.pt",
    "joão.@example.pt",
    "inês@example.pt",
    "björn.ølsen@example.se",
    "straße@example.de",
    "a×b@example.com",
    "user+tag@sub.example.co.uk",
    "o'neil@example.ie",
    "info.desk@example.com",
    "a@localhost",
    "ana@Example.com",
    "ana@exämple.com",
    "ana@@example.com",
    "ana.@example.com",
    ".ana@example.com",
    "an..a@example.com",
    "ana@example",
    "ana@-example.com",
    "ana@example.c",
    "e\u0301va@example.com",  # decomposed é: NFC changes it
    "\u0301eva@example.com",
    "日本@example.jp",
    "ana lima@example.com",
    '"ana lima"@example.com',
    "Ana <ana@example.com>",
    "x" * 64 + "@example.com",
    "é" * 64 + "@example.com",
    "é" * 60 + "@" + ".".join(["b" * 60] * 3) + ".com",
    "ñ" * 65 + "@example.com",
    "ana@example.com.",
]


def _outcome(fn: object, value: str) -> str:
    try:
        return "ok " + fn(value)  # type: ignore[operator]
    except InvalidInput as exc:
        return "error " + str(exc)


@pytest.mark.parametrize("email", EMAILS)
def test_fast_email_agrees_with_email_validator(email: str) -> None:
    assert _outcome(bulk.fast_email, email) == _outcome(normalize_email, email)


PHONES = [
    "+351 912 345 678",
    "+351912345678",
    "912345678",
    "91 234  5678",
    "(+351) 912 345 678",
    "00351 912 345 678",
    "\uff0b351 912 345 678",
    "tel:912345678;phone-context=+351",
    "tel:912345678;phone-context=example.com",
    "mobile",
    "",
    "12\x003",
    "٩١٢٣٤٥٦٧٨",
    "+1 (650) 253-0000",
    "650 253 0000",
    "+999 123",
]


@pytest.mark.parametrize("region", [None, "PT", "US"])
@pytest.mark.parametrize("phone", PHONES)
def test_fast_phone_agrees_with_phonenumbers(phone: str, region: str | None) -> None:
    from minicrm.services.kernel.validation import normalize_phone

    assert _outcome(lambda v: bulk.fast_phone(v, region), phone) == _outcome(
        lambda v: normalize_phone(v, region), phone
    )


def test_new_uids_are_distinct_time_ordered_version_7_uuids() -> None:
    import time
    import uuid

    before = time.time_ns() // 1_000_000
    uids = bulk.new_uids(5000)  # more than the 12-bit sequence holds in one millisecond
    after = time.time_ns() // 1_000_000
    assert len(set(uids)) == 5000
    assert uids == sorted(uids)  # each goes at the end of the uid index
    for text in uids:
        parsed = uuid.UUID(text)
        assert (str(parsed), parsed.version, parsed.variant) == (text, 7, uuid.RFC_4122)
    assert before <= uuid.UUID(uids[0]).int >> 80 <= after  # the first 48 bits: Unix milliseconds
    # every variant digit (8, 9, a, b) turns up
    assert {text[19] for text in uids} == set("89ab")
    assert bulk.new_uids(0) == [] and len(bulk.new_uid()) == 36
