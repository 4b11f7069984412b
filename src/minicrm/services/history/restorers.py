"""Putting records back as the change log remembers them: one restorer per kind of record.

``undo`` reverts an operation change by change; for that it must be able to re-create a
deleted row from its snapshot (with its original id, emails, phones, tags and custom fields),
delete a created one, and revert the fields an update changed. The snapshots are whatever the
services recorded (the record modules' ``snapshot``, a row as a dict, …); the restorers keep
only the keys that are real columns of the table today, so that records written before a column
was added (or after one was dropped) still restore. Child rows and search documents are written
by the records (``minicrm.store.records``), as for any other write.
"""

from __future__ import annotations

from dataclasses import dataclass

from minicrm.core.errors import Conflict
from minicrm.store.records import Records
from minicrm.store.records import companies as company_records
from minicrm.store.records import contacts as contact_records
from minicrm.store.records import followups as followup_records
from minicrm.store.records.base import quoted as _quoted
from minicrm.store.records.tags import tags_of

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
        self.records = Records(db)
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


@dataclass(frozen=True)
class Restorer:
    """How to put back one kind of record (``entity`` is its name in the change log)."""

    entity: str
    table: str
    snapshot: Callable[[Tables, int], Snapshot | None]
    after_write: Callable[[Tables, int, Snapshot], None]
    after_delete: Callable[[Tables, int, Snapshot], None]
    #: how the row is deleted: through its record (which drops its search documents), else
    #: a plain DELETE
    delete_row: Callable[[Tables, int], object] | None = None

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
        if self.delete_row is not None:
            self.delete_row(tables, entity_id)
        else:
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
    """Put back the child lists ``new`` holds, through the record that owns them. With ``old``
    (a revert) custom fields are set back by key: a key set since by someone else stays."""
    records = tables.records
    emails = phones = tags = fields = None
    details: dict[str, Any] = {}
    if entity == "contact":
        emails, phones = new.get("emails"), new.get("phones")
        # what a snapshot holds of the labels and further addresses (older ones hold none)
        details = {k: new[k] for k in ("email_labels", "phone_labels", "addresses") if k in new}
    if entity in _TAGGED and "tags" in new and tables.exists(f"{entity}_tag"):
        tags = new["tags"]
    if entity in ("contact", "company") and isinstance(new.get("fields"), dict):
        wanted: dict[str, Any] = new["fields"]
        fields = dict(wanted)
        if old is not None:
            previous: dict[str, Any] = old.get("fields") or {}
            read = contact_records.fields_of if entity == "contact" else company_records.fields_of
            fields = read(tables.db, entity_id)
            for key in set(wanted) | set(previous):
                if wanted.get(key) == previous.get(key):
                    continue
                if key in wanted:
                    fields[key] = wanted[key]
                else:
                    fields.pop(key, None)
    if entity == "contact":
        records.contacts.replace_children(
            entity_id, emails=emails, phones=phones, tags=tags, fields=fields, **details
        )
    elif entity == "company":
        records.companies.replace_children(entity_id, tags=tags, fields=fields)
    elif entity == "deal":
        records.deals.replace_children(entity_id, tags=tags)


def _revert_children(
    tables: Tables, entity: str, entity_id: int, before: Snapshot, after: Snapshot
) -> list[str]:
    """Put back the child lists that the update changed; return their names."""
    changed: dict[str, Any] = {}
    for key in ("emails", "phones", "email_labels", "phone_labels", "addresses"):
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
    return contact_records.snapshot(tables.db, entity_id)


def _company_snapshot(tables: Tables, entity_id: int) -> Snapshot | None:
    return company_records.snapshot(tables.db, entity_id)


def _followup_snapshot(tables: Tables, entity_id: int) -> Snapshot | None:
    return followup_records.snapshot(tables.db, entity_id)


def _nothing(tables: Tables, entity_id: int, snap: Snapshot) -> None:
    return None


def _contact_written(tables: Tables, entity_id: int, snap: Snapshot) -> None:
    tables.records.contacts.reindex(entity_id)


def _company_written(tables: Tables, entity_id: int, snap: Snapshot) -> None:
    """Reindex the company (a re-created one has got back the people its deletion unlinked)."""
    tables.records.companies.reindex(entity_id, with_contacts=True)


def _deal_written(tables: Tables, entity_id: int, snap: Snapshot) -> None:
    tables.records.deals.reindex(entity_id)


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
                tables.records.contacts.reindex_many(chunk)


def _interaction_written(tables: Tables, entity_id: int, snap: Snapshot) -> None:
    db = tables.db
    row = db.one("SELECT kind, at, contact_id FROM interaction WHERE id = ?", (entity_id,))
    if row is None:
        return
    tables.records.interactions.reindex(entity_id)
    if row["kind"] in _TOUCHING_KINDS and row["contact_id"] is not None:
        db.execute(
            "UPDATE contact SET last_interaction_at = ? WHERE id = ? "
            "AND (last_interaction_at IS NULL OR last_interaction_at < ?)",
            (row["at"], row["contact_id"], row["at"]),
        )


def _interaction_deleted(tables: Tables, entity_id: int, snap: Snapshot) -> None:
    """The contact's last interaction falls back to the latest one left."""
    db = tables.db
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


#: the tables whose rows a user owns (``owner`` holds the user's name)
_OWNED: tuple[tuple[str, str], ...] = (
    ("contact", "contact"),
    ("company", "company"),
    ("deal", "deal"),
    ("followup", "followup"),
    ("service_request", "request"),
)


def _delete_user(tables: Tables, entity_id: int) -> None:
    """Undoing ``user add``: refused while the user owns records (they would be left with an
    owner nobody can act as); the last user gone ends team mode."""
    name = tables.db.scalar("SELECT name FROM user_account WHERE id = ?", (entity_id,))
    owned = []
    for table, noun in _OWNED:
        count = int(tables.db.scalar(f"SELECT count(*) FROM {table} WHERE owner = ?", (name,)) or 0)
        if count:
            owned.append(f"{count} {noun}{'s' if count > 1 else ''}")
    if owned:
        raise Conflict(
            f"user {name!r} owns {', '.join(owned)}: give them another owner first (`edit … --owner`"
            " or `--clear owner`), then undo"
        )
    tables.db.execute("DELETE FROM user_account WHERE id = ?", (entity_id,))


_KNOWN: dict[str, Restorer] = {
    r.entity: r
    for r in (
        Restorer(
            "contact",
            "contact",
            _contact_snapshot,
            _contact_written,
            _nothing,
            lambda tables, i: tables.records.contacts.delete(i),
        ),
        Restorer(
            "company",
            "company",
            _company_snapshot,
            _company_written,
            _nothing,
            lambda tables, i: tables.records.companies.delete(i),
        ),
        Restorer("followup", "followup", _followup_snapshot, _nothing, _nothing),
        Restorer(
            "interaction",
            "interaction",
            _row_snapshot("interaction", "interaction"),
            _interaction_written,
            _interaction_deleted,
            lambda tables, i: tables.records.interactions.delete(i),
        ),
        Restorer(
            "deal",
            "deal",
            _row_snapshot("deal", "deal"),
            _deal_written,
            _nothing,
            lambda tables, i: tables.records.deals.delete(i),
        ),
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
        Restorer(
            "user", "user_account", _row_snapshot("user_account", "user"), _nothing, _nothing, _delete_user
        ),
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
