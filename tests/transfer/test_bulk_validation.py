"""The importer's fast validation paths give exactly what the full validators give."""

from __future__ import annotations

import pytest

from minicrm.errors import InvalidInput
from minicrm.services import bulk
from minicrm.services.validation import normalize_email

EMAILS = [
    "ana.lima@example.com",
    "Ana.Lima@example.com",
    "joão.dias@example.pt",
    "inês@example.pt",
    "björn.ølsen@example.se",
    "straße@example.de",
    "a×b@example.com",
    "user+tag@sub.example.co.uk",
    "o'neil@example.ie",
    "Postmaster@example.com",
    "INFO@example.com",
    "info.desk@example.com",
    "a@b.local",
    "a@x.test",
    "a@x.arpa",
    "a@x.onion",
    "a@x.invalid",
    "a@localhost",
    "ana@Example.com",
    "ana@exämple.com",
    "ana@xn--exmple-cua.com",
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
    "x" * 65 + "@example.com",
    "é" * 64 + "@example.com",
    "a@" + ".".join(["b" * 60] * 4) + ".com",
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


def test_role_mailboxes_match_email_validator() -> None:
    from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES

    assert set(CASE_INSENSITIVE_MAILBOX_NAMES) == bulk._CASE_INSENSITIVE_MAILBOXES
