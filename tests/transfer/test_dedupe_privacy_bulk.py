"""Duplicates and merging, privacy export/erase with tombstones, bulk edits by filter."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from transfer_helpers import table_counts, write


def _contacts(cli) -> list[dict]:
    return cli("contact", "list", "--json", "--sort", "id").json()


def _seed_duplicates(cli) -> None:
    cli(
        "contact",
        "add",
        "Ana Lima",
        "--email",
        "ana@lima.pt",
        "--company",
        "Lima Lda",
        "--title",
        "CEO",
        "--tag",
        "vip",
    )
    cli(
        "contact",
        "add",
        "Ana  Lima",
        "--email",
        "a.lima@other.pt",
        "--phone",
        "+351912345678",
        "--tag",
        "new",
        "--field",
        "shoe=42",
    )
    cli("contact", "add", "Lima, Ana", "--email", "ANA@lima.pt", "--company", "Lima Lda", "--allow-duplicate")
    cli("contact", "add", "Rui", "--phone", "+351 912 345 678")
    cli("contact", "add", "Someone Else", "--email", "else@gmail.com", "--company", "Lima Lda")
    cli("company", "add", "Reis SA", "--domain", "reis.pt")
    cli("company", "add", "Reis S.A.", "--domain", "reis.pt")


def test_dedupe_lists_groups_with_score_and_reason(cli) -> None:
    _seed_duplicates(cli)
    run = cli("dedupe", "--json")
    assert run.exit_code == 0, run.stderr
    groups = run.json()
    assert [(g["entity"], g["ids"], g["score"]) for g in groups] == [
        ("contact", [1, 3], 100),
        ("contact", [2, 4], 95),
        ("company", [2, 3], 95),
    ]
    assert groups[0]["reason"].startswith("same email ana@lima.pt")
    assert (
        "similar names (@lima.pt)" in groups[0]["reason"]
        or "similar names (at Lima Lda)" in groups[0]["reason"]
    )
    assert groups[1]["reason"] == "same phone +351912345678"
    assert groups[2]["names"] == ["Reis SA", "Reis S.A."]
    assert "same domain reis.pt" in groups[2]["reason"]


def test_similar_names_only_within_a_company_or_domain(cli) -> None:
    cli("contact", "add", "Joana Sousa", "--company", "Acme")
    cli("contact", "add", "Joana Souza", "--company", "Acme")
    cli("contact", "add", "Joana Sousa", "--company", "Other")
    cli("contact", "add", "Joana Sousa", "--email", "joana@gmail.com")
    groups = cli("dedupe", "--json").json()
    assert [(g["ids"], g["reason"]) for g in groups] == [([1, 2], "similar names (at Acme)")]
    assert 90 <= groups[0]["score"] < 100


def test_merge_combines_moves_and_keeps_history(cli, db_path: Path) -> None:
    _seed_duplicates(cli)
    cli("note", "add", "2", "met at the fair")
    cli("followup", "add", "2", "call back", "--due", "2026-12-01")
    refused = cli("contact", "merge", "1", "2")
    assert refused.exit_code == 1 and "refusing without --yes" in refused.stderr
    run = cli("contact", "merge", "1", "2", "--yes", "--json")
    assert run.exit_code == 0, run.stderr
    ana = run.json()
    assert (ana["id"], ana["name"], ana["title"], ana["company"]) == (1, "Ana Lima", "CEO", "Lima Lda")
    assert ana["emails"] == ["ana@lima.pt", "a.lima@other.pt"]
    assert (ana["phones"], ana["tags"], ana["fields"]) == (["+351912345678"], ["new", "vip"], {"shoe": "42"})
    assert cli("contact", "show", "2").exit_code == 1
    assert [i["body"] for i in cli("timeline", "1", "--json").json()] == ["met at the fair"]
    assert [f["contact_id"] for f in cli("followup", "list", "--json").json()] == [1]
    conn = sqlite3.connect(db_path)
    merges = conn.execute(
        "SELECT entity_id, before, after FROM change WHERE action = 'merge' ORDER BY id"
    ).fetchall()
    assert [m[0] for m in merges] == [2, 1]
    assert json.loads(merges[0][1])["emails"] == ["a.lima@other.pt"] and merges[0][2] is None
    assert json.loads(merges[1][2])["emails"] == ["ana@lima.pt", "a.lima@other.pt"]
    history = cli("contact", "history", "1", "--json").json()
    assert [h["action"] for h in history] == ["create", "merge"]


def test_dedupe_apply_merges_every_group(cli) -> None:
    _seed_duplicates(cli)
    assert cli("dedupe", "--apply").exit_code == 1  # no terminal, no --yes: refuse
    assert len(_contacts(cli)) == 5
    run = cli("dedupe", "--apply", "--yes", "--format", "plain")
    assert run.exit_code == 0 and run.stderr.strip() == "merged 3 groups"
    assert [c["id"] for c in _contacts(cli)] == [1, 2, 5]
    companies = cli("company", "list", "--json").json()
    assert [c["name"] for c in companies] == ["Lima Lda", "Reis SA"]
    assert cli("dedupe", "--json").json() == []


def test_privacy_export_has_everything_about_the_person(cli, tmp_path: Path) -> None:
    cli("contact", "add", "Ana", "--email", "ana@x.pt", "--field", "shoe=42")
    cli("note", "add", "ana", "likes tea")
    cli("followup", "add", "ana", "call", "--due", "2026-12-01")
    out = tmp_path / "ana.json"
    run = cli("privacy", "export", "ana", "--out", str(out))
    assert run.exit_code == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["contact"]["emails"] == ["ana@x.pt"] and doc["contact"]["fields"] == {"shoe": "42"}
    assert [i["body"] for i in doc["interactions"]] == ["likes tea"]
    assert [f["title"] for f in doc["followups"]] == ["call"]
    assert [(c["entity"], c["action"]) for c in doc["changes"]] == [
        ("contact", "create"),
        ("interaction", "create"),
        ("followup", "create"),
    ]
    assert json.loads(cli("privacy", "export", "1").stdout) == doc


def test_erase_redacts_scrubs_and_keeps_a_tombstone(cli, tmp_path: Path, db_path: Path) -> None:
    cli("contact", "add", "Ana Lima", "--email", "Ana@Lima.pt", "--phone", "+351912345678")
    cli("contact", "add", "Bruno")
    cli("note", "add", "bruno", "Ana's mail is ana@lima.pt, phone 912 345 678; call her")
    cli("contact", "edit", "ana", "--title", "CEO")
    assert cli("privacy", "erase", "ana").exit_code == 1  # no --yes without a terminal
    run = cli("privacy", "erase", "ana", "--yes")
    assert run.exit_code == 0, run.stderr
    assert run.stderr.startswith("erased Ana Lima: 1 records deleted, 1 redacted")
    assert [c["name"] for c in _contacts(cli)] == ["Bruno"]
    assert [i["body"] for i in cli("timeline", "bruno", "--json").json()] == [
        "Ana's mail is [redacted], phone [redacted]; call her"
    ]
    conn = sqlite3.connect(db_path)
    log = " ".join(str(x) for row in conn.execute("SELECT before, after FROM change") for x in row)
    assert "lima.pt" not in log.lower() and "912345678" not in log and "345 678" not in log
    assert "Ana Lima" not in " ".join(r[0] for r in conn.execute("SELECT summary FROM operation"))
    assert conn.execute("SELECT count(*) FROM tombstone").fetchone()[0] == 2
    assert cli("search", "lima").stdout == ""
    # a later import does not bring her back
    again = write(
        tmp_path / "again.csv",
        "Name,Email,Phone\nAna L.,ANA@lima.pt,\nA. Lima,,+351 912 345 678\nNew,n@x.pt,\n",
    )
    run = cli("import", "csv", str(again))
    assert run.stderr.splitlines() == [
        "line 2: skipped: erased (Ana L.)",
        "line 3: skipped: erased (A. Lima)",
        "1 created, 0 updated, 2 skipped, 0 rejected",
    ]


def test_bulk_edit_by_filters_is_one_operation(cli, db_path: Path) -> None:
    for i in range(12):
        cli("contact", "add", f"P{i:02}", "--tag", "fair" if i < 11 else "other", "--status", "lead")
    before = table_counts(db_path)
    refused = cli("contact", "edit", "--filter-tag", "fair", "--add-tag", "followed")
    assert refused.exit_code == 1 and refused.stderr.splitlines() == [
        "11 contacts match",
        "error: Change 11 contacts: refusing without --yes (no terminal to ask)",
    ]
    assert table_counts(db_path) == before
    run = cli(
        "contact", "edit", "--filter-tag", "fair", "--add-tag", "followed", "--status", "prospect", "--yes"
    )
    assert run.exit_code == 0 and run.stderr.splitlines() == ["11 contacts match", "edited 11 contacts"]
    people = _contacts(cli)
    assert [p["status"] for p in people].count("prospect") == 11
    assert all("followed" in p["tags"] for p in people if "fair" in p["tags"])
    assert people[-1]["tags"] == ["other"]
    conn = sqlite3.connect(db_path)
    assert (
        conn.execute(
            "SELECT count(*) FROM operation WHERE summary = 'contact edit (11 contacts)'"
        ).fetchone()[0]
        == 1
    )
    # up to 10 contacts change without asking
    small = cli("contact", "edit", "--filter-tag", "other", "--filter-status", "lead", "--title", "Boss")
    assert small.exit_code == 0 and _contacts(cli)[-1]["title"] == "Boss"
    both = cli("contact", "edit", "P00", "--filter-tag", "fair", "--title", "x")
    assert both.exit_code == 1 and both.stderr.startswith("error: give contact references or --filter-")
    neither = cli("contact", "edit", "--title", "x")
    assert neither.exit_code == 1 and neither.stderr.startswith("error: name a contact")


def test_bulk_rm_by_filters_asks_and_deletes(cli) -> None:
    for name, status in (("A", "lead"), ("B", "inactive"), ("C", "inactive")):
        cli("contact", "add", name, "--status", status)
    assert cli("contact", "rm", "--filter-status", "inactive").exit_code == 1
    assert len(_contacts(cli)) == 3
    run = cli("contact", "rm", "--filter-status", "inactive", "--yes")
    assert run.exit_code == 0 and run.stderr.strip() == "deleted 2 contacts: 2 B, 3 C"
    assert [c["name"] for c in _contacts(cli)] == ["A"]


def test_erase_leaves_nothing_of_the_person_searchable(cli, ctx) -> None:
    """Issue 17.3: after the erase no search document names the person, not even the deals
    that were theirs (their documents named them): every erased field is searched for."""
    from minicrm.services import search

    cli(
        "contact", "add", "Søren Kierkegaard", "--email", "soren@kierkegaard.dk",
        "--email", "sk@philo.dk", "--phone", "+45 33 12 34 56", "--title", "Philosopher",
        "--company", "Copenhagen Press",
    )  # fmt: skip
    cli("contact", "add", "Regine Olsen")
    assert cli("deal", "add", "Print run", "--contact", "kierkegaard", "--value", "500").exit_code == 0
    assert cli("deal", "add", "Kierkegaard essays", "--contact", "kierkegaard").exit_code == 0
    assert cli("note", "add", "regine", "Wrote to soren@kierkegaard.dk about the essays").exit_code == 0
    assert {(h.entity, h.id) for h in search.search(ctx, "kierkegaard")} == {
        ("contact", 1), ("deal", 1), ("deal", 2), ("stage-change", 2), ("note", 3)
    }  # fmt: skip
    assert cli("privacy", "erase", "kierkegaard", "--yes").exit_code == 0
    erased = (
        "Kierkegaard", "Søren", "Søren Kierkegaard", "soren@kierkegaard.dk", "sk@philo.dk",
        "philo.dk", "+45 33 12 34 56", "33 12 34 56", "Philosopher",
    )  # fmt: skip
    for query in erased:
        assert search.search(ctx, query) == [], query
        assert cli("search", query).stdout == "", query
    deals = cli("deal", "list", "--json").json()
    assert [(d["title"], d["contact"]) for d in deals] == [("Print run", None), ("[redacted] essays", None)]
    assert [h.label for h in search.search(ctx, "print run")] == ["Print run"]
    assert [(h.entity, h.label, h.detail) for h in search.search(ctx, "essays")] == [
        ("deal", "[redacted] essays", "lead (open)"),
        ("note", "Regine Olsen", "Wrote to [redacted] about the essays"),
    ]
