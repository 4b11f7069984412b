"""Contact records: the ``contact`` row with its emails, phones, tags and custom fields.

The one place that writes a contact's child rows and keeps its search document current; the
change-log snapshot (``snapshot``) is the dict that ``undo`` puts back.
"""

from __future__ import annotations

from minicrm.store.records import search_index
from minicrm.store.records.base import deleted, insert_sql, update_row
from minicrm.store.records.tags import TagRecords, tags_of

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from typing import Any

    from minicrm.store.db import Database

#: the ``contact`` table's columns after ``id``, in table order (a test checks them against
#: ``store/tables.py``)
COLUMNS = (
    "name", "given_name", "family_name", "title", "company_id", "street", "city", "region", "postcode",
    "country", "status", "source", "owner", "do_not_contact", "preferred_channel", "cadence_days",
    "last_interaction_at", "created_at", "updated_at", "version", "uid", "nickname", "name_prefix",
    "middle_name", "name_suffix", "department", "address_label", "photo", "card_extra", "sort_name",
)  # fmt: skip
ALL_COLUMNS = ("id", *COLUMNS)
EMAIL_COLUMNS = ("contact_id", "email", "email_lower", "position", "label")
PHONE_COLUMNS = ("contact_id", "phone", "position", "label", "ext")
FIELD_COLUMNS = ("contact_id", "key", "value")
#: an address after the first (which is in the contact's columns)
ADDRESS_PARTS = ("label", "street", "city", "region", "postcode", "country")
ADDRESS_COLUMNS = ("contact_id", *ADDRESS_PARTS, "position")
#: the keys of a snapshot that are child rows, not columns: ``email_labels`` maps an address
#: to its label, ``phone_labels`` a number to ``[label, extension]``, ``addresses`` are dicts
#: of ``ADDRESS_PARTS`` (only labelled emails and phones, and phones with an extension, appear)
CHILDREN = ("emails", "phones", "tags", "fields", "email_labels", "phone_labels", "addresses")

_INSERT_EMAIL = insert_sql("contact_email", EMAIL_COLUMNS)
_INSERT_PHONE = insert_sql("contact_phone", PHONE_COLUMNS)
_INSERT_FIELD = insert_sql("contact_field", FIELD_COLUMNS)
_INSERT_ADDRESS = insert_sql("contact_address", ADDRESS_COLUMNS)

EmailLabels = dict[str, str]
PhoneLabels = dict[str, list[str | None]]


def snapshot(db: Database, contact_id: int) -> dict[str, Any] | None:
    """The full stored state of one contact, as recorded in the change log."""
    row = db.one("SELECT * FROM contact WHERE id = ?", (contact_id,))
    if row is None:
        return None
    data = {k: row[k] for k in ALL_COLUMNS}
    data["do_not_contact"] = bool(data["do_not_contact"])
    emails = db.all(
        "SELECT email, label FROM contact_email WHERE contact_id = ? ORDER BY position, id", (contact_id,)
    )
    data["emails"] = [r["email"] for r in emails]
    phones = db.all(
        "SELECT phone, label, ext FROM contact_phone WHERE contact_id = ? ORDER BY position, id",
        (contact_id,),
    )
    data["phones"] = [r["phone"] for r in phones]
    data["tags"] = list(tags_of(db, "contact", [contact_id]).get(contact_id, ()))
    data["fields"] = fields_of(db, contact_id)
    data["email_labels"] = {r["email"]: r["label"] for r in emails if r["label"]}
    data["phone_labels"] = {r["phone"]: [r["label"], r["ext"]] for r in phones if r["label"] or r["ext"]}
    data["addresses"] = addresses_of(db, contact_id)
    return data


def addresses_of(db: Database, contact_id: int) -> list[dict[str, Any]]:
    """The contact's second and later addresses, in order."""
    return [
        {k: r[k] for k in ADDRESS_PARTS}
        for r in db.all(
            "SELECT * FROM contact_address WHERE contact_id = ? ORDER BY position, id", (contact_id,)
        )
    ]


def fields_of(db: Database, contact_id: int) -> dict[str, str]:
    return {
        r["key"]: r["value"]
        for r in db.all(
            "SELECT key, value FROM contact_field WHERE contact_id = ? ORDER BY key", (contact_id,)
        )
    }


class ContactRecords:
    """Writes of contacts, bound to one database (``uow.contacts``)."""

    def __init__(self, db: Database, tags: TagRecords | None = None) -> None:
        self.db = db
        self.tags = tags or TagRecords(db)

    def snapshot(self, contact_id: int) -> dict[str, Any] | None:
        return snapshot(self.db, contact_id)

    def insert(
        self,
        values: Mapping[str, Any],
        *,
        emails: Sequence[str] = (),
        phones: Sequence[str] = (),
        tags: Iterable[str] = (),
        fields: Mapping[str, str] | None = None,
        email_labels: EmailLabels | None = None,
        phone_labels: PhoneLabels | None = None,
        addresses: Sequence[Mapping[str, Any]] = (),
    ) -> int:
        """A new contact (``values`` holds every column of ``COLUMNS``) and its child rows."""
        values = {**values, "sort_name": search_index.sort_key(values["name"])}
        contact_id = self.db.insert(insert_sql("contact", COLUMNS), [values.get(c) for c in COLUMNS])
        self._write_children(contact_id, emails, phones, fields or {}, email_labels, phone_labels)
        self._write_addresses(contact_id, addresses)
        self.tags.replace("contact", contact_id, tags)
        self.reindex(contact_id)
        return contact_id

    def insert_many(
        self,
        rows: list[tuple[Any, ...]],
        *,
        common: Mapping[str, Any],
        emails: list[tuple[int, str, str, int, str | None]],
        phones: list[tuple[int, str, int, str | None, str | None]],
        tags: list[tuple[int, int]],
        fields: list[tuple[int, str, str]],
        docs: list[tuple[str, int, str]],
        addresses: Sequence[Sequence[Any]] = (),
    ) -> None:
        """New contacts in bulk (the importer), with ids already allocated.

        ``rows`` hold the values of the ``ALL_COLUMNS`` not in ``common``, in that order; what
        every new contact has in common is written into the statement, not bound per row. The
        child rows come ready-made (rows of ``EMAIL_COLUMNS``, ``PHONE_COLUMNS``, ``(contact_id,
        tag_id)``, ``FIELD_COLUMNS`` and ``ADDRESS_COLUMNS``) and ``docs`` are their search
        documents."""
        db = self.db
        db.executemany(
            f"INSERT INTO contact ({', '.join(ALL_COLUMNS)}) VALUES "
            f"({', '.join(_sql_literal(common[c]) if c in common else '?' for c in ALL_COLUMNS)})",
            rows,
        )
        db.executemany(_INSERT_EMAIL, emails)
        db.executemany(_INSERT_PHONE, phones)
        self.tags.link_many("contact", tags)
        db.executemany(_INSERT_FIELD, fields)
        if addresses:
            db.executemany(_INSERT_ADDRESS, addresses)
        search_index.insert_docs(db, docs)

    def update(
        self,
        contact_id: int,
        values: Mapping[str, Any],
        *,
        base_version: int | None = None,
        reindex: bool = True,
    ) -> int | None:
        """Set columns of one contact (and its sort name) and keep its search document current.
        With ``base_version`` only if the stored version is still that one: returns the new
        version, or None when it moved on (nothing written). ``reindex=False`` when
        :meth:`replace_children` follows, which re-indexes anyway."""
        changes = dict(values)
        if "name" in changes:
            changes["sort_name"] = search_index.sort_key(changes["name"])
        version = update_row(self.db, "contact", contact_id, changes, base_version)
        if reindex and (base_version is None or version is not None):
            self.reindex(contact_id)
        return version

    def replace_children(
        self,
        contact_id: int,
        *,
        emails: Sequence[str] | None = None,
        phones: Sequence[str] | None = None,
        tags: Iterable[str] | None = None,
        fields: Mapping[str, str] | None = None,
        email_labels: EmailLabels | None = None,
        phone_labels: PhoneLabels | None = None,
        addresses: Sequence[Mapping[str, Any]] | None = None,
    ) -> None:
        """Replace the child lists given (None: left as they are) and re-index the contact.

        Emails and phones given without their labels keep the labels they had; labels given
        without their list relabel the stored one."""
        db = self.db
        if emails is None and email_labels is not None:
            emails = [
                r["email"]
                for r in db.all(
                    "SELECT email FROM contact_email WHERE contact_id = ? ORDER BY position, id",
                    (contact_id,),
                )
            ]
        if phones is None and phone_labels is not None:
            phones = [
                r["phone"]
                for r in db.all(
                    "SELECT phone FROM contact_phone WHERE contact_id = ? ORDER BY position, id",
                    (contact_id,),
                )
            ]
        if emails is not None:
            if email_labels is None:
                email_labels = {
                    r["email"]: r["label"]
                    for r in db.all(
                        "SELECT email, label FROM contact_email WHERE contact_id = ? AND label IS NOT NULL",
                        (contact_id,),
                    )
                }
            db.execute("DELETE FROM contact_email WHERE contact_id = ?", (contact_id,))
        if phones is not None:
            if phone_labels is None:
                phone_labels = {
                    r["phone"]: [r["label"], r["ext"]]
                    for r in db.all(
                        "SELECT phone, label, ext FROM contact_phone WHERE contact_id = ? "
                        "AND (label IS NOT NULL OR ext IS NOT NULL)",
                        (contact_id,),
                    )
                }
            db.execute("DELETE FROM contact_phone WHERE contact_id = ?", (contact_id,))
        if fields is not None:
            db.execute("DELETE FROM contact_field WHERE contact_id = ?", (contact_id,))
        self._write_children(contact_id, emails or (), phones or (), fields or {}, email_labels, phone_labels)
        if addresses is not None:
            db.execute("DELETE FROM contact_address WHERE contact_id = ?", (contact_id,))
            self._write_addresses(contact_id, addresses)
        if tags is not None:
            self.tags.replace("contact", contact_id, tags)
        self.reindex(contact_id)

    def _write_children(
        self,
        contact_id: int,
        emails: Sequence[str],
        phones: Sequence[str],
        fields: Mapping[str, str],
        email_labels: EmailLabels | None = None,
        phone_labels: PhoneLabels | None = None,
    ) -> None:
        db = self.db
        if emails:
            labels = email_labels or {}
            db.executemany(
                _INSERT_EMAIL, [(contact_id, e, e.lower(), i, labels.get(e)) for i, e in enumerate(emails)]
            )
        if phones:
            details = phone_labels or {}
            rows = []
            for i, p in enumerate(phones):
                label, ext = ([*list(details.get(p) or ()), None, None])[:2]
                rows.append((contact_id, p, i, label, ext))
            db.executemany(_INSERT_PHONE, rows)
        if fields:
            db.executemany(_INSERT_FIELD, [(contact_id, k, v) for k, v in fields.items()])

    def _write_addresses(self, contact_id: int, addresses: Sequence[Mapping[str, Any]]) -> None:
        rows = [
            (contact_id, *(a.get(k) for k in ADDRESS_PARTS), i)
            for i, a in enumerate(addresses)
            if any(a.get(k) for k in ADDRESS_PARTS[1:])
        ]
        if rows:
            self.db.executemany(_INSERT_ADDRESS, rows)

    def reindex(self, contact_id: int) -> None:
        """Rebuild the contact's search document from what is stored (after a write made
        elsewhere, such as undo's generic revert of its columns), and its deals' documents,
        which name the contact."""
        search_index.reindex_contact(self.db, contact_id)
        search_index.reindex_deals_of(self.db, "contact_id", contact_id)

    def reindex_many(self, contact_ids: Iterable[int]) -> None:
        for contact_id in contact_ids:
            search_index.reindex_contact(self.db, contact_id)

    def delete(self, contact_id: int) -> None:
        """Delete the contact; its child rows, interactions, follow-ups and requests go with it
        (ON DELETE CASCADE), and so do their search documents. Its deals stay, unlinked (ON
        DELETE SET NULL), and their documents no longer name the person."""
        db = self.db
        deals = [int(r["id"]) for r in db.all("SELECT id FROM deal WHERE contact_id = ?", (contact_id,))]
        search_index.unindex_notes_of(db, contact_id)
        deleted(db.execute("DELETE FROM contact WHERE id = ?", (contact_id,)), "contact", contact_id)
        search_index.unindex(db, "contact", contact_id)
        for deal_id in deals:
            search_index.reindex_deal(db, deal_id)


def _sql_literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def identity_hash(kind: str, value: str) -> str:
    """The tombstone hash of an email (case-insensitive) or a normalised phone."""
    key = value.strip().lower() if kind == "email" else value.strip()
    import hashlib

    return hashlib.sha256(f"{kind}:{key}".encode()).hexdigest()
