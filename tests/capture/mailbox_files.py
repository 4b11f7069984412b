"""Messages and mailboxes written for the capture tests (with the standard library's email)."""

from __future__ import annotations

import mailbox
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

CONFIG = """
[mail]
addresses = ["me@mine.org"]
ignore = ["noreply.example", "spam@bad.example"]
"""


def message(
    sender: str,
    to: str,
    subject: str,
    body: str = "Hello.",
    *,
    when: str = "2026-11-20T10:00:00",
    message_id: str | None = None,
    cc: str | None = None,
    in_reply_to: str | None = None,
    html: str | None = None,
    attachments: tuple[tuple[str, bytes], ...] = (),
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    if cc:
        msg["Cc"] = cc
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime.fromisoformat(when).replace(tzinfo=UTC))
    if message_id:
        msg["Message-ID"] = f"<{message_id}>"
    if in_reply_to:
        msg["In-Reply-To"] = f"<{in_reply_to}>"
        msg["References"] = f"<{in_reply_to}>"
    if html is not None:
        msg.set_content(body)
        msg.add_alternative(html, subtype="html")
    else:
        msg.set_content(body)
    for name, data in attachments:
        msg.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return msg


def write_mbox(path: Path, messages: list[EmailMessage]) -> Path:
    box = mailbox.mbox(path)
    for m in messages:
        box.add(m)
    box.flush()
    box.close()
    return path


def write_maildir(path: Path, messages: list[EmailMessage]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    box = mailbox.Maildir(path, create=True)
    for m in messages:
        box.add(m)
    box.close()
    return path
