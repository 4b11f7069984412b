"""An email address belongs to one contact (issue 16 item 4): imports and merges keep it so,
the database enforces it, and the migration resolves older duplicates without losing one."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from minicrm.store import schema
from minicrm.store.db import Database, Target


def _card(name: str, *emails: str, uid: str | None = None) -> str:
    lines = ["BEGIN:VCARD", "VERSION:3.0", f"FN:{name}", *(f"EMAIL:{e}" for e in emails)]
    if uid:
        lines.append(f"UID:{uid}")
    return "\r\n".join([*lines, "END:VCARD"]) + "\r\n"


def _owners(cli: Any) -> dict[str, list[str]]:
    people = cli("contact", "list", "--json").json()
    owners: dict[str, list[str]] = {}
    for p in people:
        for e in p["emails"]:
            owners.setdefault(e.lower(), []).append(p["name"])
    return owners


def test_a_card_sharing_two_addresses_with_two_contacts_leaves_each_on_one(cli, tmp_path: Path) -> None:
    first = tmp_path / "first.vcf"
    first.write_text(_card("Ana", "ana@x.pt") + _card("Ana Work", "ana@work.pt"))
    second = tmp_path / "second.vcf"
    second.write_text(_card("Ana Lima", "ana@x.pt", "ana@work.pt", "new@x.pt"))
    assert cli("import", "vcard", str(first)).exit_code == 0
    run = cli("import", "vcard", str(second))
    assert run.exit_code == 0, run.stderr
    assert _owners(cli) == {"ana@x.pt": ["Ana"], "ana@work.pt": ["Ana Work"], "new@x.pt": ["Ana"]}
    ana = cli("contact", "show", "ana@x.pt", "--json").json()
    assert ana["fields"]["shared_email"] == "ana@work.pt"


@pytest.mark.parametrize("mode", ["update", "create"])
def test_an_import_never_puts_one_address_on_two_contacts(cli, tmp_path: Path, mode: str) -> None:
    source = tmp_path / "people.vcf"
    source.write_text(
        _card("Ana", "ana@x.pt") + _card("Bruno", "bruno@x.pt") + _card("Both", "bruno@x.pt", "ana@x.pt")
    )
    run = cli("import", "vcard", str(source), "--on-duplicate", mode)
    assert run.exit_code == 0, run.stderr
    owners = _owners(cli)
    assert all(len(names) == 1 for names in owners.values()), owners
    assert set(owners) == {"ana@x.pt", "bruno@x.pt"}


def test_contact_add_allow_duplicate_keeps_the_address_in_a_field_and_dedupe_finds_it(cli) -> None:
    assert cli("contact", "add", "Ana", "--email", "ana@x.pt").exit_code == 0
    run = cli("contact", "add", "Ana L", "--email", "ANA@x.pt", "--allow-duplicate")
    assert run.exit_code == 0, run.stderr
    second = cli("contact", "show", "2", "--json").json()
    assert (second["emails"], second["fields"]) == ([], {"shared_email": "ANA@x.pt"})
    groups = cli("dedupe", "--json").json()
    assert [g["ids"] for g in groups] == [[1, 2]]
    assert cli("contact", "merge", "1", "2", "--yes").exit_code == 0
    kept = cli("contact", "show", "1", "--json").json()
    assert (kept["emails"], kept["fields"]) == (["ana@x.pt"], {})


def test_a_merge_keeps_labels_and_every_address(cli, tmp_path: Path) -> None:
    source = tmp_path / "two.vcf"
    source.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana\r\nEMAIL;TYPE=work:ana@x.pt\r\n"
        "ADR;TYPE=work:;;Rua 1;Lisboa;;;\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana L\r\nEMAIL;TYPE=home:ana@home.pt\r\n"
        "TEL;TYPE=cell:+351912345678\r\n"
        "ADR;TYPE=home:;;Rua 2;Porto;;;\r\nEND:VCARD\r\n"
    )
    assert cli("import", "vcard", str(source)).exit_code == 0
    assert cli("contact", "merge", "1", "2", "--yes").exit_code == 0
    ana = cli("contact", "show", "1", "--json").json()
    assert ana["email_details"] == [
        {"email": "ana@x.pt", "label": "work"},
        {"email": "ana@home.pt", "label": "home"},
    ]
    assert ana["phone_details"] == [{"phone": "+351912345678", "label": "cell", "ext": None}]
    assert [(a["label"], a["city"]) for a in ana["addresses"]] == [("work", "Lisboa"), ("home", "Porto")]
    undone = cli("undo", "--yes")
    assert undone.exit_code == 0, undone.stderr
    assert [p["name"] for p in cli("contact", "list", "--json").json()] == ["Ana", "Ana L"]
    again = cli("contact", "show", "2", "--json").json()
    assert again["email_details"] == [{"email": "ana@home.pt", "label": "home"}]


def test_the_database_refuses_a_second_contact_with_an_address(cli, ctx: Any) -> None:
    from minicrm.core.errors import MinicrmError

    cli("contact", "add", "Ana", "--email", "ana@x.pt")
    cli("contact", "add", "Bruno")
    with pytest.raises(MinicrmError):
        ctx.db.execute(
            "INSERT INTO contact_email (contact_id, email, email_lower, position) "
            "VALUES (2, 'Ana@X.pt', 'ana@x.pt', 0)"
        )


def test_the_migration_leaves_each_address_on_its_first_contact_and_loses_none(tmp_path: Path) -> None:
    target = Target("sqlite", path=tmp_path / "old.db")
    schema.run_migrations(target, "0003")
    now = "2026-01-01T00:00:00.000000Z"
    with sqlite3.connect(str(target.path)) as conn:
        for i, name in enumerate(("Ana", "Ana L", "Bruno"), 1):
            conn.execute(
                "INSERT INTO contact (id, name, status, do_not_contact, created_at, updated_at, version) "
                "VALUES (?, ?, 'lead', 0, ?, ?, 1)",
                (i, name, now, now),
            )
        rows = [
            (1, "ana@x.pt", 0),
            (1, "ANA@x.pt", 1),
            (2, "Ana@X.pt", 0),
            (2, "al@x.pt", 1),
            (3, "ana@x.pt", 0),
        ]
        conn.executemany(
            "INSERT INTO contact_email (contact_id, email, email_lower, position) VALUES (?, ?, lower(?), ?)",
            [(c, e, e, p) for c, e, p in rows],
        )
        conn.execute(
            "INSERT INTO contact_field (contact_id, key, value) VALUES (3, 'shared_email', 'old@x.pt')"
        )
    schema.run_migrations(target)
    db = Database.connect(target)
    try:
        emails = [
            tuple(r)
            for r in db.all("SELECT contact_id, email FROM contact_email ORDER BY contact_id, position")
        ]
        fields = {int(r["contact_id"]): r["value"] for r in db.all("SELECT * FROM contact_field")}
    finally:
        db.close()
    assert emails == [(1, "ana@x.pt"), (2, "al@x.pt")]
    assert fields == {2: "Ana@X.pt", 3: "old@x.pt, ana@x.pt"}
    assert json.dumps(fields)  # plain values
