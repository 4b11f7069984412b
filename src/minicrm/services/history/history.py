"""Reading the change log: a record's history, and who changed it last (for conflicts)."""

from __future__ import annotations

import json

from minicrm.core.clock import from_db

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from typing import Any

    from minicrm.services.dto import ChangeEntry
    from minicrm.services.kernel.context import Context

#: bookkeeping and derived columns, never typed by anyone: not shown as changes
_IGNORED = {"updated_at", "version", "sort_name"}


def history(ctx: Context, entity: str, entity_id: int, *, limit: int | None = None) -> list[ChangeEntry]:
    """Every change of one record, oldest first, with the fields that changed."""
    from minicrm.services.history.changelog import created

    sql = "SELECT * FROM change WHERE entity = ? AND entity_id = ? ORDER BY id"
    rows: list[Any] = [
        {**r, "before": _load(r["before"]), "after": _load(r["after"])}
        for r in ctx.db.all(sql, (entity, entity_id))
    ]
    # a creation logged by a bulk write (an import); one id orders both logs
    rows = sorted([*created(ctx, entity, entity_id), *rows], key=lambda r: int(r["id"]))
    if limit is not None:
        rows = rows[-limit:]
    return [_entry(r) for r in rows]


def _load(text: str | None) -> dict[str, Any] | None:
    return json.loads(text) if text else None


def _entry(row: Any) -> ChangeEntry:
    from minicrm.services.dto import ChangeEntry  # here: every writer imports this module

    before, after = row["before"], row["after"]
    return ChangeEntry(
        id=int(row["id"]),
        op_id=int(row["op_id"]),
        at=from_db(row["at"]),  # type: ignore[arg-type]
        actor=row["actor"],
        entity=row["entity"],
        entity_id=int(row["entity_id"]),
        action=row["action"],
        changes=diff(before, after),
        currency=(after or before or {}).get("currency"),
    )


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, tuple[Any, Any]]:
    """Field → (before, after) for the fields that differ; a create or delete lists the set fields."""
    old, new = before or {}, after or {}
    out: dict[str, tuple[Any, Any]] = {}
    for key in sorted(set(old) | set(new)):
        if key in _IGNORED or key == "id":
            continue
        a, b = old.get(key), new.get(key)
        if a != b and (a not in (None, [], {}) or b not in (None, [], {})):
            out[key] = (a, b)
    return out


def conflict_message(ctx: Context, entity: str, entity_id: int, *, state: str | None = None) -> str:
    """Names who changed a record last and when, for a stale-version conflict; ``state``
    (e.g. "it is now lost: too expensive") is added after it."""
    row = ctx.db.one(
        "SELECT actor, at FROM change WHERE entity = ? AND entity_id = ? ORDER BY id DESC LIMIT 1",
        (entity, entity_id),
    )
    if row is None:
        from minicrm.services.history.changelog import created

        logged = created(ctx, entity, entity_id)
        row = logged[-1] if logged else None
    now = f" ({state})" if state else ""
    if row is None:
        return f"{entity} {entity_id} was changed by someone else{now}; reload it and try again"
    when = from_db(row["at"])
    local = when.astimezone(ctx.clock.tz).strftime("%Y-%m-%d %H:%M") if when else "?"
    who = row["actor"] or "someone else"
    return f"{entity} {entity_id} was changed by {who} at {local}{now}; reload it and try again"
