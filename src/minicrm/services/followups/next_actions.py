"""``minicrm next``: what to do now, ranked by an urgency score made of visible parts.

Candidates: follow-ups due now (today or overdue), open deals whose close date is near or past
or that have sat quiet past their stage's ``idle_days``, and contacts due for contact. A
follow-up about a deal carries that deal's parts (it is the deal's next step) and one about a
contact due for contact carries the cadence parts, so nothing is suggested twice. Each part is
``weight × amount``, the weights from ``[next] weights`` in the config. Contacts flagged
do-not-contact are never suggested (``due`` still lists their follow-ups).

The deal table is read with plain SQL: only the columns every deal has (value, probability,
stage, close date, stage and activity timestamps).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from minicrm.core.clock import from_db, to_db
from minicrm.core.errors import InvalidInput
from minicrm.core.words import counted
from minicrm.services.dto import CadenceDue, NextAction, ScorePart

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

    from minicrm.services.kernel.context import Context

#: a close date nearer than this many days starts to count
CLOSING_DAYS = 14
_JULIAN_OFFSET = 1721424.5  # julianday('0001-01-01') - date(1, 1, 1).toordinal()

#: which weight (``[next] weights``) each part of a score uses
WEIGHT_OF = {
    "due": "due",
    "overdue": "overdue_day",
    "deal_value": "deal_value",
    "closing": "closing",
    "stale": "stale_day",
    "cadence": "cadence_day",
    "lapsed": "lapsed",
}


@dataclass
class _Draft:
    """A candidate with the numbers behind its score; the worded parts are made only for the
    candidates that make the list (there may be tens of thousands of candidates)."""

    kind: str
    id: int
    title: str
    contact: str | None
    contact_id: int | None
    deal_id: int | None
    due: datetime | None = None
    amounts: list[tuple[str, float, Any]] = field(default_factory=list)  # (part, amount, facts)
    score: float = 0.0


def suggest(ctx: Context, *, limit: int | None = 10, owner: str | None = None) -> list[NextAction]:
    """The most urgent things to do now, highest score first (ties: oldest first)."""
    weights = ctx.config.next_weights
    clock = ctx.clock
    now, today = clock.now(), clock.today()
    with ctx.db.snapshot():
        followups = _due_followups(ctx, owner)
        deal_ids = {f["deal_id"] for f in followups if f["deal_id"] is not None}
        keep = None if limit is None else limit + len(deal_ids) + 20
        deals = _deals(ctx, owner, today, now, deal_ids, keep)
        from minicrm.services.followups.cadence import due_contacts

        cadence = {c.contact_id: c for c in due_contacts(ctx, owner=owner)}
    deal_amounts = {deal_id: _deal_amounts(ctx, d, today, now) for deal_id, d in deals.items()}
    drafts: list[_Draft] = []
    covered_deals: set[int] = set()
    covered_contacts: set[int] = set()
    for f in followups:
        due_at = from_db(f["due_at"])
        assert due_at is not None
        draft = _Draft(
            "followup",
            int(f["id"]),
            f["title"],
            f["contact_name"],
            f["contact_id"],
            f["deal_id"],
            due_at,
            _followup_amounts(due_at, bool(f["all_day"]), today, now, clock.tz),
        )
        deal_id = f["deal_id"]
        if deal_id in deal_amounts and deal_id not in covered_deals:
            draft.amounts.extend(deal_amounts[deal_id])
            covered_deals.add(deal_id)
        contact_id = f["contact_id"]
        if contact_id in cadence and contact_id not in covered_contacts:
            draft.amounts.extend(_cadence_amounts(cadence[contact_id], now))
            covered_contacts.add(contact_id)
        drafts.append(draft)
    for deal_id, deal in deals.items():
        if deal_id in covered_deals or deal["_followup_only"]:
            continue
        amounts = deal_amounts[deal_id]
        if any(name in ("closing", "stale") for name, _, _ in amounts):
            drafts.append(
                _Draft(
                    "deal",
                    deal_id,
                    f"move deal #{deal_id} {deal['title']} on ({deal['stage']})",
                    deal["contact_name"],
                    deal["contact_id"],
                    deal_id,
                    None,
                    amounts,
                )
            )
    for contact_id, due in cadence.items():
        if contact_id not in covered_contacts:
            drafts.append(
                _Draft(
                    "contact",
                    contact_id,
                    f"get in touch with {due.name}",
                    due.name,
                    contact_id,
                    None,
                    due.due_since,
                    _cadence_amounts(due, now),
                )
            )
    for d in drafts:
        d.score = round(sum(round(weights[WEIGHT_OF[name]] * amount, 2) for name, amount, _ in d.amounts), 1)
    ranked = sorted((d for d in drafts if d.score > 0), key=lambda d: (-d.score, d.due or now, d.kind, d.id))
    return [_finish(d, weights) for d in (ranked[:limit] if limit is not None else ranked)]


def _finish(d: _Draft, weights: dict[str, float]) -> NextAction:
    parts = tuple(
        ScorePart(name, weights[WEIGHT_OF[name]], amount, _detail(name, amount, facts))
        for name, amount, facts in d.amounts
    )
    return NextAction(
        kind=d.kind,
        id=d.id,
        title=d.title,
        contact=d.contact,
        contact_id=d.contact_id,
        deal_id=d.deal_id,
        score=d.score,
        parts=parts,
        sort_due=d.due,
    )


# -- candidates ---------------------------------------------------------------------------------
def _due_followups(ctx: Context, owner: str | None) -> list[Any]:
    clock = ctx.clock
    sql = (
        "SELECT f.id, f.title, f.due_at, f.all_day, f.contact_id, f.deal_id, c.name AS contact_name "
        "FROM followup f LEFT JOIN contact c ON c.id = f.contact_id "
        "WHERE f.done_at IS NULL AND f.due_at < ? AND (f.snoozed_until IS NULL OR f.snoozed_until <= ?) "
        "AND (c.id IS NULL OR NOT c.do_not_contact)"
    )
    params: list[Any] = [to_db(clock.end_of_today()), to_db(clock.now())]
    if owner:
        sql += " AND f.owner = ?"
        params.append(owner)
    return ctx.db.all(sql + " ORDER BY f.due_at, f.id", params)


def _deals(
    ctx: Context,
    owner: str | None,
    today: date,
    now: datetime,
    linked: Iterable[int],
    keep: int | None = None,
) -> dict[int, Any]:
    """Open deals closing within CLOSING_DAYS (or overdue), quiet past their stage's idle days,
    or the subject of a follow-up due now. Deals of do-not-contact contacts are left out.
    With ``keep`` (SQLite), only the ``keep`` deals with the highest estimated score come back:
    there may be thousands of quiet deals, and only the top of the list is shown."""
    from datetime import timedelta

    idle = [s.idle_days for p in ctx.config.pipelines for s in p.stages if s.idle_days]
    quiet_cutoff = to_db(now - timedelta(days=min(idle))) if idle else ""
    base = (
        "SELECT d.id, d.title, d.value_minor, d.currency, d.probability, d.pipeline, d.stage, d.close_date, "
        "d.stage_entered_at, d.last_activity_at, d.contact_id, c.name AS contact_name "
        "FROM deal d LEFT JOIN contact c ON c.id = d.contact_id "
        "WHERE d.status = 'open' AND (c.id IS NULL OR NOT c.do_not_contact)"
    )
    owner_sql, owner_params = (" AND d.owner = ?", [owner]) if owner else ("", [])
    found: dict[int, Any] = {}
    closing = (today + timedelta(days=CLOSING_DAYS)).isoformat()
    sql = base + " AND (d.close_date <= ? OR d.stage_entered_at <= ?)" + owner_sql
    params: list[Any] = [closing, quiet_cutoff, *owner_params]
    if keep is not None and ctx.db.is_sqlite:
        # rank the deals alone first (no join per deal), then look at the few that remain;
        # twice as many as needed, in case some belong to do-not-contact people
        estimate, estimate_params = _estimate_sql(ctx, today, now)
        top = (
            "SELECT d.id FROM deal d WHERE d.status = 'open' "
            "AND (d.close_date <= ? OR d.stage_entered_at <= ?)"
            f"{owner_sql} ORDER BY {estimate} DESC, d.id LIMIT ?"
        )
        sql = base + f" AND d.id IN ({top})"
        params = [closing, quiet_cutoff, *owner_params, *estimate_params, 2 * keep]
    rows = ctx.db.all(sql, params)
    for r in rows:
        found[int(r["id"])] = {**dict(r), "_followup_only": False}
    wanted = [i for i in linked if i not in found]
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for r in ctx.db.all(base + f" AND d.id IN ({marks})" + owner_sql, [*chunk, *owner_params]):
            found[int(r["id"])] = {**dict(r), "_followup_only": True}
    return found


def _estimate_sql(ctx: Context, today: date, now: datetime) -> tuple[str, list[Any]]:
    """The deal parts of the score as an SQLite expression (julianday), to pick the top deals
    in the database; the exact score is then computed in Python from the same facts."""
    weights = ctx.config.next_weights
    stages = [(p.name, s) for p in ctx.config.pipelines for s in p.stages]
    whens = " ".join("WHEN d.pipeline = ? AND d.stage = ? THEN ?" for _ in stages)
    probability = (
        f"COALESCE(d.probability, CASE {whens} ELSE 0 END)" if stages else "COALESCE(d.probability, 0)"
    )
    idle = f"CASE {whens} ELSE NULL END" if stages else "NULL"
    stage_params = [v for name, st in stages for v in (name, st.name, st.probability)]
    idle_params = [v for name, st in stages for v in (name, st.name, st.idle_days)]
    from minicrm.core.money import minor_scale_sql

    minor = minor_scale_sql("d.currency")
    value = f"COALESCE(d.value_minor, 0) * {probability} / 100.0 / {minor} / 1000.0"
    closing = (
        f"CASE WHEN d.close_date IS NOT NULL AND julianday(d.close_date) - ? < {CLOSING_DAYS} "
        f"THEN {CLOSING_DAYS} - (julianday(d.close_date) - ?) ELSE 0 END"
    )
    quiet = "? - julianday(max(d.stage_entered_at, COALESCE(d.last_activity_at, '')))"
    stale = f"COALESCE(max(0, {quiet} - {idle}), 0)"
    sql = f"(? * {value} + ? * {closing} + ? * {stale})"
    params = [
        weights["deal_value"],
        *stage_params,
        weights["closing"],
        _julian_day(today),
        _julian_day(today),
        weights["stale_day"],
        _julian_day(now),
        *idle_params,
    ]
    return sql, params


def _julian_day(moment: date | datetime) -> float:
    """SQLite's ``julianday()`` of a date (its midnight, UTC) or of an aware moment, computed
    once here rather than once per deal row in the query."""
    if isinstance(moment, datetime):
        utc = moment.astimezone(UTC)
        seconds = utc.hour * 3600 + utc.minute * 60 + utc.second + utc.microsecond / 1e6
        return utc.date().toordinal() + _JULIAN_OFFSET + seconds / 86400
    return moment.toordinal() + _JULIAN_OFFSET


# -- parts: amounts first (cheap), words later (only for what is shown) ------------------------
def _followup_amounts(
    due_at: datetime, all_day: bool, today: date, now: datetime, tz: Any
) -> list[tuple[str, float, Any]]:
    due_day = due_at.astimezone(tz).date()
    days = (today - due_day).days if all_day else int((now - due_at).total_seconds() // 86400)
    found: list[tuple[str, float, Any]] = [("due", 1, (due_day, days))]
    if days > 0:
        found.append(("overdue", days, days))
    return found


def _deal_amounts(ctx: Context, deal: Any, today: date, now: datetime) -> list[tuple[str, float, Any]]:
    found: list[tuple[str, float, Any]] = []
    stage = _stage(ctx, deal["pipeline"], deal["stage"])
    probability = (
        deal["probability"] if deal["probability"] is not None else (stage.probability if stage else 0)
    )
    if deal["value_minor"]:
        from minicrm.core.money import major

        currency = (deal["currency"] or "").upper()
        value = major(deal["value_minor"], currency)
        found.append(
            (
                "deal_value",
                float(round(value * probability / 100 / 1000, 2)),  # a score, not money
                (deal["id"], currency, value, probability),
            )
        )
    if deal["close_date"]:
        left = (date.fromisoformat(deal["close_date"]) - today).days
        if left < CLOSING_DAYS:
            found.append(("closing", CLOSING_DAYS - left, left))
    if stage and stage.idle_days:
        moments = [m for m in (from_db(deal["stage_entered_at"]), from_db(deal["last_activity_at"])) if m]
        if moments:
            quiet = (now - max(moments)).days
            if quiet > stage.idle_days:
                found.append(("stale", quiet - stage.idle_days, (quiet, deal["stage"], stage.idle_days)))
    return found


def _stage(ctx: Context, pipeline: str | None, name: str) -> Any:
    try:
        return ctx.config.pipeline(pipeline).stage(name)
    except InvalidInput:
        return None


def _cadence_amounts(due: CadenceDue, now: datetime) -> list[tuple[str, float, Any]]:
    late = max(0, (now - due.due_since).days) if due.due_since else 0
    found: list[tuple[str, float, Any]] = [("cadence", max(late, 1), due)]
    if due.lapsed:
        found.append(("lapsed", 1, due))
    return found


def _detail(name: str, amount: float, facts: Any) -> str:
    """Why a part counts, in words."""
    if name == "due":
        due_day, days = facts
        return "due today" if days <= 0 else f"due {due_day.isoformat()}"
    if name == "overdue":
        return f"{facts} day{'s' if facts != 1 else ''} overdue"
    if name == "deal_value":
        deal_id, currency, value, probability = facts
        return f"deal #{deal_id}: {currency} {value:,.0f} × {probability}%"
    if name == "closing":
        left = facts
        if left > 0:
            return f"closes in {counted(left, 'day')}"
        return "closes today" if left == 0 else f"close date passed {counted(-left, 'day')} ago"
    if name == "stale":
        quiet, stage, idle = facts
        return f"quiet {counted(quiet, 'day')} in {stage} (idle after {idle})"
    due = facts
    if name == "lapsed":
        return f"lapsed (over {counted(due.max_days, 'day')})"
    days = due.days_since
    last = f"last contact {counted(days, 'day')} ago" if days is not None else "never contacted"
    return f"{last}, every {counted(due.cadence_days, 'day')}"
