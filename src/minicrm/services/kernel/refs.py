"""Resolving what users type to records: ``12``, ``ana@lima.pt``, ``Ana Lima``, ``ana``.

A contact reference is an id, an email, or a name: the exact name first, then a
case-insensitive exact name, then a case-insensitive fragment, then a fragment without accents
(``jurgen`` for Jürgen). Several matches at the first
level that matches raise ``Ambiguous`` listing them.
"""

from __future__ import annotations

from minicrm.core.errors import Ambiguous, InvalidInput, NotFound
from minicrm.services.kernel.context import Context
from minicrm.store.db import Row

_MAX_LISTED = 10


def resolve_contact(ctx: Context, ref: str) -> int:
    db = ctx.db
    text = ref.strip()
    if not text:
        raise InvalidInput("empty contact reference")
    if text.isdigit():
        if db.scalar("SELECT 1 FROM contact WHERE id = ?", (int(text),)):
            return int(text)
        raise NotFound(f"no contact with id {text}")
    if "@" in text:
        rows = db.all(
            "SELECT DISTINCT c.id, c.name FROM contact_email e JOIN contact c ON c.id = e.contact_id "
            "WHERE e.email_lower = ? ORDER BY c.id",
            (text.lower(),),
        )
        if rows:
            return _one(ctx, rows, text)
    for sql, params in _name_levels(ctx, text):
        rows = db.all(sql, params)
        if rows:
            return _one(ctx, rows, text)
    rows = _unaccented_names(ctx, text)
    if rows:
        return _one(ctx, rows, text)
    raise NotFound(f"no contact matches {text!r}")


def _unaccented_names(ctx: Context, text: str) -> list[Row]:
    """The last level: a fragment of the name without its accents (``jurgen`` for Jürgen),
    among the contacts the (folded) search index finds."""
    db = ctx.db
    from minicrm.services.search import fold_query, match_sql

    sub, params = match_sql(ctx, text, "contact")
    wanted = fold_query(text)
    rows = db.all(f"SELECT id, name FROM contact WHERE id IN ({sub}) ORDER BY id LIMIT 200", params)
    return [r for r in rows if wanted in fold_query(str(r["name"]))][:50]


def _name_levels(ctx: Context, text: str) -> list[tuple[str, list[object]]]:
    fold = _lower(text)
    # The search index narrows the candidates first: ``lower(name)`` alone scans every contact.
    from minicrm.services.search import match_sql

    sub, params = match_sql(ctx, text, "contact")
    return [
        ("SELECT id, name FROM contact WHERE name = ? ORDER BY id LIMIT 50", [text]),
        (
            f"SELECT id, name FROM contact WHERE id IN ({sub}) AND lower(name) = ? ORDER BY id LIMIT 50",
            [*params, fold],
        ),
        (
            f"SELECT id, name FROM contact WHERE id IN ({sub}) AND lower(name) LIKE ? ESCAPE '\\' ORDER BY "
            "id LIMIT 50",
            [*params, _like(fold)],
        ),
    ]


def _lower(text: str) -> str:
    """What SQL ``lower()`` gives, to compare with it: ``str.lower``, not ``casefold`` (which turns
    ß into ss, so that "straße" would never equal lower('Straße') on either backend)."""
    return text.lower()


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _one(ctx: Context, rows: list[Row], text: str) -> int:
    if len(rows) == 1:
        return int(rows[0]["id"])
    listed = [_describe_contact(ctx, r) for r in rows[:_MAX_LISTED]]
    more = f" (and {len(rows) - _MAX_LISTED} more)" if len(rows) > _MAX_LISTED else ""
    raise Ambiguous(f"{text!r} matches {len(rows)} contacts{more}: " + "; ".join(listed), listed)


def _describe_contact(ctx: Context, row: Row) -> str:
    db = ctx.db
    email = db.scalar(
        "SELECT email FROM contact_email WHERE contact_id = ? ORDER BY position LIMIT 1", (row["id"],)
    )
    return f"{row['id']} {row['name']}" + (f" <{email}>" if email else "")


def resolve_company(ctx: Context, ref: str) -> int:
    """A company by id, domain, exact name (case-insensitive), or unique name fragment."""
    db = ctx.db
    text = ref.strip()
    if not text:
        raise InvalidInput("empty company reference")
    if text.isdigit():
        if db.scalar("SELECT 1 FROM company WHERE id = ?", (int(text),)):
            return int(text)
        raise NotFound(f"no company with id {text}")
    fold = _lower(text)
    for sql, params in (
        ("SELECT id, name FROM company WHERE name = ? ORDER BY id", [text]),
        ("SELECT id, name FROM company WHERE lower(name) = ? OR lower(domain) = ? ORDER BY id", [fold, fold]),
        (
            "SELECT id, name FROM company WHERE lower(name) LIKE ? ESCAPE '\\' ORDER BY id LIMIT 50",
            [_like(fold)],
        ),
    ):
        rows = db.all(sql, params)
        if len(rows) == 1:
            return int(rows[0]["id"])
        if rows:
            listed = [f"{r['id']} {r['name']}" for r in rows[:_MAX_LISTED]]
            raise Ambiguous(f"{text!r} matches {len(rows)} companies: " + "; ".join(listed), listed)
    raise NotFound(f"no company matches {text!r}")


def find_company_exact(ctx: Context, name: str) -> int | None:
    """The company with exactly this name (case-insensitive), if any; for linking on add."""
    db = ctx.db
    row = db.one("SELECT id FROM company WHERE lower(name) = ? ORDER BY id LIMIT 1", (_lower(name.strip()),))
    return int(row["id"]) if row else None


def resolve_deal(ctx: Context, ref: str) -> int:
    db = ctx.db
    text = ref.strip().lstrip("#")
    if not text.isdigit():
        raise InvalidInput(f"a deal is referenced by its id, not {ref!r}")
    if not db.scalar("SELECT 1 FROM deal WHERE id = ?", (int(text),)):
        raise NotFound(f"no deal with id {text}")
    return int(text)
