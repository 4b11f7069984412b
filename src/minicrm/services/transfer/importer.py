"""Importing contacts, companies and deals from CSV and vCard files.

The whole import is ONE unit of work (one undoable operation) that commits in batches
(``import_runs.ImportWork``: other writers wait at most one batch), and an interrupted import
is rolled back, at once or at the next open, so it leaves the database exactly as it was. Rows that
cannot be imported are reported (line and reason) and everything else is imported. Duplicates
(same email case-insensitively, or same normalised phone unless both have emails and none in
common, in the database or earlier in the file) are updated, skipped or created as
``on_duplicate`` says. People erased for privacy (hashed tombstones) are skipped. ``dry_run``
runs the very same code and rolls back.
"""

from __future__ import annotations

import contextlib
import gc
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from minicrm.core.clock import to_db
from minicrm.core.dates import looks_numeric_date, parse_date
from minicrm.core.errors import InvalidInput, MinicrmError
from minicrm.core.money import amount_currency, currency_code, parse_lenient_amount
from minicrm.exchange.record import CompanyRecord, ContactRecord, DealRecord
from minicrm.services.dto import CONTACT_STATUSES, Address, CompanyCreate
from minicrm.services.history.changelog import record_created
from minicrm.services.kernel.context import Context
from minicrm.services.kernel.unit_of_work import UnitOfWork
from minicrm.services.kernel.validation import (
    LINE_MAX,
    check_choice,
    check_field_key,
    check_fields,
    check_length,
    normalize_tags,
    optional_text,
    split_extension,
    unique_ci,
    unique_tags,
    without_tags,
)
from minicrm.services.transfer.bulk import fast_email, fast_phone, new_uids
from minicrm.services.transfer.import_runs import ImportWork, build_indexes, set_aside_indexes
from minicrm.store.records import companies as company_records
from minicrm.store.records.base import allocate_ids
from minicrm.store.records.contacts import ADDRESS_PARTS, identity_hash
from minicrm.store.records.contacts import ALL_COLUMNS as CONTACT_COLUMNS
from minicrm.store.records.search_index import contact_search_body, merge_index, sort_key

if TYPE_CHECKING:
    from minicrm.services.transfer.read_ahead import Row

Kind = Literal["contacts", "companies", "deals"]
OnDuplicate = Literal["update", "skip", "create"]
KINDS: tuple[str, ...] = ("contacts", "companies", "deals")
ON_DUPLICATE: tuple[str, ...] = ("update", "skip", "create")
BATCH = 2000
#: an import into an empty contact table that fills a first batch of at least this many rows
#: builds the secondary indexes of contact and contact_tag once at the end, not row by row
#: (``import_runs.set_aside_indexes``)
BULK_LOAD_ROWS = BATCH
_CHUNK = 500  # keys per IN (...) lookup
#: what the change log keeps of a created contact and note (``contacts.snapshot``, the row)
#: the values every new contact of an import has (``_validate``); created_at and updated_at are
#: the import's time. They are written into the INSERT statement (and logged once per batch)
#: instead of for every row.
_NEW_CONTACT: dict[str, Any] = {
    "do_not_contact": False, "preferred_channel": None, "cadence_days": None, "last_interaction_at": None,
    "version": 1,
}  # fmt: skip
#: the columns that differ from one new contact to the next, and the one call that takes them
_OWN_COLUMNS = tuple(c for c in CONTACT_COLUMNS if c not in (*_NEW_CONTACT, "created_at", "updated_at"))
_own_values = itemgetter(*_OWN_COLUMNS)
_CHILD_LOG_KEYS = ("emails", "phones", "tags", "fields")
#: what most imported contacts lack (what a vCard brings): when no contact of a batch has one
#: of these, its value is written into the statement and logged once, like ``_NEW_CONTACT``
_SPARSE_COLUMNS = (
    "nickname", "name_prefix", "middle_name", "name_suffix", "department", "address_label", "photo",
    "card_extra",
)  # fmt: skip
_LABEL_LOG_KEYS = ("email_labels", "phone_labels", "addresses")

_NOTE_LOG_KEYS = ("id", "body", "contact_id")
_NOTE_COLUMNS = ("id", "kind", "body", "at", "author", "contact_id", "created_at")


_FILLABLE = (
    "given_name",
    "family_name",
    "title",
    "street",
    "city",
    "region",
    "postcode",
    "country",
    "source",
    "owner",
    "nickname",
    "name_prefix",
    "middle_name",
    "name_suffix",
    "department",
    "address_label",
    "photo",
    "card_extra",
)


@dataclass(slots=True)
class ImportEvent:
    """What happened to one input record (``line``: CSV line or vCard index). One per row of a
    million-row import: a slotted class is made ~4x faster than a frozen dataclass."""

    line: int
    action: str  # created, updated, skipped, rejected
    name: str
    reason: str = ""
    entity_id: int | None = None
    row: dict[str, str] | None = None
    #: where the record is when ``line`` alone does not say (``a.vcf card 2`` in a directory)
    place: str = ""
    #: what was imported but not as it came (``invalid email 'x' kept in the unparsed_email
    #: field: …``), one text per value
    warnings: tuple[str, ...] = ()


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    rejected: int = 0
    dry_run: bool = False
    header: list[str] = field(default_factory=list)
    #: the file's columns that nothing imports (mapped to ``ignore``), in the file's order
    ignored: list[str] = field(default_factory=list)
    #: the files of a directory that could not be read, and the cards cut off in a file
    #: (``a.vcf: line 3: reason``), skipped
    broken: list[str] = field(default_factory=list)
    #: how many of ``broken`` are cards (the others are whole files)
    skipped_cards: int = 0

    def count(self, action: str) -> None:
        if action == "created":  # once per row of a million-row import: no getattr/setattr
            self.created += 1
        elif action == "updated":
            self.updated += 1
        elif action == "skipped":
            self.skipped += 1
        elif action == "rejected":
            self.rejected += 1
        else:
            raise ValueError(f"unknown import action {action!r}")


EventSink = Callable[[ImportEvent], None]
Progress = Callable[[int], None]


def _shown(path: Path) -> str:
    """A file's name as the history shows it: a name that is not UTF-8 (the file system allows
    any bytes) shows those bytes as ``\\xe9``, so that it can be stored."""
    from minicrm.core.text import inert

    return inert(path.name)


class _DryRun(Exception):
    """Raised inside the unit of work to roll a dry run back."""


# -- public entry points ---------------------------------------------------------------------
def import_csv(
    ctx: Context,
    path: Path,
    *,
    kind: str = "contacts",
    preset: str | None = None,
    overrides: dict[str, str] | None = None,
    dry_run: bool = False,
    on_duplicate: str = "update",
    on_event: EventSink | None = None,
    progress: Progress | None = None,
    header: bool = True,
) -> ImportSummary:
    """Import the rows of a CSV file; ``header=False`` for a file without a header row (its
    columns are then named ``1``, ``2``, … for ``overrides``)."""
    from minicrm.exchange.csvfile import read_csv
    from minicrm.exchange.presets import (
        build_mapping,
        detect_preset,
        row_to_company,
        row_to_deal,
    )

    kind = check_choice(kind, KINDS, "type")
    on_duplicate = check_choice(on_duplicate, ON_DUPLICATE, "--on-duplicate")
    table = read_csv(path, header=header)
    mapping = build_mapping(table.header, preset, overrides or {})
    if all(target == "ignore" for target in mapping.values()):
        table.rows.close()  # type: ignore[attr-defined]
        if not header:
            raise InvalidInput(
                f"{path.name}: without a header, say what each column is by its position, "
                f"e.g. --map 1=name --map 2=email ({len(table.header)} columns)"
            )
        raise InvalidInput(
            f"{path.name}: no column maps to a {kind[:-1]} field (header: {', '.join(table.header)}); "
            "use --preset or --map COLUMN=FIELD"
        )
    own_export = kind == "contacts" and (preset or detect_preset(table.header)) == "minicrm"
    converters: dict[str, Callable[..., Any]] = {
        "contacts": _contact_converter(own_export),
        "companies": row_to_company,
        "deals": row_to_deal,
    }
    convert = converters[kind]

    ignored = [column for column in table.header if mapping[column] == "ignore"]
    summary = ImportSummary(dry_run=dry_run, header=list(table.header), ignored=ignored)
    from minicrm.services.transfer import read_ahead

    ahead: Callable[[ContactCheck], _CsvContacts] | None = None
    if kind == "contacts" and path.stat().st_size >= read_ahead.MIN_BYTES:

        def ahead(check: ContactCheck) -> _CsvContacts:
            table.rows.close()  # type: ignore[attr-defined]  # the child reads the file
            return _CsvContacts(path, header, mapping, own_export, check)

    return _run(
        ctx,
        f"import csv {_shown(path)}",
        kind,
        _converted(table.rows, convert, mapping),
        summary,
        on_duplicate,
        dry_run,
        on_event,
        progress,
        ahead=ahead,
    )


def _contact_converter(own_export: bool) -> Callable[..., ContactRecord]:
    """How a CSV row becomes a contact record: minicrm's own export loses its formula guard."""
    from minicrm.exchange.presets import row_to_contact

    if not own_export:
        return row_to_contact
    from functools import partial

    return partial(row_to_contact, own_export=True)


def _converted(
    rows: Iterable[tuple[int, dict[str, str]]], convert: Callable[..., Any], mapping: dict[str, str]
) -> Iterator[Row]:
    """``(line, row, record)`` for each row of a CSV file; the record is the InvalidInput
    that says why a row cannot be one."""
    for line, row in rows:
        try:
            yield line, row, convert(row, mapping, line)
        except InvalidInput as exc:
            yield line, row, exc


@dataclass(frozen=True, slots=True)
class _CsvContacts:
    """The contacts of a CSV file, read and checked from the start: what the process that
    reads ahead runs (``read_ahead``: it pickles, and names nothing of this process)."""

    path: Path
    header: bool
    mapping: dict[str, str]
    own_export: bool
    check: ContactCheck

    def __call__(self) -> Iterator[Row]:
        from minicrm.exchange.csvfile import read_csv

        rows = read_csv(self.path, header=self.header).rows
        check = self.check
        for line, row, rec in _converted(rows, _contact_converter(self.own_export), self.mapping):
            yield line, row, check(line, row, rec)


def import_vcard(
    ctx: Context,
    path: Path,
    *,
    dry_run: bool = False,
    on_duplicate: str = "update",
    on_event: EventSink | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Import a .vcf file, or every readable .vcf of a directory: every complete card is imported;
    a broken file, and a card cut off in a file, is skipped and listed in ``summary.broken``
    (a single file without one complete card is an error). Each card's event says which file
    and card it is (``place``: ``a.vcf card 2``)."""
    from minicrm.exchange.vcard import read_vcard_files

    on_duplicate = check_choice(on_duplicate, ON_DUPLICATE, "--on-duplicate")
    found = read_vcard_files(path)
    if not path.is_dir() and not found.records:
        raise InvalidInput(found.broken[0])  # the one file cannot be read: nothing to import
    # a running number across the cards, each event told its file and card back
    places = [f"{name} card {rec.line or 1}" for rec, name in zip(found.records, found.files, strict=True)]
    records: Iterable[Row] = ((i, {}, rec) for i, rec in enumerate(found.records, 1))

    def where(seq: int) -> str:
        return places[seq - 1]

    if on_event is not None:
        sink = on_event

        def on_event(event: ImportEvent) -> None:
            event.place = places[event.line - 1]
            sink(event)

    summary = ImportSummary(dry_run=dry_run, broken=found.broken, skipped_cards=found.skipped_cards)
    return _run(
        ctx,
        f"import vcard {_shown(path)}",
        "contacts",
        records,
        summary,
        on_duplicate,
        dry_run,
        on_event,
        progress,
        where,
    )


def _run(
    ctx: Context,
    label: str,
    kind: str,
    records: Iterable[Row],
    summary: ImportSummary,
    on_duplicate: str,
    dry_run: bool,
    on_event: EventSink | None,
    progress: Progress | None,
    where: Callable[[int], str] | None = None,
    *,
    ahead: Callable[[ContactCheck], Callable[[], Iterable[Row]]] | None = None,
) -> ImportSummary:
    """Write ``records`` with the writer of ``kind``; ``ahead``: how a second process reads
    and checks them again while this one writes (``read_ahead``), for a big file of contacts."""

    def emit(event: ImportEvent) -> None:
        summary.count(event.action)
        if on_event is not None:
            on_event(event)

    # The import allocates millions of short-lived, acyclic objects (rows, tuples, events): the
    # cyclic garbage collector would keep walking every live object for nothing (~3% of the
    # import). Reference counting frees them all the same; collection resumes afterwards.
    collecting = gc.isenabled()
    gc.disable()
    try:
        with ImportWork(ctx, label, batched=not dry_run) as uow:
            writer: _Writer = {
                "contacts": ContactWriter,
                "companies": CompanyWriter,
                "deals": DealWriter,
            }[kind](uow, on_duplicate, emit)
            if where is not None:
                writer.where = where
            done = 0
            with _checked_ahead(records, writer, ahead) as rows:
                for line, row, rec in rows:
                    if isinstance(rec, MinicrmError):
                        writer.reject(ImportEvent(line, "rejected", _row_label(row), _reason(rec), row=row))
                    else:
                        writer.add(line, row, rec)
                    done += 1
                    if done % 250 == 0:
                        uow.commit_batch()  # once the batch has held the write lock long enough
                    if progress is not None and done % 1000 == 0:
                        progress(done)
            writer.finish()
            if writer.indexed and not dry_run:
                # within the progress display: the import's last step, not the next write's
                merge_index(uow.db, full=writer.indexed * 4 >= _indexed(uow), between=uow.commit_batch)
            if progress is not None:
                progress(done)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    finally:
        if collecting:
            gc.enable()
    return summary


def _checked_ahead(
    records: Iterable[Row],
    writer: _Writer,
    ahead: Callable[[ContactCheck], Callable[[], Iterable[Row]]] | None,
) -> contextlib.AbstractContextManager[Iterable[Row]]:
    """The records as the loop of ``_run`` takes them: as they are, or already checked by a
    process reading ahead (contacts have a check that needs no database: ``ContactCheck``)."""
    if ahead is not None and isinstance(writer, ContactWriter):
        from minicrm.services.transfer.read_ahead import read_ahead

        return read_ahead(ahead(writer.check))
    return contextlib.nullcontext(records)


def _indexed(uow: UnitOfWork) -> int:
    """How many search documents there are."""
    return int(uow.db.scalar("SELECT count(*) FROM search_doc"))


def _reason(exc: MinicrmError) -> str:
    text = str(exc)
    return text.split(": ", 1)[1] if text.startswith("line ") and ": " in text else text


def _line_label(line: int) -> str:
    return f"line {line}"


def _row_label(row: dict[str, str]) -> str:
    return next((v.strip() for v in row.values() if v and v.strip()), "")[:60]


# -- writers ---------------------------------------------------------------------------------
class _Writer:
    def __init__(self, uow: UnitOfWork, on_duplicate: str, emit: EventSink) -> None:
        self.uow = uow
        self.db = uow.db
        self.ctx = uow.ctx
        self.on_duplicate = on_duplicate
        self.emit = emit
        self.companies: dict[str, int] = {}
        self.company_names: dict[int, str] = {}
        #: search documents written in bulk (``search_index.insert_docs``), merged at the end
        self.indexed = 0
        #: how a reason names another record of the input (``line 4``, ``a.vcf card 2``)
        self.where: Callable[[int], str] = _line_label

    def add(self, line: int, row: dict[str, str], rec: Any) -> None:
        """Write (or buffer) one record: each record type's writer overrides this."""
        raise TypeError(f"{type(self).__name__} does not say how to write a record")

    def finish(self) -> None:
        """Write whatever is still buffered."""

    def reject(self, event: ImportEvent) -> None:
        """Report a record that could not be read, in its place among the others' events."""
        self.emit(event)

    def company_id(self, name: str | None) -> int | None:
        """An existing company by name (case-insensitive), else a new one."""
        text = (name or "").strip()
        if not text:
            return None
        key = text.casefold()
        found = self.companies.get(key)
        if found is None:
            from minicrm.services.companies.commands import insert_company
            from minicrm.services.kernel.refs import find_company_exact

            found = find_company_exact(self.ctx, text) or insert_company(self.uow, text)
            self.companies[key] = found
            self.company_names[found] = str(self.db.scalar("SELECT name FROM company WHERE id = ?", (found,)))
        return found


@dataclass(slots=True)
class _Pending:
    """One contact that passed validation, waiting for its batch to be written."""

    line: int
    values: dict[str, Any]
    emails: list[str]
    phones: list[str]
    tags: list[str]
    fields: dict[str, str]
    notes: list[str]
    company: str | None
    row: dict[str, str]
    #: label by email; [label, extension] by phone; further addresses
    email_labels: dict[str, str]
    phone_labels: dict[str, list[str | None]]
    addresses: list[dict[str, Any]]
    #: the values kept in a custom field instead (``_kept``), for the record's event
    warnings: tuple[str, ...] = ()
    #: whether it has a value in one of ``_SPARSE_COLUMNS``
    sparse: bool = False
    #: the record's name as it came, for its event
    label: str = ""


#: a record once ``ContactCheck`` has seen it: ready to write, or rejected
Checked = _Pending | ImportEvent


_STATUS_ALIASES = {
    "subscriber": "lead", "marketingqualifiedlead": "lead", "salesqualifiedlead": "prospect",
    "opportunity": "prospect",
    "qualified": "prospect", "evangelist": "customer", "client": "customer", "customer": "customer",
    "former customer": "inactive", "churned": "inactive", "lost": "inactive", "new": "lead", "open": "lead",
}  # fmt: skip


@lru_cache(maxsize=4096)
def _tags(values: tuple[str, ...]) -> tuple[str, ...]:
    return normalize_tags(values)


def _status(text: str | None, fields: dict[str, str]) -> str:
    """A status from another product: ours when it is one, a known alias, else ``lead`` with
    the original kept in the ``imported_status`` custom field."""
    if not text or not text.strip():
        return "lead"
    key = text.strip().lower()
    if key in CONTACT_STATUSES:
        return key
    alias = _STATUS_ALIASES.get(key.replace("_", " ")) or _STATUS_ALIASES.get(key.replace(" ", ""))
    if alias:
        return alias
    fields.setdefault("imported_status", text.strip())
    return "lead"


class ContactCheck:
    """What a contact record of an import is once validated (``_Pending``), or why it cannot be
    imported (a ``rejected`` event): the rules that need nothing but the record, the region
    and the time, so that they can run in the process that reads ahead (``read_ahead``)."""

    __slots__ = ("now", "region", "user")

    def __init__(self, region: str | None, now: str, user: str | None) -> None:
        self.region, self.now, self.user = region, now, user

    def __call__(self, line: int, row: dict[str, str], rec: ContactRecord | MinicrmError) -> Checked:
        if isinstance(rec, MinicrmError):  # the row could not be read as a record
            return ImportEvent(line, "rejected", _row_label(row), _reason(rec), row=row)
        try:
            return self._validate(line, row, rec)
        except InvalidInput as exc:
            return ImportEvent(line, "rejected", rec.name, _reason(exc), row=row)

    def _validate(self, line: int, row: dict[str, str], rec: ContactRecord) -> _Pending:
        name = (rec.name or "").strip()
        if not name or "\x00" in name:
            raise InvalidInput("no name")
        check_length(name, "the name", LINE_MAX)
        fields = check_fields(rec.fields) if rec.fields else {}
        emails: list[str] = []
        email_labels: dict[str, str] = {}
        unreadable: list[str] = []
        problems: list[str] = []  # the warnings: the values kept in a field instead (``_kept``)
        first: InvalidInput | None = None  # why the first of them could not be read
        for email in rec.emails:
            try:
                address = fast_email(email)
            except InvalidInput as exc:
                unreadable.append(email)
                problems.append(_kept(exc, email, "unparsed_email"))
                first = first or exc
                continue
            emails.append(address)
            label = rec.email_labels.get(email) if rec.email_labels else None
            if label:
                email_labels.setdefault(address, label)
        if unreadable:  # kept, not lost: the user sees them in the contact's fields
            fields["unparsed_email"] = ", ".join(unreadable)
        if len(emails) > 1:
            emails = list(unique_ci(emails))
        phones: list[str] = []
        phone_labels: dict[str, list[str | None]] = {}
        unreadable_emails, unreadable = unreadable, []
        for phone in rec.phones:
            number, ext = split_extension(phone)
            try:
                normal = fast_phone(number, self.region)
            except InvalidInput as exc:
                unreadable.append(phone)  # a label such as "mobile" in a phone column
                problems.append(_kept(exc, number, "unparsed_phone"))
                first = first or exc
                continue
            phones.append(normal)
            label = rec.phone_labels.get(phone) if rec.phone_labels else None
            ext = ext or (rec.phone_exts.get(phone) if rec.phone_exts else None)
            if label or ext:
                phone_labels.setdefault(normal, [label, ext])
        if unreadable:
            fields["unparsed_phone"] = ", ".join(unreadable)
        if problems and name in (*unreadable_emails, *unreadable):
            # the name is the unreadable address itself: a readable one names the contact, and
            # without one nothing says who this is
            if not emails and not phones:
                raise InvalidInput(f"no name, email or phone to import: {first}")
            name = emails[0] if emails else phones[0]
        if len(phones) > 1:
            phones = list(dict.fromkeys(phones))
        status = _status(rec.status, fields)
        tags = list(_tags(tuple(rec.tags))) if rec.tags else []
        if rec.website:
            fields.setdefault("website", rec.website)
        if rec.birthday or rec.anniversary:
            for key, text in (("birthday", rec.birthday), ("anniversary", rec.anniversary)):
                day = self._date(text) if text else None
                if day:
                    fields.setdefault(key, day)
        for n, url in enumerate(rec.urls, 2):
            fields.setdefault(f"website_{n}", url)
        now = self.now
        # optional_text for each (trimmed, empty -> None, NUL refused), without a call apiece
        texts = [
            (x.strip() or None) if x else None
            for x in (
                rec.given_name, rec.family_name, rec.title, rec.street, rec.city, rec.region, rec.postcode,
                rec.country, rec.source, rec.owner, rec.uid, rec.company, rec.nickname, rec.name_prefix,
                rec.middle_name, rec.name_suffix, rec.department, rec.address_label,
            )
        ]  # fmt: skip
        if "\x00" in "".join(filter(None, texts)):
            raise InvalidInput("text cannot contain a NUL byte")
        given, family, title, street, city, region, postcode, country, source, owner, uid, company = texts[
            :12
        ]
        nickname, prefix, middle, suffix, department, address_label = texts[12:]
        values = {
            "name": name,
            "sort_name": sort_key(name),
            "given_name": given,
            "family_name": family,
            "title": title,
            "company_id": None,
            "street": street,
            "city": city,
            "region": region,
            "postcode": postcode,
            "country": country,
            "status": status,
            "source": source,
            "owner": owner or self.user,
            "do_not_contact": False,
            "preferred_channel": None,
            "cadence_days": None,
            "last_interaction_at": None,
            "created_at": now,
            "updated_at": now,
            "version": 1,
            "uid": uid,
            "nickname": nickname,
            "name_prefix": prefix,
            "middle_name": middle,
            "name_suffix": suffix,
            "department": department,
            "address_label": address_label,
            "photo": rec.photo or None,
            "card_extra": _json_list(rec.extra) if rec.extra else None,
        }
        notes = [n.strip() for n in (rec.notes, *rec.more_notes) if n and n.strip()]
        addresses = [_address(a) for a in rec.addresses] if rec.addresses else []
        return _Pending(
            line,
            values,
            emails,
            phones,
            tags,
            fields,
            notes,
            company,
            row,
            email_labels,
            phone_labels,
            addresses,
            tuple(problems) if problems else (),
            any((nickname, prefix, middle, suffix, department, address_label, rec.photo, rec.extra)),
            rec.name,
        )

    def _date(self, text: str) -> str | None:
        """A birthday or anniversary: ``01/02/1990`` read in the region's order (an impossible or
        ambiguous one is the row's error), ``--12-24`` and a text date (``circa 1800``) as they
        are; Outlook's ``0/0/00`` (no date) is none."""
        if not text.strip("0/.- "):
            return None
        if not text.startswith("--") and looks_numeric_date(text):
            return parse_date(text, self.region).isoformat()
        return text


class ContactWriter(_Writer):
    """Contacts of a CSV file or of vCards, by the same rules: an email or phone that cannot be
    read is kept in the ``unparsed_email`` / ``unparsed_phone`` field, with a warning, and the
    rest of the record is imported; a record with nothing else to tell who it is (no name, no
    usable email or phone) is rejected."""

    def __init__(self, uow: UnitOfWork, on_duplicate: str, emit: EventSink) -> None:
        super().__init__(uow, on_duplicate, emit)
        #: the rules of a record alone (``ContactCheck``), which ``read_ahead`` may run elsewhere
        self.check = ContactCheck(self.ctx.config.region, uow.now, self.ctx.user)
        self.tags = uow.tags
        self.tombstones = {str(r["hash"]) for r in self.db.all("SELECT hash FROM tombstone")}
        self.batch: list[_Pending] = []
        self.events: list[ImportEvent] = []
        self.bulk_checked = False
        self.deferred_indexes: list[str] = []
        self.rich = False

    # validation -------------------------------------------------------------------------
    def add(self, line: int, row: dict[str, str], rec: ContactRecord | Checked) -> None:
        """Write (in batches) one record, or what ``check`` made of it in the process that read
        ahead (``read_ahead``)."""
        checked = rec if isinstance(rec, (_Pending, ImportEvent)) else self.check(line, row, rec)
        if isinstance(checked, ImportEvent):
            self.events.append(checked)
            return
        if self.tombstones and self._erased(checked):
            self.events.append(ImportEvent(line, "skipped", checked.label, "erased", row=checked.row))
            return
        self.rich = self.rich or checked.sparse
        self.batch.append(checked)
        if len(self.batch) >= BATCH:
            self._flush()

    def reject(self, event: ImportEvent) -> None:
        self.events.append(event)  # reported with its batch's events, in line order

    def _erased(self, p: _Pending) -> bool:
        keys = [identity_hash("email", e) for e in p.emails] + [identity_hash("phone", x) for x in p.phones]
        return any(k in self.tombstones for k in keys)

    # duplicates ---------------------------------------------------------------------------
    def _lookup(self, sql: str, keys: list[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for i in range(0, len(keys), _CHUNK):
            chunk = keys[i : i + _CHUNK]
            for r in self.db.all(sql.format(marks=",".join("?" * len(chunk))), chunk):
                found.setdefault(str(r["k"]), int(r["contact_id"]))
        return found

    def _uid_lookup(self, uids: list[str]) -> dict[str, int]:
        """``"<uid> <name>"`` keys of the contacts with these UIDs: a card is the contact with its
        UID only if it also has its name (two source files may reuse one UID for two people)."""
        found: dict[str, int] = {}
        for i in range(0, len(uids), _CHUNK):
            chunk = uids[i : i + _CHUNK]
            for r in self.db.all(
                f"SELECT id, uid, name FROM contact WHERE uid IN ({','.join('?' * len(chunk))}) ORDER BY id",
                chunk,
            ):
                found.setdefault(_uid_key(str(r["uid"]), str(r["name"]))[2:], int(r["id"]))
        return found

    def _people(self, ids: list[int]) -> dict[int, tuple[str, set[str]]]:
        """The name and the emails (lower-case) of these contacts."""
        found: dict[int, tuple[str, set[str]]] = {}
        for i in range(0, len(ids), _CHUNK):
            chunk = ids[i : i + _CHUNK]
            marks = ",".join("?" * len(chunk))
            sql = (
                "SELECT c.id, c.name, e.email_lower FROM contact c LEFT JOIN contact_email e "
                f"ON e.contact_id = c.id WHERE c.id IN ({marks})"
            )
            for r in self.db.all(sql, chunk):
                _name, emails = found.setdefault(int(r["id"]), (str(r["name"]), set()))
                if r["email_lower"] is not None:
                    emails.add(str(r["email_lower"]))
        return found

    def _flush(self) -> None:
        batch, self.batch = self.batch, []
        if not self.bulk_checked:
            self.bulk_checked = True
            if len(batch) >= BULK_LOAD_ROWS and self.db.scalar("SELECT 1 FROM contact LIMIT 1") is None:
                # (contact_tag is empty too: its rows belong to contacts); the uid index stays,
                # for the lookups of the cards' UIDs, batch after batch
                self.deferred_indexes = set_aside_indexes(
                    self.uow, ("contact", "contact_tag"), keep=("ix_contact_uid",)
                )
        by_email: dict[str, int] = {}
        by_phone: dict[str, int] = {}
        by_uid: dict[str, int] = {}
        dedupe = self.on_duplicate != "create"
        if batch:
            # emails are looked up in every mode: an address belongs to one contact
            by_email = self._lookup(
                "SELECT email_lower AS k, contact_id FROM contact_email "
                "WHERE email_lower IN ({marks}) ORDER BY contact_id",
                list({e.lower() for p in batch for e in p.emails}),
            )
        if dedupe and batch:
            by_phone = self._lookup(
                "SELECT phone AS k, contact_id FROM contact_phone "
                "WHERE phone IN ({marks}) ORDER BY contact_id",
                list({x for p in batch for x in p.phones}),
            )
            uids = list({p.values["uid"] for p in batch if p.values["uid"]})
            if uids:
                by_uid = self._uid_lookup(uids)
        # "u:<uid> <name>"/"e:<email>"/"p:<phone>" -> contact id in the database
        known = {f"e:{k}": v for k, v in by_email.items()}
        known.update((f"p:{k}", v) for k, v in by_phone.items())
        known.update((f"u:{k}", v) for k, v in by_uid.items())
        # the same keys -> ("db", contact id) or ("new", index into fresh)
        seen: dict[str, tuple[str, int]] = {}
        fresh: list[_Pending] = []

        def owner(key: str) -> tuple[str, int] | None:
            hit = seen.get(key)
            if hit is None and key in known:
                hit = ("db", known[key])
            return hit

        # A phone shared by two people who each have emails of their own (a household's or an
        # office's line) does not make them one: a row with emails is a duplicate by phone only
        # of a contact without emails, with one of its emails, or with its name.
        by_phone_only = (
            {by_phone[x] for p in batch if p.emails for x in p.phones if x in by_phone} if by_phone else None
        )
        people = self._people(list(by_phone_only)) if by_phone_only else {}

        def same_person(p: _Pending, match: tuple[str, int]) -> bool:
            where, target = match
            if where == "new":
                name, theirs = fresh[target].values["name"], {e.lower() for e in fresh[target].emails}
            else:
                name, theirs = people.get(target, ("", set()))
            if not theirs or any(e.lower() in theirs for e in p.emails):
                return True
            return _name_words(name) == _name_words(p.values["name"])

        def claim(p: _Pending, match: tuple[str, int]) -> None:
            """Keep on ``p`` only the emails no other contact has (those go to a field)."""
            taken = [e for e in p.emails if owner("e:" + e.lower()) not in (None, match)]
            if taken:
                p.emails = [e for e in p.emails if e not in taken]
                shared = p.fields.get("shared_email")
                p.fields["shared_email"] = ", ".join([shared, *taken] if shared else taken)

        for p in batch:
            keys = [_uid_key(p.values["uid"], p.values["name"])] if p.values["uid"] else []
            keys += ["e:" + e.lower() for e in p.emails]
            if p.phones:
                keys += ["p:" + x for x in p.phones]
            match: tuple[str, int] | None = None
            if dedupe:
                for key in keys:
                    match = owner(key)
                    if match is not None and key[0] == "p" and p.emails and not same_person(p, match):
                        match = None  # the same phone, someone else
                    if match is not None:
                        break
            if match is None:
                new = ("new", len(fresh))
                claim(p, new)
                fresh.append(p)
                for key in keys:
                    if not key.startswith("e:") or owner(key) is None:
                        seen.setdefault(key, new)
                continue
            where, target = match
            if where == "new":
                first = fresh[target]
                if self.on_duplicate == "skip":
                    self.events.append(
                        ImportEvent(
                            p.line, "skipped", p.values["name"], f"duplicate of {self.where(first.line)}"
                        )
                    )
                else:
                    claim(p, match)
                    _merge_pending(first, p)
                    self.events.append(
                        ImportEvent(
                            p.line,
                            "updated",
                            p.values["name"],
                            f"merged into {self.where(first.line)}",
                            warnings=p.warnings,
                        )
                    )
                for key in keys:
                    seen.setdefault(key, match)
            elif self.on_duplicate == "skip":
                self.events.append(
                    ImportEvent(p.line, "skipped", p.values["name"], f"duplicate of contact {target}", target)
                )
            else:
                claim(p, match)
                changed = self._update(target, p)
                action, reason = (
                    ("updated", f"duplicate of contact {target}")
                    if changed
                    else ("skipped", f"duplicate of contact {target}, nothing new")
                )
                self.events.append(
                    ImportEvent(p.line, action, p.values["name"], reason, target, warnings=p.warnings)
                )
                for key in keys:
                    if not key.startswith("e:") or owner(key) in (None, match):
                        seen[key] = match
        self._insert(fresh)
        self.rich = False
        self.events.sort(key=lambda e: e.line)
        events, self.events = self.events, []
        for event in events:
            self.emit(event)

    def finish(self) -> None:
        self._flush()
        build_indexes(self.uow, self.deferred_indexes)
        self.deferred_indexes = []

    # writing -----------------------------------------------------------------------------
    def _insert(self, fresh: list[_Pending]) -> None:
        if not fresh:
            return
        db, now = self.db, self.uow.now
        self._create_companies({p.company for p in fresh if p.company})
        ids = allocate_ids(db, "contact", len(fresh))
        contacts: list[tuple[Any, ...]] = []
        emails: list[tuple[int, str, str, int, str | None]] = []
        phones: list[tuple[int, str, int, str | None, str | None]] = []
        addresses: list[tuple[Any, ...]] = []
        tag_rows: list[tuple[int, int]] = []
        field_rows: list[tuple[int, str, str]] = []
        docs: list[tuple[str, int, str]] = []
        logged: list[list[Any]] = []
        notes: list[tuple[int, str]] = []
        op_id = self.uow.operation()
        actor = self.ctx.user
        uids = iter(new_uids(sum(1 for p in fresh if not p.values["uid"])))
        company_of, company_names, tag_id = self.company_id, self.company_names, self.tags.id
        events = self.events
        sparse = (
            [c for c in _SPARSE_COLUMNS if all(p.values[c] is None for p in fresh)]
            if self.rich
            else _SPARSE_COLUMNS
        )
        own, own_values = _OWN_COLUMNS, _own_values
        if sparse:
            own = tuple(c for c in _OWN_COLUMNS if c not in sparse)
            own_values = itemgetter(*own)
        labelled = any(p.email_labels or p.phone_labels or p.addresses for p in fresh)
        for contact_id, p in zip(ids, fresh, strict=True):
            v = p.values
            v["id"] = contact_id
            company_id = v["company_id"] = company_of(p.company) if p.company else None
            if not v["uid"]:
                v["uid"] = next(uids)
            row = own_values(v)
            contacts.append(row)
            if p.email_labels:
                for i, e in enumerate(p.emails):
                    emails.append((contact_id, e, e.lower(), i, p.email_labels.get(e)))
            else:
                for i, e in enumerate(p.emails):
                    emails.append((contact_id, e, e.lower(), i, None))
            if p.phone_labels:
                for i, x in enumerate(p.phones):
                    label, ext = p.phone_labels.get(x) or (None, None)
                    phones.append((contact_id, x, i, label, ext))
            else:
                for i, x in enumerate(p.phones):
                    phones.append((contact_id, x, i, None, None))
            if p.addresses:
                for i, a in enumerate(p.addresses):
                    addresses.append((contact_id, *(a[k] for k in ADDRESS_PARTS), i))
            for t in p.tags:
                tag_rows.append((contact_id, tag_id(t)))
            if p.fields:
                for k, val in p.fields.items():
                    field_rows.append((contact_id, k, val))
            company_name = company_names.get(company_id) if company_id else None
            body = contact_search_body(v["name"], p.emails, p.phones, company_name, v["title"])
            docs.append(("contact", contact_id, body))
            if p.notes:
                for n in p.notes:
                    notes.append((contact_id, n))
            if labelled:
                logged.append(
                    [
                        *row,
                        p.emails,
                        p.phones,
                        sorted(p.tags),
                        p.fields,
                        p.email_labels,
                        p.phone_labels,
                        p.addresses,
                    ]
                )
            else:
                logged.append([*row, p.emails, p.phones, sorted(p.tags), p.fields])
            events.append(ImportEvent(p.line, "created", v["name"], "", contact_id, warnings=p.warnings))
        # what every new contact has in common is written into the statement, not bound per row
        common = {**_NEW_CONTACT, "created_at": now, "updated_at": now, **dict.fromkeys(sparse)}
        self.indexed += len(docs)
        self.uow.contacts.insert_many(
            contacts,
            common=common,
            emails=emails,
            phones=phones,
            tags=tag_rows,
            fields=field_rows,
            docs=docs,
            addresses=addresses,
        )
        if notes:
            note_ids = allocate_ids(db, "interaction", len(notes))
            note_rows = [
                (i, "note", body, now, actor, cid, now)
                for i, (cid, body) in zip(note_ids, notes, strict=True)
            ]
            self.uow.interactions.insert_many(_NOTE_COLUMNS, note_rows)
        log_keys = (*own, *_CHILD_LOG_KEYS, *(_LABEL_LOG_KEYS if labelled else ()))
        logged_common = (
            common if labelled else {**common, "email_labels": {}, "phone_labels": {}, "addresses": []}
        )
        record_created(self.ctx, op_id, now, actor, "contact", log_keys, ids, logged, logged_common)
        if notes:
            record_created(
                self.ctx,
                op_id,
                now,
                actor,
                "interaction",
                _NOTE_LOG_KEYS,
                note_ids,
                [[r[0], r[2], r[5]] for r in note_rows],
                {
                    "kind": "note",
                    "at": now,
                    "author": actor,
                    "company_id": None,
                    "deal_id": None,
                    "created_at": now,
                    "external_id": None,
                    "thread_id": None,
                    "direction": None,
                    "details": None,
                },
            )

    def _create_companies(self, names: set[str]) -> None:
        """Resolve a batch's company names at once; create the missing ones with executemany."""
        wanted = {n.strip().casefold(): n.strip() for n in names if n.strip()}
        missing = [k for k in wanted if k not in self.companies]
        if not missing:
            return
        db, now, actor = self.db, self.uow.now, self.ctx.user
        for i in range(0, len(missing), _CHUNK):
            chunk = missing[i : i + _CHUNK]
            for r in db.all(
                f"SELECT id, name, lower(name) AS k FROM company WHERE lower(name) IN "
                f"({','.join('?' * len(chunk))}) ORDER BY id",
                chunk,
            ):
                self.companies.setdefault(str(r["k"]), int(r["id"]))
                self.company_names.setdefault(int(r["id"]), str(r["name"]))
        new = [k for k in missing if k not in self.companies and k == k.lower()]
        if not new:
            return
        columns = company_records.ALL_COLUMNS
        ids = allocate_ids(db, "company", len(new))
        rows: list[list[Any]] = []
        logged: list[list[Any]] = []
        op_id = self.uow.operation()
        for company_id, key in zip(ids, new, strict=True):
            name = wanted[key]
            values = {c: None for c in columns} | {
                "id": company_id,
                "name": name,
                "sort_name": sort_key(name),
                "owner": actor,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
            rows.append([values[c] for c in columns])
            logged.append([*rows[-1], [], {}])
            self.companies[key] = company_id
            self.company_names[company_id] = name
        self.uow.companies.insert_many(rows)
        record_created(self.ctx, op_id, now, actor, "company", (*columns, "tags", "fields"), ids, logged)

    def _update(self, contact_id: int, p: _Pending) -> bool:
        """Fill the existing contact's empty fields, unite emails/phones/tags, add new custom
        fields and notes. Returns False when the record brought nothing new."""
        db = self.db
        before = self.uow.contacts.snapshot(contact_id)
        if before is None:
            return False
        row = {k: before[k] for k in CONTACT_COLUMNS}
        for column in _FILLABLE:
            if not row[column] and p.values[column]:
                row[column] = p.values[column]
        if row["company_id"] is None and p.company:
            row["company_id"] = self.company_id(p.company)
        emails = list(unique_ci([*before["emails"], *p.emails]))
        phones = list(dict.fromkeys([*before["phones"], *p.phones]))
        tags = sorted(unique_tags([*before["tags"], *p.tags]))
        fields = _unite_fields(before["fields"], p.fields)
        email_labels = {**p.email_labels, **before["email_labels"]}
        email_labels = {e: email_labels[e] for e in emails if e in email_labels}
        phone_labels = _fill_phone_labels(before["phone_labels"], p.phone_labels, phones)
        addresses = _more_addresses(row, before["addresses"], p)
        unchanged = (
            all(row[c] == before[c] for c in CONTACT_COLUMNS)
            and emails == before["emails"]
            and phones == before["phones"]
            and tags == sorted(before["tags"])
            and fields == before["fields"]
            and email_labels == before["email_labels"]
            and phone_labels == before["phone_labels"]
            and addresses == before["addresses"]
        )
        if unchanged and not p.notes:
            return False
        if not unchanged:
            row["updated_at"] = self.uow.now
            row["version"] = before["version"] + 1
            records = self.uow.contacts
            records.update(contact_id, {c: row[c] for c in CONTACT_COLUMNS if c != "id"})
            records.replace_children(
                contact_id,
                emails=emails,
                phones=phones,
                tags=tags,
                fields=fields,
                email_labels=email_labels,
                phone_labels=phone_labels,
                addresses=addresses,
            )
            self.uow.record("contact", contact_id, "update", before, records.snapshot(contact_id))
        for body in p.notes:
            existing = db.scalar(
                "SELECT 1 FROM interaction WHERE contact_id = ? AND kind = 'note' AND body = ?",
                (contact_id, body),
            )
            if existing:
                continue
            # imported notes describe the person; they are not a contact moment
            note_id = self.uow.interactions.insert(
                {
                    "kind": "note",
                    "body": body,
                    "at": self.uow.now,
                    "author": self.ctx.user,
                    "contact_id": contact_id,
                    "created_at": self.uow.now,
                }
            )
            self.uow.record("interaction", note_id, "create", None, self.uow.interactions.snapshot(note_id))
            unchanged = False
        return not unchanged


def _name_words(name: str) -> list[str]:
    """A name's words in any order, to compare two spellings: ``Doe, John`` is ``John Doe``,
    ``Mr. John Richter,James`` is ``Mr. John Richter James``, ``Leslie Ryan`` is not
    ``Patricia Ryan``."""
    return sorted(re.findall(r"\w+", name.casefold()))


def _uid_key(uid: str, name: str) -> str:
    return f"u:{uid}\x00{name.casefold()}"


def _json_list(items: list[str]) -> str:
    import json

    return json.dumps(items, ensure_ascii=False)


def _address(a: dict[str, Any]) -> dict[str, Any]:
    """A further address of a record, trimmed, as ``contact_records.ADDRESS_PARTS``."""
    out = {k: optional_text(a.get(k)) for k in ADDRESS_PARTS}
    return out


def _kept(exc: InvalidInput, value: str, key: str) -> str:
    """The warning for a value kept in the custom field ``key``:
    ``invalid email 'x@invalid' kept in the unparsed_email field: <why>``."""
    text = str(exc)
    for start in (f"invalid email {value.strip()!r}", f"invalid phone {value.strip()!r}"):
        if text.startswith(start):
            return f"{start} kept in the {key} field{text[len(start) :]}"
    return f"{text} (kept in the {key} field)"


def _merge_pending(first: _Pending, other: _Pending) -> None:
    """Fold a later duplicate row of the same file into the first one (update semantics)."""
    for column in _FILLABLE:
        if not first.values[column] and other.values[column]:
            first.values[column] = other.values[column]
    first.company = first.company or other.company
    first.emails = list(unique_ci([*first.emails, *other.emails]))
    first.phones = list(dict.fromkeys([*first.phones, *other.phones]))
    first.tags = unique_tags([*first.tags, *other.tags])
    first.fields = _unite_fields(first.fields, other.fields)
    first.notes = list(dict.fromkeys([*first.notes, *other.notes]))
    first.email_labels = {**other.email_labels, **first.email_labels}
    first.phone_labels = _fill_phone_labels(first.phone_labels, other.phone_labels, first.phones)
    first.addresses = _more_addresses(first.values, first.addresses, other)


#: the custom fields that hold a list of values a record could not keep elsewhere
_LIST_FIELDS = ("unparsed_email", "unparsed_phone", "shared_email")


def _unite_fields(mine: dict[str, str], theirs: dict[str, str]) -> dict[str, str]:
    """The custom fields after a duplicate brought its own: mine win, the other's are added, and
    the lists of ``_LIST_FIELDS`` are united (no value of either is lost)."""
    out = {**theirs, **mine}
    for key in _LIST_FIELDS:
        if key in mine and key in theirs and mine[key] != theirs[key]:
            values = [*mine[key].split(", "), *theirs[key].split(", ")]
            out[key] = ", ".join(dict.fromkeys(values))
    return out


def _fill_phone_labels(
    mine: dict[str, list[str | None]], theirs: dict[str, list[str | None]], phones: list[str]
) -> dict[str, list[str | None]]:
    """Labels and extensions of ``phones``: the ones already there, the other's where none."""
    out: dict[str, list[str | None]] = {}
    for phone in phones:
        a = list(mine.get(phone) or (None, None))
        b = theirs.get(phone) or (None, None)
        merged = [a[0] or b[0], a[1] or b[1]]
        if merged[0] or merged[1]:
            out[phone] = merged
    return out


def _more_addresses(row: dict[str, Any], mine: list[dict[str, Any]], other: _Pending) -> list[dict[str, Any]]:
    """The further addresses after a duplicate brought its own: its first and further
    addresses are added when neither ``row``'s address nor one of ``mine`` is the same."""
    parts = ADDRESS_PARTS[1:]
    have = [{k: row[k] for k in parts}, *({k: a.get(k) for k in parts} for a in mine)]
    out = list(mine)
    first = {"label": other.values["address_label"], **{k: other.values[k] for k in parts}}
    for address in (first, *other.addresses):
        bare = {k: address.get(k) for k in parts}
        if any(bare.values()) and bare not in have:
            have.append(bare)
            out.append(address)
    return out


class CompanyWriter(_Writer):
    """Companies are few: one statement set per row, duplicates by name or domain."""

    def add(self, line: int, row: dict[str, str], rec: CompanyRecord) -> None:
        from minicrm.services.companies import commands as companies

        try:
            name = (rec.name or "").strip()
            domain = companies.normalize_domain(rec.domain)
            tags = normalize_tags(rec.tags)
            fields = {check_field_key(k): v for k, v in rec.fields.items()}
            if rec.website:
                fields.setdefault("website", rec.website)
        except InvalidInput as exc:
            self.emit(ImportEvent(line, "rejected", rec.name, _reason(exc), row=row))
            return
        db = self.db
        existing = None
        if self.on_duplicate != "create":
            hit = db.one(
                "SELECT id FROM company WHERE lower(name) = ? ORDER BY id LIMIT 1", (name.casefold(),)
            )
            if hit is None and domain:
                hit = db.one("SELECT id FROM company WHERE domain = ? ORDER BY id LIMIT 1", (domain,))
            existing = int(hit["id"]) if hit else None
        if existing is None:
            data = CompanyCreate(
                name=name,
                domain=domain,
                industry=rec.industry,
                tags=tags,
                fields=fields,
                owner=rec.owner,
                address=Address(rec.street, rec.city, rec.region, rec.postcode, rec.country),
            )
            new_id = companies.insert_company(self.uow, name, data)
            self.companies[name.casefold()] = new_id
            self.emit(ImportEvent(line, "created", name, "", new_id))
            return
        if self.on_duplicate == "skip":
            self.emit(ImportEvent(line, "skipped", name, f"duplicate of company {existing}", existing))
            return
        before = self.uow.companies.snapshot(existing)
        assert before is not None
        values = {
            "domain": domain,
            "industry": optional_text(rec.industry),
            "street": optional_text(rec.street),
            "city": optional_text(rec.city),
            "region": optional_text(rec.region),
            "postcode": optional_text(rec.postcode),
            "country": optional_text(rec.country),
            "owner": optional_text(rec.owner),
        }
        fills = {k: v for k, v in values.items() if v and not before[k]}
        new_tags = without_tags(tags, before["tags"])
        new_fields = {k: v for k, v in fields.items() if k not in before["fields"]}
        if not (fills or new_tags or new_fields):
            self.emit(
                ImportEvent(line, "skipped", name, f"duplicate of company {existing}, nothing new", existing)
            )
            return
        records = self.uow.companies
        records.update(existing, {**fills, "updated_at": self.uow.now}, base_version=before["version"])
        records.replace_children(
            existing,
            tags=[*before["tags"], *new_tags] if new_tags else None,
            fields={**before["fields"], **new_fields} if new_fields else None,
        )
        self.uow.record("company", existing, "update", before, records.snapshot(existing))
        self.emit(ImportEvent(line, "updated", name, f"duplicate of company {existing}", existing))


class DealWriter(_Writer):
    """Deals: every row is a new deal, linked to a contact (by email, then exact name) and a
    company (by name, created when new)."""

    def _closed_at(self, close_date: str) -> str:
        return to_db(self.ctx.clock.start_of_day(date.fromisoformat(close_date)))

    def add(self, line: int, row: dict[str, str], rec: DealRecord) -> None:
        db, now = self.db, self.uow.now
        try:
            pipeline = self.ctx.config.pipeline()
            stage, closed = _stage_for(rec.stage, [s.name for s in pipeline.stages])
            known = pipeline.stage(stage)
            assert known is not None
            # a currency column, else the currency the amount names ("USD 5,000.00"), else yours
            named = amount_currency(rec.value) if rec.value else None
            currency = currency_code(rec.currency or named or self.ctx.config.currency)
            value = parse_lenient_amount(rec.value, currency) if rec.value else None
            probability = known.probability
            if rec.probability:
                probability = int(Decimal(rec.probability.strip().rstrip("%")))
                if not 0 <= probability <= 100:
                    raise InvalidInput(f"invalid probability {rec.probability!r}")
            status = (
                check_choice(rec.status, ("open", "won", "lost"), "deal status") if rec.status else closed
            )
            close = parse_date(rec.close_date, self.ctx.config.region).isoformat() if rec.close_date else None
        except (InvalidInput, InvalidOperation, ValueError) as exc:
            reason = (
                _reason(exc) if isinstance(exc, InvalidInput) else f"invalid probability {rec.probability!r}"
            )
            self.emit(ImportEvent(line, "rejected", rec.title, reason, row=row))
            return
        contact_id = None
        if rec.contact_email:
            hit = db.one(
                "SELECT contact_id FROM contact_email WHERE email_lower = ? ORDER BY contact_id LIMIT 1",
                (rec.contact_email.strip().lower(),),
            )
            contact_id = int(hit["contact_id"]) if hit else None
        if contact_id is None and rec.contact_name:
            hits = db.all(
                "SELECT id FROM contact WHERE lower(name) = ? LIMIT 2", (rec.contact_name.strip().casefold(),)
            )
            contact_id = int(hits[0]["id"]) if len(hits) == 1 else None
        values = {
            "title": rec.title.strip(),
            "contact_id": contact_id,
            "company_id": self.company_id(rec.company),
            "value_minor": value,
            "currency": currency,
            "pipeline": pipeline.name,
            "stage": stage,
            "probability": 100 if status == "won" else 0 if status == "lost" else probability,
            "close_date": close,
            "owner": optional_text(rec.owner) or self.ctx.user,
            "status": status,
            "lost_reason": None,
            # a closed deal closed on its close date (the day the file says), not on the import's
            "closed_at": None if status == "open" else (self._closed_at(close) if close else now),
            "stage_entered_at": now,
            "last_activity_at": None,
            "created_at": now,
            "updated_at": now,
            "version": 1,
        }
        deal_id = self.uow.deals.insert(values)
        self.uow.deals.insert_stage_change(
            {
                "deal_id": deal_id,
                "from_stage": None,
                "to_stage": stage,
                "status": status,
                "at": now,
                "actor": self.ctx.user,
                "pipeline": values["pipeline"],
            }
        )
        title = str(values["title"])
        self.uow.record("deal", deal_id, "create", None, {"id": deal_id, **values})
        note = (
            f"stage {rec.stage!r} read as {stage}" if rec.stage and rec.stage.strip().lower() != stage else ""
        )
        self.emit(ImportEvent(line, "created", title, note, deal_id))


def _stage_for(text: str | None, stages: list[str]) -> tuple[str, str]:
    """(stage, status) for another product's stage name: ``Closed Won`` → won at the last stage,
    ``Qualification`` → ``qualified`` (closest name), anything unrecognisable → the first stage."""
    import re

    from rapidfuzz import fuzz, process

    raw = (text or "").strip().lower()
    if not raw:
        return stages[0], "open"
    if raw in stages:
        return raw, "open"
    if re.search(r"\b(won|closed won|win)\b", raw):
        return stages[-1], "won"
    if re.search(r"\b(lost|closed lost)\b", raw):
        return stages[-1], "lost"
    best = process.extractOne(raw, stages, scorer=fuzz.partial_ratio, score_cutoff=70)
    return (str(best[0]) if best else stages[0]), "open"
