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

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from minicrm.clock import from_db, to_db
from minicrm.errors import InvalidInput
from minicrm.services.context import Context
from minicrm.services.dto import CadenceDue, NextAction, ScorePart

#: a close date nearer than this many days starts to count
CLOSING_DAYS = 14
_EXPONENTS = {"BHD": 3, "CLP": 0, "ISK": 0, "JOD": 3, "JPY": 0, "KRW": 0, "KWD": 3, "OMR": 3, "TND": 3, "UGX": 0,
              "VND": 0, "XAF": 0, "XOF": 0}


@dataclass
class _Draft:
    kind: str
    id: int
    title: str
    contact: str | None
    contact_id: int | None
    deal_id: int | None
    due: datetime | None = None
    parts: list[ScorePart] = field(default_factory=list)


def suggest(ctx: Context, *, limit: int | None = 10, owner: str | None = None) -> list[NextAction]:
    """The most urgent things to do now, highest score first (ties: oldest first)."""
    weights = ctx.config.next_weights
    clock = ctx.clock
    now, today = clock.now(), clock.today()
    with ctx.db.snapshot():
        followups = _due_followups(ctx, owner)
        deal_ids = {f["deal_id"] for f in followups if f["deal_id"] is not None}
        deals = _deals(ctx, owner, today, now, deal_ids)
        from minicrm.services.cadence import due_contacts

        cadence = {c.contact_id: c for c in due_contacts(ctx, owner=owner)}
    drafts: list[_Draft] = []
    deal_parts = {d["id"]: _deal_parts(ctx, d, weights, today, now) for d in deals.values()}
    covered_deals: set[int] = set()
    covered_contacts: set[int] = set()
    for f in followups:
        due_at = from_db(f["due_at"])
        assert due_at is not None
        draft = _Draft("followup", int(f["id"]), f["title"], f["contact_name"], f["contact_id"], f["deal_id"], due_at)
        draft.parts.extend(_followup_parts(due_at, bool(f["all_day"]), weights, today, now, clock.tz))
        deal_id = f["deal_id"]
        if deal_id in deal_parts and deal_id not in covered_deals:
            draft.parts.extend(deal_parts[deal_id])
            covered_deals.add(deal_id)
        contact_id = f["contact_id"]
        if contact_id in cadence and contact_id not in covered_contacts:
            draft.parts.extend(_cadence_parts(cadence[contact_id], weights, now))
            covered_contacts.add(contact_id)
        drafts.append(draft)
    for deal_id, deal in deals.items():
        if deal_id in covered_deals or deal["_followup_only"]:
            continue
        parts = deal_parts[deal_id]
        if any(p.name in ("closing", "stale") for p in parts):
            drafts.append(_Draft("deal", deal_id, f"move deal #{deal_id} {deal['title']} on ({deal['stage']})",
                                 deal["contact_name"], deal["contact_id"], deal_id, None, list(parts)))
    for contact_id, due in cadence.items():
        if contact_id not in covered_contacts:
            drafts.append(_Draft("contact", contact_id, f"get in touch with {due.name}", due.name, contact_id, None,
                                 due.due_since, _cadence_parts(due, weights, now)))
    actions = [_finish(d) for d in drafts]
    actions = [a for a in actions if a.score > 0]
    actions.sort(key=lambda a: (-a.score, a.sort_due or now, a.kind, a.id))
    return actions[:limit] if limit is not None else actions


def _finish(d: _Draft) -> NextAction:
    score = round(sum(p.points for p in d.parts), 1)
    return NextAction(kind=d.kind, id=d.id, title=d.title, contact=d.contact, contact_id=d.contact_id,
                      deal_id=d.deal_id, score=score, parts=tuple(d.parts), sort_due=d.due)


# -- candidates ---------------------------------------------------------------------------------
def _due_followups(ctx: Context, owner: str | None) -> list[Any]:
    clock = ctx.clock
    sql = ("SELECT f.id, f.title, f.due_at, f.all_day, f.contact_id, f.deal_id, c.name AS contact_name "
           "FROM followup f LEFT JOIN contact c ON c.id = f.contact_id "
           "WHERE f.done_at IS NULL AND f.due_at < ? AND (f.snoozed_until IS NULL OR f.snoozed_until <= ?) "
           "AND (c.id IS NULL OR NOT c.do_not_contact)")
    params: list[Any] = [to_db(clock.end_of_today()), to_db(clock.now())]
    if owner:
        sql += " AND f.owner = ?"
        params.append(owner)
    return ctx.db.all(sql + " ORDER BY f.due_at, f.id", params)


def _deals(ctx: Context, owner: str | None, today: date, now: datetime, linked: Iterable[int]) -> dict[int, Any]:
    """Open deals closing within CLOSING_DAYS (or overdue), quiet past their stage's idle days,
    or the subject of a follow-up due now. Deals of do-not-contact contacts are left out."""
    from datetime import timedelta

    idle = [s.idle_days for p in ctx.config.pipelines for s in p.stages if s.idle_days]
    quiet_cutoff = to_db(now - timedelta(days=min(idle))) if idle else ""
    base = ("SELECT d.id, d.title, d.value_minor, d.currency, d.probability, d.pipeline, d.stage, d.close_date, "
            "d.stage_entered_at, d.last_activity_at, d.contact_id, c.name AS contact_name "
            "FROM deal d LEFT JOIN contact c ON c.id = d.contact_id "
            "WHERE d.status = 'open' AND (c.id IS NULL OR NOT c.do_not_contact)")
    owner_sql, owner_params = (" AND d.owner = ?", [owner]) if owner else ("", [])
    found: dict[int, Any] = {}
    closing = (today + timedelta(days=CLOSING_DAYS)).isoformat()
    rows = ctx.db.all(base + " AND (d.close_date <= ? OR d.stage_entered_at <= ?)" + owner_sql,
                      [closing, quiet_cutoff, *owner_params])
    for r in rows:
        found[int(r["id"])] = {**dict(r), "_followup_only": False}
    wanted = [i for i in linked if i not in found]
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for r in ctx.db.all(base + f" AND d.id IN ({marks})" + owner_sql, [*chunk, *owner_params]):
            found[int(r["id"])] = {**dict(r), "_followup_only": True}
    return found


# -- parts ----------------------------------------------------------------------------------------
def _followup_parts(due_at: datetime, all_day: bool, weights: dict[str, float], today: date, now: datetime,
                    tz: Any) -> list[ScorePart]:
    due_day = due_at.astimezone(tz).date()
    days = (today - due_day).days if all_day else int((now - due_at).total_seconds() // 86400)
    parts = [ScorePart("due", weights["due"], 1, "due today" if days <= 0 else f"due {due_day.isoformat()}")]
    if days > 0:
        parts.append(ScorePart("overdue", weights["overdue_day"], days, f"{days} day{'s' if days != 1 else ''} overdue"))
    return parts


def _deal_parts(ctx: Context, deal: Any, weights: dict[str, float], today: date, now: datetime) -> list[ScorePart]:
    parts: list[ScorePart] = []
    stage = _stage(ctx, deal["pipeline"], deal["stage"])
    probability = deal["probability"] if deal["probability"] is not None else (stage.probability if stage else 0)
    if deal["value_minor"]:
        currency = (deal["currency"] or "").upper()
        value = deal["value_minor"] / 10 ** _EXPONENTS.get(currency, 2)
        expected = value * probability / 100
        parts.append(ScorePart("deal_value", weights["deal_value"], round(expected / 1000, 2),
                               f"deal #{deal['id']}: {currency} {value:,.0f} × {probability}%"))
    if deal["close_date"]:
        left = (date.fromisoformat(deal["close_date"]) - today).days
        if left < CLOSING_DAYS:
            detail = (f"closes in {left} day{'s' if left != 1 else ''}" if left > 0 else
                      "closes today" if left == 0 else f"close date passed {-left} days ago")
            parts.append(ScorePart("closing", weights["closing"], CLOSING_DAYS - left, detail))
    if stage and stage.idle_days:
        moments = [m for m in (from_db(deal["stage_entered_at"]), from_db(deal["last_activity_at"])) if m]
        if moments:
            quiet = (now - max(moments)).days
            if quiet > stage.idle_days:
                parts.append(ScorePart("stale", weights["stale_day"], quiet - stage.idle_days,
                                       f"quiet {quiet} days in {deal['stage']} (idle after {stage.idle_days})"))
    return parts


def _stage(ctx: Context, pipeline: str | None, name: str) -> Any:
    try:
        return ctx.config.pipeline(pipeline).stage(name)
    except InvalidInput:
        return None


def _cadence_parts(due: CadenceDue, weights: dict[str, float], now: datetime) -> list[ScorePart]:
    late = max(0, (now - due.due_since).days) if due.due_since else 0
    last = f"last contact {due.days_since} days ago" if due.days_since is not None else "never contacted"
    parts = [ScorePart("cadence", weights["cadence_day"], max(late, 1),
                       f"{last}, every {due.cadence_days} days")]
    if due.lapsed:
        parts.append(ScorePart("lapsed", weights["lapsed"], 1, f"lapsed (over {due.max_days} days)"))
    return parts
