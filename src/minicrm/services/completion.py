"""What shell completion offers from the database: contact names, deal ids, tags, company
names, stage names.

Completion runs on every Tab, so this keeps to what a cold read command loads: no write
machinery, an existing database only (a Tab never creates or migrates one), and indexed
prefix queries (a name prefix is a range of the name index, in each capitalisation a user
may type), at most ``LIMIT`` candidates.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from minicrm.core.config import Config
    from minicrm.services.kernel.context import Context
    from minicrm.store.db import Row

LIMIT = 50
KINDS = ("contact", "company", "deal", "tag", "stage", "pipeline", "segment", "user")


def candidates(ctx: Context, kind: str, prefix: str) -> list[tuple[str, str]]:
    """``(value, description)`` pairs of ``kind`` starting with ``prefix``."""
    db = ctx.db
    if kind == "contact":
        return _names(ctx, "contact", prefix)
    if kind == "company":
        return _names(ctx, "company", prefix)
    if kind in ("tag", "segment", "user"):
        table = {"tag": "tag", "segment": "segment", "user": "user_account"}[kind]
        return [(r["name"], "") for r in _prefixed(ctx, f"SELECT name FROM {table} WHERE", "name", prefix)]
    if kind == "deal":
        rows = db.all(
            "SELECT id, title FROM deal WHERE status = 'open' AND CAST(id AS TEXT) LIKE ? ORDER BY id DESC "
            f"LIMIT {LIMIT}",
            (_like_prefix(prefix),),
        )
        return [(str(r["id"]), str(r["title"])) for r in rows]
    if kind in ("stage", "pipeline"):
        return configured(ctx.config, kind, prefix)
    raise ValueError(f"unknown kind {kind!r}")


def configured(config: Config, kind: str, prefix: str) -> list[tuple[str, str]]:
    """Stage names (described by their pipeline) or pipeline names, from the config alone."""
    if kind in ("stage", "pipeline"):
        found: dict[str, str] = {}
        for pipeline in config.pipelines:
            if kind == "pipeline":
                found.setdefault(pipeline.name, "")
            else:
                for stage in pipeline.stages:
                    found.setdefault(stage.name, pipeline.name)
        low = prefix.lower()
        return [(name, about) for name, about in found.items() if name.lower().startswith(low)]
    raise ValueError(f"unknown kind {kind!r}")


def _names(ctx: Context, table: str, prefix: str) -> list[tuple[str, str]]:
    rows = _prefixed(ctx, f"SELECT id, name FROM {table} WHERE", "name", prefix)
    return [(str(r["name"]), f"#{r['id']}") for r in rows]


def _prefixed(ctx: Context, select: str, column: str, prefix: str) -> list[Row]:
    """``select`` rows whose ``column`` starts with ``prefix`` as typed, lower-case,
    capitalised or title-cased: each a range of the column's index."""
    db = ctx.db
    if not prefix:
        return list(db.all(f"{select} 1 = 1 ORDER BY {column} LIMIT {LIMIT}"))
    variants = list(
        dict.fromkeys((prefix, prefix.lower(), prefix.capitalize(), prefix.title(), prefix.upper()))
    )
    clause = " OR ".join(f"({column} >= ? AND {column} < ?)" for _ in variants)
    params: list[object] = []
    for v in variants:
        params += [v, v + "\U0010ffff"]
    return list(db.all(f"{select} ({clause}) ORDER BY {column} LIMIT {LIMIT}", params))


def _like_prefix(text: str) -> str:
    return text.replace("\\", "").replace("%", "").replace("_", "") + "%"
