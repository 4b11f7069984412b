"""Reading an IMAP folder with the standard library's ``imaplib``: only the messages after the
last UID read, as long as the folder's UIDVALIDITY is the one remembered (RFC 3501 §2.3.1.1).

``imap://user@host[:port]/FOLDER`` (plain, port 143) or ``imaps://…`` (TLS, port 993). The
folder is opened read-only and messages are fetched with ``BODY.PEEK[]``, so nothing on the
server changes (not even the \\Seen flag). A refused login, a folder that does not exist and a
connection lost midway each raise ``InvalidInput`` naming the source; the messages yielded
before stay with the caller.
"""

from __future__ import annotations

import contextlib
import imaplib
import re
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import unquote, urlsplit

from minicrm.core.errors import InvalidInput

__all__ = ["ImapFolder", "ImapUrl", "parse_imap_url"]

_FETCH_CHUNK = 50
_TIMEOUT = 60.0
_UID = re.compile(rb"UID (\d+)")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True, slots=True)
class ImapUrl:
    tls: bool
    user: str
    host: str
    port: int
    folder: str

    def __str__(self) -> str:
        """The source's name (no password: one never appears in a URL minicrm takes)."""
        scheme = "imaps" if self.tls else "imap"
        default = 993 if self.tls else 143
        port = "" if self.port == default else f":{self.port}"
        return f"{scheme}://{self.user}@{self.host}{port}/{self.folder}"


def parse_imap_url(text: str) -> ImapUrl:
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise InvalidInput(f"invalid IMAP address {text!r}: {exc}") from exc
    if parts.scheme not in ("imap", "imaps"):
        raise InvalidInput(f"invalid IMAP address {text!r}: use imap:// or imaps://")
    if parts.password is not None:
        raise InvalidInput(
            'an IMAP address cannot hold a password: set [mail] password_command (e.g. "pass show mail")'
        )
    if not parts.username or not parts.hostname:
        raise InvalidInput(f"invalid IMAP address {text!r}: use imaps://user@host[:port]/FOLDER")
    tls = parts.scheme == "imaps"
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    return ImapUrl(tls, unquote(parts.username), parts.hostname, port or (993 if tls else 143), folder)


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _text(data: object) -> str:
    if isinstance(data, list):
        data = b" ".join(d for d in data if isinstance(d, bytes))
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)


class ImapFolder:
    """One folder of one IMAP account, logged in (``with ImapFolder(...) as folder``)."""

    def __init__(self, url: ImapUrl, password: str, *, timeout: float = _TIMEOUT) -> None:
        self.url = url
        self.name = str(url)
        self.uidvalidity: int = 0
        try:
            if url.tls:
                self.conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                    url.host, url.port, ssl_context=ssl.create_default_context(), timeout=timeout
                )
            else:
                self.conn = imaplib.IMAP4(url.host, url.port, timeout=timeout)
        except (OSError, imaplib.IMAP4.error) as exc:
            raise InvalidInput(f"{self.name}: cannot connect to {url.host}:{url.port}: {exc}") from exc
        try:
            self.conn.login(url.user, password)
        except imaplib.IMAP4.error as exc:
            self._close()
            raise InvalidInput(f"{self.name}: the server refused the login: {_text(exc.args[0])}") from exc
        except OSError as exc:
            self._close()
            raise InvalidInput(f"{self.name}: the connection was lost while logging in: {exc}") from exc
        try:
            status, data = self.conn.select(_quote(url.folder), readonly=True)
            if status != "OK":
                raise InvalidInput(f"{self.name}: cannot open the folder {url.folder!r}: {_text(data)}")
            _, validity = self.conn.response("UIDVALIDITY")
            self.uidvalidity = int(validity[0]) if validity and validity[0] else 0
        except InvalidInput:
            self.close()
            raise
        except (OSError, imaplib.IMAP4.error, ValueError) as exc:
            self.close()
            raise InvalidInput(f"{self.name}: cannot open the folder {url.folder!r}: {exc}") from exc

    def __enter__(self) -> ImapFolder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _close(self) -> None:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            self.conn.shutdown()

    def close(self) -> None:
        try:
            self.conn.close()
            self.conn.logout()
        except (OSError, imaplib.IMAP4.error):
            self._close()

    def new_uids(self, after: int | None, since: datetime | None = None) -> list[int]:
        """The UIDs after ``after`` (all when None), oldest first; ``since``: on or after that day."""
        criteria = [f"UID {after + 1}:*" if after else "ALL"]
        if since is not None:
            criteria.append(f"SINCE {since.day:02d}-{_MONTHS[since.month - 1]}-{since.year}")
        try:
            status, data = self.conn.uid("SEARCH", *criteria)
        except (OSError, imaplib.IMAP4.error) as exc:
            raise InvalidInput(f"{self.name}: the connection was lost while searching: {exc}") from exc
        if status != "OK":
            raise InvalidInput(f"{self.name}: the server refused the search: {_text(data)}")
        uids = sorted({int(u) for u in _text(data).split() if u.isdigit()})
        # "N:*" names the last message even when its UID is below N
        return [u for u in uids if after is None or u > after]

    def fetch(self, uids: list[int]) -> Iterator[tuple[int, bytes]]:
        """``(UID, message)`` for each UID, fetched a few at a time."""
        done = 0
        for i in range(0, len(uids), _FETCH_CHUNK):
            chunk = uids[i : i + _FETCH_CHUNK]
            try:
                status, data = self.conn.uid("FETCH", ",".join(map(str, chunk)), "(UID BODY.PEEK[])")
            except (TimeoutError, OSError, imaplib.IMAP4.error) as exc:
                where = f"after UID {uids[done - 1]}" if done else "before the first message"
                raise InvalidInput(
                    f"{self.name}: the connection was lost {where} ({done} of {len(uids)} new messages "
                    f"read): {exc}"
                ) from exc
            if status != "OK":
                raise InvalidInput(f"{self.name}: the server refused to send messages: {_text(data)}")
            for item in data:
                if not isinstance(item, tuple) or len(item) < 2:
                    continue
                found = _UID.search(item[0])
                if found is None:
                    continue
                yield int(found[1]), item[1]
                done += 1
