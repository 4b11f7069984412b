"""Finding likely duplicate contacts and companies, and merging them.

A pair is a likely duplicate when it shares an email (score 100), a normalised phone (95),
or has similar names (rapidfuzz ``token_sort_ratio`` ≥ 90) within the same company or the
same email domain (free-mail domains excluded). Pairs are joined into groups. Merging keeps
one record, fills its empty fields from the others, unites emails, phones, tags and custom
fields, moves the others' timeline, deals, follow-ups and requests to it, deletes the others
and records all of it (full snapshots, action ``merge``) so ``undo`` can restore it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from minicrm.core.errors import InvalidInput, NotFound
from minicrm.services.dto import Contact
from minicrm.services.kernel.context import Context
from minicrm.services.kernel.unit_of_work import UnitOfWork
from minicrm.store.db import Database
from minicrm.store.records.companies import CHILDREN as COMPANY_CHILDREN
from minicrm.store.records.companies import DETAILS as COMPANY_DETAILS
from minicrm.store.records.contacts import CHILDREN as CONTACT_CHILDREN

NAME_THRESHOLD = 90
_MAX_BLOCK = 2000  # pairwise name comparison beyond this block size is skipped
FREE_MAIL = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com",
    "icloud.com",
    "me.com", "mac.com", "aol.com", "proton.me", "protonmail.com", "gmx.com", "gmx.de", "gmx.net", "web.de",
    "mail.com", "yandex.ru", "zoho.com", "sapo.pt", "hotmail.co.uk", "yahoo.co.uk", "orange.fr", "free.fr",
})  # fmt: skip


@dataclass(frozen=True)
class DuplicateGroup:
    entity: str  # contact or company
    ids: tuple[int, ...]
    names: tuple[str, ...]
    score: int
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "entity": self.entity,
            "ids": list(self.ids),
            "names": list(self.names),
            "score": self.score,
            "reason": self.reason,
        }


class _Groups:
    """Union-find over record ids, remembering the best score and the reasons."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}
        self.score: dict[int, int] = {}
        self.reasons: dict[int, list[str]] = defaultdict(list)

    def find(self, x: int) -> int:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def join(self, a: int, b: int, score: int, reason: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra
            self.score[ra] = max(self.score.pop(rb, 0), self.score.get(ra, 0))
            self.reasons[ra].extend(self.reasons.pop(rb, []))
        self.score[ra] = max(self.score.get(ra, 0), score)
        if reason not in self.reasons[ra]:
            self.reasons[ra].append(reason)

    def groups(self) -> list[tuple[list[int], int, list[str]]]:
        members: dict[int, list[int]] = defaultdict(list)
        for x in list(self.parent):
            members[self.find(x)].append(x)
        return [
            (sorted(ids), self.score[root], self.reasons[root])
            for root, ids in members.items()
            if len(ids) > 1
        ]


def _shared(db: Database, sql: str) -> dict[str, list[int]]:
    found: dict[str, list[int]] = defaultdict(list)
    for r in db.all(sql):
        found[str(r["k"])].append(int(r["id"]))
    return {k: sorted(set(v)) for k, v in found.items() if len(set(v)) > 1}


def _shared_emails(db: Database) -> dict[str, list[int]]:
    """Addresses on more than one contact: an address is stored on one contact only, and
    the others that had it keep it in their ``shared_email`` field."""
    found: dict[str, set[int]] = defaultdict(set)
    for r in db.all("SELECT email_lower AS k, contact_id AS id FROM contact_email"):
        found[str(r["k"])].add(int(r["id"]))
    for r in db.all("SELECT contact_id AS id, value FROM contact_field WHERE key = 'shared_email'"):
        for email in str(r["value"]).split(","):
            if email.strip():
                found[email.strip().lower()].add(int(r["id"]))
    return {k: sorted(v) for k, v in found.items() if len(v) > 1}


def _similar_names(groups: _Groups, blocks: Iterable[tuple[str, list[tuple[int, str]]]]) -> None:
    from rapidfuzz import fuzz

    for label, members in blocks:
        if len(members) < 2 or len(members) > _MAX_BLOCK:
            continue
        for i, (a, name_a) in enumerate(members):
            for b, name_b in members[i + 1 :]:
                score = int(fuzz.token_sort_ratio(name_a.casefold(), name_b.casefold()))
                if score >= NAME_THRESHOLD:
                    groups.join(a, b, score, f"similar names ({label})")


def find_duplicates(ctx: Context) -> list[DuplicateGroup]:
    """Likely duplicate contacts, then companies; best score first."""
    db = ctx.db
    out: list[DuplicateGroup] = []
    with db.snapshot():
        contacts = _Groups()
        for email, ids in _shared_emails(db).items():
            for other in ids[1:]:
                contacts.join(ids[0], other, 100, f"same email {email}")
        for phone, ids in _shared(db, "SELECT phone AS k, contact_id AS id FROM contact_phone").items():
            for other in ids[1:]:
                contacts.join(ids[0], other, 95, f"same phone {phone}")
        names = {int(r["id"]): str(r["name"]) for r in db.all("SELECT id, name FROM contact")}
        by_company: dict[int, list[tuple[int, str]]] = defaultdict(list)
        company_names = {int(r["id"]): str(r["name"]) for r in db.all("SELECT id, name FROM company")}
        for r in db.all("SELECT id, company_id FROM contact WHERE company_id IS NOT NULL ORDER BY id"):
            by_company[int(r["company_id"])].append((int(r["id"]), names[int(r["id"])]))
        by_domain: dict[str, dict[int, str]] = defaultdict(dict)
        for r in db.all("SELECT contact_id, email_lower FROM contact_email ORDER BY contact_id"):
            domain = str(r["email_lower"]).rpartition("@")[2]
            if domain and domain not in FREE_MAIL:
                by_domain[domain][int(r["contact_id"])] = names[int(r["contact_id"])]
        _similar_names(contacts, [(f"at {company_names[k]}", v) for k, v in by_company.items()])
        _similar_names(contacts, [(f"@{d}", list(v.items())) for d, v in by_domain.items()])
        out += [
            DuplicateGroup("contact", tuple(ids), tuple(names[i] for i in ids), score, "; ".join(reasons))
            for ids, score, reasons in contacts.groups()
        ]

        companies = _Groups()
        for name, ids in _shared(db, "SELECT lower(name) AS k, id FROM company").items():
            for other in ids[1:]:
                companies.join(ids[0], other, 100, f"same name {name}")
        for domain, ids in _shared(
            db, "SELECT domain AS k, id FROM company WHERE domain IS NOT NULL"
        ).items():
            for other in ids[1:]:
                companies.join(ids[0], other, 95, f"same domain {domain}")
        by_initial: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for cid, cname in sorted(company_names.items()):
            by_initial[cname.strip()[:1].casefold()].append((cid, cname))
        _similar_names(companies, [("company names", v) for v in by_initial.values()])
        out += [
            DuplicateGroup(
                "company", tuple(ids), tuple(company_names[i] for i in ids), score, "; ".join(reasons)
            )
            for ids, score, reasons in companies.groups()
        ]
    out.sort(key=lambda g: (g.entity != "contact", -g.score, g.ids))
    return out


# -- merging contacts ------------------------------------------------------------------------
_CHILDREN = (
    ("interaction", "interaction"),
    ("deal", "deal"),
    ("followup", "followup"),
    ("request", "service_request"),
)
_FILL = (
    "given_name",
    "family_name",
    "title",
    "company_id",
    "street",
    "city",
    "region",
    "postcode",
    "country",
    "source",
    "owner",
    "preferred_channel",
    "cadence_days",
    "uid",
)


def merge_contacts(ctx: Context, keep_id: int, other_ids: list[int]) -> Contact:
    """Merge ``other_ids`` into ``keep_id`` in one operation (see the module docstring)."""
    from minicrm.services.contacts import commands as contacts

    others = [o for o in dict.fromkeys(other_ids)]
    if not others:
        raise InvalidInput("name at least one contact to merge into the one to keep")
    if keep_id in others:
        raise InvalidInput("a contact cannot be merged into itself")
    with UnitOfWork(ctx, f"contact merge {keep_id} " + " ".join(str(o) for o in others)) as uow:
        merge_contacts_in(uow, keep_id, others)
    return contacts.get(ctx, keep_id)


def merge_contacts_in(uow: UnitOfWork, keep_id: int, others: list[int]) -> None:
    from minicrm.services.kernel.validation import unique_ci

    db, records = uow.db, uow.contacts
    keep = records.snapshot(keep_id)
    if keep is None:
        raise NotFound(f"no contact with id {keep_id}")
    snaps = []
    for other in others:
        snap = records.snapshot(other)
        if snap is None:
            raise NotFound(f"no contact with id {other}")
        snaps.append(snap)
    row = dict(keep)
    for snap in snaps:
        for column in _FILL:
            if row[column] in (None, "") and snap[column] not in (None, ""):
                row[column] = snap[column]
        row["do_not_contact"] = bool(row["do_not_contact"] or snap["do_not_contact"])
        if snap["last_interaction_at"] and (row["last_interaction_at"] or "") < snap["last_interaction_at"]:
            row["last_interaction_at"] = snap["last_interaction_at"]
    emails = list(unique_ci([*keep["emails"], *(e for s in snaps for e in s["emails"])]))
    phones = list(dict.fromkeys([*keep["phones"], *(p for s in snaps for p in s["phones"])]))
    tags = sorted({*keep["tags"], *(t for s in snaps for t in s["tags"])})
    fields: dict[str, str] = {}
    for snap in reversed(snaps):
        fields.update(snap["fields"])
    fields.update(keep["fields"])
    # an address now on the kept contact is no longer shared with another
    held = {e.lower() for e in emails}
    shared = [e.strip() for e in fields.pop("shared_email", "").split(",") if e.strip()]
    if [e for e in shared if e.lower() not in held]:
        fields["shared_email"] = ", ".join(e for e in shared if e.lower() not in held)
    email_labels: dict[str, str] = {}
    phone_labels: dict[str, list[str | None]] = {}
    for snap in [*reversed(snaps), keep]:
        email_labels.update(snap.get("email_labels") or {})
        phone_labels.update(snap.get("phone_labels") or {})
    addresses = _united_addresses(row, keep, snaps)
    marks = ",".join("?" * len(others))
    for entity, table in _CHILDREN:
        for child in db.all(f"SELECT * FROM {table} WHERE contact_id IN ({marks}) ORDER BY id", others):
            before = dict(child)
            db.execute(f"UPDATE {table} SET contact_id = ? WHERE id = ?", (keep_id, child["id"]))
            uow.record(entity, int(child["id"]), "update", before, {**before, "contact_id": keep_id})
    for snap in snaps:
        records.delete(int(snap["id"]))
        uow.record("contact", int(snap["id"]), "merge", snap, None)
    row["updated_at"] = uow.now
    row["version"] = keep["version"] + 1
    records.update(keep_id, {c: v for c, v in row.items() if c != "id" and c not in CONTACT_CHILDREN})
    records.replace_children(
        keep_id,
        emails=emails,
        phones=phones,
        tags=tags,
        fields=dict(sorted(fields.items())),
        email_labels={e: email_labels[e] for e in emails if e in email_labels},
        phone_labels={p: phone_labels[p] for p in phones if p in phone_labels},
        addresses=addresses,
    )
    uow.record("contact", keep_id, "merge", keep, records.snapshot(keep_id))


def _united_addresses(row: dict[str, Any], keep: dict[str, Any], snaps: list[dict[str, Any]]) -> list[Any]:
    """The kept contact's further addresses, then every other address of the merged contacts
    that it does not have yet (each address once)."""
    from minicrm.store.records.contacts import ADDRESS_PARTS

    parts = ADDRESS_PARTS[1:]
    have = [{k: row[k] for k in parts}]
    out: list[dict[str, Any]] = []
    candidates = list(keep.get("addresses") or [])
    for snap in snaps:
        candidates.append({"label": snap.get("address_label"), **{k: snap[k] for k in parts}})
        candidates += list(snap.get("addresses") or [])
    for address in candidates:
        bare = {k: address.get(k) for k in parts}
        if any(bare.values()) and bare not in have:
            have.append(bare)
            out.append(address)
    return out


# -- merging companies -----------------------------------------------------------------------
def merge_companies_in(uow: UnitOfWork, keep_id: int, others: list[int]) -> None:
    """Companies: fill empty fields, unite tags and custom fields, relink people, deals,
    interactions and follow-ups, delete the others."""
    db, records = uow.db, uow.companies
    keep = records.snapshot(keep_id)
    if keep is None:
        raise NotFound(f"no company with id {keep_id}")
    row = dict(keep)
    tags = set(keep["tags"])
    fields: dict[str, str] = {}
    for other in others:
        snap = records.snapshot(other)
        if snap is None:
            raise NotFound(f"no company with id {other}")
        for column in COMPANY_DETAILS:
            if not row[column] and snap[column]:
                row[column] = snap[column]
        tags |= set(snap["tags"])
        fields = {**snap["fields"], **fields}
        for table in ("contact", "deal", "interaction", "followup"):
            for child in db.all(f"SELECT * FROM {table} WHERE company_id = ? ORDER BY id", (other,)):
                before = dict(child)
                db.execute(f"UPDATE {table} SET company_id = ? WHERE id = ?", (keep_id, child["id"]))
                uow.record(table, int(child["id"]), "update", before, {**before, "company_id": keep_id})
        records.delete(other)
        uow.record("company", other, "merge", snap, None)
    fields.update(keep["fields"])
    row["updated_at"] = uow.now
    row["version"] = keep["version"] + 1
    records.update(keep_id, {c: v for c, v in row.items() if c != "id" and c not in COMPANY_CHILDREN})
    records.replace_children(keep_id, tags=sorted(tags), fields=dict(sorted(fields.items())))
    records.reindex(keep_id, with_contacts=True)  # its new people's documents name it
    uow.record("company", keep_id, "merge", keep, records.snapshot(keep_id))


def apply_groups(ctx: Context, groups: list[DuplicateGroup]) -> int:
    """Merge every group into its oldest record (lowest id), all in one operation."""
    if not groups:
        return 0
    with UnitOfWork(ctx, f"dedupe: merge {len(groups)} groups") as uow:
        for group in groups:
            keep, *others = group.ids
            if group.entity == "contact":
                merge_contacts_in(uow, keep, others)
            else:
                merge_companies_in(uow, keep, others)
    return len(groups)
