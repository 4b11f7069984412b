"""CSV import through the CLI: created/updated/skipped/rejected, rejects file, dry run, types."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest
from transfer_helpers import table_counts, write

PEOPLE = (
    "Name,Email,Phone,Company,Tags,Shoe\n"
    "Ana Lima,ana@lima.pt,+351 912 345 678,Lima Lda,vip,42\n"
    ",bruno@dias,,,,\n"
    'Carla Reis,carla@reis.pt,,Reis SA,"a, b",38\n'
    "Ana L.,ANA@LIMA.PT,,,new,\n"
)


def _contacts(cli) -> list[dict]:
    run = cli("contact", "list", "--json", "--sort", "id")
    assert run.exit_code == 0, run.stderr
    return run.json()


def test_import_reports_every_row_and_writes_a_fixable_rejects_file(cli, tmp_path: Path) -> None:
    source = write(tmp_path / "people.csv", PEOPLE)
    rejects = tmp_path / "rejects.csv"
    run = cli("import", "csv", str(source), "--map", "Shoe=field:shoe", "--rejects", str(rejects))
    assert run.exit_code == 0, run.stderr
    assert run.stdout == ""
    lines = run.stderr.splitlines()
    assert lines[0] == (
        "line 3: rejected: no name, email or phone to import: invalid email 'bruno@dias': "
        "The part after the @-sign is not valid. It should have a period. (bruno@dias)"
    )
    assert lines[-1] == f"2 created, 1 updated, 0 skipped, 1 rejected; rejected rows written to {rejects}"
    people = _contacts(cli)
    assert [(p["name"], p["emails"], p["phones"], p["company"], p["tags"], p["fields"]) for p in people] == [
        ("Ana Lima", ["ana@lima.pt"], ["+351912345678"], "Lima Lda", ["new", "vip"], {"shoe": "42"}),
        ("Carla Reis", ["carla@reis.pt"], [], "Reis SA", ["a", "b"], {"shoe": "38"}),
    ]
    with rejects.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["Name", "Email", "Phone", "Company", "Tags", "Shoe", "_error"]
    assert rows[1][:6] == ["", "bruno@dias", "", "", "", ""]
    assert rows[1][6].startswith("no name, email or phone to import: invalid email 'bruno@dias'")
    # fix the rejects file and import it again: only the fixed row comes in
    fixed = tmp_path / "fixed.csv"
    fixed.write_text("Name,Email\nBruno Dias,bruno@dias.pt\n", encoding="utf-8")
    again = cli("import", "csv", str(fixed))
    assert again.stderr.splitlines()[-1] == "1 created, 0 updated, 0 skipped, 0 rejected"
    assert [p["name"] for p in _contacts(cli)] == ["Ana Lima", "Carla Reis", "Bruno Dias"]


def test_the_whole_import_is_one_operation_with_a_change_per_record(
    cli, tmp_path: Path, db_path: Path, ctx
) -> None:
    from minicrm.services.history import changelog

    cli("import", "csv", str(write(tmp_path / "p.csv", PEOPLE)), "--rejects", str(tmp_path / "r.csv"))
    conn = sqlite3.connect(db_path)
    ops = conn.execute("SELECT id, summary FROM operation").fetchall()
    assert [o[1] for o in ops] == ["import csv p.csv"]
    # the creations are logged in bulk: one row per kind of record and run of ids, not a
    # change row (with its own JSON snapshot) per record
    assert conn.execute("SELECT count(*) FROM change").fetchone()[0] == 0
    batches = conn.execute("SELECT op_id, entity, first_id, last_id FROM change_batch ORDER BY id").fetchall()
    assert batches == [(ops[0][0], "company", 1, 2), (ops[0][0], "contact", 1, 2)]
    # …and read as one create change per record, by `contact history`, `undo` and privacy export
    [logged] = changelog.created(ctx, "contact", 1)
    assert (logged["op_id"], logged["action"], logged["before"]) == (ops[0][0], "create", None)
    after = logged["after"]
    # the create snapshot is the full stored record, as `contact history` and `undo` expect
    assert (
        after["name"] == "Ana Lima" and after["emails"] == ["ana@lima.pt"] and after["tags"] == ["new", "vip"]
    )
    assert len(after["uid"]) == 36
    assert [(o["id"], o["changes"]) for o in cli("undo", "--list", "--json").json()] == [(ops[0][0], 4)]
    history = cli("contact", "history", "2", "--json").json()
    assert [(h["action"], h["changes"]["name"]["after"]) for h in history] == [("create", "Carla Reis")]


def test_dry_run_reports_exactly_and_writes_nothing(cli, tmp_path: Path, db_path: Path) -> None:
    cli("contact", "add", "Carla Reis", "--email", "carla@reis.pt")
    before = table_counts(db_path)
    run = cli("import", "csv", str(write(tmp_path / "p.csv", PEOPLE)), "--dry-run")
    assert run.exit_code == 0
    assert run.stdout.splitlines() == [
        "2\tcreated\tAna Lima\t",
        "3\trejected\tbruno@dias\tno name, email or phone to import: invalid email 'bruno@dias': "
        "The part after the @-sign is not valid. It should have a period.",
        "4\tupdated\tCarla Reis\tduplicate of contact 1",
        "5\tupdated\tAna L.\tmerged into line 2",
    ]
    assert run.stderr.splitlines()[-1] == (
        "dry run, nothing written: 1 would be created, 2 would be updated, 0 would be skipped, 1 rejected"
    )
    assert table_counts(db_path) == before
    assert not (tmp_path / "p.csv.rejects.csv").exists()


def test_on_duplicate_update_skip_and_create(cli, tmp_path: Path) -> None:
    cli("contact", "add", "Ana Lima", "--email", "ana@lima.pt", "--tag", "old", "--title", "CEO")
    source = write(
        tmp_path / "d.csv", "Name,Email,Phone,Title,Tags\nAna,ANA@lima.pt,+351912345678,Intern,new\n"
    )
    skip = cli("import", "csv", str(source), "--on-duplicate", "skip")
    assert skip.stderr.splitlines() == [
        "line 2: skipped: duplicate of contact 1 (Ana)",
        "0 created, 0 updated, 1 skipped, 0 rejected",
    ]
    update = cli("import", "csv", str(source))
    assert update.stderr.splitlines()[-1] == "0 created, 1 updated, 0 skipped, 0 rejected"
    [ana] = _contacts(cli)
    # the existing values win; empty ones are filled; emails, phones and tags are united
    assert (ana["name"], ana["title"], ana["phones"], ana["tags"]) == (
        "Ana Lima",
        "CEO",
        ["+351912345678"],
        ["new", "old"],
    )
    # a duplicate by phone alone (typed differently) is found too
    by_phone = write(tmp_path / "p.csv", "Name,Phone\nA. Lima,+351 912 345 678\n")
    assert (
        cli("import", "csv", str(by_phone)).stderr.splitlines()[-1]
        == "0 created, 0 updated, 1 skipped, 0 rejected"
    )
    create = cli("import", "csv", str(source), "--on-duplicate", "create")
    assert create.stderr.splitlines()[-1] == "1 created, 0 updated, 0 skipped, 0 rejected"
    assert len(_contacts(cli)) == 2


def test_duplicates_inside_one_file_are_merged(cli, tmp_path: Path) -> None:
    rows = "Name,Email,Phone\nAna,ana@x.pt,\nAna Lima,,+351912345678\nA Lima,ANA@x.pt,+351912345678\n"
    run = cli("import", "csv", str(write(tmp_path / "dup.csv", rows)))
    assert run.stderr.splitlines()[-1] == "2 created, 1 updated, 0 skipped, 0 rejected"
    people = _contacts(cli)
    assert [(p["name"], p["emails"], p["phones"]) for p in people] == [
        ("Ana", ["ana@x.pt"], ["+351912345678"]),
        ("Ana Lima", [], ["+351912345678"]),
    ]


def test_presets_and_multi_value_cells(cli, tmp_path: Path) -> None:
    google = (
        "Name,Given Name,Family Name,E-mail 1 - Value,Phone 1 - Value,Group Membership,"
        "Organization 1 - Name\n"
        "Multi Person,Multi,Person,a@example.com ::: b@example.com,+1 202 555 0100 ::: +351 912 345 678,"
        "* myContacts ::: Friends,Acme\n"
    )
    run = cli("import", "csv", str(write(tmp_path / "g.csv", google)))
    assert run.exit_code == 0, run.stderr
    [p] = _contacts(cli)
    assert (p["emails"], p["phones"], p["tags"], p["company"]) == (
        ["a@example.com", "b@example.com"],
        ["+12025550100", "+351912345678"],
        ["Friends", "myContacts"],
        "Acme",
    )


def test_encodings_and_delimiters(cli, tmp_path: Path) -> None:
    write(tmp_path / "a.csv", "Name;Email\nJosé Müller;jose@mu.de\n", "cp1252")
    write(tmp_path / "b.csv", "\ufeffName\tEmail\nZoë Ånd\tzoe@and.se\n", "utf-16-le")
    for name in ("a.csv", "b.csv"):
        assert cli("import", "csv", str(tmp_path / name)).exit_code == 0
    assert [p["name"] for p in _contacts(cli)] == ["José Müller", "Zoë Ånd"]


def test_companies_and_deals(cli, tmp_path: Path) -> None:
    companies = "Company,Domain,Industry\nLima Lda,lima.pt,Retail\nlima lda,,\nReis SA,reis.pt,\n"
    run = cli("import", "csv", str(write(tmp_path / "c.csv", companies)), "--type", "companies")
    assert run.stderr.splitlines()[-1] == "2 created, 0 updated, 1 skipped, 0 rejected"
    cli("contact", "add", "Ana Lima", "--email", "ana@lima.pt")
    deals = (
        "Title,Value,Currency,Stage,Contact Email,Company,Close Date\n"
        'Website,"1.234,50",EUR,Proposal,ana@lima.pt,Lima Lda,2026-12-31\n'
        "Bad,abc,EUR,lead,,,\n"
        "Big win,5000,USD,Closed Won,,New Co,\n"
    )
    run = cli(
        "import",
        "csv",
        str(write(tmp_path / "d.csv", deals)),
        "--type",
        "deals",
        "--rejects",
        str(tmp_path / "r.csv"),
    )
    assert run.stderr.splitlines()[-1].startswith("2 created, 0 updated, 0 skipped, 1 rejected")
    from minicrm.services.kernel.context import open_context

    with open_context() as ctx:
        rows = [
            dict(r)
            for r in ctx.db.all(
                "SELECT title, value_minor, currency, stage, status, contact_id, "
                "company_id, close_date FROM deal ORDER BY id"
            )
        ]
        companies_now = [r["name"] for r in ctx.db.all("SELECT name FROM company ORDER BY id")]
    assert rows == [
        {
            "title": "Website",
            "value_minor": 123450,
            "currency": "EUR",
            "stage": "proposal",
            "status": "open",
            "contact_id": 1,
            "company_id": 1,
            "close_date": "2026-12-31",
        },
        {
            "title": "Big win",
            "value_minor": 500000,
            "currency": "USD",
            "stage": "negotiation",
            "status": "won",
            "contact_id": None,
            "company_id": 3,
            "close_date": None,
        },
    ]
    assert companies_now == ["Lima Lda", "Reis SA", "New Co"]


def test_unusable_files_fail_clearly_and_change_nothing(cli, tmp_path: Path, db_path: Path) -> None:
    cli("contact", "add", "Ana")
    before = table_counts(db_path)
    (tmp_path / "bin.csv").write_bytes(b"\x00\x01\x02\xff" * 100)
    (tmp_path / "empty.csv").write_bytes(b"")
    write(tmp_path / "trunc.csv", 'Name,Email\nAna,"ana@x.pt\nBruno,b@x.pt\n')
    write(tmp_path / "trunc.vcf", "BEGIN:VCARD\nVERSION:3.0\nFN:Ana\n")
    expected = {
        "bin.csv": "error: not a CSV file: binary data (NUL bytes)",
        "empty.csv": "error: empty CSV file: empty.csv",
    }
    for name, message in expected.items():
        run = cli("import", "csv", str(tmp_path / name))
        assert (run.exit_code, run.stderr.strip()) == (1, message)
    trunc = cli("import", "csv", str(tmp_path / "trunc.csv"))
    assert trunc.exit_code == 1 and trunc.stderr.startswith("error: trunc.csv: line 2")
    vcf = cli("import", "vcard", str(tmp_path / "trunc.vcf"))
    assert vcf.exit_code == 1 and vcf.stderr.startswith("error: ") and vcf.stderr[-1] == "\n"
    missing = cli("import", "csv", str(tmp_path / "nope.csv"))
    assert missing.exit_code == 1 and missing.stderr.startswith("error: cannot read")
    assert table_counts(db_path) == before


def test_an_error_in_the_middle_leaves_the_database_as_it_was(
    cli, tmp_path: Path, db_path: Path, monkeypatch
) -> None:
    from minicrm.services.transfer import importer

    cli("contact", "add", "Ana", "--email", "ana@x.pt")
    before = table_counts(db_path)
    rows = "".join(f"Person {i},p{i}@x.pt\n" for i in range(50))
    monkeypatch.setattr(importer, "BATCH", 10)
    calls = {"n": 0}
    real = importer.contact_search_body

    def failing(*args):  # the third batch breaks after two were written
        calls["n"] += 1
        if calls["n"] > 25:
            raise RuntimeError("disk on fire")
        return real(*args)

    monkeypatch.setattr(importer, "contact_search_body", failing)
    source = write(tmp_path / "many.csv", "Name,Email\n" + rows)
    with pytest.raises(RuntimeError, match="disk on fire"):
        cli("import", "csv", str(source))
    assert calls["n"] > 25
    assert table_counts(db_path) == before


def test_bulk_snapshots_equal_what_the_services_record(cli, tmp_path: Path, ctx) -> None:
    """`contact history` and `undo` read the bulk path's snapshots like any other."""
    from minicrm.services import search
    from minicrm.services.companies import commands as companies
    from minicrm.services.contacts import commands as contacts

    rows = (
        "Name,Email,Phone,Company,Tags,Notes,Website\nAna,ana@x.pt,+351912345678,Lima,vip,hello,http://x.pt\n"
    )
    cli("import", "csv", str(write(tmp_path / "s.csv", rows)))

    def logged(entity: str) -> dict:
        from minicrm.services.history import changelog

        [change] = changelog.created(ctx, entity, 1)
        return change["after"]

    assert logged("contact") == json.loads(json.dumps(contacts.snapshot(ctx.db, 1), default=str))
    assert logged("company") == json.loads(json.dumps(companies.snapshot(ctx.db, 1), default=str))
    assert logged("interaction") == dict(ctx.db.one("SELECT * FROM interaction"))
    assert logged("contact")["fields"] == {"website": "http://x.pt"}
    assert [h["action"] for h in cli("contact", "history", "ana", "--json").json()] == ["create"]
    assert [hit.label for hit in search.search(ctx, "lima")] == ["Lima", "Ana"]


def _indexes(db_path: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"
        ).fetchall()
    finally:
        conn.close()


@pytest.mark.parametrize("fails", [False, True])
def test_a_bulk_load_into_an_empty_table_keeps_the_indexes(
    cli, tmp_path: Path, db_path: Path, monkeypatch, fails: bool
) -> None:
    """A large import into an empty table builds the contact indexes at the end; whether it
    finishes or breaks, the schema is what it was, and dedupe and search still work."""
    from minicrm.services.transfer import importer

    cli("company", "add", "Lima Lda")  # the database exists; no contacts yet
    before, counts = _indexes(db_path), table_counts(db_path)
    monkeypatch.setattr(importer, "BATCH", 10)
    monkeypatch.setattr(importer, "BULK_LOAD_ROWS", 10)
    if fails:
        real = importer.contact_search_body

        def failing(*args):  # the third batch breaks after two were written
            failing.n += 1  # type: ignore[attr-defined]
            if failing.n > 25:  # type: ignore[attr-defined]
                raise RuntimeError("disk on fire")
            return real(*args)

        failing.n = 0  # type: ignore[attr-defined]
        monkeypatch.setattr(importer, "contact_search_body", failing)
    rows = "".join(f"Person {i},p{i % 40}@x.pt,Lima Lda\n" for i in range(50))
    source = write(tmp_path / "many.csv", "Name,Email,Company\n" + rows)
    if fails:
        with pytest.raises(RuntimeError, match="disk on fire"):
            cli("import", "csv", str(source))
        assert table_counts(db_path) == counts
    else:
        run = cli("import", "csv", str(source))
        assert run.exit_code == 0, run.stderr
        assert run.stderr.splitlines()[-1] == "40 created, 0 updated, 10 skipped, 0 rejected"
        assert [h["label"] for h in cli("search", "p7@x", "--json").json()] == ["Person 7"]
    assert _indexes(db_path) == before
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def test_an_import_never_gives_a_new_contact_a_deleted_contacts_id(cli, tmp_path: Path) -> None:
    cli("contact", "add", "Ana")
    cli("contact", "add", "Bruno")
    assert cli("contact", "rm", "2", "--yes").exit_code == 0
    source = write(tmp_path / "one.csv", "Name,Email\nZoe Lima,zoe@lima.pt\n")
    assert cli("import", "csv", str(source)).exit_code == 0
    assert [(c["id"], c["name"]) for c in _contacts(cli)] == [(1, "Ana"), (3, "Zoe Lima")]
    history = cli("contact", "history", "3", "--json").json()
    assert [h["action"] for h in history] == ["create"]  # not Bruno's deletion


def test_the_garbage_collector_is_back_on_after_an_import_finished_or_failed(
    ctx, tmp_path: Path, monkeypatch
) -> None:
    """The import switches the cyclic garbage collector off while it runs, and only then."""
    import gc

    from minicrm.services.transfer import importer

    assert gc.isenabled()
    importer.import_csv(ctx, write(tmp_path / "ok.csv", "Name,Email\nAna,ana@x.pt\n"))
    assert gc.isenabled()
    with monkeypatch.context() as m:
        m.setattr(importer, "contact_search_body", lambda *a: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            importer.import_csv(ctx, write(tmp_path / "bad.csv", "Name,Email\nZoe,zoe@x.pt\n"))
    assert gc.isenabled()
    seen = []
    importer.import_csv(
        ctx, write(tmp_path / "ev.csv", "Name\nBruno\n"), on_event=lambda e: seen.append(gc.isenabled())
    )
    assert seen == [False] and gc.isenabled()
    gc.disable()
    try:  # a caller that had it off keeps it off
        importer.import_csv(ctx, write(tmp_path / "off.csv", "Name\nCarla\n"))
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_phone_shared_by_people_with_their_own_emails_does_not_merge_them(cli, tmp_path: Path) -> None:
    # Salesforce's sample contacts: Patricia and Leslie Ryan, one household phone, two emails
    cli("contact", "add", "Ana Lima", "--email", "ana@lima.pt", "--phone", "+351 912 345 678")
    cli("contact", "add", "Carla Dias", "--email", "carla@dias.pt", "--phone", "+351 933 000 000")
    cli("contact", "add", "Rui Lima", "--phone", "+351 213 000 000")
    source = write(
        tmp_path / "p.csv",
        "Name,Email,Phone\n"
        "Patricia Ryan,patricia@ryan.pt,+351 222 000 111\n"
        "Leslie Ryan,leslie@ryan.pt,+351 222 000 111\n"
        "Bruno Lima,bruno@lima.pt,+351 912 345 678\n"  # Ana's phone, his own email
        "Ana L.,,+351 912 345 678\n"  # no email: the phone says who she is
        "R. Lima,rui@lima.pt,+351 213 000 000\n"  # the contact with that phone has no email
        "patricia ryan,p.ryan@work.pt,+351 222 000 111\n",  # her phone and her name: her
    )
    run = cli("import", "csv", str(source))
    assert run.stderr.splitlines()[-1] == "3 created, 3 updated, 0 skipped, 0 rejected"
    people = _contacts(cli)
    assert [(p["name"], p["emails"], p["phones"]) for p in people] == [
        ("Ana Lima", ["ana@lima.pt"], ["+351912345678"]),
        ("Carla Dias", ["carla@dias.pt"], ["+351933000000"]),
        ("Rui Lima", ["rui@lima.pt"], ["+351213000000"]),
        ("Patricia Ryan", ["patricia@ryan.pt", "p.ryan@work.pt"], ["+351222000111"]),
        ("Leslie Ryan", ["leslie@ryan.pt"], ["+351222000111"]),
        ("Bruno Lima", ["bruno@lima.pt"], ["+351912345678"]),
    ]
    # in the database too: her phone and her name (written otherwise) with another email is her
    again = write(tmp_path / "q.csv", 'Name,Email,Phone\n"Dias, Carla",c@dias.pt,+351933000000\n')
    assert cli("import", "csv", str(again)).stderr == "0 created, 1 updated, 0 skipped, 0 rejected\n"
    assert [p["emails"] for p in _contacts(cli) if p["name"] == "Carla Dias"] == [
        ["carla@dias.pt", "c@dias.pt"]
    ]
