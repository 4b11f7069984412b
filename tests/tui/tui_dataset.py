"""A small fixed dataset for the TUI tests: contacts, a company, notes, follow-ups and deals.

Deals go in with plain SQL (the deals service lands with the pipeline issue)."""

from __future__ import annotations

from typing import Any

from minicrm.core.clock import to_db
from minicrm.core.dates import parse_when
from minicrm.services.contacts import commands as contacts
from minicrm.services.dto import ContactCreate
from minicrm.services.followups import commands as followups
from minicrm.services.history import interactions
from minicrm.services.history.interactions import Links

PEOPLE = (
    ("Ana Silva", "ana@example.com", "Acme", ("vip",), 30),
    ("Bruno Costa", "bruno@example.com", "Acme", (), None),
    ("Carla Mendes", "carla@example.org", "Globex", ("lisbon",), 7),
    ("Diogo Rocha", "diogo@example.net", None, (), None),
    ("Eva Martins", "eva@example.com", "Initech", (), None),
)


def seed(ctx: Any) -> dict[str, int]:
    ids: dict[str, int] = {}
    for name, email, company, tags, cadence in PEOPLE:
        ids[name.split()[0].lower()] = contacts.add(
            ctx, ContactCreate(name=name, emails=(email,), company=company, tags=tags, cadence_days=cadence)
        ).id
    clock = ctx.clock
    interactions.add(ctx, "call", Links(contact="Ana Silva"), "Talked about the renewal")
    followups.add(ctx, Links(contact="Bruno Costa"), "Send the proposal", parse_when("2026-11-20", clock))
    followups.add(ctx, Links(contact="Ana Silva"), "Call about renewal", parse_when("today 15:00", clock))
    followups.add(ctx, Links(contact="Eva Martins"), "Check in", parse_when("2026-11-26", clock))
    followups.add(ctx, Links(contact="Diogo Rocha"), "Quarterly review", parse_when("2027-01-15", clock))
    now = to_db(clock.now())
    deals = (
        ("Acme renewal", "ana", "proposal", 1_200_000, "2026-11-30"),
        ("Globex pilot", "carla", "lead", 350_000, "2026-12-20"),
        ("Initech licences", "eva", "negotiation", 2_500_000, "2026-12-01"),
        ("Acme add-on", "bruno", "qualified", 90_000, None),
    )
    for title, who, stage, value, close in deals:
        ids[title] = ctx.db.insert(
            "INSERT INTO deal (title, contact_id, value_minor, currency, pipeline, stage, probability, "
            "close_date, status, stage_entered_at, created_at, updated_at, version) "
            "VALUES (?, ?, ?, 'EUR', 'default', ?, 50, ?, 'open', ?, ?, ?, 1)",
            (
                title,
                ids[who],
                value,
                stage,
                close,
                "2026-10-01T09:00:00.000000Z" if who == "bruno" else now,
                now,
                now,
            ),
        )
    return ids
