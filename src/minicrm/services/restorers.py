"""Putting records back as the change log remembers them: one restorer per kind of record.

``undo`` reverts an operation change by change; for that it must be able to re-create a
deleted row from its snapshot (with its original id, emails, phones, tags and custom fields),
delete a created one, and revert the fields an update changed. The snapshots are whatever the
services recorded (``contacts.snapshot``, ``companies.snapshot``, a row as a dict, …); the
restorers keep only the keys that are real columns of the table today, so that records written
before a column was added (or after one was dropped) still restore.
"""

from __future__ import annotations

from dataclasses import dataclass

from minicrm.errors import Conflict
from minicrm.services import search as search_index
from minicrm.services.tags import set_tags

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from minicrm.store.db import Database

#: Columns an update's revert never copies back: they describe the write itself.
BOOKKEEPING = ("id", "updated_at", "version")
#: Snapshot keys that are not columns but child rows, handled per kind.
_TAGGED = ("contact", "company", "deal")
_TOUCHING_KINDS = ("note", "call", "email", "meeting")

if TYPE_CHECKING:
    Snapshot = dict[str, Any]
else:  # the same name at run time, where annotations are never evaluated
    Snapshot = dict


class Tables:
    """The columns each table has right now (cached for one undo)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._columns: dict[str, tuple[str, ...]] = {}

    def columns(self, table: str) -> tuple[str, ...]:
        if table not in self._columns:
            if self.db.is_sqlite:
                rows = self.db.all(f"PRAGMA table_info({_quoted(table)})")
                names = tuple(str(r["name"]) for r in rows)
            else:
                rows = self.db.all(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
                    (table,),
                )
                names = tuple(str(r["column_name"]) for r in rows)
            self._columns[table] = names
        return self._columns[table]

    def exists(self, table: str) -> bool:
        return bool(self.columns(table))


def _quoted(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise Conflict(f"invalid table name {name!r} in the change log")
    return f'"{name}"'


@dataclass(frozen=True)
class Restorer:
    """How to put back one kind of record (``entity`` is its name in the change log)."""

    entity: str
    table: str
    snapshot: Callable[[Tables, int], Snapshot | None]
    after_write: Callable[[Tables, int, Snapshot], None]
    after_delete: Callable[[Tables, int, Snapshot], None]

    # -- the three moves ------------------------------------------------------------------
    def create(self, tables: Tables, snap: Snapshot) -> None:
        """Insert the row with its original id, then its child rows."""
        columns = [c for c in tables.columns(self.table) if c in snap]
        if "id" not in columns:
            raise Conflict(f"cannot re-create {self.entity}: its snapshot has no id")
        names = ", ".join(_quoted(c) for c in columns)
        marks = ", ".join("?" * len(columns))
        exists = tables.db.scalar(f"SELECT 1 FROM {_quoted(self.table)} WHERE id = ?", (snap["id"],))
        if exists:
            raise Conflict(f"{self.entity} {snap['id']} exists again; it cannot be re-created")
        tables.db.execute(
            f"INSERT INTO {_quoted(self.table)} ({names}) VALUES ({marks})",
            [_db_value(snap[c]) for c in columns],
        )
        _write_children(tables, self.entity, int(snap["id"]), None, snap)
        _relink(tables, int(snap["id"]), snap)
        self.after_write(tables, int(snap["id"]), snap)

    def delete(self, tables: Tables, entity_id: int, current: Snapshot) -> None:
        tables.db.execute(f"DELETE FROM {_quoted(self.table)} WHERE id = ?", (entity_id,))
        self.after_delete(tables, entity_id, current)

    def revert(
        self, tables: Tables, entity_id: int, before: Snapshot, after: Snapshot, now: str
    ) -> list[str]:
        """Set back the fields the update changed (and only those: a field changed since by
        something the log does not track, such as ``last_interaction_at``, keeps its value).
        Returns the names of the fields reverted."""
        columns = tables.columns(self.table)
        changed = [
            c
            for c in columns
            if c in before and c in after and c not in BOOKKEEPING and before[c] != after[c]
        ]
        children = _revert_children(tables, self.entity, entity_id, before, after)
        if not changed and not children:
            return []
        sets = [f"{_quoted(c)} = ?" for c in changed]
        params: list[Any] = [_db_value(before[c]) for c in changed]
        if "updated_at" in columns:
            sets.append("updated_at = ?")
            params.append(now)
        if "version" in columns:
            sets.append("version = version + 1")
        tables.db.execute(
            f"UPDATE {_quoted(self.table)} SET {', '.join(sets)} WHERE id = ?", [*params, entity_id]
        )
        self.after_write(tables, entity_id, before)
        return [*changed, *children]


def _db_value(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        import json

        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


# -- child rows: emails, phones, tags, custom fields ----------------------------------------
def _write_children(tables: Tables, entity: str, entity_id: int, old: Snapshot | None, new: Snapshot) -> None:
    db = tables.db
    if entity == "contact":
        if "emails" in new:
            db.execute("DELETE FROM contact_email WHERE contact_id = ?", (entity_id,))
            db.executemany(
                "INSERT INTO contact_email (contact_id, email, email_lower, position) VALUES (?, ?, ?, ?)",
                [(entity_id, e, e.lower(), i) for i, e in enumerate(new["emails"])],
            )
        if "phones" in new:
            db.execute("DELETE FROM contact_phone WHERE contact_id = ?", (entity_id,))
            db.executemany(
                "INSERT INTO contact_phone (contact_id, phone, position) VALUES (?, ?, ?)",
                [(entity_id, p, i) for i, p in enumerate(new["phones"])],
            )
    if entity in _TAGGED and "tags" in new and tables.exists(f"{entity}_tag"):
        set_tags(db, entity, entity_id, new["tags"])
    field_table = f"{entity}_field"
    if isinstance(new.get("fields"), dict) and tables.exists(field_table):
        wanted: dict[str, Any] = new["fields"]
        previous: dict[str, Any] = (old or {}).get("fields") or {}
        keys = set(wanted) | set(previous) if old is not None else set(wanted)
        for key in sorted(keys):
            if old is not None and wanted.get(key) == previous.get(key):
                continue
            db.execute(f"DELETE FROM {field_table} WHERE {entity}_id = ? AND key = ?", (entity_id, key))
            if key in wanted:
                db.execute(
                    f"INSERT INTO {field_table} ({entity}_id, key, value) VALUES (?, ?, ?)",
                    (entity_id, key, wanted[key]),
                )


def _revert_children(
    tables: Tables, entity: str, entity_id: int, before: Snapshot, after: Snapshot
) -> list[str]:
    """Put back the child lists that the update changed; return their names."""
    changed: dict[str, Any] = {}
    for key in ("emails", "phones"):
        if entity == "contact" and key in before and before.get(key) != after.get(key):
            changed[key] = before[key]
    if "tags" in before and sorted(before.get("tags") or []) != sorted(after.get("tags") or []):
        changed["tags"] = before["tags"]
    if "fields" in before and (before.get("fields") or {}) != (after.get("fields") or {}):
        changed["fields"] = before["fields"] or {}
    if not changed:
        return []
    # only the changed lists; fields by key (a key set since by someone else stays)
    _write_children(tables, entity, entity_id, {"fields": after.get("fields") or {}}, changed)
    return sorted(changed)


# -- snapshots and index upkeep per kind -----------------------------------------------------
def _row_snapshot(table: str, entity: str) -> Callable[[Tables, int], Snapshot | None]:
    def snap(tables: Tables, entity_id: int) -> Snapshot | None:
        row = tables.db.one(f"SELECT * FROM {_quoted(table)} WHERE id = ?", (entity_id,))
        if row is None:
            return None
        data: Snapshot = {k: row[k] for k in row.keys()}  # noqa: SIM118 - sqlite3.Row iterates values
        if entity in _TAGGED and tables.exists(f"{entity}_tag"):
            from minicrm.services.tags import tags_of

            data["tags"] = list(tags_of(tables.db, entity, [entity_id]).get(entity_id, ()))
        if tables.exists(f"{entity}_field"):
            data["fields"] = {
                r["key"]: r["value"]
                for r in tables.db.all(
                    f"SELECT key, value FROM {entity}_field WHERE {entity}_id = ? ORDER BY key", (entity_id,)
                )
            }
        return data

    return snap


def _contact_snapshot(tables: Tables, entity_id: int) -> Snapshot | None:
    from minicrm.services.contacts import snapshot

    return snapshot(tables.db, entity_id)


def _company_snapshot(tables: Tables, entity_id: int) -> Snapshot | None:
    from minicrm.services.companies import snapshot

    return snapshot(tables.db, entity_id)


def _followup_snapshot(tables: Tables, entity_id: int) -> Snapshot | None:
    from minicrm.services.followups import _snapshot

    return _snapshot(tables.db, entity_id)


def _nothing(tables: Tables, entity_id: int, snap: Snapshot) -> None:
    return None


def _reindex_contact(tables: Tables, entity_id: int, snap: Snapshot) -> None:
    search_index.reindex_contact(tables.db, entity_id)


def _unindex(entity: str) -> Callable[[Tables, int, Snapshot], None]:
    def drop(tables: Tables, entity_id: int, snap: Snapshot) -> None:
        search_index.unindex(tables.db, entity, entity_id)

    return drop


def _company_written(tables: Tables, entity_id: int, snap: Snapshot) -> None:
    """Reindex the company (a re-created one has got back the people its deletion unlinked)."""
    search_index.reindex_company(tables.db, entity_id, with_contacts=True)


# -- rows a delete unlinked (foreign keys ON DELETE SET NULL) --------------------------------
_LINKS_CACHE: dict[tuple[str, str], list[tuple[str, str]]] = {}


def set_null_links(db: Database, table: str) -> list[tuple[str, str]]:
    """``(table, column)`` pairs whose foreign key to ``table`` is ON DELETE SET NULL."""
    key = (db.target.describe(), table)
    if key not in _LINKS_CACHE:
        _LINKS_CACHE[key] = _find_set_null_links(db, table)
    return _LINKS_CACHE[key]


def _find_set_null_links(db: Database, table: str) -> list[tuple[str, str]]:
    if db.is_sqlite:
        found = []
        for t in db.all("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"):
            for fk in db.all(f"PRAGMA foreign_key_list({_quoted(str(t['name']))})"):
                if fk["table"] == table and str(fk["on_delete"]).upper() == "SET NULL":
                    found.append((str(t["name"]), str(fk["from"])))
        return sorted(found)
    rows = db.all(
        "SELECT cl.relname AS tbl, att.attname AS col FROM pg_constraint con "
        "JOIN pg_class cl ON cl.oid = con.conrelid JOIN pg_class ref ON ref.oid = con.confrelid "
        "JOIN pg_attribute att ON att.attrelid = con.conrelid AND att.attnum = con.conkey[1] "
        "WHERE con.contype = 'f' AND con.confdeltype = 'n' AND ref.relname = ? "
        "AND cl.relnamespace = current_schema()::regnamespace",
        (table,),
    )
    return sorted((str(r["tbl"]), str(r["col"])) for r in rows)


def unlinked_rows(db: Database, table: str, entity_id: int) -> dict[str, list[int]]:
    """What deleting row ``entity_id`` of ``table`` will unlink: ``{"deal.company_id": [3, 4]}``.
    Recorded in the delete's snapshot so that undo can link them back."""
    found = {}
    for other, column in set_null_links(db, table):
        ids = [
            int(r["id"])
            for r in db.all(
                f"SELECT id FROM {_quoted(other)} WHERE {_quoted(column)} = ? ORDER BY id", (entity_id,)
            )
        ]
        if ids:
            found[f"{other}.{column}"] = ids
    return found


def _relink(tables: Tables, entity_id: int, snap: Snapshot) -> None:
    """Link back the rows the deletion unlinked (those still unlinked: nothing since relinked
    them elsewhere)."""
    links = dict(snap.get("unlinked") or {})
    if snap.get("contact_ids") and "contact.company_id" not in links:
        links["contact.company_id"] = snap["contact_ids"]
    for key, ids in links.items():
        other, _, column = key.partition(".")
        if column not in tables.columns(other):
            continue
        for start in range(0, len(ids), 500):
            chunk = [int(i) for i in ids[start : start + 500]]
            tables.db.execute(
                f"UPDATE {_quoted(other)} SET {_quoted(column)} = ? WHERE {_quoted(column)} IS NULL "
                f"AND id IN ({','.join('?' * len(chunk))})",
                [entity_id, *chunk],
            )
            if other == "contact":
                for contact_id in chunk:
                    search_index.reindex_contact(tables.db, contact_id)


def _company_deleted(tables: Tables, entity_id: int, snap: Snapshot) -> None:
    search_index.unindex(tables.db, "company", entity_id)
    for contact_id in snap.get("contact_ids") or []:
        search_index.reindex_contact(tables.db, int(contact_id))


def _interaction_written(tables: Tables, entity_id: int, snap: Snapshot) -> None:
    db = tables.db
    row = db.one("SELECT kind, body, at, contact_id FROM interaction WHERE id = ?", (entity_id,))
    if row is None:
        return
    search_index.reindex_interaction(db, entity_id, row["body"])
    if row["kind"] in _TOUCHING_KINDS and row["contact_id"] is not None:
        db.execute(
            "UPDATE contact SET last_interaction_at = ? WHERE id = ? "
            "AND (last_interaction_at IS NULL OR last_interaction_at < ?)",
            (row["at"], row["contact_id"], row["at"]),
        )


def _interaction_deleted(tables: Tables, entity_id: int, snap: Snapshot) -> None:
    """Unindex it; the contact's last interaction falls back to the latest one left."""
    db = tables.db
    search_index.unindex(db, "note", entity_id)
    contact_id = snap.get("contact_id")
    if contact_id is None or snap.get("kind") not in _TOUCHING_KINDS:
        return
    current = db.scalar("SELECT last_interaction_at FROM contact WHERE id = ?", (contact_id,))
    if current is not None and current == snap.get("at"):
        marks = ",".join("?" * len(_TOUCHING_KINDS))
        latest = db.scalar(
            f"SELECT max(at) FROM interaction WHERE contact_id = ? AND kind IN ({marks})",
            (contact_id, *_TOUCHING_KINDS),
        )
        db.execute("UPDATE contact SET last_interaction_at = ? WHERE id = ?", (latest, contact_id))


def _deal_written(tables: Tables, entity_id: int, snap: Snapshot) -> None:
    reindex = getattr(search_index, "reindex_deal", None)
    if reindex is not None:
        reindex(tables.db, entity_id)
        return
    title = tables.db.scalar("SELECT title FROM deal WHERE id = ?", (entity_id,))
    search_index.index(tables.db, "deal", entity_id, title or "")


_KNOWN: dict[str, Restorer] = {
    r.entity: r
    for r in (
        Restorer("contact", "contact", _contact_snapshot, _reindex_contact, _unindex("contact")),
        Restorer("company", "company", _company_snapshot, _company_written, _company_deleted),
        Restorer("followup", "followup", _followup_snapshot, _nothing, _nothing),
        Restorer(
            "interaction",
            "interaction",
            _row_snapshot("interaction", "interaction"),
            _interaction_written,
            _interaction_deleted,
        ),
        Restorer("deal", "deal", _row_snapshot("deal", "deal"), _deal_written, _unindex("deal")),
        Restorer(
            "deal_stage_change",
            "deal_stage_change",
            _row_snapshot("deal_stage_change", "deal_stage_change"),
            _nothing,
            _nothing,
        ),
        Restorer(
            "request", "service_request", _row_snapshot("service_request", "request"), _nothing, _nothing
        ),
        Restorer(
            "service_request",
            "service_request",
            _row_snapshot("service_request", "service_request"),
            _nothing,
            _nothing,
        ),
        Restorer("segment", "segment", _row_snapshot("segment", "segment"), _nothing, _nothing),
    )
}


def restorer_for(tables: Tables, entity: str) -> Restorer:
    """The restorer of a kind of record; a kind added later whose table has the same name as
    the entity gets the generic one (row columns, tags and ``<entity>_field`` when present)."""
    known = _KNOWN.get(entity)
    if known is not None:
        return known
    if entity.replace("_", "").isalnum() and tables.exists(entity) and "id" in tables.columns(entity):
        return Restorer(entity, entity, _row_snapshot(entity, entity), _nothing, _nothing)
    raise Conflict(f"cannot undo changes to {entity!r} records: this minicrm does not know them")


def label(entity: str, entity_id: int, snap: Snapshot | None) -> str:
    """``contact 5 Ana Lima``: how a step names its record."""
    text = ""
    if snap:
        for key in ("name", "title", "body", "to_stage"):
            value = snap.get(key)
            if isinstance(value, str) and value.strip():
                text = " ".join(value.split())
                break
    if len(text) > 50:
        text = text[:49] + "…"
    return f"{entity} {entity_id}" + (f" {text}" if text else "")
