"""``mail import``: messages to and from contacts, captured as ``email`` interactions.

Each message whose From, To or Cc is a contact's address becomes one interaction on each such
contact (and on their company, and on an open deal when its subject says so): the date, the
subject and an excerpt as its text, the direction (``sent`` when From is one of the user's own
addresses, ``[mail] addresses``), the participants and attachments in ``details``, the
Message-ID as ``external_id`` and the thread's first Message-ID as ``thread_id``. Addresses on
the ignore list are never captured, not even as participants.

Importing is idempotent: an interaction is unique per message and contact (``external_id``;
a hash of the message when it has no Message-ID), and every message read is remembered by a
hash in ``mail_seen``, so that reading the same mailbox again costs a lookup per message
(``rescan=True`` reads them all again, e.g. after adding contacts). Messages are written in
batches, each its own transaction: a broken message is reported (naming it) and skipped, a
source that fails midway (a cut connection) keeps everything before it, and the next run
continues from there.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from minicrm.core.clock import to_db
from minicrm.core.errors import InvalidInput
from minicrm.exchange import mail as mailfmt
from minicrm.services.capture.settings import MailSettings, mail_settings
from minicrm.services.history.changelog import record_created
from minicrm.services.kernel.context import Context
from minicrm.services.kernel.unit_of_work import UnitOfWork
from minicrm.store.records.base import allocate_ids
from minicrm.store.records.interactions import COLUMNS as INTERACTION_COLUMNS
from minicrm.store.records.mail_sources import seen_key

TYPE_CHECKING = False
if TYPE_CHECKING:
    pass

BATCH = 1000
_CHUNK = 500
_LOGGED = ("id", "body", "at", "contact_id", "company_id", "deal_id", "external_id", "thread_id",
           "direction", "details")  # fmt: skip
_ROW_COLUMNS = ("id", *INTERACTION_COLUMNS)
_DEAL_TAG = re.compile(r"\[deal[ #:]*(\d+)\]|\bdeal #(\d+)\b", re.IGNORECASE)

ErrorSink = Callable[[str], None]
Progress = Callable[[int], None]


@dataclass
class MailImportSummary:
    source: str
    read: int = 0  # messages read from the source
    seen: int = 0  # skipped: read by an earlier import
    captured: int = 0  # messages that concern a contact (new ones)
    interactions: int = 0  # interactions created (one per message and contact)
    already: int = 0  # messages and contacts captured before (after a rescan)
    not_contacts: int = 0  # messages with no contact among their correspondents
    unknown: set[str] = field(default_factory=set)  # correspondents who are not contacts
    ignored: int = 0  # messages whose correspondents are all on the ignore list
    before_since: int = 0
    created_contacts: int = 0
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "read": self.read,
            "seen_before": self.seen,
            "captured": self.captured,
            "interactions": self.interactions,
            "already_captured": self.already,
            "not_contacts": self.not_contacts,
            "unknown_correspondents": len(self.unknown),
            "ignored": self.ignored,
            "before_since": self.before_since,
            "created_contacts": self.created_contacts,
            "errors": list(self.errors),
        }


@dataclass(frozen=True, slots=True)
class RawMessage:
    """One message as a source yields it: a label naming it, its bytes, a date to use when it
    has none, and its position in the source (an IMAP UID)."""

    label: str
    raw: bytes
    fallback: datetime | None = None
    position: int | None = None


class Checkpoint:
    """Where a source has been read up to, saved with each batch (IMAP: UIDVALIDITY, last UID)."""

    def __init__(self, kind: str, source: str, uidvalidity: int | None = None) -> None:
        self.kind = kind
        self.source = source
        self.uidvalidity = uidvalidity


def import_mail(
    ctx: Context,
    messages: Iterable[RawMessage],
    checkpoint: Checkpoint,
    *,
    since: datetime | None = None,
    create_contacts: bool = False,
    rescan: bool = False,
    on_error: ErrorSink | None = None,
    progress: Progress | None = None,
) -> MailImportSummary:
    """Capture ``messages``; a source that fails midway raises after what it gave is written."""
    importer = _Importer(ctx, checkpoint, since, create_contacts, rescan, on_error)
    batch: list[RawMessage] = []
    try:
        for item in messages:
            batch.append(item)
            if len(batch) >= BATCH:
                importer.write(batch)
                batch = []
                if progress is not None:
                    progress(importer.summary.read)
    finally:
        # what was read before a failure stays imported; the failure is raised after
        importer.write(batch)
    if progress is not None:
        progress(importer.summary.read)
    return importer.summary


class _Importer:
    def __init__(
        self,
        ctx: Context,
        checkpoint: Checkpoint,
        since: datetime | None,
        create_contacts: bool,
        rescan: bool,
        on_error: ErrorSink | None,
    ) -> None:
        self.ctx = ctx
        self.db = ctx.db
        self.settings: MailSettings = mail_settings(ctx.config)
        self.checkpoint = checkpoint
        self.since = since
        self.create_contacts = create_contacts
        self.rescan = rescan
        self.on_error = on_error
        self.summary = MailImportSummary(checkpoint.source)
        #: address -> (contact id, company id), or None when no contact has it
        self.contacts: dict[str, tuple[int, int | None] | None] = {}
        self.open_deals: dict[int, list[tuple[int, str]]] = {}

    def error(self, text: str) -> None:
        self.summary.errors.append(text)
        if self.on_error is not None:
            self.on_error(text)

    # -- one batch, one transaction -------------------------------------------------------
    def write(self, batch: list[RawMessage]) -> None:
        summary = self.summary
        summary.read += len(batch)
        keys = [mailfmt.quick_key(m.raw) for m in batch]
        known: set[str] = set()
        with UnitOfWork(self.ctx, f"mail import {self.checkpoint.source}") as uow:
            if not self.rescan:
                known = uow.mail_sources.seen(seen_key(k) for k in keys if k is not None)
            fresh: list[tuple[RawMessage, mailfmt.Envelope, EmailMessage]] = []
            seen_now: list[str] = []
            for item, key in zip(batch, keys, strict=True):
                if key is not None and seen_key(key) in known:
                    summary.seen += 1
                    continue
                try:
                    envelope, parsed = mailfmt.read(item.label, item.raw, item.fallback)
                except InvalidInput as exc:
                    self.error(str(exc))
                    continue
                hashed = seen_key(envelope.key)
                if hashed in known:
                    summary.seen += 1
                    continue
                if self.since is not None and envelope.date is not None and envelope.date < self.since:
                    summary.before_since += 1  # not remembered: a later run without --since takes it
                    continue
                fresh.append((item, envelope, parsed))
                seen_now.append(hashed)
            self._capture(uow, fresh)
            uow.mail_sources.mark_seen(seen_now, uow.now)
            last = max((m.position for m in batch if m.position is not None), default=None)
            uow.mail_sources.touch(
                self.checkpoint.kind,
                self.checkpoint.source,
                uow.now,
                len(fresh),
                uidvalidity=self.checkpoint.uidvalidity,
                last_uid=last,
            )

    def _lookup(self, addresses: Iterable[str]) -> None:
        wanted = [a for a in dict.fromkeys(addresses) if a not in self.contacts]
        found = find_contacts(self.ctx, wanted)
        for a in wanted:
            self.contacts[a] = found.get(a)

    def _correspondents(self, envelope: mailfmt.Envelope) -> list[str]:
        own = self.settings.addresses
        return [a for a in envelope.addresses() if a not in own and not self.settings.ignored(a)]

    def _capture(
        self, uow: UnitOfWork, fresh: list[tuple[RawMessage, mailfmt.Envelope, EmailMessage]]
    ) -> None:
        summary = self.summary
        people = {m[1].key: self._correspondents(m[1]) for m in fresh}
        self._lookup(a for addrs in people.values() for a in addrs)
        if self.create_contacts:
            self._create(uow, fresh, people)
        matched: list[tuple[RawMessage, mailfmt.Envelope, EmailMessage, list[tuple[int, int | None]]]] = []
        for item, envelope, parsed in fresh:
            addresses = people[envelope.key]
            if not addresses:
                if envelope.addresses():
                    summary.ignored += 1
                else:
                    summary.not_contacts += 1
                continue
            found: dict[int, tuple[int, int | None]] = {}
            for a in addresses:
                hit = self.contacts.get(a)
                if hit is None:
                    summary.unknown.add(a)
                else:
                    found.setdefault(hit[0], hit)
            if not found:
                summary.not_contacts += 1
                continue
            matched.append((item, envelope, parsed, list(found.values())))
        if not matched:
            return
        # captured before under another source's name, logged by `mail compose`, or (--rescan)
        # read before: one indexed lookup per batch
        existing: set[tuple[str, int]] = set()
        keys = list({m[1].key for m in matched})
        for i in range(0, len(keys), _CHUNK):
            chunk = keys[i : i + _CHUNK]
            existing.update(
                (str(r["external_id"]), int(r["contact_id"]))
                for r in self.db.all(
                    "SELECT external_id, contact_id FROM interaction "
                    f"WHERE external_id IN ({','.join('?' * len(chunk))})",
                    chunk,
                )
            )
        self._load_deals({c for m in matched for c in m[3]})
        rows: list[list[Any]] = []
        own = self.settings.addresses
        now, actor = uow.now, self.ctx.user
        for item, envelope, parsed, contacts in matched:
            todo = [c for c in contacts if (envelope.key, c[0]) not in existing]
            if not todo:
                self.summary.already += 1
                continue
            try:
                message = mailfmt.content(item.label, mailfmt.whole(item.label, item.raw, parsed), envelope)
            except InvalidInput as exc:
                self.error(str(exc))
                continue
            summary.captured += 1
            sender = envelope.sender[1]
            direction = "sent" if sender in own else "received" if sender else None
            details = self._details(message)
            body = (envelope.subject or "(no subject)") + (
                "\n\n" + message.excerpt if message.excerpt else ""
            )
            at = to_db(envelope.date) if envelope.date is not None else now
            for contact_id, company_id in todo:
                existing.add((envelope.key, contact_id))  # the same message twice in one batch
                deal_id = self._deal(contact_id, envelope.subject)
                rows.append([
                    None, "email", body, at, actor, contact_id, company_id, deal_id, now,
                    envelope.key, envelope.thread_id, direction, details,
                ])  # fmt: skip
        if rows:
            self._insert(uow, rows)

    def _details(self, message: mailfmt.MailMessage) -> str:
        e = message.envelope
        ignored = self.settings.ignored

        def people(pairs: Iterable[tuple[str, str]]) -> list[str]:
            return [f"{n} <{a}>" if n else a for n, a in pairs if a and not ignored(a)]

        doc: dict[str, Any] = {
            "subject": e.subject,
            "from": (people([e.sender]) or [""])[0],
            "to": people(e.to),
            "cc": people(e.cc),
            "message_id": e.message_id,
            "source": self.checkpoint.source,
        }
        if message.attachments:
            doc["attachments"] = [{"name": n, "size": s} for n, s in message.attachments]
        return json.dumps(doc, ensure_ascii=False, sort_keys=True)

    def _load_deals(self, people: set[tuple[int, int | None]]) -> None:
        """The open deals of the batch's contacts not asked about yet (theirs, or their
        company's), by contact, oldest first: one query per chunk of contacts, not one each."""
        todo = sorted({p for p in people if p[0] not in self.open_deals})
        for i in range(0, len(todo), _CHUNK):
            chunk = todo[i : i + _CHUNK]
            contact_ids = [c for c, _ in chunk]
            company_ids = sorted({co for _, co in chunk if co is not None})
            of_contact: dict[int, list[tuple[int, str]]] = {}
            of_company: dict[int, list[tuple[int, str]]] = {}
            whose = f"contact_id IN ({','.join('?' * len(contact_ids))})"
            if company_ids:
                whose += f" OR company_id IN ({','.join('?' * len(company_ids))})"
            for r in self.db.all(
                f"SELECT id, title, contact_id, company_id FROM deal WHERE status = 'open' AND ({whose})",
                [*contact_ids, *company_ids],
            ):
                deal = (int(r["id"]), str(r["title"]))
                if r["contact_id"] is not None:
                    of_contact.setdefault(int(r["contact_id"]), []).append(deal)
                if r["company_id"] is not None:
                    of_company.setdefault(int(r["company_id"]), []).append(deal)
            for contact_id, company_id in chunk:
                theirs = of_company.get(company_id, []) if company_id is not None else []
                mine = {*of_contact.get(contact_id, []), *theirs}
                self.open_deals[contact_id] = sorted(mine)

    def _deal(self, contact_id: int, subject: str) -> int | None:
        """The open deal the subject names: ``[deal 12]``/``deal #12``, a configured rule, or the
        title of one of the contact's (or their company's) open deals."""
        deals = self.open_deals.get(contact_id, [])
        if not deals or not subject:
            return None
        ids = {d for d, _ in deals}
        for tagged in _DEAL_TAG.finditer(subject):
            number = int(tagged[1] or tagged[2])
            if number in ids:
                return number
        folded = subject.casefold()
        for text, deal_id in self.settings.deal_rules:
            if text in folded and deal_id in ids:
                return deal_id
        for deal_id, title in deals:
            if len(title) >= 4 and title.casefold() in folded:
                return deal_id
        return None

    def _insert(self, uow: UnitOfWork, rows: list[list[Any]]) -> None:
        db = uow.db
        ids = allocate_ids(db, "interaction", len(rows))
        for row, new_id in zip(rows, ids, strict=True):
            row[0] = new_id
        tuples = [tuple(r) for r in rows]
        uow.interactions.insert_many(_ROW_COLUMNS, tuples)
        self.summary.interactions += len(rows)
        at_of = _ROW_COLUMNS.index
        i_at, i_contact, i_deal = at_of("at"), at_of("contact_id"), at_of("deal_id")
        latest: dict[int, str] = {}
        deals: dict[int, str] = {}
        for r in rows:
            c = r[i_contact]
            if latest.get(c, "") < r[i_at]:
                latest[c] = r[i_at]
            d = r[i_deal]
            if d is not None and deals.get(d, "") < r[i_at]:
                deals[d] = r[i_at]
        db.executemany(
            "UPDATE contact SET last_interaction_at = ? WHERE id = ? "
            "AND (last_interaction_at IS NULL OR last_interaction_at < ?)",
            [(at, c, at) for c, at in latest.items()],
        )
        if deals:
            db.executemany(
                "UPDATE deal SET last_activity_at = ? WHERE id = ? "
                "AND (last_activity_at IS NULL OR last_activity_at < ?)",
                [(at, d, at) for d, at in deals.items()],
            )
        picks = [at_of(k) for k in _LOGGED]
        record_created(
            uow.ctx,
            uow.operation(),
            uow.now,
            self.ctx.user,
            "interaction",
            _LOGGED,
            ids,
            [[r[i] for i in picks] for r in rows],
            {"kind": "email", "author": self.ctx.user, "created_at": uow.now},
        )

    def _create(
        self,
        uow: UnitOfWork,
        fresh: list[tuple[RawMessage, mailfmt.Envelope, EmailMessage]],
        people: dict[str, list[str]],
    ) -> None:
        """Correspondents who are not contacts yet become contacts, through the import's own
        duplicate matching (and its tombstones: an erased person is not brought back)."""
        from minicrm.exchange.record import ContactRecord
        from minicrm.services.transfer.importer import ContactWriter, ImportEvent

        names: dict[str, str] = {}
        for _, envelope, _ in fresh:
            for name, address in (envelope.sender, *envelope.to, *envelope.cc):
                if address in people[envelope.key] and self.contacts.get(address) is None:
                    names.setdefault(address, name)
        if not names:
            return
        created: list[int] = []

        def on_event(event: ImportEvent) -> None:
            if event.action == "created":
                created.append(event.line)
            elif event.action == "rejected":
                self.error(f"cannot create a contact for {event.name}: {event.reason}")

        writer = ContactWriter(uow, "skip", on_event)
        for line, (address, name) in enumerate(names.items(), 1):
            writer.add(line, {}, ContactRecord(name=name or address, emails=[address], source="mail"))
        writer.finish()
        self.summary.created_contacts += len(created)
        for address in names:
            self.contacts.pop(address, None)
        self._lookup(names)


def find_contacts(ctx: Context, addresses: list[str]) -> dict[str, tuple[int, int | None]]:
    """Lower-cased address -> (contact id, company id) of the contact who has it (the oldest,
    should two have it)."""
    db = ctx.db
    found: dict[str, tuple[int, int | None]] = {}
    for i in range(0, len(addresses), _CHUNK):
        chunk = addresses[i : i + _CHUNK]
        for r in db.all(
            "SELECT e.email_lower AS k, c.id, c.company_id FROM contact_email e JOIN contact c "
            f"ON c.id = e.contact_id WHERE e.email_lower IN ({','.join('?' * len(chunk))}) "
            "ORDER BY c.id DESC",
            chunk,
        ):
            found[str(r["k"])] = (int(r["id"]), r["company_id"])
    return found


def read_source(source: mailfmt.MailSource) -> Iterator[RawMessage]:
    """A mailbox's messages (``exchange.mail``) as the importer takes them."""
    for label, raw, fallback in source.items():
        yield RawMessage(label, raw, fallback)


def sources_due(ctx: Context) -> list[tuple[str, datetime | None, float]]:
    """Mail sources not read for longer than ``[mail] stale_hours``: (source, last read, hours)."""
    db = ctx.db
    from minicrm.core.clock import from_db
    from minicrm.store.records.mail_sources import MailSourceRecords

    limit = mail_settings(ctx.config).stale_hours
    now = ctx.clock.now()
    late: list[tuple[str, datetime | None, float]] = []
    for row in MailSourceRecords(db).all():
        if row["kind"] != "mail" or str(row["source"]) == "stdin":
            continue
        read_at = from_db(row["last_read_at"])
        hours = (now - read_at).total_seconds() / 3600 if read_at is not None else float("inf")
        if hours > limit:
            late.append((str(row["source"]), read_at, hours))
    return late


__all__ = [
    "Checkpoint",
    "MailImportSummary",
    "RawMessage",
    "import_mail",
    "read_source",
    "sources_due",
]
