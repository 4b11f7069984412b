"""Companies (accounts): add, read, list, edit, remove."""

from __future__ import annotations

import re
from typing import Any

from minicrm.core.clock import from_db
from minicrm.core.errors import Conflict, InvalidInput, NotFound
from minicrm.services import search as search_index
from minicrm.services.dto import UNSET, Address, Company, CompanyCreate, CompanyPatch
from minicrm.services.history.versions import check_version, written
from minicrm.services.kernel.context import Context
from minicrm.services.kernel.refs import find_company_exact, resolve_company
from minicrm.services.kernel.tags import stored_tag, tags_of
from minicrm.services.kernel.unit_of_work import UnitOfWork
from minicrm.services.kernel.users import check_owner
from minicrm.services.kernel.validation import (
    check_fields,
    normalize_tags,
    optional_text,
    require_text,
    unique_tags,
    without_tags,
)
from minicrm.store import db as db_layer
from minicrm.store.records.base import unlinked_rows
from minicrm.store.records.companies import CHILDREN as COMPANY_CHILDREN
from minicrm.store.records.companies import COLUMNS as _COLUMNS
from minicrm.store.records.companies import DETAILS as COMPANY_DETAILS
from minicrm.store.records.companies import snapshot as snapshot

_DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
CLEARABLE = (*COMPANY_DETAILS, *COMPANY_CHILDREN)


def normalize_domain(value: str | None) -> str | None:
    text = optional_text(value)
    if text is None:
        return None
    text = re.sub(r"^https?://", "", text.lower()).split("/")[0].removeprefix("www.")
    if not _DOMAIN_RE.match(text):
        raise InvalidInput(f"invalid domain {value!r}")
    return text


def get(ctx: Context, company_id: int) -> Company:
    found = load(ctx, [company_id])
    if not found:
        raise NotFound(f"no company with id {company_id}")
    return found[0]


def find(ctx: Context, ref: str) -> Company:
    return get(ctx, resolve_company(ctx, ref))


def load(ctx: Context, ids: list[int]) -> list[Company]:
    """Companies by id, in the order given (queries per ``ID_BATCH`` ids)."""
    db = ctx.db
    if not ids:
        return []
    if len(ids) > db_layer.ID_BATCH:
        return [c for batch in db_layer.id_batches(ids) for c in load(ctx, batch)]
    marks = ",".join("?" * len(ids))
    rows = {
        int(row["id"]): row
        for row in db.all(
            f"SELECT co.*, (SELECT count(*) FROM contact c WHERE c.company_id = co.id) AS contacts_count "
            f"FROM company co WHERE co.id IN ({marks})",
            ids,
        )
    }
    fields: dict[int, dict[str, str]] = {}
    for field in db.all(
        f"SELECT company_id, key, value FROM company_field WHERE company_id IN ({marks}) ORDER BY key", ids
    ):
        fields.setdefault(int(field["company_id"]), {})[field["key"]] = field["value"]
    tags = tags_of(db, "company", ids)
    return [
        Company(
            id=i,
            name=r["name"],
            domain=r["domain"],
            industry=r["industry"],
            size=r["size"],
            tags=tags.get(i, ()),
            owner=r["owner"],
            contacts_count=int(r["contacts_count"]),
            created_at=from_db(r["created_at"]),  # type: ignore[arg-type]
            updated_at=from_db(r["updated_at"]),  # type: ignore[arg-type]
            fields=fields.get(i, {}),
            address=Address(r["street"], r["city"], r["region"], r["postcode"], r["country"]),
            version=int(r["version"]),
        )
        for i in ids
        if (r := rows.get(i)) is not None
    ]


def list_companies(
    ctx: Context,
    *,
    tags: tuple[str, ...] = (),
    search: str | None = None,
    owner: str | None = None,
    limit: int | None = None,
) -> list[Company]:
    where: list[str] = []
    params: list[Any] = []
    for tag in normalize_tags(tags):
        where.append(
            "co.id IN (SELECT l.company_id FROM company_tag l JOIN tag t ON t.id = l.tag_id WHERE t.name = ?)"
        )
        params.append(stored_tag(ctx.db, tag))
    if search is not None:
        sub, sub_params = search_index.match_sql(ctx, search, "company")
        where.append(f"co.id IN ({sub})")
        params.extend(sub_params)
    if owner:
        where.append("co.owner = ?")
        params.append(owner)
    sql = (
        "SELECT co.id FROM company co"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY co.sort_name, co.id"
    )
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    with ctx.db.snapshot() as db:
        return load(ctx, [int(r["id"]) for r in db.all(sql, params)])


def insert_company(uow: UnitOfWork, name: str, data: CompanyCreate | None = None) -> int:
    """Insert one company inside an open unit of work (used by ``add`` and by contact linking)."""
    data = data or CompanyCreate(name=name)
    values = {
        "name": require_text(name, "company name"),
        "domain": normalize_domain(data.domain),
        "industry": optional_text(data.industry),
        "size": optional_text(data.size),
        "street": optional_text(data.address.street),
        "city": optional_text(data.address.city),
        "region": optional_text(data.address.region),
        "postcode": optional_text(data.address.postcode),
        "country": optional_text(data.address.country),
        "owner": check_owner(uow.ctx, data.owner) or uow.ctx.user,
        "created_at": uow.now,
        "updated_at": uow.now,
        "version": 1,
    }
    company_id = uow.companies.insert(
        values,
        tags=normalize_tags(data.tags),
        fields=check_fields(data.fields),
    )
    uow.record("company", company_id, "create", None, uow.companies.snapshot(company_id))
    return company_id


def add(ctx: Context, data: CompanyCreate) -> Company:
    name = require_text(data.name, "company name")
    with UnitOfWork(ctx, f"company add {name}") as uow:
        existing = find_company_exact(uow.ctx, name)
        if existing is not None:
            raise Conflict(f"a company named {name!r} already exists (id {existing})")
        company_id = insert_company(uow, name, data)
    return get(ctx, company_id)


def edit(ctx: Context, ref: str, patch: CompanyPatch) -> Company:
    with UnitOfWork(ctx, f"company edit {ref}") as uow:
        company_id = resolve_company(uow.ctx, ref)
        before = uow.companies.snapshot(company_id)
        assert before is not None
        check_version(uow, "company", company_id, before["version"], patch.expected_version)
        row = {k: before[k] for k in _COLUMNS}
        tags, fields = list(before["tags"]), dict(before["fields"])
        for name in patch.clear:
            key = name.strip().lower()
            if key.startswith("field:"):
                fields.pop(name.split(":", 1)[1], None)
            elif key == "tags":
                tags.clear()
            elif key == "fields":
                fields.clear()
            elif key in CLEARABLE:
                row[key] = None
            else:
                raise InvalidInput(f"cannot clear {name!r} (clearable: {', '.join(CLEARABLE)}, field:KEY)")
        if patch.name is not UNSET:
            row["name"] = require_text(patch.name, "company name")
            other = find_company_exact(uow.ctx, row["name"])
            if other not in (None, company_id):
                raise Conflict(f"a company named {row['name']!r} already exists (id {other})")
        if patch.domain is not UNSET:
            row["domain"] = normalize_domain(patch.domain)
        for column in ("industry", "size", "street", "city", "region", "postcode", "country"):
            value = getattr(patch, column)
            if value is not UNSET:
                row[column] = optional_text(value)
        if patch.owner is not UNSET:
            row["owner"] = check_owner(uow.ctx, patch.owner)
        if patch.tags is not UNSET:
            tags = list(normalize_tags(patch.tags))
        tags = without_tags(
            unique_tags([*tags, *normalize_tags(patch.add_tags)]), normalize_tags(patch.remove_tags)
        )
        fields.update(check_fields(patch.fields))
        if {**row, "tags": sorted(tags), "fields": fields} == {
            **{k: before[k] for k in _COLUMNS},
            "tags": sorted(before["tags"]),
            "fields": before["fields"],
        }:
            return get(ctx, company_id)
        row["updated_at"] = uow.now
        new_version = uow.companies.update(company_id, row, base_version=before["version"])
        written(uow, "company", company_id, new_version, before["version"])
        uow.companies.replace_children(company_id, tags=tags, fields=fields)
        uow.record("company", company_id, "update", before, uow.companies.snapshot(company_id))
    return get(ctx, company_id)


def remove(ctx: Context, refs: list[str]) -> list[Company]:
    """Delete companies; their contacts and deals stay, unlinked."""
    ids = list(dict.fromkeys(resolve_company(ctx, r) for r in refs))
    victims = load(ctx, ids)
    with UnitOfWork(ctx, f"company rm {', '.join(c.name for c in victims)}") as uow:
        for company in victims:
            before = uow.companies.snapshot(company.id)
            unlinked = unlinked_rows(uow.db, "company", company.id)
            linked = uow.companies.delete(company.id)  # its people stay, unlinked and re-indexed
            uow.record(
                "company",
                company.id,
                "delete",
                {**(before or {}), "contact_ids": linked, "unlinked": unlinked},
                None,
            )
    return victims
