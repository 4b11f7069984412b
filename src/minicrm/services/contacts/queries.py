"""Reading contacts: ``contact list`` filters, loading by id or reference, and the contact detail
that ``contact show`` and the TUI's contact pane both show.

The read side of ``minicrm.services.contacts.commands``, kept apart so that the read commands do not load
the write machinery (unit of work, hooks, the search indexer); ``contacts`` re-exports all of it.
"""

from __future__ import annotations

from dataclasses import dataclass

from minicrm.core.clock import from_db, to_db
from minicrm.core.errors import InvalidInput, NotFound
from minicrm.services.dto.common import CONTACT_STATUSES, Address
from minicrm.services.dto.contacts import Contact
from minicrm.services.kernel.refs import resolve_company, resolve_contact
from minicrm.services.kernel.tags import stored_tag, tags_of
from minicrm.services.kernel.validation import check_choice, check_field_key, normalize_tags
from minicrm.store import db as db_layer

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from typing import Any

    from minicrm.core.dates import Duration
    from minicrm.services.kernel.context import Context
    from minicrm.store.db import Row

SORTS = {
    "name": "c.sort_name",  # the name as people sort it (store.records.search_index.sort_key)
    "created": "c.created_at",
    "updated": "c.updated_at",
    "last-interaction": "c.last_interaction_at",
    "status": "c.status",
    "id": "c.id",
    "value": "",  # lifetime value in the default currency: see list_contacts
}


@dataclass(frozen=True, slots=True)
class ContactQuery:
    """The filters of ``contact list`` (and of segments and bulk edits)."""

    tags: tuple[str, ...] = ()
    company: str | None = None
    status: str | None = None
    owner: str | None = None
    search: str | None = None
    stale: Duration | None = None
    sort: str = "name"
    descending: bool = False
    limit: int | None = None
    offset: int = 0
    #: custom fields that must match, (key, value) pairs; the value compares case-insensitively
    fields: tuple[tuple[str, str], ...] = ()
    #: lifetime value (won deals) at least this amount, in the config's default currency
    min_value: str | None = None


def get(ctx: Context, contact_id: int) -> Contact:
    found = load(ctx, [contact_id])
    if not found:
        raise NotFound(f"no contact with id {contact_id}")
    return found[0]


def find(ctx: Context, ref: str) -> Contact:
    return get(ctx, resolve_contact(ctx, ref))


def contact_id(ctx: Context, ref: str) -> int:
    """The id of the contact ``ref`` names (an id, an email or a name; see ``refs``)."""
    return resolve_contact(ctx, ref)


def get_many(ctx: Context, ids: list[int]) -> list[Contact]:
    """Contacts by id, in the order given (ids that no longer exist are left out)."""
    return load(ctx, ids)


def load(ctx: Context, ids: list[int]) -> list[Contact]:
    """Contacts by id, in the order given, with emails, phones, tags and fields (5 queries per
    ``ID_BATCH`` ids, see ``minicrm.store.db``: SQLite takes at most 32,766 parameters in one statement)."""
    db = ctx.db
    if not ids:
        return []
    if len(ids) > db_layer.ID_BATCH:
        return [c for batch in db_layer.id_batches(ids) for c in load(ctx, batch)]
    marks = ",".join("?" * len(ids))
    rows = {
        int(r["id"]): r
        for r in db.all(
            "SELECT c.*, co.name AS company_name FROM contact c LEFT JOIN company co ON co.id = "
            "c.company_id "
            f"WHERE c.id IN ({marks})",
            ids,
        )
    }
    emails: dict[int, list[str]] = {}
    email_labels: dict[int, dict[str, str]] = {}
    for r in db.all(
        f"SELECT contact_id, email, label FROM contact_email WHERE contact_id IN ({marks}) ORDER BY "
        "contact_id, position, id",
        ids,
    ):
        emails.setdefault(int(r["contact_id"]), []).append(r["email"])
        if r["label"]:
            email_labels.setdefault(int(r["contact_id"]), {})[r["email"]] = r["label"]
    phones: dict[int, list[str]] = {}
    phone_labels: dict[int, dict[str, str]] = {}
    phone_exts: dict[int, dict[str, str]] = {}
    for r in db.all(
        f"SELECT contact_id, phone, label, ext FROM contact_phone WHERE contact_id IN ({marks}) ORDER BY "
        "contact_id, position, id",
        ids,
    ):
        phones.setdefault(int(r["contact_id"]), []).append(r["phone"])
        if r["label"]:
            phone_labels.setdefault(int(r["contact_id"]), {})[r["phone"]] = r["label"]
        if r["ext"]:
            phone_exts.setdefault(int(r["contact_id"]), {})[r["phone"]] = r["ext"]
    fields: dict[int, dict[str, str]] = {}
    for r in db.all(
        f"SELECT contact_id, key, value FROM contact_field WHERE contact_id IN ({marks}) ORDER BY key", ids
    ):
        fields.setdefault(int(r["contact_id"]), {})[r["key"]] = r["value"]
    addresses: dict[int, list[Address]] = {}
    for r in db.all(
        f"SELECT * FROM contact_address WHERE contact_id IN ({marks}) ORDER BY contact_id, position, id", ids
    ):
        addresses.setdefault(int(r["contact_id"]), []).append(
            Address(r["street"], r["city"], r["region"], r["postcode"], r["country"], r["label"])
        )
    tags = tags_of(db, "contact", ids)
    return [
        _to_dto(
            rows[i],
            tuple(emails.get(i, ())),
            tuple(phones.get(i, ())),
            tags.get(i, ()),
            fields.get(i, {}),
            Labels(email_labels.get(i, {}), phone_labels.get(i, {}), phone_exts.get(i, {})),
            tuple(addresses.get(i, ())),
        )
        for i in ids
        if i in rows
    ]


@dataclass(frozen=True, slots=True)
class Labels:
    """A contact's email labels, phone labels and phone extensions, by address and number."""

    emails: dict[str, str]
    phones: dict[str, str]
    exts: dict[str, str]


def _card_extra(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    import json  # only for contacts that came from a vCard with properties of its own

    return tuple(json.loads(text))


def _to_dto(
    r: Row,
    emails: tuple[str, ...],
    phones: tuple[str, ...],
    tags: tuple[str, ...],
    fields: dict[str, str],
    labels: Labels,
    more_addresses: tuple[Address, ...],
) -> Contact:
    return Contact(
        id=int(r["id"]),
        name=r["name"],
        emails=emails,
        phones=phones,
        company=r["company_name"],
        company_id=r["company_id"],
        title=r["title"],
        tags=tags,
        status=r["status"],
        source=r["source"],
        owner=r["owner"],
        cadence_days=r["cadence_days"],
        last_interaction_at=from_db(r["last_interaction_at"]),
        created_at=from_db(r["created_at"]),  # type: ignore[arg-type]
        updated_at=from_db(r["updated_at"]),  # type: ignore[arg-type]
        fields=fields,
        given_name=r["given_name"],
        family_name=r["family_name"],
        address=Address(r["street"], r["city"], r["region"], r["postcode"], r["country"], r["address_label"]),
        do_not_contact=bool(r["do_not_contact"]),
        preferred_channel=r["preferred_channel"],
        version=int(r["version"]),
        nickname=r["nickname"],
        name_prefix=r["name_prefix"],
        middle_name=r["middle_name"],
        name_suffix=r["name_suffix"],
        department=r["department"],
        more_addresses=more_addresses,
        email_labels=labels.emails,
        phone_labels=labels.phones,
        phone_exts=labels.exts,
        photo=r["photo"],
        card_extra=_card_extra(r["card_extra"]),
        uid=r["uid"],
    )


def query_sql(ctx: Context, q: ContactQuery) -> tuple[str, list[Any]]:
    """``SELECT c.id FROM contact c WHERE …`` for the filters (no ORDER BY / LIMIT)."""
    where: list[str] = []
    params: list[Any] = []
    for tag in normalize_tags(q.tags):
        where.append(
            "c.id IN (SELECT ct.contact_id FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id WHERE t.name "
            "= ?)"
        )
        params.append(stored_tag(ctx.db, tag))
    if q.company:
        where.append("c.company_id = ?")
        params.append(resolve_company(ctx, q.company))
    if q.status:
        where.append("c.status = ?")
        params.append(check_choice(q.status, CONTACT_STATUSES, "status"))
    if q.owner:
        where.append("c.owner = ?")
        params.append(q.owner)
    if q.search is not None:
        from minicrm.services import search as search_index

        sub, sub_params = search_index.match_sql(ctx, q.search, "contact")
        where.append(f"c.id IN ({sub})")
        params.extend(sub_params)
    if q.stale is not None:
        cutoff = to_db(q.stale.subtract_from(ctx.clock.now()))
        where.append("(c.last_interaction_at IS NULL OR c.last_interaction_at < ?)")
        params.append(cutoff)
    for key, value in q.fields:
        where.append(
            "c.id IN (SELECT cf.contact_id FROM contact_field cf WHERE cf.key = ? AND lower(cf.value) = ?)"
        )
        params += [check_field_key(key), value.lower()]
    if q.min_value is not None:
        from minicrm.core.money import parse_lenient_amount
        from minicrm.store.records.deals import WON_TOTALS_SQL

        amount = parse_lenient_amount(q.min_value, ctx.config.currency)
        if amount > 0:  # a contact without purchases has a lifetime value of 0
            where.append(f"c.id IN (SELECT w.contact_id FROM {WON_TOTALS_SQL} w WHERE w.total >= ?)")
            params += [ctx.config.currency, amount]
    sql = "SELECT c.id FROM contact c" + (" WHERE " + " AND ".join(where) if where else "")
    return sql, params


def list_contacts(ctx: Context, q: ContactQuery = ContactQuery()) -> list[Contact]:
    if q.sort not in SORTS:
        raise InvalidInput(f"invalid sort {q.sort!r} (choose from {', '.join(SORTS)})")
    sql, params = query_sql(ctx, q)
    direction = "DESC" if q.descending else "ASC"
    if q.sort == "value":
        from minicrm.store.records.deals import WON_TOTALS_SQL

        sql = (
            f"SELECT m.id FROM ({sql}) m LEFT JOIN {WON_TOTALS_SQL} w ON w.contact_id = m.id "
            f"ORDER BY COALESCE(w.total, 0) {direction}, m.id {direction}"
        )
        params.append(ctx.config.currency)
    else:
        sql += f" ORDER BY {SORTS[q.sort]} {direction}, c.id {direction}"
    if q.limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params += [q.limit, q.offset]
    with ctx.db.snapshot() as db:
        ids = [int(r["id"]) for r in db.all(sql, params)]
        return load(ctx, ids)


def count(ctx: Context, q: ContactQuery = ContactQuery()) -> int:
    sql, params = query_sql(ctx, q)
    return int(ctx.db.scalar(f"SELECT count(*) FROM ({sql}) AS matched", params))


def matching_ids(ctx: Context, q: ContactQuery) -> list[int]:
    """The ids of every contact the filters select, ascending (what a bulk edit changes; the
    sort and the page of ``q`` do not apply)."""
    sql, params = query_sql(ctx, q)
    return [int(r["id"]) for r in ctx.db.all(sql + " ORDER BY c.id", params)]
