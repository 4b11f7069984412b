"""The record stores at work (both backends): what insert, insert_many, replace_children,
update and delete leave in the tables and in the search documents."""

from __future__ import annotations

from typing import Any

import pytest

from minicrm.core.errors import Conflict
from minicrm.services.kernel.unit_of_work import UnitOfWork
from minicrm.store.records import Records
from minicrm.store.records import contacts as contact_records

NOW = "2026-12-02T08:00:00.000000Z"


def _contact(name: str, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {c: None for c in contact_records.COLUMNS}
    row.update(name=name, status="lead", do_not_contact=False, created_at=NOW, updated_at=NOW, version=1)
    row.update(values)
    return row


def _company(name: str, **values: Any) -> dict[str, Any]:
    from minicrm.store.records.companies import COLUMNS

    row: dict[str, Any] = {c: None for c in COLUMNS}
    row.update(name=name, created_at=NOW, updated_at=NOW, version=1)
    row.update(values)
    return row


def _doc(ctx: Any, entity: str, entity_id: int) -> str | None:
    sql = "SELECT body FROM search_doc WHERE entity = ? AND entity_id = ?"
    return ctx.db.scalar(sql, (entity, entity_id))


def _rows(ctx: Any, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    return [tuple(r[k] for k in r.keys()) for r in ctx.db.all(sql, params)]  # noqa: SIM118


def test_the_unit_of_work_owns_one_store_per_aggregate_bound_to_its_database(ctx: Any) -> None:
    with UnitOfWork(ctx, "test") as uow:
        assert uow.contacts is uow.contacts and uow.contacts.db is uow.db
        assert uow.contacts.tags is uow.tags is uow.companies.tags is uow.deals.tags
        for name in ("companies", "deals", "followups", "interactions", "requests", "users"):
            assert getattr(uow, name).db is uow.db


def test_a_contact_insert_writes_its_child_rows_and_its_search_document(ctx: Any) -> None:
    with UnitOfWork(ctx, "test") as uow:
        company_id = uow.companies.insert(_company("Lima Lda", domain="lima.pt"))
        contact_id = uow.contacts.insert(
            _contact("Ana Lima", title="CTO", company_id=company_id),
            emails=["Ana@Lima.pt", "ana@home.pt"],
            phones=["+351912345678"],
            tags=["vip", "lead", "vip"],
            fields={"shoe": "38"},
        )
    emails = "SELECT email, email_lower, position FROM contact_email WHERE contact_id = ? ORDER BY id"
    assert _rows(ctx, emails, contact_id) == [
        ("Ana@Lima.pt", "ana@lima.pt", 0),
        ("ana@home.pt", "ana@home.pt", 1),
    ]
    assert _rows(ctx, "SELECT phone, position FROM contact_phone WHERE contact_id = ?", contact_id) == [
        ("+351912345678", 0)
    ]
    assert _rows(ctx, "SELECT key, value FROM contact_field WHERE contact_id = ?", contact_id) == [
        ("shoe", "38")
    ]
    assert _doc(ctx, "contact", contact_id) == (
        "Ana Lima | Ana@Lima.pt | ana@home.pt | +351912345678 | Lima Lda | CTO"
    )
    assert _doc(ctx, "company", company_id) == "Lima Lda | lima.pt"
    snap = Records(ctx.db).contacts.snapshot(contact_id)
    assert snap is not None
    assert (snap["emails"], snap["phones"], snap["tags"], snap["fields"]) == (
        ["Ana@Lima.pt", "ana@home.pt"],
        ["+351912345678"],
        ["lead", "vip"],
        {"shoe": "38"},
    )
    assert snap["do_not_contact"] is False and snap["company_id"] == company_id


def test_replace_children_replaces_only_the_lists_given_and_reindexes(ctx: Any) -> None:
    with UnitOfWork(ctx, "test") as uow:
        contact_id = uow.contacts.insert(
            _contact("Ana"), emails=["ana@x.pt"], phones=["+351912345678"], tags=["vip"], fields={"a": "1"}
        )
    with UnitOfWork(ctx, "test") as uow:
        uow.contacts.replace_children(contact_id, emails=["new@x.pt", "two@x.pt"], tags=["b", "a"])
    snap = Records(ctx.db).contacts.snapshot(contact_id)
    assert snap is not None
    assert (snap["emails"], snap["phones"], snap["tags"], snap["fields"]) == (
        ["new@x.pt", "two@x.pt"],
        ["+351912345678"],
        ["a", "b"],
        {"a": "1"},
    )
    assert _doc(ctx, "contact", contact_id) == "Ana | new@x.pt | two@x.pt | +351912345678"
    with UnitOfWork(ctx, "test") as uow:
        uow.contacts.replace_children(contact_id, emails=[], phones=[], tags=[], fields={})
    assert (
        ctx.db.scalar(
            "SELECT (SELECT count(*) FROM contact_email) + (SELECT count(*) FROM contact_phone) + "
            "(SELECT count(*) FROM contact_tag) + (SELECT count(*) FROM contact_field)"
        )
        == 0
    )
    assert _doc(ctx, "contact", contact_id) == "Ana"


def test_a_versioned_update_writes_nothing_when_the_version_moved_on(ctx: Any) -> None:
    with UnitOfWork(ctx, "test") as uow:
        contact_id = uow.contacts.insert(_contact("Ana"))
    with UnitOfWork(ctx, "test") as uow:
        assert uow.contacts.update(contact_id, {"name": "Ana Lima", "version": 1}, base_version=1) == 2
        assert uow.contacts.update(contact_id, {"name": "Zoe"}, base_version=1) is None
    assert ctx.db.one("SELECT name, version FROM contact WHERE id = ?", (contact_id,))["name"] == "Ana Lima"
    assert _doc(ctx, "contact", contact_id) == "Ana Lima"


def test_a_contact_delete_takes_its_rows_and_its_notes_documents_along(ctx: Any) -> None:
    with UnitOfWork(ctx, "test") as uow:
        contact_id = uow.contacts.insert(_contact("Ana"), emails=["ana@x.pt"], tags=["vip"])
        note_id = uow.interactions.insert(
            {
                "kind": "note",
                "body": "met at the fair",
                "at": NOW,
                "author": None,
                "contact_id": contact_id,
                "created_at": NOW,
            }
        )
    assert _doc(ctx, "note", note_id) == "met at the fair"
    with UnitOfWork(ctx, "test") as uow:
        uow.contacts.delete(contact_id)
    assert ctx.db.scalar("SELECT count(*) FROM search_doc") == 0
    assert (
        ctx.db.scalar(
            "SELECT (SELECT count(*) FROM contact) + (SELECT count(*) FROM contact_email) + "
            "(SELECT count(*) FROM contact_tag) + (SELECT count(*) FROM interaction)"
        )
        == 0
    )


def test_a_company_rename_and_delete_keep_its_peoples_documents_current(ctx: Any) -> None:
    with UnitOfWork(ctx, "test") as uow:
        company_id = uow.companies.insert(_company("Lima"), tags=["big"], fields={"tier": "1"})
        ana = uow.contacts.insert(_contact("Ana", company_id=company_id))
    assert _rows(ctx, "SELECT key, value FROM company_field") == [("tier", "1")]
    with UnitOfWork(ctx, "test") as uow:
        assert uow.companies.update(company_id, {"name": "Lima Lda", "version": 1}, base_version=1) == 2
        uow.companies.replace_children(company_id, tags=["small"], fields={"tier": "2", "x": "y"})
    assert _doc(ctx, "contact", ana) == "Ana | Lima Lda"
    snap = Records(ctx.db).companies.snapshot(company_id)
    assert snap is not None and (snap["tags"], snap["fields"]) == (["small"], {"tier": "2", "x": "y"})
    with UnitOfWork(ctx, "test") as uow:
        assert uow.companies.delete(company_id) == [ana]
    assert _doc(ctx, "company", company_id) is None
    assert _doc(ctx, "contact", ana) == "Ana"
    assert ctx.db.scalar("SELECT count(*) FROM company_field") == 0


def test_a_deals_document_names_its_contact_and_company(ctx: Any) -> None:
    from minicrm.store.records.deals import COLUMNS

    with UnitOfWork(ctx, "test") as uow:
        company_id = uow.companies.insert(_company("Lima"))
        ana = uow.contacts.insert(_contact("Ana", company_id=company_id))
        values = {c: None for c in COLUMNS} | {
            "title": "Renewal",
            "contact_id": ana,
            "company_id": company_id,
            "currency": "EUR",
            "pipeline": "default",
            "stage": "lead",
            "status": "open",
            "stage_entered_at": NOW,
            "created_at": NOW,
            "updated_at": NOW,
            "version": 1,
        }
        deal_id = uow.deals.insert(values)
    assert _doc(ctx, "deal", deal_id) == "Renewal | Ana | Lima"
    with UnitOfWork(ctx, "test") as uow:
        uow.deals.update(deal_id, {"title": "Upsell", "company_id": None})
    assert _doc(ctx, "deal", deal_id) == "Upsell | Ana"
    with UnitOfWork(ctx, "test") as uow:
        uow.deals.delete(deal_id)
    assert _doc(ctx, "deal", deal_id) is None


def test_insert_many_writes_rows_children_and_searchable_documents(ctx: Any) -> None:
    from minicrm.services import search
    from minicrm.store.records.base import allocate_ids

    common = {"do_not_contact": False, "version": 1, "created_at": NOW, "updated_at": NOW, "status": "lead"}
    own = [c for c in contact_records.ALL_COLUMNS if c not in common]
    with UnitOfWork(ctx, "test") as uow:
        ids = allocate_ids(uow.db, "contact", 2)
        names = {ids[0]: "Ana O'Neil", ids[1]: "Bruno"}
        rows = [tuple({"id": i, "name": names[i]}.get(c) for c in own) for i in ids]
        uow.contacts.insert_many(
            rows,
            common=common,
            emails=[(ids[0], "Ana@x.pt", "ana@x.pt", 0, "work")],
            phones=[(ids[1], "+3519", 0, None, "12")],
            tags=[(ids[0], uow.tags.id("vip"))],
            fields=[(ids[1], "k", "v")],
            docs=[("contact", i, f"{names[i]} | doc") for i in ids],
        )
        uow.interactions.insert_many(
            ("id", "kind", "body", "at", "contact_id", "created_at"),
            [(allocate_ids(uow.db, "interaction", 1)[0], "note", "hello there", NOW, ids[1], NOW)],
        )
    snap = Records(ctx.db).contacts.snapshot(ids[0])
    assert snap is not None
    assert (snap["name"], snap["status"], snap["emails"], snap["tags"]) == (
        "Ana O'Neil",
        "lead",
        ["Ana@x.pt"],
        ["vip"],
    )
    assert [h.label for h in search.search(ctx, "bruno | doc")] == ["Bruno"]
    assert [h.id for h in search.search(ctx, "hello there")] == [
        int(ctx.db.scalar("SELECT id FROM interaction"))
    ]


def test_a_rolled_back_unit_of_work_leaves_no_rows_and_no_documents(ctx: Any) -> None:
    with pytest.raises(Conflict), UnitOfWork(ctx, "test") as uow:
        uow.contacts.insert(_contact("Ana"), emails=["ana@x.pt"], tags=["vip"])
        raise Conflict("no")
    assert (
        ctx.db.scalar(
            "SELECT (SELECT count(*) FROM contact) + (SELECT count(*) FROM contact_email) + "
            "(SELECT count(*) FROM tag) + (SELECT count(*) FROM search_doc)"
        )
        == 0
    )


def test_an_interactions_new_body_is_what_search_finds(ctx: Any) -> None:
    from minicrm.services import search

    with UnitOfWork(ctx, "test") as uow:
        ana = uow.contacts.insert(_contact("Ana"))
        note = uow.interactions.insert(
            {"kind": "call", "body": "call ana@x.pt", "at": NOW, "contact_id": ana, "created_at": NOW}
        )
    with UnitOfWork(ctx, "test") as uow:
        uow.interactions.set_body(note, "call [redacted]")
    assert _doc(ctx, "note", note) == "call [redacted]"
    assert search.search(ctx, "ana@x.pt") == []
    with UnitOfWork(ctx, "test") as uow:
        uow.interactions.delete(note)
    assert _doc(ctx, "note", note) is None
