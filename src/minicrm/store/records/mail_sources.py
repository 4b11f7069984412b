"""Mail and calendar sources: how far each has been read (``mail_source``), and the messages
already read (``mail_seen``, hashed keys), so that reading a mailbox again is cheap."""

from __future__ import annotations

import hashlib

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from collections.abc import Iterable

    from minicrm.store.db import Database, Row

#: the ``mail_source`` table's columns after ``id``, in table order
COLUMNS = ("kind", "source", "uidvalidity", "last_uid", "last_read_at", "imported")
ALL_COLUMNS = ("id", *COLUMNS)
SEEN_COLUMNS = ("key", "seen_at")
_CHUNK = 500


def seen_key(key: str) -> str:
    """What ``mail_seen`` keeps of a message's key: a hash (no address or Message-ID stored)."""
    return hashlib.blake2b(key.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


class MailSourceRecords:
    """Reads and writes of mail sources, bound to one database (``uow.mail_sources``)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, source: str) -> Row | None:
        return self.db.one("SELECT * FROM mail_source WHERE source = ?", (source,))

    def all(self) -> list[Row]:
        return self.db.all("SELECT * FROM mail_source ORDER BY source")

    def touch(
        self,
        kind: str,
        source: str,
        at: str,
        imported: int,
        *,
        uidvalidity: int | None = None,
        last_uid: int | None = None,
    ) -> None:
        """Record a read of ``source``: its time, messages imported, and the IMAP position."""
        row = self.get(source)
        if row is None:
            self.db.execute(
                "INSERT INTO mail_source (kind, source, uidvalidity, last_uid, last_read_at, imported) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (kind, source, uidvalidity, last_uid, at, imported),
            )
            return
        self.db.execute(
            "UPDATE mail_source SET last_read_at = ?, imported = imported + ?, "
            "uidvalidity = coalesce(?, uidvalidity), last_uid = coalesce(?, last_uid) WHERE id = ?",
            (at, imported, uidvalidity, last_uid, row["id"]),
        )

    def reset_position(self, source: str, uidvalidity: int) -> None:
        """A folder whose UIDVALIDITY changed: its UIDs mean other messages now."""
        self.db.execute(
            "UPDATE mail_source SET uidvalidity = ?, last_uid = NULL WHERE source = ?", (uidvalidity, source)
        )

    def seen(self, keys: Iterable[str]) -> set[str]:
        """Which of the hashed ``keys`` have been read before."""
        wanted = list(keys)
        found: set[str] = set()
        for i in range(0, len(wanted), _CHUNK):
            chunk = wanted[i : i + _CHUNK]
            found.update(
                str(r["key"])
                for r in self.db.all(
                    f"SELECT key FROM mail_seen WHERE key IN ({','.join('?' * len(chunk))})", chunk
                )
            )
        return found

    def mark_seen(self, keys: Iterable[str], at: str) -> None:
        """Remember hashed ``keys`` as read (already known ones are left alone)."""
        rows = [(k, at) for k in keys]
        if rows:
            self.db.executemany(
                "INSERT INTO mail_seen (key, seen_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", rows
            )
