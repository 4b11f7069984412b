"""Finding likely duplicate contacts and companies, and merging them.

A pair is a likely duplicate when it shares an email (score 100), a normalised phone (95),
or has similar names (rapidfuzz ``token_sort_ratio`` ≥ 90) within the same company or the
same email domain (free-mail domains excluded). Pairs are joined into groups by complete
linkage: every two records of a group are a likely pair themselves, so likeness never chains
("Loja 1" ~ "Loja 10" ~ "Loja 100" does not make "Loja 1" and "Loja 100" one). Merging keeps
one record, fills its empty fields from the others, unites emails, phones, tags and custom
fields, moves the others' timeline, deals, follow-ups and requests to it, deletes the others
and records all of it (full snapshots, action ``merge``) so ``undo`` can restore it.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from minicrm.core.errors import InvalidInput, NotFound
from minicrm.services.dto import Contact
from minicrm.services.kernel.context import Context
from minicrm.services.kernel.unit_of_work import UnitOfWork
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
    """A cluster of likely duplicates: every two of its members are a likely pair themselves
    (``pairs``: each with its score and reasons); ``score`` is the weakest pair's. ``--apply``
    keeps the first id (the oldest record)."""

    entity: str  # contact or company
    ids: tuple[int, ...]
    names: tuple[str, ...]
    score: int
    reason: str
    pairs: tuple[tuple[int, int, int, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "entity": self.entity,
            "ids": list(self.ids),
            "names": list(self.names),
            "score": self.score,
            "reason": self.reason,
            "keep": self.ids[0],
            "pairs": [{"ids": [a, b], "score": score, "reason": why} for a, b, score, why in self.pairs],
        }


class _Pairs:
    """Likely duplicate pairs: each with its best score and every reason found for it."""

    def __init__(self) -> None:
        self.score: dict[tuple[int, int], int] = {}
        self.reasons: dict[tuple[int, int], list[str]] = defaultdict(list)

    def add(self, a: int, b: int, score: int, reason: str) -> None:
        if a == b:
            return
        key = (a, b) if a < b else (b, a)
        self.score[key] = max(self.score.get(key, 0), score)
        if reason not in self.reasons[key]:
            self.reasons[key].append(reason)

    def add_all(self, ids: list[int], score: int, reason: str) -> None:
        """Every two of ``ids`` (records sharing an email, a phone, a name…)."""
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                self.add(a, b, score, reason)

    def groups(self) -> list[tuple[list[int], int, list[str], list[tuple[int, int, int, str]]]]:
        """The clusters (complete linkage), each with its weakest score, its reasons and pairs."""
        out = []
        for members in complete_linkage(self.score):
            inside = [(a, b) for i, a in enumerate(members) for b in members[i + 1 :]]
            reasons = list(dict.fromkeys(r for pair in inside for r in self.reasons[pair]))
            pairs = [(a, b, self.score[(a, b)], "; ".join(self.reasons[(a, b)])) for a, b in inside]
            out.append((members, min(p[2] for p in pairs), reasons, pairs))
        return out


def complete_linkage(pairs: Mapping[tuple[int, int], int]) -> list[list[int]]:
    """Clusters of ids in which every two ids are a pair of ``pairs`` (``(a, b) → score``, a < b):
    agglomerative clustering by complete linkage, strongest link first (ties: lowest ids), so
    that likeness never chains (A like B, B like C, A unlike C: only the closer two join).
    Each cluster's ids are sorted; clusters of one are left out; sorted by their first id.

    Only complete links are kept (a cluster pair with one pair missing can never become
    complete), so the work is proportional to the pairs, not to the square of the ids."""
    members: dict[int, list[int]] = {}
    links: dict[int, dict[int, int]] = defaultdict(dict)  # cluster → cluster → weakest score
    for (a, b), score in pairs.items():
        members.setdefault(a, [a])
        members.setdefault(b, [b])
        links[a][b] = links[b][a] = score
    heap = [(-score, a, b) for (a, b), score in pairs.items()]
    heapq.heapify(heap)
    while heap:
        negative, a, b = heapq.heappop(heap)
        if a not in members or b not in members or links[a].get(b) != -negative:
            continue  # one side merged meanwhile, or the link changed
        keep, gone = (a, b) if a < b else (b, a)  # a cluster is named by its lowest id
        members[keep] += members.pop(gone)
        old_keep, old_gone = links.pop(keep), links.pop(gone)
        old_keep.pop(gone, None)
        for other in set(old_keep) | set(old_gone):
            if other in (keep, gone):
                continue
            links[other].pop(keep, None)
            links[other].pop(gone, None)
            if other in old_keep and other in old_gone:  # complete with both: still complete
                weakest = min(old_keep[other], old_gone[other])
                links[keep][other] = links[other][keep] = weakest
                heapq.heappush(heap, (-weakest, min(keep, other), max(keep, other)))
    return sorted(sorted(ids) for ids in members.values() if len(ids) > 1)


def _shared(ctx: Context, sql: str) -> dict[str, list[int]]:
    db = ctx.db
    found: dict[str, list[int]] = defaultdict(list)
    for r in db.all(sql):
        found[str(r["k"])].append(int(r["id"]))
    return {k: sorted(set(v)) for k, v in found.items() if len(set(v)) > 1}


def _shared_emails(ctx: Context) -> dict[str, list[int]]:
    """Addresses on more than one contact: an address is stored on one contact only, and
    the others that had it keep it in their ``shared_email`` field."""
    db = ctx.db
    found: dict[str, set[int]] = defaultdict(set)
    for r in db.all("SELECT email_lower AS k, contact_id AS id FROM contact_email"):
        found[str(r["k"])].add(int(r["id"]))
    for r in db.all("SELECT contact_id AS id, value FROM contact_field WHERE key = 'shared_email'"):
        for email in str(r["value"]).split(","):
            if email.strip():
                found[email.strip().lower()].add(int(r["id"]))
    return {k: sorted(v) for k, v in found.items() if len(v) > 1}


def _similar_names(pairs: _Pairs, blocks: Iterable[tuple[str, list[tuple[int, str]]]]) -> None:
    from rapidfuzz import fuzz

    for label, members in blocks:
        if len(members) < 2 or len(members) > _MAX_BLOCK:
            continue
        for i, (a, name_a) in enumerate(members):
            for b, name_b in members[i + 1 :]:
                score = int(fuzz.token_sort_ratio(name_a.casefold(), name_b.casefold()))
                if score >= NAME_THRESHOLD:
                    pairs.add(a, b, score, f"similar names ({label})")


def _found(entity: str, pairs: _Pairs, names: Mapping[int, str]) -> list[DuplicateGroup]:
    return [
        DuplicateGroup(
            entity, tuple(ids), tuple(names[i] for i in ids), score, "; ".join(reasons), tuple(inside)
        )
        for ids, score, reasons, inside in pairs.groups()
    ]


def find_duplicates(ctx: Context) -> list[DuplicateGroup]:
    """Likely duplicate contacts, then companies; best score first."""
    db = ctx.db
    out: list[DuplicateGroup] = []
    with db.snapshot():
        contacts = _Pairs()
        for email, ids in _shared_emails(ctx).items():
            contacts.add_all(ids, 100, f"same email {email}")
        for phone, ids in _shared(ctx, "SELECT phone AS k, contact_id AS id FROM contact_phone").items():
            contacts.add_all(ids, 95, f"same phone {phone}")
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
        out += _found("contact", contacts, names)

        companies = _Pairs()
        for name, ids in _shared(ctx, "SELECT lower(name) AS k, id FROM company").items():
            companies.add_all(ids, 100, f"same name {name}")
        for domain, ids in _shared(
            ctx, "SELECT domain AS k, id FROM company WHERE domain IS NOT NULL"
        ).items():
            companies.add_all(ids, 95, f"same domain {domain}")
        by_initial: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for cid, cname in sorted(company_names.items()):
            by_initial[cname.strip()[:1].casefold()].append((cid, cname))
        _similar_names(companies, [("company names", v) for v in by_initial.values()])
        out += _found("company", companies, company_names)
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
