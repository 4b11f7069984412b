"""Every command family once more, written to run unchanged on SQLite and on PostgreSQL
(``MINICRM_TEST_BACKEND=postgresql``): booleans, RETURNING ids, counts, integrity errors, case
folding, snapshots, and search (substrings inside email addresses included)."""

from __future__ import annotations

import pytest

from minicrm.services import search
from minicrm.services.contacts import commands as contacts
from minicrm.store.schema import HEAD


def _names(run) -> list[str]:
    return [line.split("\t")[1] for line in run.stdout.splitlines()]


def test_contact_lifecycle_and_counts(cli, ctx) -> None:
    cli("contact", "add", "Ana Lima", "--email", "ana@lima.pt", "--company", "Lima Lda", "--tag", "vip")
    cli("contact", "add", "Bruno Dias", "--email", "bruno@dias.pt", "--company", "lima lda")
    edited = cli(
        "contact", "edit", "ana", "--do-not-contact", "--add-tag", "board", "--field", "nif=123", "--json"
    )
    assert edited.exit_code == 0, edited.stderr
    data = edited.json()
    assert (data["tags"], data["fields"], data["version"]) == (["board", "vip"], {"nif": "123"}, 2)
    assert contacts.get(ctx, 1).do_not_contact is True
    assert contacts.count(ctx) == 2
    assert contacts.count(ctx, contacts.ContactQuery(tags=("vip",))) == 1
    company = cli("company", "show", "lima", "--json").json()
    assert (company["name"], company["contacts_count"]) == ("Lima Lda", 2)
    assert _names(cli("contact", "list", "--company", "lima", "--format", "plain")) == [
        "Ana Lima",
        "Bruno Dias",
    ]
    assert _names(cli("contact", "list", "--sort", "-id", "--limit", "1", "--format", "plain")) == [
        "Bruno Dias"
    ]
    history = cli("contact", "history", "ana", "--json").json()
    assert [h["action"] for h in history] == ["create", "update"]
    assert history[1]["changes"]["do_not_contact"] == {"before": False, "after": True}
    removed = cli("contact", "rm", "bruno", "--yes")
    assert removed.exit_code == 0, removed.stderr
    assert _names(cli("contact", "list", "--format", "plain")) == ["Ana Lima"]


def test_duplicate_email_and_company_name_are_conflicts(cli) -> None:
    cli("contact", "add", "Ana Lima", "--email", "ana@lima.pt")
    dup = cli("contact", "add", "Ana Other", "--email", "ANA@lima.pt")
    assert dup.exit_code == 1
    assert dup.stderr == "error: ANA@lima.pt already belongs to contact 1 (Ana Lima)\n"
    cli("company", "add", "Lima Lda")
    again = cli("company", "add", "LIMA LDA")
    assert (again.exit_code, again.stderr) == (1, "error: a company named 'LIMA LDA' already exists (id 1)\n")


def test_references_fold_case_and_list_ambiguity(cli) -> None:
    cli("contact", "add", "Ana Lima", "--email", "ana@lima.pt")
    cli("contact", "add", "Ana Costa")
    assert cli("contact", "show", "ANA LIMA", "--json").json()["id"] == 1
    assert cli("contact", "show", "Ana@Lima.PT", "--json").json()["id"] == 1
    assert cli("contact", "show", "cost", "--json").json()["id"] == 2
    ambiguous = cli("contact", "show", "ana")
    assert ambiguous.stderr == "error: 'ana' matches 2 contacts: 1 Ana Lima <ana@lima.pt>; 2 Ana Costa\n"
    missing = cli("contact", "show", "zed")
    assert (missing.exit_code, missing.stderr) == (1, "error: no contact matches 'zed'\n")


def test_references_compare_like_sql_lower(cli) -> None:
    cli("contact", "add", "Straße Müller", "--company", "Größe GmbH")
    assert cli("contact", "show", "straße müller", "--json").json()["id"] == 1
    assert cli("contact", "show", "müller", "--json").json()["id"] == 1
    assert cli("company", "show", "größe gmbh", "--json").json()["id"] == 1


@pytest.mark.parametrize("ref", ["99999999999999999999999", "ana\x00lima"])
def test_impossible_references_are_errors_not_storage_failures(cli, ref) -> None:
    cli("contact", "add", "Ana Lima")
    result = cli("contact", "show", ref)
    assert result.exit_code == 1, result.stderr
    assert result.stderr.startswith("error: ")


def test_notes_logs_and_timeline(cli) -> None:
    cli("contact", "add", "Ana Lima", "--email", "ana@lima.pt", "--every", "30d")
    note = cli("note", "add", "ana", "Wants 20 seats", "--json")
    assert note.exit_code == 0, note.stderr
    cli("log", "call", "ana", "called back", "--at", "2026-11-20 15:00")
    timeline = cli("timeline", "ana", "--json").json()
    assert [(t["kind"], t["body"]) for t in timeline] == [("note", "Wants 20 seats"), ("call", "called back")]
    shown = cli("contact", "show", "ana", "--json").json()
    assert shown["last_interaction_at"] == "2026-11-23T10:00:00+00:00"
    assert [t["kind"] for t in shown["timeline"]] == ["note", "call"]


def test_followups_all_day_recurring_snooze_and_due(cli) -> None:
    cli("contact", "add", "Ana Lima")
    cli("contact", "add", "Bruno Dias", "--every", "7d")
    weekly = cli(
        "followup", "add", "ana", "weekly report", "--due", "2026-11-20", "--every", "1w", "--json"
    ).json()
    assert (weekly["overdue"], weekly["id"]) == (True, 1)
    timed = cli("followup", "add", "bruno", "demo call", "--due", "today 15:00", "--json").json()
    assert timed["overdue"] is False
    cli("followup", "add", "bruno", "later", "--due", "2026-12-10")
    snoozed = cli("followup", "snooze", "3", "--until", "2026-12-20", "--json")
    assert snoozed.exit_code == 0, snoozed.stderr
    due = cli("due", "--json").json()
    assert [f["id"] for f in due["overdue"]] == [1]
    assert [f["id"] for f in due["due"]] == [2]
    assert due["cadence"] == []  # Bruno was added today: his week has not passed
    done = cli("followup", "done", "1", "--json").json()
    assert [(f["id"], bool(f["done_at"])) for f in done] == [(1, True), (4, False)]
    assert done[1]["due"].startswith("2026-11-27")
    assert [f["id"] for f in cli("followup", "list", "--week", "--json").json()] == [2, 4]
    assert [f["id"] for f in cli("followup", "list", "--done", "--json").json()] == [1]
    rescheduled = cli("followup", "edit", "2", "--due", "2026-11-25", "--no-repeat", "--json").json()
    assert (rescheduled["version"], rescheduled["overdue"]) == (2, False)
    assert cli("followup", "rm", "2", "--yes").exit_code == 0
    assert [f["id"] for f in cli("followup", "list", "--json").json()] == [4, 3]


def test_search_substrings_inside_emails_phones_and_notes(cli, ctx) -> None:
    cli("contact", "add", "Ana Lima", "--email", "ana.lima@example-mail.pt", "--phone", "+351 912 345 678")
    cli("contact", "add", "Bruno Dias", "--email", "b_dias@corp.io", "--company", "Dias & Filhos")
    cli("note", "add", "bruno", "Quer 100% das licenças até janeiro")

    def found(query: str, kind: str | None = None) -> list[tuple[str, int]]:
        hits = search.search(ctx, query, entities=(kind,) if kind else search.ENTITIES)
        return sorted((h.entity, h.id) for h in hits)

    assert found("example-mail") == [("contact", 1)]
    assert found("MAIL.PT") == [("contact", 1)]
    assert found("a.li") == [("contact", 1)]
    assert found("_dias@") == [("contact", 2)]
    assert found("912345") == [("contact", 1)]
    assert found("& fil") == [("company", 1), ("contact", 2)]
    assert found("100%") == [("note", 1)]
    assert found("LICENÇAS") == [("note", 1)]
    assert found("il") == [("company", 1), ("contact", 1), ("contact", 2)]
    assert found("li") == [("contact", 1), ("note", 1)]
    assert found("b_d", "contact") == [("contact", 2)]
    assert found('"ana" OR NEAR(') == []
    assert found("lima zzz") == []
    plain = cli("search", "dias", "--format", "plain")
    assert plain.exit_code == 0, plain.stderr
    assert [line.split("\t")[:2] for line in plain.stdout.splitlines()] == [
        ["company", "1"],
        ["contact", "2"],
    ]


def test_database_commands(cli) -> None:
    created = cli("init")
    assert created.exit_code == 0, created.stderr
    assert created.stderr.startswith("created: ")
    assert created.stderr.endswith(f"(schema {HEAD})\n")
    assert cli("init").stderr.startswith("ready: ")
    assert cli("db", "current").stdout == f"{HEAD} (up to date)\n"
    assert cli("db", "upgrade").exit_code == 0


def test_names_match_in_any_case_in_every_script(cli) -> None:
    """SQLite's own lower() folds ASCII only; PostgreSQL's folds every script. Both must find
    'Ângela' typed in lower case and 'Ótica' typed in capitals."""
    cli("contact", "add", "Ângela Sousa", "--company", "Ótica Lda", "--field", "cidade=Évora")
    assert cli("contact", "show", "ângela sousa", "--json").json()["name"] == "Ângela Sousa"
    assert cli("company", "show", "ÓTICA LDA", "--json").json()["name"] == "Ótica Lda"
    assert _names(cli("contact", "list", "--company", "ótica", "--format", "plain")) == ["Ângela Sousa"]
    run = cli("contact", "edit", "ÂNGELA", "--title", "CEO", "--json")
    assert (run.exit_code, run.json()["title"]) == (0, "CEO")
