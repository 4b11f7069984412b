"""A small fixed dataset for the TUI tests: contacts, a company, notes, follow-ups and deals.

Deals go in with plain SQL (the deals service lands with the pipeline issue)."""

from __future__ import annotations

from datetime import date
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


#: stored text that must be shown literally: markup, a click action, terminal control sequences
QUIT_CORP = "[@click=app.quit]QuitCorp[/]"
BROKEN_CO = "Broken [/oops] Co"
TITLE_SEQ = "\x1b]0;PWNED\x07"
CLEAR_SEQ = "\x1b[2J"
BOLD_X = "[bold red]X[/]"
LONG_NAME = "Maximiliana Alexandra Wolfgang-Hohenzollern-Sigmaringen de la Fuente y Castro"


def seed_hostile(ctx: Any) -> dict[str, int]:
    """Contacts, companies, deals, notes and follow-ups whose text is markup or terminal control."""
    from minicrm.services.deals import commands as deals
    from minicrm.services.dto import DealCreate

    people = (
        ("eve", f"{TITLE_SEQ}Eve Title", "eve@example.com", BROKEN_CO),
        ("x", BOLD_X, "x@example.com", QUIT_CORP),
        ("wipe", f"Wipe {CLEAR_SEQ}\x1b[H Man", "wipe@example.com", None),
        ("red", "Colour \x1b[31mRed", None, f"Colour {CLEAR_SEQ} Ltd"),
        ("long", LONG_NAME, "maximiliana.alexandra.wolfgang@very-long-company-domain.example.com", None),
    )
    ids: dict[str, int] = {}
    for key, name, email, company in people:
        ids[key] = contacts.add(
            ctx, ContactCreate(name=name, emails=(email,) if email else (), company=company)
        ).id
    clock = ctx.clock
    interactions.add(ctx, "note", Links(contact=str(ids["x"])), f"[urgent] call back {CLEAR_SEQ} {BROKEN_CO}")
    interactions.add(ctx, "call", Links(contact=str(ids["eve"])), f"{TITLE_SEQ} {QUIT_CORP}")
    followups.add(ctx, Links(contact=str(ids["eve"])), "[urgent] call back", parse_when("2026-11-20", clock))
    followups.add(ctx, Links(contact=str(ids["x"])), f"{TITLE_SEQ} ring", parse_when("today 15:00", clock))
    followups.add(ctx, Links(contact=str(ids["wipe"])), QUIT_CORP, parse_when("2026-11-26", clock))
    followups.add(ctx, Links(contact=str(ids["long"])), LONG_NAME, parse_when("2027-01-15", clock))
    for key, title, who, stage, close in (
        ("d_quit", QUIT_CORP, "x", "lead", "2026-11-30"),
        ("d_broken", BROKEN_CO, "eve", "qualified", "2026-12-01"),
        ("d_clear", f"{CLEAR_SEQ}Clear deal", "wipe", "proposal", None),
        ("d_long", LONG_NAME, "long", "negotiation", "2026-12-03"),
    ):
        ids[key] = deals.add(
            ctx,
            DealCreate(
                title=title,
                contact=str(ids[who]),
                value="1200",
                currency="EUR",
                stage=stage,
                close_date=date.fromisoformat(close) if close else None,
            ),
        ).id
    return ids
