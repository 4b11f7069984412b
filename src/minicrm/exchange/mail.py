"""Reading mail: RFC 822 messages from an mbox, a Maildir (or a folder of Maildirs) or stdin,
parsed with the standard library's ``email`` (policy ``default``) and ``mailbox``.

What a CRM keeps of a message is ``MailMessage``: who wrote to whom, when, the subject, a short
plain-text excerpt (HTML converted to text by ``html2text``, a maintained converter, rather than
by regular expressions; quoted replies and signatures trimmed), the attachments' names and sizes
(never their content), the Message-ID and the thread it belongs to.

Reading is in two steps so that a mailbox read again costs little: ``MailSource.items()`` yields
each message's raw bytes with a label that names it (``inbox.mbox message 12``), ``peek()`` reads
only the header block (the key that makes an import idempotent, and the addresses that decide
whether the message concerns a contact at all), and ``parse()`` reads the body of the few that
do. A message that cannot be read raises ``InvalidInput`` naming it; the caller reports it and
goes on with the next.
"""

from __future__ import annotations

import contextlib
import hashlib
import mailbox
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email import errors as email_errors
from email import policy
from email.header import decode_header, make_header
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser, BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from minicrm.core.errors import InvalidInput

__all__ = [
    "EXCERPT_CHARS",
    "Envelope",
    "MailMessage",
    "content",
    "open_source",
    "parse",
    "peek",
    "quick_key",
    "read",
]

#: the excerpt kept of a message's text
EXCERPT_CHARS = 2000
#: the MIME headers whose parsed form is shared by every message with the same text
_SHARED = frozenset(("content-type", "content-transfer-encoding", "mime-version", "content-disposition"))


class _Headers:
    """``policy.default``'s header registry, remembering the parsed MIME headers.

    Parsing a structured header with the ``default`` policy is slow (~40 µs for a Content-Type)
    and a mailbox repeats the same few Content-Type and Content-Transfer-Encoding values over and
    over: parsed headers are immutable, so each distinct one is parsed once. A message is read
    ten times faster (40 µs instead of 420 µs for a short one)."""

    def __init__(self) -> None:
        self.registry = HeaderRegistry()
        self.shared = lru_cache(maxsize=4096)(self.registry)

    def __call__(self, name: str, value: str) -> BaseHeader:
        if name.lower() in _SHARED:
            return self.shared(name, value)
        return self.registry(name, value)

    def __getitem__(self, name: str) -> type[BaseHeader]:
        return self.registry[name]


POLICY = policy.default.clone(header_factory=_Headers())
_HEADERS = BytesHeaderParser(policy=POLICY)
_PARSER = BytesParser(policy=POLICY)


@dataclass(frozen=True, slots=True)
class Envelope:
    """What the header block says: enough to skip a message without reading its body."""

    key: str  # ``mail:<Message-ID>``, or ``mail-sha256:<hash of the message>`` without one
    message_id: str | None
    thread_id: str  # the first Message-ID of the thread (References, In-Reply-To, else its own)
    sender: tuple[str, str]  # (display name, address lower-cased); ("", "") when missing
    to: tuple[tuple[str, str], ...]
    cc: tuple[tuple[str, str], ...]
    date: datetime | None
    subject: str

    def addresses(self) -> list[str]:
        """Every address on the message, sender first, each once."""
        seen = dict.fromkeys(a for _, a in (self.sender, *self.to, *self.cc) if a)
        return list(seen)


@dataclass(frozen=True, slots=True)
class MailMessage:
    envelope: Envelope
    excerpt: str
    attachments: tuple[tuple[str, int], ...]  # (file name, size in bytes)


# -- sources ---------------------------------------------------------------------------------
class MailSource(Protocol):
    """A mailbox to read: ``items()`` yields ``(label, raw bytes, fallback date)``."""

    name: str

    def items(self) -> Iterator[tuple[str, bytes, datetime | None]]: ...


class _Stdin(MailSource):
    def __init__(self, data: bytes) -> None:
        self.name = "stdin"
        self.data = data

    def items(self) -> Iterator[tuple[str, bytes, datetime | None]]:
        if not self.data.strip():
            raise InvalidInput("stdin: no message (pipe one RFC 822 message into `minicrm mail import -`)")
        yield "the message on stdin", self.data, None


class FastMbox(mailbox.mbox):
    """``mailbox.mbox`` with its table of contents found by searching the file in 4 MiB blocks
    instead of line by line in Python: the same table (tests/capture/test_mbox_toc.py compares
    them), in a tenth of the time. Reading a mailbox already imported is mostly this scan."""

    _BLOCK = 1 << 22

    def _generate_toc(self) -> None:
        if os.linesep != "\n":  # pragma: no cover - the scan below assumes POSIX line ends
            super()._generate_toc()  # type: ignore[misc]
            return
        handle = self._file  # type: ignore[attr-defined]
        handle.seek(0)
        starts: list[int] = []
        after_blank: list[bool] = []  # is the line before each start empty
        pos = 0  # file offset of the block
        tail = b"\n"  # the bytes before the block (a file's first line starts after a newline)
        last = b""
        while True:
            block = handle.read(self._BLOCK)
            if not block:
                break
            buf = tail + block
            base = pos - len(tail)
            i = buf.find(b"\nFrom ")
            while i != -1:
                if i + 6 > len(tail):  # not a match found in the previous block
                    starts.append(base + i + 1)
                    after_blank.append(i >= 1 and buf[i - 1 : i] == b"\n")
                i = buf.find(b"\nFrom ", i + 1)
            pos += len(block)
            tail = buf[-7:]
            last = buf[-2:]
        stops = [
            start - 1 if blank else start for start, blank in zip(starts[1:], after_blank[1:], strict=True)
        ]
        if starts:
            stops.append(pos - 1 if last == b"\n\n" else pos)
        self._toc = dict(enumerate(zip(starts, stops, strict=True)))
        self._next_key = len(self._toc)
        self._file_length = pos


class _Mbox(MailSource):
    def __init__(self, path: Path) -> None:
        self.name = str(path.absolute())  # what doctor's crontab line names
        self.path = path

    def items(self) -> Iterator[tuple[str, bytes, datetime | None]]:
        try:
            box = FastMbox(self.path, factory=None, create=False)
            keys = box.keys()
        except (OSError, mailbox.Error) as exc:
            raise InvalidInput(f"cannot read the mbox {self.path}: {exc}") from exc
        try:
            for number, key in enumerate(keys, 1):
                label = f"{self.path.name} message {number}"
                try:
                    raw = box.get_bytes(key)
                except (OSError, KeyError, ValueError) as exc:
                    raise InvalidInput(f"{label}: cannot be read: {exc}") from exc
                yield label, raw, None
        finally:
            box.close()


class _Maildirs(MailSource):
    """One Maildir, or a folder holding Maildirs (Maildir++ ``.Sub`` folders, or a tree of
    them as mbsync/offlineimap keep them), read in name order."""

    def __init__(self, path: Path) -> None:
        self.name = str(path.absolute())  # what doctor's crontab line names
        self.path = path
        self.folders = _maildirs_under(path)
        if not self.folders:
            raise InvalidInput(f"{path} is not a Maildir and holds none (no cur/ and new/ folders)")

    def items(self) -> Iterator[tuple[str, bytes, datetime | None]]:
        for folder in self.folders:
            box = mailbox.Maildir(folder, factory=None, create=False)
            try:
                keys = sorted(box.iterkeys())
            except OSError as exc:
                raise InvalidInput(f"cannot read the Maildir {folder}: {exc}") from exc
            for key in keys:
                label = f"{folder.relative_to(self.path) if folder != self.path else folder.name}/{key}"
                try:
                    raw = box.get_bytes(key)
                except (OSError, KeyError) as exc:
                    raise InvalidInput(f"{label}: cannot be read: {exc}") from exc
                yield label, raw, None


def _is_maildir(path: Path) -> bool:
    return (path / "cur").is_dir() and (path / "new").is_dir()


def _maildirs_under(path: Path) -> list[Path]:
    if not path.is_dir():
        return []
    found: list[Path] = []
    for root, dirs, _files in os.walk(path):
        here = Path(root)
        dirs.sort()
        if _is_maildir(here):
            found.append(here)
            dirs[:] = [d for d in dirs if d not in ("cur", "new", "tmp")]
    return found


def open_source(text: str, stdin: bytes | None = None) -> MailSource:
    """The mailbox ``text`` names: ``-`` (one message on stdin), a Maildir or a folder of them,
    or an mbox file."""
    if text == "-":
        return _Stdin(stdin or b"")
    path = Path(text).expanduser()
    if path.is_dir():
        return _Maildirs(path)
    if not path.exists():
        raise InvalidInput(f"no such mailbox: {path}")
    try:
        with path.open("rb") as handle:
            head = handle.read(5)
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror or exc}") from exc
    if head and head != b"From ":
        raise InvalidInput(f"{path} is not an mbox file (it does not start with a 'From ' line)")
    return _Mbox(path)


# -- parsing ---------------------------------------------------------------------------------
_ID = re.compile(r"<([^<>\s]+)>")


def _ids(text: str) -> list[str]:
    found = _ID.findall(text)
    if not found and text.strip() and " " not in text.strip():
        found = [text.strip().strip("<>")]
    return found


def _unescape(text: str) -> str:
    """A raw header as text: 8-bit bytes (read as surrogate escapes) taken as UTF-8, as mail
    programs write them (RFC 6532), a byte that is not UTF-8 replaced."""
    if text.isascii():
        return text
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _words(text: str) -> str:
    """A header's text: RFC 2047 encoded words decoded, folding undone, control characters out."""
    if "=?" in text:
        with contextlib.suppress(LookupError, UnicodeError, ValueError, email_errors.HeaderParseError):
            text = str(make_header(decode_header(text)))
    return _clean(" ".join(text.split()))


def _addresses(values: list[str]) -> tuple[tuple[str, str], ...]:
    if len(values) == 1:
        return _addresses_in(values[0])
    return tuple(pair for value in values for pair in _addresses_in(value))


@lru_cache(maxsize=8192)
def _addresses_in(value: str) -> tuple[tuple[str, str], ...]:
    """One address header's (name, address) pairs; a mailbox repeats the same From and To lines
    over and over, and ``getaddresses`` is the dearest part of reading a header."""
    try:
        pairs = getaddresses([value])
    except (TypeError, ValueError, IndexError):
        return ()
    return tuple((_words(n) if n else "", a.strip().lower()) for n, a in pairs if a and "@" in a)


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        dt = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if dt is None:
        return None
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _clean(text: str) -> str:
    """Text as it can be stored: no NUL, no lone surrogate (what a byte that is no character
    in its charset decodes to). Everything else is data, made inert when shown (core.text)."""
    return _UNSTORABLE.sub("", text)


_MESSAGE_ID = re.compile(rb"^message-id:[ \t]*(?:\r?\n[ \t]+)?<([^<>\s]+)>", re.IGNORECASE | re.MULTILINE)
_ANY_MESSAGE_ID = re.compile(rb"^message-id:", re.IGNORECASE | re.MULTILINE)


def quick_key(raw: bytes) -> str | None:
    """The key ``peek`` would give the message, read from its bytes without parsing them, so
    that a message read before is skipped cheaply; None when only ``peek`` can tell."""
    end = raw.find(b"\n\n")
    crlf = raw.find(b"\r\n\r\n")
    if crlf != -1 and (end == -1 or crlf < end):
        end = crlf
    head = raw if end == -1 else raw[:end]
    found = _MESSAGE_ID.search(head)
    if found is not None:
        if not found[1].isascii() or len(_ANY_MESSAGE_ID.findall(head)) != 1:
            return None
        return "mail:" + found[1].decode("ascii", "replace")
    if _ANY_MESSAGE_ID.search(head) is None:
        return "mail-sha256:" + hashlib.sha256(raw).hexdigest()
    return None


_WANTED = frozenset(("from", "to", "cc", "date", "subject", "message-id", "references", "in-reply-to"))


def peek(label: str, raw: bytes, fallback: datetime | None = None) -> Envelope:
    """The header block of one message."""
    try:
        msg = _HEADERS.parsebytes(raw)
    except Exception as exc:  # the email package raises many kinds on garbage
        raise InvalidInput(f"{label}: not an RFC 822 message: {exc}") from exc
    return envelope_of(label, raw, msg, fallback)


def read(label: str, raw: bytes, fallback: datetime | None = None) -> tuple[Envelope, EmailMessage]:
    """One message's header block parsed (only that: whether its body is wanted depends on
    whose it is); ``whole`` completes the message when it is."""
    end = _header_end(raw)
    try:
        msg = _HEADERS.parsebytes(raw[:end])
    except Exception as exc:  # the email package raises many kinds on garbage
        raise InvalidInput(f"{label}: not an RFC 822 message: {exc}") from exc
    assert isinstance(msg, EmailMessage)
    return envelope_of(label, raw, msg, fallback), msg


def whole(label: str, raw: bytes, headers: EmailMessage) -> EmailMessage:
    """The message ``read`` gave the header block of, with its body. A body of one part is what
    the parser would make of it, the text after the header block as it is (``BytesParser``
    reads bytes as ASCII with surrogate escapes), without feeding it through the parser line
    by line; a multipart, an enclosed message or a header block that ended before its blank
    line (a bare CR or a line that is no header) is parsed whole."""
    seen = headers.get_payload()  # what the header parser read as body: its block ended early
    if headers.get_content_maintype() not in ("multipart", "message") and not seen:
        headers.set_payload(raw[_header_end(raw) :].decode("ascii", "surrogateescape"))
        return headers
    try:
        msg = _PARSER.parsebytes(raw)
    except Exception as exc:  # the email package raises many kinds on garbage
        raise InvalidInput(f"{label}: not an RFC 822 message: {exc}") from exc
    assert isinstance(msg, EmailMessage)
    return msg


def _header_end(raw: bytes) -> int:
    """Where the header block ends (after the blank line that ends it), or the end."""
    lf = raw.find(b"\n\n")
    crlf = raw.find(b"\r\n\r\n")
    if crlf != -1 and (lf == -1 or crlf < lf):
        return crlf + 4
    return len(raw) if lf == -1 else lf + 2


def envelope_of(label: str, raw: bytes, msg: Message, fallback: datetime | None = None) -> Envelope:
    """A parsed message's envelope, from its header values as written (asking the ``default``
    policy for each would cost more than the rest of an import)."""
    values: dict[str, list[str]] = {}
    for name, value in msg.raw_items():
        key = name.lower()
        if key in _WANTED:
            values.setdefault(key, []).append(_unescape(str(value)))
    if not msg.keys() or not values:
        raise InvalidInput(f"{label}: not an RFC 822 message (no From, To, Date or Message-ID header)")

    def first(name: str) -> str:
        found = values.get(name)
        return found[0] if found else ""

    try:
        own = _ids(first("message-id"))
        message_id = own[0] if own and own[0].isascii() and own[0].isprintable() else None
        refs = [r for r in _ids(first("references")) or _ids(first("in-reply-to")) if r.isprintable()]
        if message_id is not None:
            key = "mail:" + message_id
        else:
            key = "mail-sha256:" + hashlib.sha256(raw).hexdigest()
        senders = _addresses(values.get("from", []))
        return Envelope(
            key=key,
            message_id=message_id,
            thread_id=refs[0] if refs else (message_id or key),
            sender=senders[0] if senders else ("", ""),
            to=_addresses(values.get("to", [])),
            cc=_addresses(values.get("cc", [])),
            date=_date(first("date")) or fallback,
            subject=_words(first("subject")),
        )
    except Exception as exc:
        raise InvalidInput(f"{label}: unreadable header: {exc}") from exc


def parse(label: str, raw: bytes, envelope: Envelope) -> MailMessage:
    """The whole message: its excerpt and attachments."""
    try:
        msg = _PARSER.parsebytes(raw)
    except Exception as exc:
        raise InvalidInput(f"{label}: not an RFC 822 message: {exc}") from exc
    assert isinstance(msg, EmailMessage)
    return content(label, msg, envelope)


def content(label: str, msg: EmailMessage, envelope: Envelope) -> MailMessage:
    """What ``read`` gave, with its excerpt and attachments."""
    try:
        ctype = msg.get_content_type()  # a header parsed each time it is asked for: once
        if ctype.startswith(("multipart/", "message/")):
            text = _body_text(msg)
            attachments = tuple(_attachment(part) for part in msg.iter_attachments())
        else:  # one part: its text is the body (what get_body would find), no attachments
            text, attachments = _one_part(msg, ctype), ()
    except Exception as exc:
        raise InvalidInput(f"{label}: unreadable body: {exc}") from exc
    return MailMessage(envelope, excerpt(text), attachments)


def _decoded(part: EmailMessage) -> str:
    """A text part's content; an unknown or wrong charset is read as UTF-8 with replacements."""
    try:
        content = part.get_content()
        return content if isinstance(content, str) else content.decode("utf-8", "replace")
    except (LookupError, UnicodeError, ValueError, AssertionError):
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else str(payload or "")


def _one_part(msg: EmailMessage, ctype: str) -> str:
    """The text of a message of one part, as ``_body_text`` would find it (``get_body`` takes
    a text/plain or text/html part that is no attachment; ``iter_attachments`` yields nothing)."""
    if ctype not in ("text/plain", "text/html") or msg.is_attachment():
        return ""
    text = _decoded(msg)
    return html_to_text(text) if ctype == "text/html" else text


def _body_text(msg: EmailMessage) -> str:
    body = msg.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    text = _decoded(body)  # type: ignore[arg-type]
    if body.get_content_subtype() == "html":
        text = html_to_text(text)
    return text


def html_to_text(html: str) -> str:
    import html2text  # only for HTML mail

    converter = html2text.HTML2Text(bodywidth=0)
    converter.ignore_images = True
    converter.ignore_emphasis = True
    converter.ignore_links = True
    return str(converter.handle(html))


def _attachment(part: Message) -> tuple[str, int]:
    name = _clean(part.get_filename() or "unnamed").replace("\n", " ")
    payload = part.get_payload(decode=False)
    if not isinstance(payload, str):
        return name, len(part.as_bytes())
    encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if encoding == "base64":  # the size without decoding (and holding) the content
        data = "".join(payload.split())
        return name, max(0, len(data) * 3 // 4 - data[-2:].count("="))
    decoded = part.get_payload(decode=True)
    return name, len(decoded) if isinstance(decoded, bytes) else len(payload)


_QUOTE_INTRO = re.compile(
    r"^(on .{0,200}wrote:|le .{0,200}a écrit\s?:|am .{0,200}schrieb .{0,100}:|el .{0,200}escribió:"
    r"|-{2,}\s*original message\s*-{2,}|-{2,}\s*forwarded message\s*-{2,}|from: .+ sent: .+)\s*$",
    re.IGNORECASE,
)


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """What the sender wrote: quoted lines, the quoted message after an ``On … wrote:`` line and
    the signature (after a ``-- `` line) left out; blank runs squeezed; at most ``limit``
    characters (cut at a word, with an ellipsis)."""
    kept: list[str] = []
    for line in _clean(text.replace("\r\n", "\n").replace("\r", "\n")).split("\n"):
        stripped = line.rstrip()
        if stripped in ("--", "-- ") or line == "-- ":
            break
        if _QUOTE_INTRO.match(stripped.strip()):
            break
        if stripped.lstrip().startswith(">"):
            continue
        if not stripped and (not kept or not kept[-1]):
            continue
        kept.append(stripped)
    out = "\n".join(kept).strip()
    if len(out) > limit:
        cut = out[:limit].rsplit(None, 1)[0] if " " in out[:limit] else out[:limit]
        out = cut.rstrip() + "…"
    return out
