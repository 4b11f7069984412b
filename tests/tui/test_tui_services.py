"""The read and write functions behind the TUI: paging, filtering, the board and its moves."""

from __future__ import annotations

from typing import Any

import pytest

from minicrm.core.errors import Conflict, InvalidInput
from minicrm.services.contacts import browse
from minicrm.services.deals import dashboard
from minicrm.services.dto import ContactCreate


def names(rows: list[Any]) -> list[str]:
    return [r.name for r in rows]


def test_keyset_pages_continue_exactly_where_offset_pages_do(ctx: Any) -> None:
    from minicrm.services.contacts import commands as contacts

    for i in range(25):
        contacts.add(ctx, ContactCreate(name=f"Person {i:02d}", emails=(f"p{i}@example.com",)))
    first = browse.contact_page(ctx, limit=10)
    by_keyset = browse.contact_page(ctx, limit=10, after=first[-1])
    by_offset = browse.contact_page(ctx, limit=10, offset=10)
    assert names(by_keyset) == names(by_offset) == [f"Person {i:02d}" for i in range(10, 20)]
    backwards = browse.contact_page(ctx, limit=5, descending=True)
    assert names(backwards) == [f"Person {i:02d}" for i in (24, 23, 22, 21, 20)]
    assert browse.contact_count(ctx) == 25
    assert first[0].email == "p0@example.com"


def test_filters_short_prefix_and_index_search(seeded: Any, ctx: Any) -> None:
    assert names(browse.contact_page(ctx, "b")) == ["Bruno Costa"]  # names starting with b/B
    assert browse.contact_count(ctx, "b") == 1
    assert names(browse.contact_page(ctx, "example.com")) == ["Ana Silva", "Bruno Costa", "Eva Martins"]
    total, rows = browse.contact_window(ctx, "acme")  # the company is part of the indexed text
    assert (total, names(rows)) == (2, ["Ana Silva", "Bruno Costa"])
    assert browse.contact_window(ctx, "nobody here") == (0, [])
    assert browse.contact_window(ctx)[0] is None  # unfiltered: counted separately


def test_a_broad_filter_is_capped(ctx: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from minicrm.services.contacts import commands as contacts

    for i in range(6):
        contacts.add(ctx, ContactCreate(name=f"Same Name {i}"))
    monkeypatch.setattr(browse, "MATCH_CAP", 4)
    assert browse.contact_count(ctx, "same") == 4
    assert browse.contact_window(ctx, "same")[0] == 4


def test_companies_page_with_people_counts(seeded: Any, ctx: Any) -> None:
    rows = browse.company_page(ctx)
    assert [(r.name, r.contacts) for r in rows] == [("Acme", 2), ("Globex", 1), ("Initech", 1)]
    assert browse.company_count(ctx, "glo") == 1


def test_board_totals_and_stale_deals(seeded: Any, ctx: Any) -> None:
    board = dashboard.board(ctx)
    assert board.stages == ("lead", "qualified", "proposal", "negotiation")
    assert [(t.stage, t.count, t.totals) for t in board.totals] == [
        ("lead", 1, (("EUR", 350_000),)),
        ("qualified", 1, (("EUR", 90_000),)),
        ("proposal", 1, (("EUR", 1_200_000),)),
        ("negotiation", 1, (("EUR", 2_500_000),)),
    ]
    stale = {d.title: d.stale for deals in board.columns.values() for d in deals}
    assert stale == {
        "Globex pilot": False,
        "Acme add-on": True,
        "Acme renewal": False,
        "Initech licences": False,
    }
    assert [d.title for d in dashboard.closing_soon(ctx, 14)] == ["Acme renewal", "Initech licences"]


def test_board_moves_refuse_what_makes_no_sense(seeded: dict[str, int], ctx: Any) -> None:
    deal = seeded["Globex pilot"]
    with pytest.raises(InvalidInput, match="unknown stage"):
        dashboard.move_deal(ctx, deal, "heaven")
    with pytest.raises(InvalidInput, match="needs a reason"):
        dashboard.close_deal(ctx, deal, won=False, reason=" ")
    before = ctx.db.scalar("SELECT count(*) FROM deal_stage_change WHERE deal_id = ?", (deal,))
    won = dashboard.close_deal(ctx, deal, won=True)
    assert (won.status, won.probability) == ("won", 100)
    with pytest.raises(Conflict):
        dashboard.close_deal(ctx, deal, won=True)
    reopened = dashboard.move_deal(ctx, deal, "proposal")  # moving a closed deal reopens it
    assert (reopened.status, reopened.stage) == ("open", "proposal")
    after = ctx.db.scalar("SELECT count(*) FROM deal_stage_change WHERE deal_id = ?", (deal,))
    assert after == before + 2
