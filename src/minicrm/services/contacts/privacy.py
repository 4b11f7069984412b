"""Privacy: everything stored about a person as one document, and erasing a person.

Erasing deletes the person with their timeline, follow-ups and requests, redacts their emails
and phones wherever they appear in other records' text (notes, follow-up titles, request
titles) and their names too in the titles of their deals (which stay, unlinked; every search
document that named the person is rebuilt), scrubs them from the change log's before/after
snapshots, and keeps only hashed tombstones (sha256 of the normalised email / phone) so that a
later import skips them. An erase cannot be undone: that is the point.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from minicrm.services.history import changelog
from minicrm.services.kernel.context import Context
from minicrm.services.kernel.unit_of_work import UnitOfWork
from minicrm.store.records.contacts import identity_hash

REDACTED = "[redacted]"
_CHILD_TABLES = (("interaction", "interaction"), ("followup", "followup"), ("request", "service_request"))


def _rows(ctx: Context, sql: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
    db = ctx.db
    return [dict(r) for r in db.all(sql, params)]


def export_person(ctx: Context, contact_id: int) -> dict[str, Any]:
    """Every stored fact about one person: the record, company, timeline, deals, follow-ups,
    service requests, and every change-log entry about them or their records."""
    from minicrm.store.records.contacts import snapshot

    db = ctx.db
    with db.snapshot():
        person = snapshot(db, contact_id)
        if person is None:
            from minicrm.core.errors import NotFound

            raise NotFound(f"no contact with id {contact_id}")
        company = db.one("SELECT id, name, domain FROM company WHERE id = ?", (person["company_id"] or 0,))
        children: dict[str, list[dict[str, Any]]] = {}
        for entity, table in (*_CHILD_TABLES, ("deal", "deal")):
            children[entity] = _rows(
                ctx, f"SELECT * FROM {table} WHERE contact_id = ? ORDER BY id", (contact_id,)
            )
        stages = _rows(
            ctx,
            "SELECT s.* FROM deal_stage_change s JOIN deal d ON d.id = s.deal_id "
            "WHERE d.contact_id = ? ORDER BY s.id",
            (contact_id,),
        )
        changes: list[dict[str, Any]] = []
        for entity, ids in (
            ("contact", [contact_id]),
            *(
                (e, [int(r["id"]) for r in children[e]])
                for e in ("interaction", "followup", "request", "deal")
            ),
        ):
            for i in range(0, len(ids), 500):
                chunk = ids[i : i + 500]
                found = _rows(
                    ctx,
                    f"SELECT id, op_id, at, actor, entity, entity_id, action, before, after FROM change "
                    f"WHERE entity = ? AND entity_id IN ({','.join('?' * len(chunk))})",
                    (entity, *chunk),
                )
                for change in found:
                    for key in ("before", "after"):
                        change[key] = json.loads(change[key]) if change[key] else None
                changes += found
            for entity_id in ids:  # creations an import logged in bulk
                changes += changelog.created(ctx, entity, entity_id)
    changes.sort(key=lambda c: c["id"])
    for item in children["interaction"]:  # captured mail and meetings: their details as JSON
        if item.get("details"):
            item["details"] = json.loads(item["details"])
    return {
        "contact": person,
        "company": dict(company) if company else None,
        "interactions": children["interaction"],
        "deals": children["deal"],
        "deal_stage_changes": stages,
        "followups": children["followup"],
        "service_requests": children["request"],
        "changes": changes,
    }


@dataclass(frozen=True)
class EraseReport:
    contact_id: int
    name: str
    deleted_records: int
    redacted_records: int
    scrubbed_changes: int
    tombstones: int


def _phone_pattern(phone: str) -> str | None:
    """The phone's last 9 digits with any separators in between (catches +351 912 345 678,
    912-345-678 and 912345678 alike)."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) < 6:
        return None
    core = digits[-9:]
    return r"(?:\+?\d{1,3}[\s.\-]*)?(?:\(0?\)[\s.\-]*)?" + r"[\s.\-()]*".join(core)


def _redactor(emails: list[str], phones: list[str]) -> tuple[re.Pattern[str] | None, list[str]]:
    """One case-insensitive pattern for every identifier, and LIKE fragments to find candidates."""
    parts = [re.escape(e) for e in emails]
    likes = [f"%{e.lower()}%" for e in emails]
    for phone in phones:
        pattern = _phone_pattern(phone)
        if pattern:
            parts.append(pattern)
            last4 = re.sub(r"\D", "", phone)[-4:]
            likes.append(f"%{last4}%")
    if not parts:
        return None, []
    return re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE), likes


def _merged_into(ctx: Context, contact_id: int) -> list[int]:
    """Contacts that were merged into this one (their history is about the same person)."""
    db = ctx.db
    found: list[int] = []
    todo = [contact_id]
    while todo:
        current = todo.pop()
        for r in db.all(
            "SELECT DISTINCT o.entity_id FROM change k JOIN change o ON o.op_id = k.op_id "
            "WHERE k.entity = 'contact' AND k.entity_id = ? AND k.action = 'merge' AND k.after IS NOT NULL "
            "AND o.entity = 'contact' AND o.action = 'merge' AND o.after IS NULL",
            (current,),
        ):
            other = int(r["entity_id"])
            if other not in found and other != contact_id:
                found.append(other)
                todo.append(other)
    return found


def _name_pattern(name: str) -> re.Pattern[str] | None:
    """The person's full name and each word of it (of two letters or more) as whole words, any
    case: what names them in the title of a deal that was theirs ("Kierkegaard essays")."""
    words = name.split()
    parts = [r"\s+".join(re.escape(w) for w in words)] if len(words) > 1 else []
    parts += [re.escape(w) for w in sorted(set(words), key=len, reverse=True) if len(w) >= 2]
    if not parts:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


def _redact_deal_titles(
    uow: UnitOfWork, deal_ids: list[int], name: str, identifiers: re.Pattern[str] | None
) -> int:
    """Redact the erased person's names, emails and phones in the titles of the deals that
    were theirs (re-indexed either way: their documents named the person); returns how many
    titles changed. The deals' change-log snapshots are redacted the same way."""
    named = _name_pattern(name)
    redacted = 0
    for deal_id in deal_ids:
        title = uow.db.scalar("SELECT title FROM deal WHERE id = ?", (deal_id,))
        if title is None:
            continue
        new = str(title)
        for pattern in (named, identifiers):
            if pattern is not None:
                new = pattern.sub(REDACTED, new)
        if new != title:
            uow.deals.update(deal_id, {"title": new})
            redacted += 1
        if named is not None:
            for r in uow.db.all(
                "SELECT id, before, after FROM change WHERE entity = 'deal' AND entity_id = ?", (deal_id,)
            ):
                before = named.sub(REDACTED, r["before"]) if r["before"] else r["before"]
                after = named.sub(REDACTED, r["after"]) if r["after"] else r["after"]
                if (before, after) != (r["before"], r["after"]):
                    uow.db.execute(
                        "UPDATE change SET before = ?, after = ? WHERE id = ?", (before, after, r["id"])
                    )
    return redacted


#: the participant lists of captured mail and meetings (``interaction.details``)
_PEOPLE = ("from", "to", "cc", "organizer", "attendees")


def _redact_participants(ctx: Context, pattern: re.Pattern[str], likes: list[str]) -> int:
    """Other captured messages and meetings the person took part in: their entry in each
    participant list (name and address) becomes ``[redacted]``, as does any mention elsewhere."""
    db = ctx.db
    lowered = " OR ".join("lower(details) LIKE ?" for _ in likes)
    count = 0
    for r in db.all(f"SELECT id, details FROM interaction WHERE details IS NOT NULL AND ({lowered})", likes):
        doc = json.loads(r["details"])
        for key, value in doc.items():
            if key in _PEOPLE and isinstance(value, list):
                doc[key] = [REDACTED if pattern.search(str(v)) else v for v in value]
            elif key in _PEOPLE and isinstance(value, str) and pattern.search(value):
                doc[key] = REDACTED
            elif isinstance(value, str):
                doc[key] = pattern.sub(REDACTED, value)
        new = json.dumps(doc, ensure_ascii=False, sort_keys=True)
        if new != r["details"]:
            db.execute("UPDATE interaction SET details = ? WHERE id = ?", (new, r["id"]))
            count += 1
    return count


def erase_person(ctx: Context, contact_id: int) -> EraseReport:
    from minicrm.core.errors import NotFound

    with UnitOfWork(ctx, f"privacy erase contact {contact_id}") as uow:
        db = uow.db
        person = uow.contacts.snapshot(contact_id)
        if person is None:
            raise NotFound(f"no contact with id {contact_id}")
        emails, phones = list(person["emails"]), list(person["phones"])
        pattern, likes = _redactor(emails, phones)
        deleted = 1
        child_ids: dict[str, list[int]] = {}
        for child, table in _CHILD_TABLES:
            ids = [
                int(r["id"]) for r in db.all(f"SELECT id FROM {table} WHERE contact_id = ?", (contact_id,))
            ]
            child_ids[child] = ids
            deleted += len(ids)
        deals = [int(r["id"]) for r in db.all("SELECT id FROM deal WHERE contact_id = ?", (contact_id,))]
        uow.contacts.delete(contact_id)  # with its timeline, follow-ups and requests (cascade)
        # their deals stay, unlinked and re-indexed; a title that names them no longer does
        redacted = _redact_deal_titles(uow, deals, str(person["name"]), pattern)

        if pattern is not None:
            lowered = " OR ".join("lower({col}) LIKE ?" for _ in likes)
            targets: tuple[tuple[str, str, str | None], ...] = (
                ("interaction", "body", "note"),
                ("followup", "title", None),
                ("service_request", "title", None),
            )
            for table, column, entity in targets:
                for r in db.all(
                    f"SELECT id, {column} AS text FROM {table} WHERE {lowered.format(col=column)}", likes
                ):
                    new = pattern.sub(REDACTED, r["text"])
                    if new != r["text"]:
                        if entity:
                            uow.interactions.set_body(int(r["id"]), new)
                        else:
                            db.execute(f"UPDATE {table} SET {column} = ? WHERE id = ?", (new, r["id"]))
                        redacted += 1
            redacted += _redact_participants(uow.ctx, pattern, likes)

        scrubbed = 0
        merged_in = _merged_into(uow.ctx, contact_id)
        for entity, ids in (("contact", [contact_id, *merged_in]), *child_ids.items()):
            for i in range(0, len(ids), 500):
                chunk = ids[i : i + 500]
                cur = db.execute(
                    f"UPDATE change SET before = NULL, after = NULL WHERE entity = ? "
                    f"AND entity_id IN ({','.join('?' * len(chunk))})",
                    (entity, *chunk),
                )
                scrubbed += max(cur.rowcount or 0, 0)
            scrubbed += changelog.scrub(uow.ctx, entity, ids)
        if pattern is not None:
            cond = " OR ".join("lower(before) LIKE ? OR lower(after) LIKE ?" for _ in likes)
            params = [x for like in likes for x in (like, like)]
            for r in db.all(f"SELECT id, before, after FROM change WHERE {cond}", params):
                before = pattern.sub(REDACTED, r["before"]) if r["before"] else r["before"]
                after = pattern.sub(REDACTED, r["after"]) if r["after"] else r["after"]
                if (before, after) != (r["before"], r["after"]):
                    db.execute(
                        "UPDATE change SET before = ?, after = ? WHERE id = ?", (before, after, r["id"])
                    )
                    scrubbed += 1
            # records created in bulk that mention the person (another contact's note)
            scrubbed += changelog.redact(
                uow.ctx, lambda text: pattern.sub(REDACTED, text), cond.replace("before", "after"), params
            )
        name = str(person["name"])
        people = [contact_id, *merged_in]
        db.execute(
            "UPDATE operation SET summary = replace(summary, ?, ?) WHERE id IN "
            "(SELECT op_id FROM change WHERE entity = 'contact' AND entity_id IN "
            f"({','.join('?' * len(people))}))"
            + "".join(
                " OR id IN (SELECT op_id FROM change_batch WHERE entity = 'contact' AND last_id >= ? "
                "AND first_id <= ?)"
                for _ in people
            ),
            (name, REDACTED, *people, *(x for p in people for x in (p, p))),
        )
        hashes = {identity_hash("email", e) for e in emails} | {identity_hash("phone", p) for p in phones}
        for h in sorted(hashes):
            if not db.scalar("SELECT 1 FROM tombstone WHERE hash = ?", (h,)):
                db.execute("INSERT INTO tombstone (hash, created_at) VALUES (?, ?)", (h, uow.now))
        uow.record("contact", contact_id, "erase", None, None)
    return EraseReport(contact_id, name, deleted, redacted, scrubbed, len(hashes))
