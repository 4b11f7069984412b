"""Keep-in-touch cadence: who is due for contact, and the per-tag rules.

A contact's cadence is its own (``contact edit REF --every 30d``) or, failing that, the
shortest rule among its tags (``cadence set vip 14d --max 30d``). Its clock runs from the last
logged interaction (or from when it was added, if nobody has been in touch yet): past the ideal
window the contact is *due for contact*; past the maximum it has *lapsed* (without a maximum:
past twice the window). Contacts flagged do-not-contact are never suggested.

The filtering happens in SQL, one query per distinct window, so that ``due`` stays fast at
100k contacts: only the contacts actually due come back to Python.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from minicrm.core.clock import from_db, to_db
from minicrm.core.errors import InvalidInput, NotFound
from minicrm.services.dto.due import CadenceDue
from minicrm.services.kernel.tags import stored_tag
from minicrm.services.kernel.unit_of_work import UnitOfWork
from minicrm.services.kernel.validation import normalize_tag

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from typing import Any

    from minicrm.core.dates import Duration
    from minicrm.services.dto import CadenceReport, CadenceRule
    from minicrm.services.kernel.context import Context
    from minicrm.store.db import Row

_SINCE = "COALESCE(c.last_interaction_at, c.created_at)"
_FIELDS = f"c.id, c.name, c.owner, c.last_interaction_at, {_SINCE} AS since"


def window_days(duration: Duration, what: str = "cadence") -> int:
    """A cadence window in whole days (``2w`` → 14, ``1m`` → 30)."""
    if duration.unit in ("minutes", "hours"):
        raise InvalidInput(f"a {what} is counted in days: use d, w, m or y (e.g. 14d, 2w, 1m)")
    return duration.approx_days()


# -- rules -----------------------------------------------------------------------------------
def _rule_dto(ctx: Context, row: Row) -> CadenceRule:
    db = ctx.db
    from minicrm.services.dto import CadenceRule  # here: due needs this module, not the rules'

    count = db.scalar(
        "SELECT count(*) FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id WHERE t.name = ?", (row["tag"],)
    )
    return CadenceRule(row["tag"], int(row["ideal_days"]), row["max_days"], int(count or 0))


def list_rules(ctx: Context) -> list[CadenceRule]:
    return [_rule_dto(ctx, r) for r in ctx.db.all("SELECT * FROM cadence_rule ORDER BY ideal_days, tag")]


def get_rule(ctx: Context, tag: str) -> CadenceRule:
    name = stored_tag(ctx.db, normalize_tag(tag))
    row = ctx.db.one("SELECT * FROM cadence_rule WHERE tag = ?", (name,))
    if row is None:
        raise NotFound(f"no cadence rule for tag {name!r}")
    return _rule_dto(ctx, row)


def set_rule(ctx: Context, tag: str, ideal: Duration, maximum: Duration | None = None) -> CadenceRule:
    """Create or change the rule for ``tag``; the tag must exist (be on some record)."""
    name = stored_tag(ctx.db, normalize_tag(tag))
    ideal_days = window_days(ideal)
    max_days = window_days(maximum, "maximum") if maximum else None
    if max_days is not None and max_days < ideal_days:
        raise InvalidInput(f"--max ({max_days} days) is shorter than the cadence ({ideal_days} days)")
    with UnitOfWork(ctx, f"cadence set {name}") as uow:
        tag_id = uow.db.scalar("SELECT id FROM tag WHERE name = ?", (name,))
        if tag_id is None:
            raise InvalidInput(
                f"unknown tag {name!r}: no contact carries it (tag someone first: "
                f"minicrm contact edit REF --add-tag {name})"
            )
        before = _rule_row(uow.ctx, name)
        if before is None:
            uow.db.execute(
                "INSERT INTO cadence_rule (tag, ideal_days, max_days) VALUES (?, ?, ?)",
                (name, ideal_days, max_days),
            )
        else:
            uow.db.execute(
                "UPDATE cadence_rule SET ideal_days = ?, max_days = ? WHERE tag = ?",
                (ideal_days, max_days, name),
            )
        uow.record(
            "cadence_rule",
            int(tag_id),
            "create" if before is None else "update",
            before,
            _rule_row(uow.ctx, name),
        )
    return get_rule(ctx, name)


def remove_rule(ctx: Context, tag: str) -> CadenceRule:
    rule = get_rule(ctx, tag)
    with UnitOfWork(ctx, f"cadence rm {rule.tag}") as uow:
        before = _rule_row(uow.ctx, rule.tag)
        tag_id = uow.db.scalar("SELECT id FROM tag WHERE name = ?", (rule.tag,))
        uow.db.execute("DELETE FROM cadence_rule WHERE tag = ?", (rule.tag,))
        uow.record("cadence_rule", int(tag_id or 0), "delete", before, None)
    return rule


def _rule_row(ctx: Context, name: str) -> dict[str, Any] | None:
    db = ctx.db
    row = db.one("SELECT tag, ideal_days, max_days FROM cadence_rule WHERE tag = ?", (name,))
    return dict(row) if row else None


# -- who is due --------------------------------------------------------------------------------
def due_contacts(
    ctx: Context, *, owner: str | None = None, include_do_not_contact: bool = False
) -> list[CadenceDue]:
    """Contacts whose keep-in-touch window has passed, lapsed ones first, then the longest
    overdue. Runs inside the caller's snapshot when there is one."""
    db, now = ctx.db, ctx.clock.now()
    extra, extra_params = "", []
    if not include_do_not_contact:
        extra += " AND NOT c.do_not_contact"
    if owner:
        extra += " AND c.owner = ?"
        extra_params.append(owner)
    found: dict[int, CadenceDue] = {}
    windows = [
        int(r["cadence_days"])
        for r in db.all("SELECT DISTINCT cadence_days FROM contact WHERE cadence_days IS NOT NULL")
    ]
    for days in windows:
        rows = db.all(
            f"SELECT {_FIELDS} FROM contact c WHERE c.cadence_days = ? AND {_SINCE} <= ?{extra}",
            [days, to_db(now - timedelta(days=days)), *extra_params],
        )
        for r in rows:
            found[int(r["id"])] = _due(r, days, None, "contact", now)
    for rule in db.all(
        "SELECT tag, ideal_days, max_days FROM cadence_rule ORDER BY ideal_days, max_days, tag"
    ):
        days = int(rule["ideal_days"])
        rows = db.all(
            f"SELECT {_FIELDS} FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id "
            f"JOIN contact c ON c.id = ct.contact_id "
            f"WHERE t.name = ? AND +c.cadence_days IS NULL AND {_SINCE} <= ?{extra}",
            [rule["tag"], to_db(now - timedelta(days=days)), *extra_params],
        )
        # (+cadence_days: keep SQLite on the tag's index; the keep-in-touch index would walk
        # every contact without a cadence of their own)
        for r in rows:  # rules come shortest first: the first rule to claim a contact is its own
            found.setdefault(int(r["id"]), _due(r, days, rule["max_days"], f"tag:{rule['tag']}", now))
    return sorted(found.values(), key=lambda c: (not c.lapsed, c.due_since or now, c.name, c.contact_id))


def _due(r: Row, days: int, max_days: int | None, source: str, now: datetime) -> CadenceDue:
    last = from_db(r["last_interaction_at"])
    since = from_db(r["since"])
    assert since is not None
    limit = max_days if max_days is not None else 2 * days
    elapsed = (now - since).days
    return CadenceDue(
        contact_id=int(r["id"]),
        name=r["name"],
        cadence_days=days,
        last_interaction_at=last,
        days_since=(now - last).days if last else None,
        lapsed=elapsed >= limit,
        owner=r["owner"],
        max_days=limit,
        source=source,
        due_since=since + timedelta(days=days),
    )


# -- how well we keep in touch -----------------------------------------------------------------
def report(ctx: Context, *, owner: str | None = None) -> CadenceReport:
    """Per keep-in-touch source, how many contacts it covers and how many of them are in touch,
    due or lapsed (as ``due`` counts them). A contact's own cadence wins over tag rules, and of
    several rules the shortest (the one ``due`` uses) claims it; do-not-contact people are left
    out, as ``due`` leaves them out."""
    from minicrm.services.dto import CadenceReport, CadenceSummary

    db = ctx.db
    extra, params = " AND NOT c.do_not_contact", []
    if owner:
        extra += " AND c.owner = ?"
        params.append(owner)
    covered: list[tuple[str, int | None, int]] = []
    with db.snapshot():
        own = db.scalar(f"SELECT count(*) FROM contact c WHERE c.cadence_days IS NOT NULL{extra}", params)
        covered.append(("contact", None, int(own or 0)))
        claimed: set[int] = set()
        for rule in db.all(
            "SELECT tag, ideal_days, max_days FROM cadence_rule ORDER BY ideal_days, max_days, tag"
        ):
            members = {
                int(r["id"])
                for r in db.all(
                    "SELECT c.id FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id "
                    "JOIN contact c ON c.id = ct.contact_id "
                    f"WHERE t.name = ? AND c.cadence_days IS NULL{extra}",
                    [rule["tag"], *params],
                )
            } - claimed
            claimed |= members
            covered.append((f"tag:{rule['tag']}", int(rule["ideal_days"]), len(members)))
        late = due_contacts(ctx, owner=owner)
    due: dict[str, int] = {}
    lapsed: dict[str, int] = {}
    for c in late:
        counts = lapsed if c.lapsed else due
        counts[c.source] = counts.get(c.source, 0) + 1
    sources = tuple(
        CadenceSummary(source, days, n, due.get(source, 0), lapsed.get(source, 0))
        for source, days, n in covered
    )
    total = CadenceSummary(
        "total",
        None,
        sum(s.contacts for s in sources),
        sum(s.due for s in sources),
        sum(s.lapsed for s in sources),
    )
    return CadenceReport(sources, total)
