"""undo: whole operations reverted (edits, deletes, merges, bulk edits, imports), recorded as
operations themselves, refused when something later depends on them; and record history."""

from __future__ import annotations

import json
from typing import Any

import pytest

from minicrm.core.errors import Conflict
from minicrm.services import search
from minicrm.services.contacts import commands as contacts
from minicrm.services.dto import ContactCreate, ContactPatch
from minicrm.services.history import undo
from minicrm.services.kernel.unit_of_work import UnitOfWork


def _state(ctx: Any) -> dict[str, Any]:
    """Everything a user could see of the data, to compare before/after an undo."""
    db = ctx.db
    tables = (
        "contact",
        "contact_email",
        "contact_phone",
        "contact_field",
        "contact_tag",
        "company",
        "company_tag",
        "company_field",
        "interaction",
        "followup",
        "search_doc",
    )
    state = {}
    for table in tables:
        rows = [dict(r) for r in db.all(f"SELECT * FROM {table}")]
        for row in rows:
            row.pop("updated_at", None)
            row.pop("version", None)
            if table in ("search_doc", "contact_email", "contact_phone"):
                row.pop("id")  # internal row ids of child rows are not the user's data
        state[table] = sorted(rows, key=lambda r: json.dumps(r, sort_keys=True, default=str))
    return state


def _ops(ctx: Any) -> dict[int, tuple[int | None, int | None]]:
    return {int(r["id"]): (r["undone_by"], r["undoes"]) for r in ctx.db.all("SELECT * FROM operation")}


def _seed(cli: Any) -> None:
    assert (
        cli(
            "contact",
            "add",
            "Ana Lima",
            "--email",
            "ana@lima.pt",
            "--phone",
            "+351 912 345 678",
            "--company",
            "Lima Lda",
            "--tag",
            "vip",
            "--field",
            "nif=123",
        ).exit_code
        == 0
    )
    assert cli("contact", "add", "Bruno Dias", "--email", "bruno@dias.pt").exit_code == 0
    assert cli("note", "add", "ana", "Wants 20 seats").exit_code == 0
    assert cli("followup", "add", "ana", "send the quote", "--due", "2026-12-01").exit_code == 0


def test_undo_of_an_edit_restores_the_fields_and_is_recorded(cli, ctx) -> None:
    _seed(cli)
    before = _state(ctx)
    assert (
        cli(
            "contact",
            "edit",
            "ana",
            "--title",
            "CEO",
            "--add-tag",
            "x",
            "--email",
            "a@l.pt",
            "--field",
            "nif=9",
        ).exit_code
        == 0
    )
    result = cli("undo", "--yes")
    assert result.exit_code == 0, result.stderr
    assert "Undo #5 'contact edit ana'" in result.stderr
    assert "restore contact 1 Ana Lima (emails, fields, tags, title)" in result.stderr
    assert _state(ctx) == before
    assert contacts.get(ctx, 1).version == 3  # an undo is a write: the version moves on
    assert _ops(ctx)[5] == (6, None) and _ops(ctx)[6] == (None, 5)
    summary = ctx.db.scalar("SELECT summary FROM operation WHERE id = 6")
    assert summary == "undo #5"
    history = cli("contact", "history", "ana", "--json").json()
    assert [h["action"] for h in history] == ["create", "update", "update"]
    assert history[-1]["op_id"] == 6
    assert history[-1]["changes"]["title"] == {"before": "CEO", "after": None}


def test_undo_of_a_delete_brings_back_the_contact_with_its_ids_children_and_index(cli, ctx) -> None:
    _seed(cli)
    before = _state(ctx)
    assert cli("contact", "rm", "ana", "--yes").exit_code == 0
    assert cli("search", "ana", "--format", "plain").stdout == ""
    result = cli("undo", "--yes")
    assert result.exit_code == 0, result.stderr
    assert _state(ctx) == before
    restored = contacts.get(ctx, 1)
    assert restored.emails == ("ana@lima.pt",) and restored.phones == ("+351912345678",)
    assert restored.tags == ("vip",) and restored.fields == {"nif": "123"} and restored.company == "Lima Lda"
    assert cli("timeline", "1", "--format", "plain").stdout.count("Wants 20 seats") == 1
    assert [h.label for h in search.search(ctx, "seats")] == ["Ana Lima"]
    assert cli("followup", "list", "--format", "plain").stdout.startswith("1\t2026-12-01\tsend the quote")


def test_an_undo_can_be_undone_and_redone_and_bare_undo_walks_back(cli, ctx) -> None:
    _seed(cli)
    seeded = _state(ctx)
    cli("contact", "edit", "bruno", "--title", "CTO")
    edited = _state(ctx)
    cli("contact", "rm", "ana", "--yes")
    removed = _state(ctx)
    assert cli("undo", "--yes").exit_code == 0  # #7 undoes #6 (the rm)
    assert _state(ctx) == edited
    assert cli("undo", "--yes").exit_code == 0  # #8 walks back: undoes #5 (the edit)
    assert _state(ctx) == seeded
    assert cli("undo", "7", "--yes").exit_code == 0  # #9 redoes the rm
    assert _state(ctx)["contact"] == [r for r in removed["contact"] if r["id"] != 2] + [
        r for r in seeded["contact"] if r["id"] == 2
    ]
    ops = _ops(ctx)
    assert ops[6] == (None, None) and ops[7] == (9, 6) and ops[9] == (None, 7)
    assert cli("undo", "9", "--yes").exit_code == 0  # #10 undoes the redo: Ana is back
    ops = _ops(ctx)
    assert ops[6] == (7, None) and ops[7] == (None, 6) and ops[9] == (10, 7)
    assert _state(ctx) == seeded


def test_undo_refuses_when_a_later_operation_changed_the_same_record(cli, ctx) -> None:
    _seed(cli)
    cli("contact", "edit", "ana", "--title", "CEO")  # 5
    cli("contact", "edit", "ana", "--city", "Porto")  # 6
    state = _state(ctx)
    result = cli("undo", "5", "--yes")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: cannot undo #5 (contact edit ana): later operation #6 (contact edit ana) depends on it: "
        "it changed contact 1 again; undo #6 first\n"
    )
    assert _state(ctx) == state
    assert cli("undo", "--yes").exit_code == 0  # #7 undoes #6; now #5 is free
    assert cli("undo", "5", "--yes").exit_code == 0
    assert contacts.get(ctx, 1).title is None and contacts.get(ctx, 1).address.city is None


def test_undo_refuses_when_a_later_record_refers_to_one_it_would_delete(cli, ctx) -> None:
    cli("contact", "add", "Carla")  # 1
    cli("note", "add", "carla", "met at the fair")  # 2
    result = cli("undo", "1", "--yes")
    assert result.exit_code == 1
    assert (
        "later operation #2 (note add) depends on it: its interaction 1 refers to contact 1" in result.stderr
    )
    assert contacts.get(ctx, 1).name == "Carla"


def test_undo_without_a_terminal_or_yes_refuses_and_changes_nothing(cli, ctx) -> None:
    _seed(cli)
    cli("contact", "rm", "bruno", "--yes")
    state = _state(ctx)
    result = cli("undo")
    assert result.exit_code == 1
    assert "re-create contact 2 Bruno Dias" in result.stderr
    assert result.stderr.endswith("error: Undo #5: refusing without --yes (no terminal to ask)\n")
    assert _state(ctx) == state and _ops(ctx)[5] == (None, None)


def test_nothing_to_undo_and_unknown_and_already_undone_operations(cli) -> None:
    assert cli("undo", "--yes").stderr == "error: nothing to undo\n"
    cli("contact", "add", "Ana")
    assert cli("undo", "9", "--yes").stderr == "error: no operation #9\n"
    assert cli("undo", "--yes").exit_code == 0
    result = cli("undo", "1", "--yes")
    assert result.exit_code == 1
    assert result.stderr == "error: operation #1 is already undone (by #2); `minicrm undo 2` redoes it\n"
    assert cli("undo", "--yes").stderr == "error: nothing to undo\n"


def test_undo_list_shows_recent_operations(cli) -> None:
    cli("contact", "add", "Ana")
    cli("contact", "edit", "ana", "--title", "CEO")
    cli("undo", "--yes")
    rows = cli("undo", "--list", "--json").json()
    assert [
        (r["id"], r["summary"], r["changes"], r["undone"], r["undone_by"], r["undoes"]) for r in rows
    ] == [
        (3, "undo #2", 1, False, None, 2),
        (2, "contact edit ana", 1, True, 3, None),
        (1, "contact add Ana", 1, False, None, None),
    ]
    assert rows[0]["at"] == "2026-11-23T10:00:00+00:00"
    plain = cli("undo", "--list", "--format", "plain", "-n", "2").stdout
    assert plain == (
        "3\t2026-11-23 10:00\t\tundo #2\t1\tundid #2\n"
        "2\t2026-11-23 10:00\t\tcontact edit ana\t1\tundone by #3\n"
    )


def test_undo_of_an_add_that_created_its_company_removes_both(cli, ctx) -> None:
    result = cli("contact", "add", "Ana", "--company", "Nova Lda", "--email", "ana@nova.pt")
    assert result.exit_code == 0
    assert cli("undo", "--yes").exit_code == 0
    assert ctx.db.scalar("SELECT count(*) FROM contact") == 0
    assert ctx.db.scalar("SELECT count(*) FROM company") == 0
    assert ctx.db.scalar("SELECT count(*) FROM search_doc") == 0


def test_undo_of_a_company_delete_relinks_its_people_and_company_history(cli, ctx) -> None:
    _seed(cli)
    cli("company", "edit", "lima", "--domain", "lima.pt", "--tag", "partner")
    before = _state(ctx)
    assert cli("company", "rm", "lima", "--yes").exit_code == 0
    assert contacts.get(ctx, 1).company is None
    assert cli("undo", "--yes").exit_code == 0
    assert _state(ctx) == before
    assert contacts.get(ctx, 1).company == "Lima Lda"
    history = cli("company", "history", "lima.pt", "--json").json()
    assert [(h["op_id"], h["action"]) for h in history] == [
        (1, "create"),
        (5, "update"),
        (6, "delete"),
        (7, "create"),
    ]
    assert history[1]["changes"]["domain"] == {"before": None, "after": "lima.pt"}
    plain = cli("company", "history", "1", "--format", "plain").stdout.splitlines()
    assert plain[1] == "2026-11-23 10:00\t\tupdate\tdomain: ∅ → lima.pt; tags: ∅ → partner"


def test_a_bulk_edit_is_undone_as_one_operation(cli, ctx) -> None:
    for i in range(30):
        cli("contact", "add", f"Person {i}", "--tag", "old")
    before = _state(ctx)
    contacts.edit_many(
        ctx, list(range(1, 31)), ContactPatch(add_tags=("new",), status="customer"), "bulk edit 30"
    )
    assert contacts.count(ctx, contacts.ContactQuery(tags=("new",))) == 30
    plan = undo.plan(ctx)
    assert plan.op.summary == "bulk edit 30" and len(plan.steps) == 30
    assert plan.totals() == ["restore 30 contacts"]
    result = cli("undo", "--yes")
    assert "… and 20 more (restore 30 contacts)" in result.stderr
    assert _state(ctx) == before


def test_an_import_sized_operation_of_thousands_of_records_is_undone_whole(ctx) -> None:
    with UnitOfWork(ctx, "import people.csv") as uow:
        for i in range(2000):
            new_id = uow.db.insert(
                "INSERT INTO contact (name, status, do_not_contact, created_at, updated_at, version) "
                "VALUES (?, 'lead', ?, ?, ?, 1)",
                (f"Imported {i}", False, uow.now, uow.now),
            )
            uow.db.execute(
                "INSERT INTO contact_email (contact_id, email, email_lower, position) VALUES (?, ?, ?, 0)",
                (new_id, f"p{i}@x.pt", f"p{i}@x.pt"),
            )
            search.reindex_contact(uow.db, new_id)
            uow.record("contact", new_id, "create", None, contacts.snapshot(uow.db, new_id))
    assert contacts.count(ctx) == 2000
    done, plan = undo.undo(ctx)
    assert plan.totals() == ["delete 2000 contacts"]
    assert contacts.count(ctx) == 0 and ctx.db.scalar("SELECT count(*) FROM search_doc") == 0
    redo, _ = undo.undo(ctx, done.id)
    assert contacts.count(ctx) == 2000
    assert contacts.find(ctx, "p1999@x.pt").name == "Imported 1999"
    assert redo.undoes == done.id


def test_a_merge_is_undone_whole(ctx) -> None:
    """A merge as the change log records it: notes moved, the other contact deleted, the kept one updated."""
    keep = contacts.add(ctx, ContactCreate(name="Ana Lima", emails=("ana@lima.pt",)))
    other = contacts.add(ctx, ContactCreate(name="Ana L.", emails=("ana@work.pt",), tags=("vip",)))
    from minicrm.services.history import interactions

    note = interactions.add(ctx, "note", interactions.Links(contact=str(other.id)), "old note")
    before = _snapshot_all(ctx)
    with UnitOfWork(ctx, "contact merge 1 2") as uow:
        db = uow.db
        row_before = dict(db.one("SELECT * FROM interaction WHERE id = ?", (note.id,)))
        db.execute("UPDATE interaction SET contact_id = ? WHERE id = ?", (keep.id, note.id))
        uow.record(
            "interaction",
            note.id,
            "update",
            row_before,
            dict(db.one("SELECT * FROM interaction WHERE id = ?", (note.id,))),
        )
        gone = contacts.snapshot(db, other.id)
        db.execute("DELETE FROM contact WHERE id = ?", (other.id,))
        search.unindex(db, "contact", other.id)
        uow.record("contact", other.id, "merge", gone, None)
        kept_before = contacts.snapshot(db, keep.id)
        db.execute(
            "INSERT INTO contact_email (contact_id, email, email_lower, position) VALUES (?, ?, ?, 1)",
            (keep.id, "ana@work.pt", "ana@work.pt"),
        )
        search.reindex_contact(db, keep.id)
        uow.record("contact", keep.id, "merge", kept_before, contacts.snapshot(db, keep.id))
    assert contacts.count(ctx) == 1
    plan = undo.plan(ctx)
    assert [s.describe() for s in plan.steps] == [
        "restore contact 1 Ana Lima (emails)",
        "re-create contact 2 Ana L.",
        "restore interaction 1 old note (contact_id)",
    ]
    undo.undo(ctx)
    assert _snapshot_all(ctx) == before


def _snapshot_all(ctx: Any) -> dict[str, Any]:
    ids = [int(r["id"]) for r in ctx.db.all("SELECT id FROM contact ORDER BY id")]
    data = {i: contacts.snapshot(ctx.db, i) for i in ids}
    for snap in data.values():
        snap.pop("updated_at")
        snap.pop("version")
    notes = [dict(r) for r in ctx.db.all("SELECT * FROM interaction ORDER BY id")]
    index = [
        dict(r)
        for r in ctx.db.all("SELECT entity, entity_id, body FROM search_doc ORDER BY entity, entity_id")
    ]
    return {"contacts": data, "notes": notes, "index": index}


def test_undo_keeps_what_the_log_does_not_track_such_as_a_later_last_interaction(cli, ctx) -> None:
    cli("contact", "add", "Ana")
    cli("contact", "edit", "ana", "--title", "CEO")  # 2
    cli("log", "call", "ana", "called", "--at", "2026-11-22 15:00")  # 3: touches last_interaction_at only
    assert cli("undo", "2", "--yes").exit_code == 0
    ana = contacts.get(ctx, 1)
    assert ana.title is None
    assert (
        ana.last_interaction_at is not None
        and ana.last_interaction_at.isoformat() == "2026-11-22T15:00:00+00:00"
    )
    assert cli("undo", "--yes").exit_code == 0  # undoes the call (#3): the last interaction goes with it
    assert contacts.get(ctx, 1).last_interaction_at is None


def test_generic_restorer_uses_the_columns_the_table_has(ctx) -> None:
    """A deal (another engineer's table) deleted with a snapshot holding a key that is not a
    column (an older or newer schema): undo re-creates it from the columns that exist."""
    with UnitOfWork(ctx, "deal add") as uow:
        deal_id = uow.db.insert(
            "INSERT INTO deal (title, currency, pipeline, stage, status, stage_entered_at, created_at, "
            "updated_at, version) VALUES ('Big one', 'EUR', 'default', 'lead', 'open', ?, ?, ?, 1)",
            (uow.now, uow.now, uow.now),
        )
        uow.record(
            "deal", deal_id, "create", None, dict(uow.db.one("SELECT * FROM deal WHERE id = ?", (deal_id,)))
        )
    row = dict(ctx.db.one("SELECT * FROM deal WHERE id = ?", (deal_id,)))
    with UnitOfWork(ctx, "deal rm") as uow:
        uow.db.execute("DELETE FROM deal WHERE id = ?", (deal_id,))
        uow.record("deal", deal_id, "delete", {**row, "forecast_bucket": "q4"}, None)
    undo.undo(ctx)
    assert dict(ctx.db.one("SELECT * FROM deal WHERE id = ?", (deal_id,))) == row
    assert [h.label for h in search.search(ctx, "Big one")] == ["Big one"]


def test_undo_of_an_unknown_record_type_is_refused_cleanly(ctx) -> None:
    with UnitOfWork(ctx, "mystery") as uow:
        uow.record("gizmo", 1, "create", None, {"id": 1})
    with pytest.raises(Conflict, match="cannot undo changes to 'gizmo' records"):
        undo.undo(ctx)
    assert ctx.db.scalar("SELECT undone_by FROM operation WHERE id = 1") is None


def test_a_re_created_id_taken_again_is_a_clear_refusal(cli, ctx) -> None:
    cli("contact", "add", "Ana")
    cli("contact", "rm", "ana", "--yes")  # 2
    ctx.db.execute(
        "INSERT INTO contact (id, name, status, do_not_contact, created_at, updated_at, version) "
        "VALUES (1, 'Intruder', 'lead', FALSE, '2026-11-23T10:00:00.000000Z', "
        "'2026-11-23T10:00:00.000000Z', 1)"
    )  # written without the log
    result = cli("undo", "--yes")
    assert result.exit_code == 1
    assert result.stderr.endswith(
        "error: cannot re-create contact 1 Ana: contact 1 exists again; it cannot be re-created\n"
    )
    assert contacts.get(ctx, 1).name == "Intruder"


def test_undo_of_a_contact_delete_links_its_deals_back(cli, ctx) -> None:
    cli("contact", "add", "Ana")
    with UnitOfWork(ctx, "deal add") as uow:
        deal_id = uow.db.insert(
            "INSERT INTO deal (title, contact_id, currency, pipeline, stage, status, stage_entered_at, "
            "created_at, updated_at, version) "
            "VALUES ('Seats', 1, 'EUR', 'default', 'lead', 'open', ?, ?, ?, 1)",
            (uow.now, uow.now, uow.now),
        )
        uow.record(
            "deal", deal_id, "create", None, dict(uow.db.one("SELECT * FROM deal WHERE id = ?", (deal_id,)))
        )
    cli("contact", "rm", "ana", "--yes")
    assert ctx.db.scalar("SELECT contact_id FROM deal WHERE id = ?", (deal_id,)) is None
    assert cli("undo", "--yes").exit_code == 0
    assert ctx.db.scalar("SELECT contact_id FROM deal WHERE id = ?", (deal_id,)) == 1


@pytest.fixture
def pg_url() -> Any:
    """A fresh PostgreSQL database for one test (skipped when the server is not there)."""
    import os

    psycopg = pytest.importorskip("psycopg")
    name = f"minicrm_undo_{os.getpid()}"
    try:
        admin = psycopg.connect("postgresql://postgres@127.0.0.1/test", autocommit=True, connect_timeout=3)
    except psycopg.Error:
        pytest.skip("no PostgreSQL server on 127.0.0.1:5432")
    admin.execute(f"DROP DATABASE IF EXISTS {name}")
    admin.execute(f"CREATE DATABASE {name}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


@pytest.mark.postgres
def test_undo_on_postgresql_restores_deletes_links_and_edits(fast_cli, pg_url) -> None:
    def run(*args: str) -> Any:
        result = fast_cli("--db", pg_url, *args)
        assert result.exit_code == 0, result.stderr
        return result

    run("contact", "add", "Ana Lima", "--email", "ana@lima.pt", "--company", "Lima Lda", "--tag", "vip")
    run("note", "add", "ana", "Wants 20 seats")
    shown = run("contact", "show", "ana", "--json").json()
    run("contact", "rm", "ana", "--yes")
    run("undo", "--yes")
    run("company", "rm", "lima", "--yes")
    run("undo", "--yes")
    run("contact", "edit", "ana", "--title", "CEO", "--remove-tag", "vip")
    run("undo", "--yes")
    again = run("contact", "show", "ana", "--json").json()
    assert {k: again[k] for k in ("id", "name", "emails", "company", "company_id", "tags", "title")} == {
        k: shown[k] for k in ("id", "name", "emails", "company", "company_id", "tags", "title")
    }
    assert [t["body"] for t in again["timeline"]] == ["Wants 20 seats"]
    assert [h["label"] for h in run("search", "seats", "--json").json()] == ["Ana Lima"]


def test_restoring_a_link_to_a_record_deleted_since_is_a_clear_refusal(cli, ctx) -> None:
    cli("contact", "add", "Ana", "--company", "Lima Lda")  # 1 (company 1)
    cli("company", "add", "Nova")  # 2
    cli("contact", "edit", "ana", "--company", "Nova")  # 3: company 1 → 2
    ctx.db.execute("DELETE FROM company WHERE id = 1")  # gone without the log (e.g. by hand)
    result = cli("undo", "3", "--yes")
    assert result.exit_code == 1
    assert "\nerror: cannot restore contact 1 Ana: " in result.stderr  # then the driver's words
    assert result.stderr.endswith(" (a record it linked to is gone)\n")
    assert contacts.get(ctx, 1).company == "Nova"


def test_undoing_a_redo_of_a_contact_delete_keeps_the_deal_linked(cli, ctx) -> None:
    """Issue 17.5: add, rm, undo (#4), undo the undo (#5), undo again (#6): Ana is back, and so
    is her deal's link to her (the redo's delete recorded what it unlinked)."""
    cli("contact", "add", "Ana Lima")  # 1
    assert cli("deal", "add", "Seats", "--contact", "ana", "--value", "1000").exit_code == 0  # 2
    cli("contact", "rm", "ana", "--yes")  # 3
    assert cli("undo", "--yes").exit_code == 0  # 4 undoes 3
    assert cli("undo", "4", "--yes").exit_code == 0  # 5 redoes the rm
    assert ctx.db.scalar("SELECT contact_id FROM deal WHERE id = 1") is None
    assert cli("undo", "--yes").exit_code == 0  # 6 undoes the redo
    assert ctx.db.scalar("SELECT contact_id FROM deal WHERE id = 1") == 1
    assert cli("deal", "show", "1", "--json").json()["contact"] == "Ana Lima"
    assert [(h.entity, h.id) for h in search.search(ctx, "lima")] == [("contact", 1), ("deal", 1)]


def test_undo_of_a_privacy_erase_is_refused(cli, ctx) -> None:
    cli("contact", "add", "Eva Gomes", "--email", "eva@gomes.pt")  # 1
    assert cli("privacy", "erase", "eva", "--yes").exit_code == 0  # 2
    ops = _ops(ctx)
    for args in (("undo", "--yes"), ("undo", "2", "--yes")):
        result = cli(*args)
        assert (result.exit_code, result.stderr) == (
            1,
            "error: cannot undo #2 (privacy erase contact 1): a privacy erase is final, "
            "the erased data is gone\n",
        )
    assert _ops(ctx) == ops
    assert cli("contact", "list", "--json").json() == []
