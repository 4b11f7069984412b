"""Saved segments: named contact filters, stored as a query and evaluated when used.

A segment never holds contacts: ``contact list --segment vip-lisbon`` runs its filters against
today's data. The filters are stored as a JSON object with a ``version`` key::

    {"version": 1, "tags": ["vip"], "company": "Lima Lda", "stale": "30d", "fields": [["city", "Lisboa"]]}

Keys: tags, company, status, owner, search, stale (a duration as typed), fields ([key, value]
pairs), min_value (an amount in the default currency). Unknown keys or a newer version are an
error, never silently dropped.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from typing import Any

from minicrm.core.clock import from_db
from minicrm.core.dates import parse_duration
from minicrm.core.errors import Conflict, InvalidInput, NotFound
from minicrm.services.contacts import commands as contacts
from minicrm.services.contacts.commands import ContactQuery
from minicrm.services.dto import Contact, Segment
from minicrm.services.kernel.context import Context
from minicrm.services.kernel.unit_of_work import UnitOfWork
from minicrm.services.kernel.users import check_owner
from minicrm.services.kernel.validation import require_text
from minicrm.store.db import Row

FILTERS_VERSION = 1
_KEYS = ("tags", "company", "status", "owner", "search", "stale", "fields", "min_value")


# -- filters <-> queries ---------------------------------------------------------------------
def filters_of(q: ContactQuery, stale_text: str | None = None) -> dict[str, Any]:
    """The stored form of a query's filters (sort, limit and offset are not part of a segment)."""
    data: dict[str, Any] = {"version": FILTERS_VERSION}
    if q.tags:
        data["tags"] = list(q.tags)
    for key in ("company", "status", "owner", "search", "min_value"):
        value = getattr(q, key)
        if value is not None:
            data[key] = value
    if q.stale is not None:
        data["stale"] = stale_text or str(q.stale)
    if q.fields:
        data["fields"] = [[k, v] for k, v in q.fields]
    return data


def query_of(name: str, data: Any) -> ContactQuery:
    """The query a stored filter object describes; InvalidInput when it does not parse."""
    problem = f"segment {name!r} has filters that do not parse"
    if not isinstance(data, dict):
        raise InvalidInput(f"{problem}: not a JSON object")
    version = data.get("version")
    if not isinstance(version, int):
        raise InvalidInput(f"{problem}: no version")
    if version > FILTERS_VERSION:
        raise InvalidInput(f"segment {name!r} was saved by a newer minicrm (filters version {version})")
    unknown = sorted(set(data) - {"version", *_KEYS})
    if unknown:
        raise InvalidInput(f"{problem}: unknown filter {unknown[0]!r}")
    try:
        tags = tuple(str(t) for t in data.get("tags", []))
        fields = tuple((str(k), str(v)) for k, v in data.get("fields", []))
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{problem}: {exc}") from None

    def text(key: str) -> str | None:
        return None if data.get(key) is None else str(data[key])

    stale = parse_duration(str(data["stale"])) if data.get("stale") is not None else None
    return ContactQuery(
        tags=tags,
        company=text("company"),
        status=text("status"),
        owner=text("owner"),
        search=text("search"),
        stale=stale,
        fields=fields,
        min_value=text("min_value"),
    )


def merge(base: ContactQuery, extra: ContactQuery) -> ContactQuery:
    """A segment's query narrowed by more filters: tags and fields add up, the others override;
    sorting and paging come from ``extra``."""
    return replace(
        extra,
        tags=(*base.tags, *extra.tags),
        fields=(*base.fields, *extra.fields),
        company=extra.company or base.company,
        status=extra.status or base.status,
        owner=extra.owner or base.owner,
        search=extra.search if extra.search is not None else base.search,
        stale=extra.stale or base.stale,
        min_value=extra.min_value if extra.min_value is not None else base.min_value,
    )


# -- reading ---------------------------------------------------------------------------------
def _row(ctx: Context, name: str) -> Row:
    db = ctx.db
    row = db.one("SELECT * FROM segment WHERE name = ?", (name.strip(),))
    if row is None:
        row = db.one("SELECT * FROM segment WHERE lower(name) = ?", (name.strip().lower(),))
    if row is None:
        raise NotFound(f"no segment named {name!r} (see: minicrm segment list)")
    return row


def _to_dto(row: Row, count: int | None = None) -> Segment:
    try:
        filters = json.loads(row["filters"])
    except ValueError:
        filters = {"unreadable": row["filters"]}
    return Segment(
        id=int(row["id"]),
        name=row["name"],
        filters=filters if isinstance(filters, dict) else {"unreadable": filters},
        created_at=from_db(row["created_at"]) or _never(),
        updated_at=from_db(row["updated_at"]) or _never(),
        count=count,
    )


def _never() -> datetime:
    raise InvalidInput("a segment row has no timestamp")


def query(ctx: Context, name: str) -> ContactQuery:
    """The query of a saved segment (NotFound / InvalidInput as one-line errors)."""
    row = _row(ctx, name)
    try:
        data = json.loads(row["filters"])
    except ValueError:
        raise InvalidInput(f"segment {row['name']!r} has filters that do not parse: not JSON") from None
    return query_of(row["name"], data)


def members(ctx: Context, name: str, extra: ContactQuery | None = None) -> list[Contact]:
    """The contacts in a segment right now (optionally narrowed, sorted and paged by ``extra``)."""
    base = query(ctx, name)
    return contacts.list_contacts(ctx, merge(base, extra) if extra else base)


def get(ctx: Context, name: str) -> Segment:
    """A segment with its current number of contacts."""
    row = _row(ctx, name)
    return _to_dto(row, contacts.count(ctx, query(ctx, row["name"])))


def list_segments(ctx: Context) -> list[Segment]:
    """Every segment by name, with its current count (None when its filters no longer work)."""
    found = []
    with ctx.db.snapshot() as db:
        for row in db.all("SELECT * FROM segment ORDER BY name"):
            try:
                count: int | None = contacts.count(ctx, query(ctx, row["name"]))
            except (InvalidInput, NotFound):
                count = None
            found.append(_to_dto(row, count))
    return found


# -- writing ---------------------------------------------------------------------------------
def save(ctx: Context, name: str, q: ContactQuery, *, stale_text: str | None = None) -> tuple[Segment, bool]:
    """Create or replace a segment; returns it and whether it was new. The filters are checked
    by running the query once, so a segment that cannot work is never stored."""
    label = require_text(name, "segment name")
    if "\x00" in label or "\n" in label:
        raise InvalidInput("a segment name is one line of text")
    data = filters_of(q, stale_text)
    query_of(label, data)
    check_owner(ctx, q.owner)  # a typo would be a segment nobody is ever in
    contacts.count(ctx, q)  # unknown company, bad status or amount: the error, now
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    with UnitOfWork(ctx, f"segment save {label}") as uow:
        db = uow.db
        existing = db.one("SELECT * FROM segment WHERE name = ?", (label,))
        if existing is None:
            new_id = db.insert(
                "INSERT INTO segment (name, filters, created_at, updated_at) VALUES (?, ?, ?, ?)",
                (label, text, uow.now, uow.now),
            )
            uow.record("segment", new_id, "create", None, _snapshot(uow.ctx, new_id))
            created = True
        else:
            new_id = int(existing["id"])
            db.execute("UPDATE segment SET filters = ?, updated_at = ? WHERE id = ?", (text, uow.now, new_id))
            uow.record("segment", new_id, "update", dict(existing), _snapshot(uow.ctx, new_id))
            created = False
    return get(ctx, label), created


def remove(ctx: Context, name: str) -> Segment:
    row = _row(ctx, name)
    gone = _to_dto(row)
    with UnitOfWork(ctx, f"segment rm {row['name']}") as uow:
        if uow.db.execute("DELETE FROM segment WHERE id = ?", (row["id"],)).rowcount != 1:
            raise Conflict(f"segment {row['name']!r} was removed meanwhile")
        uow.record("segment", int(row["id"]), "delete", dict(row), None)
    return gone


def _snapshot(ctx: Context, segment_id: int) -> dict[str, Any] | None:
    db = ctx.db
    row = db.one("SELECT * FROM segment WHERE id = ?", (segment_id,))
    return dict(row) if row else None


def describe(filters: dict[str, Any]) -> str:
    """The filters as the ``contact list`` options that express them."""
    parts = []
    for tag in filters.get("tags", []):
        parts.append(f"--tag {tag}")
    for key in ("company", "status", "owner", "search", "stale"):
        if filters.get(key) is not None:
            parts.append(f"--{key} {_quote(str(filters[key]))}")
    for key, value in filters.get("fields", []):
        parts.append(f"--field {_quote(f'{key}={value}')}")
    if filters.get("min_value") is not None:
        parts.append(f"--min-value {filters['min_value']}")
    return " ".join(parts) or "(all contacts)"


def _quote(text: str) -> str:
    import shlex

    return shlex.quote(text)
