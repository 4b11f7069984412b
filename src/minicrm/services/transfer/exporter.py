"""Exporting: CSV rows per record type, vCards (one per contact), follow-ups as VTODOs.

Everything is streamed in pages so that a million contacts export in bounded memory. The
services produce rows and records; the interface writes them where the user asked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from minicrm.core.clock import from_db, iso_local
from minicrm.core.errors import InvalidInput
from minicrm.core.money import plain_amount
from minicrm.exchange.record import ContactRecord
from minicrm.services.contacts import commands as contacts
from minicrm.services.dto import Contact
from minicrm.services.kernel.context import Context

PAGE = 1000
EXPORT_TYPES = ("contacts", "companies", "deals", "followups")
MULTI_SEPARATOR = " ::: "  # Google's, understood by the CSV importer

CONTACT_HEADER = [
    "id",
    "name",
    "given_name",
    "family_name",
    "emails",
    "phones",
    "company",
    "title",
    "tags",
    "status",
    "source",
    "owner",
    "street",
    "city",
    "region",
    "postcode",
    "country",
    "created_at",
    "updated_at",
    "name_prefix",
    "middle_name",
    "name_suffix",
    "nickname",
    "department",
    "address_label",
    # JSON, so that an export imports back with nothing lost (``import csv`` reads them)
    "email_labels",
    "phone_labels",
    "phone_exts",
    "addresses",
    "card_extra",
    "photo",
    "uid",
    # the bodies of the contact's notes, oldest first (a JSON list)
    "notes",
]
COMPANY_HEADER = [
    "id",
    "name",
    "domain",
    "industry",
    "size",
    "street",
    "city",
    "region",
    "postcode",
    "country",
    "tags",
    "owner",
    "created_at",
    "updated_at",
]
DEAL_HEADER = [
    "id",
    "title",
    "value",
    "currency",
    "pipeline",
    "stage",
    "probability",
    "status",
    "contact",
    "contact_email",
    "company",
    "close_date",
    "owner",
    "lost_reason",
    "created_at",
    "updated_at",
]
FOLLOWUP_HEADER = [
    "id",
    "title",
    "due",
    "all_day",
    "done_at",
    "snoozed_until",
    "every",
    "rrule",
    "until",
    "contact",
    "contact_id",
    "deal_id",
    "owner",
]


def iter_contacts(ctx: Context) -> Iterator[Contact]:
    """Every contact, by id, loaded a page at a time."""
    last = 0
    while True:
        ids = [
            int(r["id"])
            for r in ctx.db.all("SELECT id FROM contact WHERE id > ? ORDER BY id LIMIT ?", (last, PAGE))
        ]
        if not ids:
            return
        yield from contacts.load(ctx, ids)
        last = ids[-1]


def csv_rows(ctx: Context, kind: str) -> tuple[list[str], Iterator[dict[str, Any]]]:
    """(header, rows) of a CSV export of ``kind`` (contacts, companies, deals, followups)."""
    if kind not in EXPORT_TYPES:
        raise InvalidInput(f"invalid type {kind!r} (choose from {', '.join(EXPORT_TYPES)})")
    tz = ctx.clock.tz
    if kind == "contacts":
        extra = [str(r["key"]) for r in ctx.db.all("SELECT DISTINCT key FROM contact_field ORDER BY key")]
        header = CONTACT_HEADER + [f"field:{k}" for k in extra]

        def contact_rows() -> Iterator[dict[str, Any]]:
            for page in _pages(iter_contacts(ctx)):
                notes = notes_of(ctx, [c.id for c in page])
                yield from (contact_row(c, notes.get(c.id, [])) for c in page)

        def contact_row(c: Contact, notes: list[str]) -> dict[str, Any]:
            row: dict[str, Any] = {
                "id": c.id,
                "name": c.name,
                "given_name": c.given_name,
                "family_name": c.family_name,
                "emails": MULTI_SEPARATOR.join(c.emails),
                "phones": MULTI_SEPARATOR.join(c.phones),
                "company": c.company,
                "title": c.title,
                "tags": ", ".join(c.tags),
                "status": c.status,
                "source": c.source,
                "owner": c.owner,
                "street": c.address.street,
                "city": c.address.city,
                "region": c.address.region,
                "postcode": c.address.postcode,
                "country": c.address.country,
                "created_at": c.created_at.astimezone(tz).isoformat(),
                "updated_at": c.updated_at.astimezone(tz).isoformat(),
                "name_prefix": c.name_prefix,
                "middle_name": c.middle_name,
                "name_suffix": c.name_suffix,
                "nickname": c.nickname,
                "department": c.department,
                "address_label": c.address.label,
                "email_labels": _json(c.email_labels),
                "phone_labels": _json(c.phone_labels),
                "phone_exts": _json(c.phone_exts),
                "addresses": _json(
                    [
                        {
                            k: getattr(a, k)
                            for k in ("label", "street", "city", "region", "postcode", "country")
                        }
                        for a in c.more_addresses
                    ]
                ),
                "card_extra": _json(list(c.card_extra)),
                "photo": c.photo,
                "uid": c.uid,
                "notes": _json(notes),
            }
            row.update({f"field:{k}": v for k, v in c.fields.items()})
            return row

        return header, contact_rows()
    if kind == "companies":
        return COMPANY_HEADER, _company_rows(ctx)
    if kind == "deals":
        return DEAL_HEADER, _deal_rows(ctx)
    return FOLLOWUP_HEADER, _followup_rows(ctx)


def _json(value: dict[str, str] | list[Any]) -> str | None:
    """A JSON cell (empty when there is nothing to say)."""
    import json

    return json.dumps(value, ensure_ascii=False) if value else None


def _paged(ctx: Context, sql: str) -> Iterator[Any]:
    """Rows of ``sql`` (which selects ``x.id`` and has a ``{after}`` placeholder) by id pages."""
    last = 0
    while True:
        rows = ctx.db.all(sql.format(after="?") + " LIMIT ?", (last, PAGE))
        if not rows:
            return
        yield from rows
        last = int(rows[-1]["id"])


def _company_rows(ctx: Context) -> Iterator[dict[str, Any]]:
    from minicrm.services.kernel.tags import tags_of

    tz = ctx.clock.tz
    for r in _paged(ctx, "SELECT * FROM company WHERE id > {after} ORDER BY id"):
        row = {k: r[k] for k in COMPANY_HEADER if k not in ("tags",)}
        row["tags"] = ", ".join(tags_of(ctx.db, "company", [int(r["id"])]).get(int(r["id"]), ()))
        row["created_at"], row["updated_at"] = iso_local(r["created_at"], tz), iso_local(r["updated_at"], tz)
        yield row


def _deal_rows(ctx: Context) -> Iterator[dict[str, Any]]:
    tz = ctx.clock.tz
    sql = (
        "SELECT d.*, c.name AS contact_name, co.name AS company_name, "
        "(SELECT e.email FROM contact_email e WHERE e.contact_id = d.contact_id "
        "ORDER BY e.position, e.id LIMIT 1) "
        "AS contact_email FROM deal d LEFT JOIN contact c ON c.id = d.contact_id "
        "LEFT JOIN company co ON co.id = d.company_id WHERE d.id > {after} ORDER BY d.id"
    )
    for r in _paged(ctx, sql):
        yield {
            "id": r["id"],
            "title": r["title"],
            "value": plain_amount(r["value_minor"], r["currency"]),
            "currency": r["currency"],
            "pipeline": r["pipeline"],
            "stage": r["stage"],
            "probability": r["probability"],
            "status": r["status"],
            "contact": r["contact_name"],
            "contact_email": r["contact_email"],
            "company": r["company_name"],
            "close_date": r["close_date"],
            "owner": r["owner"],
            "lost_reason": r["lost_reason"],
            "created_at": iso_local(r["created_at"], tz),
            "updated_at": iso_local(r["updated_at"], tz),
        }


def _followup_rows(ctx: Context) -> Iterator[dict[str, Any]]:
    tz = ctx.clock.tz
    sql = (
        "SELECT f.*, c.name AS contact_name FROM followup f LEFT JOIN contact c ON c.id = f.contact_id "
        "WHERE f.id > {after} ORDER BY f.id"
    )
    for r in _paged(ctx, sql):
        due = from_db(r["due_at"])
        assert due is not None
        yield {
            "id": r["id"],
            "title": r["title"],
            "due": due.astimezone(tz).date().isoformat() if r["all_day"] else iso_local(r["due_at"], tz),
            "all_day": "yes" if r["all_day"] else "no",
            "done_at": iso_local(r["done_at"], tz),
            "snoozed_until": iso_local(r["snoozed_until"], tz),
            "every": r["every"],
            "rrule": r["rrule"],
            "until": iso_local(r["until"], tz),
            "contact": r["contact_name"],
            "contact_id": r["contact_id"],
            "deal_id": r["deal_id"],
            "owner": r["owner"],
        }


def export_count(ctx: Context, kind: str) -> int:
    """How many records a CSV export of ``kind`` (or a vCard export: contacts) writes: the
    total of its progress bar."""
    table = {"contacts": "contact", "companies": "company", "deals": "deal", "followups": "followup"}[kind]
    return int(ctx.db.scalar(f"SELECT count(*) FROM {table}") or 0)


# -- vCard ---------------------------------------------------------------------------------
def contact_record(c: Contact, notes: list[str] | None = None) -> ContactRecord:
    """A stored contact as the exchange record the vCard writer takes (``notes``: the bodies
    of its notes, oldest first, written as NOTE properties)."""
    fields = dict(c.fields)
    more = sorted((k for k in fields if _MORE_URL.fullmatch(k)), key=lambda k: int(k.rsplit("_", 1)[1]))
    urls = [fields.pop(k) for k in more]
    notes = [n for n in (notes or []) if n.strip()]
    return ContactRecord(
        name=c.name,
        given_name=c.given_name,
        family_name=c.family_name,
        emails=list(c.emails),
        phones=list(c.phones),
        company=c.company,
        title=c.title,
        notes=notes[0] if notes else None,
        more_notes=notes[1:],
        street=c.address.street,
        city=c.address.city,
        region=c.address.region,
        postcode=c.address.postcode,
        country=c.address.country,
        address_label=c.address.label,
        addresses=[
            {
                "label": a.label,
                "street": a.street,
                "city": a.city,
                "region": a.region,
                "postcode": a.postcode,
                "country": a.country,
            }
            for a in c.more_addresses
        ],
        tags=list(c.tags),
        uid=uid_of(c),
        website=fields.pop("website", None),
        urls=urls,
        birthday=fields.pop("birthday", None),
        anniversary=fields.pop("anniversary", None),
        fields=fields,
        nickname=c.nickname,
        name_prefix=c.name_prefix,
        middle_name=c.middle_name,
        name_suffix=c.name_suffix,
        department=c.department,
        email_labels=dict(c.email_labels),
        phone_labels=dict(c.phone_labels),
        phone_exts=dict(c.phone_exts),
        photo=c.photo,
        extra=list(c.card_extra),
    )


#: the custom fields that hold a contact's second and later URLs (``website`` is the first)
_MORE_URL = re.compile(r"website_\d+")


def uid_of(c: Contact) -> str:
    row_uid = getattr(c, "uid", None)
    return str(row_uid) if row_uid else f"minicrm-contact-{c.id}"


def notes_of(ctx: Context, ids: list[int]) -> dict[int, list[str]]:
    """The bodies of these contacts' notes, oldest first."""
    found: dict[int, list[str]] = {}
    if not ids:
        return found
    marks = ",".join("?" * len(ids))
    for r in ctx.db.all(
        f"SELECT contact_id, body FROM interaction WHERE kind = 'note' AND contact_id IN ({marks}) "
        "ORDER BY contact_id, at, id",
        ids,
    ):
        found.setdefault(int(r["contact_id"]), []).append(str(r["body"]))
    return found


def vcard_files(ctx: Context, segment: str | None = None) -> Iterator[tuple[str, str]]:
    """(file name, vCard 4.0 text) per contact (of ``segment`` when given); files are named by
    the contact's UID (``vdir.card_file_name``), one file per contact even when two share a UID."""
    from minicrm.exchange.vcard import write_vcard
    from minicrm.exchange.vdir import card_file_name

    uids = {int(r["id"]): r["uid"] for r in ctx.db.all("SELECT id, uid FROM contact")}
    if segment is not None:
        from minicrm.services.customer import segments

        chosen: Iterable[Contact] = segments.members(ctx, segment)
    else:
        chosen = iter_contacts(ctx)
    used: set[str] = set()
    for page in _pages(chosen):
        notes = notes_of(ctx, [c.id for c in page])
        for c in page:
            rec = contact_record(c, notes.get(c.id))
            rec.uid = uids.get(c.id) or rec.uid
            name = card_file_name(str(rec.uid))
            if name.casefold() in used:  # a UID that another contact has too
                name = card_file_name(f"{rec.uid}-{c.id}")
            used.add(name.casefold())
            yield name, write_vcard(rec)


def _pages(items: Iterable[Contact]) -> Iterator[list[Contact]]:
    page: list[Contact] = []
    for item in items:
        page.append(item)
        if len(page) == PAGE:
            yield page
            page = []
    if page:
        yield page
