"""Contacts: add, read, list, edit, remove. Every write is one unit of work with its
change-log entries, and keeps the search index current in the same transaction."""

from __future__ import annotations

from minicrm.core.errors import Conflict, InvalidInput, NotFound

# the read side, re-exported: ``contacts.list_contacts`` and friends stay where callers expect them
from minicrm.services.contacts.queries import SORTS as SORTS
from minicrm.services.contacts.queries import ContactQuery as ContactQuery
from minicrm.services.contacts.queries import count as count
from minicrm.services.contacts.queries import find as find
from minicrm.services.contacts.queries import get as get
from minicrm.services.contacts.queries import list_contacts as list_contacts
from minicrm.services.contacts.queries import load as load
from minicrm.services.contacts.queries import query_sql as query_sql
from minicrm.services.dto import (
    CHANNELS,
    CONTACT_STATUSES,
    UNSET,
    Contact,
)
from minicrm.services.history.versions import check_version, written
from minicrm.services.kernel.refs import find_company_exact, resolve_company, resolve_contact
from minicrm.services.kernel.unit_of_work import UnitOfWork
from minicrm.services.kernel.users import check_owner
from minicrm.services.kernel.validation import (
    check_choice,
    check_fields,
    normalize_email,
    normalize_phone,
    normalize_tags,
    optional_text,
    require_text,
    split_extension,
    unique_ci,
    unique_tags,
    without_tags,
)
from minicrm.store.records.base import unlinked_rows
from minicrm.store.records.contacts import COLUMNS as _COLUMNS
from minicrm.store.records.contacts import snapshot as snapshot

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from typing import Any

    from minicrm.services.dto import ContactCreate, ContactPatch
    from minicrm.services.kernel.context import Context

CLEARABLE = (
    "title",
    "company",
    "source",
    "owner",
    "cadence",
    "given_name",
    "family_name",
    "street",
    "city",
    "region",
    "postcode",
    "country",
    "preferred_channel",
    "nickname",
    "name_prefix",
    "middle_name",
    "name_suffix",
    "department",
    "emails",
    "phones",
    "tags",
    "fields",
)


# -- writing ---------------------------------------------------------------------------------
def add(ctx: Context, data: ContactCreate, *, allow_duplicate: bool = False) -> Contact:
    import uuid  # here, not at the top: it costs the read commands ~7 ms at start-up

    name = require_text(data.name, "name")
    emails = unique_ci(normalize_email(e) for e in data.emails)
    exts: dict[str, list[str | None]] = {}
    phones = tuple(dict.fromkeys(_phone(p, ctx.config.region, exts) for p in data.phones))
    tags = normalize_tags(data.tags)
    status = check_choice(data.status, CONTACT_STATUSES, "status")
    channel = (
        check_choice(data.preferred_channel, CHANNELS, "preferred channel")
        if data.preferred_channel
        else None
    )
    fields = check_fields(data.fields)
    if data.cadence_days is not None and data.cadence_days <= 0:
        raise InvalidInput("the keep-in-touch cadence must be positive")
    with UnitOfWork(ctx, f"contact add {name}") as uow:
        if not allow_duplicate:
            _refuse_duplicate_emails(ctx, emails, None)
        else:  # an address belongs to one contact: the new one keeps the others' in a field
            taken = [e for e in emails if _owner_of(ctx, e) is not None]
            if taken:
                emails = tuple(e for e in emails if e not in taken)
                fields["shared_email"] = ", ".join(filter(None, [fields.get("shared_email"), *taken]))
        company_id = _company_for(uow, data.company)
        values = {
            "name": name,
            "given_name": optional_text(data.given_name),
            "family_name": optional_text(data.family_name),
            "title": optional_text(data.title),
            "company_id": company_id,
            "street": optional_text(data.address.street),
            "city": optional_text(data.address.city),
            "region": optional_text(data.address.region),
            "postcode": optional_text(data.address.postcode),
            "country": optional_text(data.address.country),
            "status": status,
            "source": optional_text(data.source),
            "owner": check_owner(uow.ctx, data.owner) or ctx.user,
            "do_not_contact": bool(data.do_not_contact),
            "preferred_channel": channel,
            "cadence_days": data.cadence_days,
            "last_interaction_at": None,
            "created_at": uow.now,
            "updated_at": uow.now,
            "version": 1,
            "uid": str(uuid.uuid4()),
            **{k: optional_text(getattr(data, k)) for k in _NAME_PARTS},
        }
        contact_id = uow.contacts.insert(
            values, emails=emails, phones=phones, tags=tags, fields=fields, phone_labels=exts
        )
        uow.record("contact", contact_id, "create", None, uow.contacts.snapshot(contact_id))
    return get(ctx, contact_id)


def edit(ctx: Context, ref: str | int, patch: ContactPatch) -> Contact:
    with UnitOfWork(ctx, f"contact edit {ref}") as uow:
        contact_id = _edit_one(uow, ref, patch)
    return get(ctx, contact_id)


def _edit_one(uow: UnitOfWork, ref: str | int, patch: ContactPatch) -> int:
    ctx, _db = uow.ctx, uow.db
    contact_id = ref if isinstance(ref, int) else resolve_contact(uow.ctx, ref)
    before = uow.contacts.snapshot(contact_id)
    if before is None:
        raise NotFound(f"no contact with id {contact_id}")
    check_version(uow, "contact", contact_id, before["version"], patch.expected_version)
    row: dict[str, Any] = {k: before[k] for k in _COLUMNS}
    emails, phones = list(before["emails"]), list(before["phones"])
    tags, fields = list(before["tags"]), dict(before["fields"])
    for name in patch.clear:
        _clear(name, row, emails, phones, tags, fields)

    def put(column: str, value: Any) -> None:
        if value is not UNSET:
            row[column] = value

    if patch.name is not UNSET:
        row["name"] = require_text(patch.name, "name")
    for column in (
        "title",
        "source",
        "given_name",
        "family_name",
        "street",
        "city",
        "region",
        "postcode",
        "country",
        *_NAME_PARTS,
    ):
        value = getattr(patch, column)
        put(column, optional_text(value) if value is not UNSET else UNSET)
    if patch.status is not UNSET:
        row["status"] = check_choice(patch.status, CONTACT_STATUSES, "status")
    if patch.owner is not UNSET:
        row["owner"] = check_owner(uow.ctx, patch.owner)
    if patch.cadence_days is not UNSET:
        if patch.cadence_days is not None and patch.cadence_days <= 0:
            raise InvalidInput("the keep-in-touch cadence must be positive")
        row["cadence_days"] = patch.cadence_days
    if patch.do_not_contact is not UNSET:
        row["do_not_contact"] = bool(patch.do_not_contact)
    if patch.preferred_channel is not UNSET:
        row["preferred_channel"] = (
            check_choice(patch.preferred_channel, CHANNELS, "preferred channel")
            if patch.preferred_channel
            else None
        )
    if patch.company is not UNSET:
        row["company_id"] = _company_for(uow, patch.company)
    if patch.emails is not UNSET:
        emails = [normalize_email(e) for e in patch.emails]
    emails = list(unique_ci([*emails, *(normalize_email(e) for e in patch.add_emails)]))
    exts = {p: list(v) for p, v in before["phone_labels"].items()}
    if patch.phones is not UNSET:
        phones = [_phone(p, ctx.config.region, exts) for p in patch.phones]
    phones = list(dict.fromkeys([*phones, *(_phone(p, ctx.config.region, exts) for p in patch.add_phones)]))
    if patch.tags is not UNSET:
        tags = list(normalize_tags(patch.tags))
    tags = without_tags(
        unique_tags([*tags, *normalize_tags(patch.add_tags)]), normalize_tags(patch.remove_tags)
    )
    fields.update(check_fields(patch.fields))
    new_emails = [e for e in emails if e.lower() not in {x.lower() for x in before["emails"]}]
    _refuse_duplicate_emails(uow.ctx, new_emails, contact_id)

    exts = {p: v for p, v in exts.items() if p in phones}
    after_shape = {**row, "emails": emails, "phones": phones, "tags": sorted(tags), "fields": fields}
    after_shape["phone_labels"] = exts
    compare = {k: before[k] for k in after_shape}
    compare["tags"] = sorted(compare["tags"])
    if after_shape == compare:
        return contact_id  # nothing changed: no write, no history entry
    row["updated_at"] = uow.now
    base = int(before["version"])
    new_version = uow.contacts.update(contact_id, row, base_version=base, reindex=False)
    row["version"] = written(uow, "contact", contact_id, new_version, base)
    uow.contacts.replace_children(
        contact_id, emails=emails, phones=phones, tags=tags, fields=fields, phone_labels=exts
    )
    uow.record("contact", contact_id, "update", before, uow.contacts.snapshot(contact_id))
    return contact_id


#: the name parts and the department: plain optional text columns
_NAME_PARTS = ("nickname", "name_prefix", "middle_name", "name_suffix", "department")


def _phone(text: str, region: str | None, details: dict[str, list[str | None]]) -> str:
    """A phone as stored; an extension (``ext. 102``, ``;ext=102``) goes into ``details``."""
    number, ext = split_extension(text)
    phone = normalize_phone(number, region)
    if ext:
        label = (details.get(phone) or [None])[0]
        details[phone] = [label, ext]
    return phone


def edit_many(ctx: Context, ids: list[int], patch: ContactPatch, summary: str) -> int:
    """Apply one patch to many contacts in one transaction (one undoable operation)."""
    with UnitOfWork(ctx, summary) as uow:
        for contact_id in ids:
            _edit_one(uow, contact_id, patch)
    return len(ids)


def _clear(
    name: str,
    row: dict[str, Any],
    emails: list[str],
    phones: list[str],
    tags: list[str],
    fields: dict[str, str],
) -> None:
    key = name.strip().lower().replace("-", "_")
    if key.startswith("field:"):
        fields.pop(name.split(":", 1)[1], None)
        return
    if key in ("company",):
        row["company_id"] = None
    elif key in ("cadence", "cadence_days", "every"):
        row["cadence_days"] = None
    elif key in ("emails", "email"):
        emails.clear()
    elif key in ("phones", "phone"):
        phones.clear()
    elif key == "tags":
        tags.clear()
    elif key == "fields":
        fields.clear()
    elif key in CLEARABLE:
        row[key] = None
    else:
        raise InvalidInput(f"cannot clear {name!r} (clearable: {', '.join(CLEARABLE)}, field:KEY)")


def remove(ctx: Context, ids: list[int]) -> list[Contact]:
    """Delete contacts with their emails, phones, notes and follow-ups; deals stay, unlinked."""
    victims = load(ctx, ids)
    missing = set(ids) - {c.id for c in victims}
    if missing:
        raise NotFound(f"no contact with id {min(missing)}")
    label = victims[0].name if len(victims) == 1 else f"{len(victims)} contacts"
    with UnitOfWork(ctx, f"contact rm {label}") as uow:
        db = uow.db
        for contact in victims:
            for child, table in (
                ("interaction", "interaction"),
                ("followup", "followup"),
                ("request", "service_request"),
            ):
                for r in db.all(f"SELECT * FROM {table} WHERE contact_id = ?", (contact.id,)):
                    uow.record(child, int(r["id"]), "delete", dict(r), None)
            before = uow.contacts.snapshot(contact.id)
            unlinked = unlinked_rows(db, "contact", contact.id)  # deals stay, unlinked: undo links them back
            if before is not None and unlinked:
                before["unlinked"] = unlinked
            uow.contacts.delete(contact.id)  # with its notes, follow-ups and requests (cascade)
            uow.record("contact", contact.id, "delete", before, None)
    return victims


# -- helpers ---------------------------------------------------------------------------------
def _owner_of(ctx: Context, email: str, own_id: int | None = None) -> Any:
    """The other contact (id, name) that has ``email``, if any."""
    db = ctx.db
    return db.one(
        "SELECT c.id, c.name FROM contact_email e JOIN contact c ON c.id = e.contact_id "
        "WHERE e.email_lower = ? AND c.id != ? LIMIT 1",
        (email.lower(), own_id or 0),
    )


def _refuse_duplicate_emails(ctx: Context, emails: list[str] | tuple[str, ...], own_id: int | None) -> None:
    for email in emails:
        row = _owner_of(ctx, email, own_id)
        if row is not None:
            raise Conflict(f"{email} already belongs to contact {row['id']} ({row['name']})")


def _company_for(uow: UnitOfWork, ref: str | None) -> int | None:
    """The company a contact links to: an existing one by reference, else a new one by name."""
    if ref is None or not ref.strip():
        return None
    text = ref.strip()
    if text.isdigit():
        return resolve_company(uow.ctx, text)
    existing = find_company_exact(uow.ctx, text)
    if existing is not None:
        return existing
    from minicrm.services.companies.commands import insert_company  # companies never import contacts

    return insert_company(uow, text)
