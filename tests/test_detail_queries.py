"""The detail views both interfaces show (a contact, a company, a deal): one service query each,
whose DTO ``contact show``/``company show``/``deal show`` print and the TUI's panes render."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from minicrm.core.errors import InvalidInput, NotFound
from minicrm.services.companies.queries import company_id
from minicrm.services.contacts import queries as contact_queries
from minicrm.services.contacts.queries import ContactQuery
from minicrm.services.customer.profile import company_detail, contact_detail
from minicrm.services.deals import dashboard
from minicrm.services.deals.queries import deal_detail, deal_id
from minicrm.services.dto import CompanyDetail, ContactDetail, DealDetail, DealSummary, Today


def ok(result: Any) -> Any:
    assert result.exit_code == 0, result.stderr
    return result


@pytest.fixture
def crm(cli: Any) -> None:
    """Ana (1) and Bruno (2) at Lima Lda (1); Carla (3) elsewhere. Ana has three deals (one won,
    one lost), three follow-ups (one done), two notes and a service request."""
    ok(cli("contact", "add", "Ana Lima", "-e", "ana@lima.pt", "-c", "Lima Lda", "-t", "vip"))
    ok(cli("contact", "add", "Bruno Dias", "-e", "bruno@lima.pt", "-c", "Lima Lda"))
    ok(cli("contact", "add", "Carla Sousa", "-c", "Other Lda"))
    ok(cli("deal", "add", "Website", "--contact", "1", "--value", "1500.50", "--close", "2026-12-05"))
    ok(cli("deal", "add", "Hosting", "--contact", "1", "--value", "300", "--currency", "USD"))
    ok(cli("deal", "add", "Support", "--contact", "1", "--value", "99", "--close", "2026-12-01"))
    ok(cli("deal", "won", "3"))
    ok(cli("deal", "lost", "2", "--reason", "price"))
    ok(cli("deal", "move", "1", "proposal"))
    ok(cli("deal", "add", "Bruno's", "--contact", "2", "--value", "10"))
    ok(cli("followup", "add", "1", "call back", "--due", "in 3 days"))
    ok(cli("followup", "add", "1", "send the quote", "--due", "tomorrow"))
    ok(cli("followup", "add", "1", "old one", "--due", "tomorrow"))
    ok(cli("followup", "done", "3"))
    ok(cli("note", "add", "1", "first note"))
    ok(cli("note", "add", "1", "second note"))
    ok(cli("note", "add", "--company", "1", "about the company"))
    ok(cli("note", "add", "3", "about Carla"))
    ok(cli("note", "add", "--deal", "1", "about the website"))
    ok(cli("request", "add", "1", "Fix the login", "-p", "high"))


def test_contact_detail_reads_everything_shown_beside_the_contact(crm: None, ctx: Any) -> None:
    detail = contact_detail(ctx, "ana@lima.pt")
    assert isinstance(detail, ContactDetail)
    assert detail.contact.name == "Ana Lima"
    assert detail.deals == (  # every deal of hers, by id, won and lost ones included
        DealSummary(1, "Website", "proposal", "open", 150050, "EUR", date(2026, 12, 5), "Ana Lima"),
        DealSummary(2, "Hosting", "lead", "lost", 30000, "USD", None, "Ana Lima"),
        DealSummary(3, "Support", "lead", "won", 9900, "EUR", date(2026, 12, 1), "Ana Lima"),
    )
    assert [f.title for f in detail.followups] == ["send the quote", "call back"]  # open, soonest first
    assert [r.title for r in detail.requests] == ["Fix the login"]
    assert [(t.currency, t.value_minor) for t in detail.purchases.totals] == [("EUR", 9900)]
    bodies = [i.body for i in detail.timeline]
    assert bodies[0] == "Opened request #1: Fix the login"
    assert {"first note", "second note", "about the website"} <= set(bodies)
    assert "about the company" not in bodies and "about Carla" not in bodies  # only hers
    # the same record whichever way it is named; the limits cut the lists
    assert contact_detail(ctx, 1) == contact_detail(ctx, "1") == contact_detail(ctx, "Ana") == detail
    short = contact_detail(ctx, 1, followup_limit=1, timeline_limit=2)
    assert short.followups == detail.followups[:1] and short.timeline == detail.timeline[:2]
    assert contact_detail(ctx, 1, timeline_limit=None).timeline[-1].body == "Website: created in lead"


def test_contact_show_prints_the_service_detail(crm: None, ctx: Any, cli: Any) -> None:
    shown = ok(cli("contact", "show", "Ana", "--json")).json()
    assert shown == json.loads(json.dumps(contact_detail(ctx, 1).to_dict(ctx.clock.tz)))
    assert shown["deals"][0] == {
        "id": 1,
        "title": "Website",
        "stage": "proposal",
        "status": "open",
        "value_minor": 150050,
        "currency": "EUR",
        "value": 1500.5,
    }
    plain = ok(cli("contact", "show", "1", "-f", "plain")).stdout
    deals = plain.split("\nDeals:\n")[1].split("\n\n")[0]
    assert deals == (
        "  1\tWebsite\tproposal\topen\t1,500.50 EUR\n"
        "  2\tHosting\tlead\tlost\t300.00 USD\n"
        "  3\tSupport\tlead\twon\t99.00 EUR"
    )


def test_company_detail_and_company_show(crm: None, ctx: Any, cli: Any) -> None:
    detail = company_detail(ctx, "Lima Lda")
    assert isinstance(detail, CompanyDetail)
    assert [p.name for p in detail.people] == ["Ana Lima", "Bruno Dias"]
    bodies = [i.body for i in detail.timeline]  # the company's and its people's, newest first
    assert bodies[0] == "Opened request #1: Fix the login"
    assert {"about the company", "first note", "about the website", "Bruno's: created in lead"} <= set(bodies)
    assert "about Carla" not in bodies
    # won deals with the company or its people
    assert [(t.currency, t.value_minor) for t in detail.purchases.totals] == [("EUR", 9900)]
    assert company_detail(ctx, 1) == detail
    assert [p.name for p in company_detail(ctx, 1, people_limit=1).people] == ["Ana Lima"]
    shown = ok(cli("company", "show", "1", "--json")).json()
    assert shown == json.loads(json.dumps(detail.to_dict(ctx.clock.tz)))
    assert shown["contacts"][1] == {"id": 2, "name": "Bruno Dias", "email": "bruno@lima.pt", "title": None}
    assert company_id(ctx, "lima lda") == 1


def test_deal_detail_and_deal_show(crm: None, ctx: Any, cli: Any) -> None:
    detail = deal_detail(ctx, "#1")
    assert isinstance(detail, DealDetail)
    assert detail.deal.title == "Website"
    changes = [(c.from_stage, c.to_stage) for c in detail.stage_history]
    assert changes == [(None, "lead"), ("lead", "proposal")]
    assert [i.body for i in detail.timeline][:1] == ["about the website"]
    assert deal_detail(ctx, 1) == detail
    shown = ok(cli("deal", "show", "1", "--json")).json()
    assert shown == json.loads(json.dumps(detail.to_dict(ctx.clock.tz)))
    assert deal_id(ctx, "#3") == 3


def test_a_missing_record_is_not_found(crm: None, ctx: Any) -> None:
    with pytest.raises(NotFound):
        contact_detail(ctx, 99)
    with pytest.raises(NotFound):
        contact_detail(ctx, "nobody at all")
    with pytest.raises(NotFound):
        company_detail(ctx, 42)
    with pytest.raises(NotFound):
        deal_detail(ctx, "77")
    with pytest.raises(InvalidInput):
        deal_detail(ctx, "Website")


def test_the_tui_panes_show_the_same_detail_views(crm: None, ctx: Any) -> None:
    from minicrm.tui.screens.contacts import load_company, load_contact, pane_deals

    assert load_contact(ctx, 1) == contact_detail(ctx, 1, followup_limit=20, timeline_limit=30)
    assert load_company(ctx, 1) == company_detail(ctx, 1, people_limit=30, timeline_limit=30)
    # the pane lists deals by status, then close date (undated first), then id
    assert [d.id for d in pane_deals(load_contact(ctx, 1).deals)] == [2, 1, 3]
    undated = DealSummary(9, "Later", "lead", "open", None, "EUR", None)
    assert [d.id for d in pane_deals((*load_contact(ctx, 1).deals, undated))] == [2, 9, 1, 3]


def test_matching_ids_are_what_a_bulk_edit_changes(crm: None, ctx: Any) -> None:
    assert contact_queries.matching_ids(ctx, ContactQuery(company="Lima Lda")) == [1, 2]
    # the sort and the page of a listing do not apply
    assert contact_queries.matching_ids(ctx, ContactQuery(sort="name", descending=True, limit=1)) == [1, 2, 3]
    assert contact_queries.matching_ids(ctx, ContactQuery(tags=("nope",))) == []
    assert [c.name for c in contact_queries.get_many(ctx, [3, 1, 99])] == ["Carla Sousa", "Ana Lima"]
    assert contact_queries.contact_id(ctx, "bruno@lima.pt") == 2


def test_today_reads_due_closing_and_totals_together(crm: None, ctx: Any) -> None:
    today = dashboard.today(ctx)
    assert isinstance(today, Today)
    assert today.today == ctx.clock.today()
    assert [d.title for d in today.closing] == ["Website"]  # open, closing within 14 days
    assert {t.stage: t.count for t in today.totals}["proposal"] == 1
    assert today.due == dashboard.today(ctx).due
