"""An email or phone that cannot be read does not cost the record: CSV rows and vCards follow one
rule (the value is kept in ``unparsed_email`` / ``unparsed_phone``, a warning names the line and
the value), and only a record with nothing else to tell who it is is rejected."""

from __future__ import annotations

from pathlib import Path

from transfer_helpers import table_counts, write

NO_PERIOD = "The part after the @-sign is not valid. It should have a period."


def _people(cli) -> list[dict]:
    run = cli("contact", "list", "--json", "--sort", "id")
    assert run.exit_code == 0, run.stderr
    return run.json()


def test_a_csv_row_with_an_invalid_email_is_imported_and_the_address_kept(cli, tmp_path: Path) -> None:
    source = write(
        tmp_path / "p.csv",
        "Name,Email,Phone,Title\n"
        "Ana Lima,ana@lima,+351 912 345 678,CEO\n"
        ",bruno@dias,,\n"  # nothing else says who this is
        ",,,Intern\n"
        ",,+351 913 000 111,\n"  # a phone alone is someone to call: named by it, as in a vCard
        "Carla Reis,carla@reis.pt,mobile,\n"
        ",dora@x,+351 914 000 222,\n",  # the readable phone names her, not the unreadable address
    )
    run = cli("import", "csv", str(source), "--rejects", str(tmp_path / "r.csv"))
    assert run.exit_code == 0
    assert run.stderr.splitlines() == [
        f"line 2: warning: invalid email 'ana@lima' kept in the unparsed_email field: {NO_PERIOD} (Ana Lima)",
        f"line 3: rejected: no name, email or phone to import: invalid email 'bruno@dias': {NO_PERIOD} "
        "(bruno@dias)",
        "line 4: rejected: no name, email, phone or company (Intern)",
        "line 6: warning: invalid phone 'mobile' kept in the unparsed_phone field: it has no digits "
        "(Carla Reis)",
        f"line 7: warning: invalid email 'dora@x' kept in the unparsed_email field: {NO_PERIOD} "
        "(+351914000222)",
        f"4 created, 0 updated, 0 skipped, 2 rejected; rejected rows written to {tmp_path / 'r.csv'}",
    ]
    people = _people(cli)
    assert [(p["name"], p["emails"], p["phones"], p["title"], p["fields"]) for p in people] == [
        ("Ana Lima", [], ["+351912345678"], "CEO", {"unparsed_email": "ana@lima"}),
        ("+351 913 000 111", [], ["+351913000111"], None, {}),
        ("Carla Reis", ["carla@reis.pt"], [], None, {"unparsed_phone": "mobile"}),
        ("+351914000222", [], ["+351914000222"], None, {"unparsed_email": "dora@x"}),
    ]


def test_the_dry_run_warns_the_same_and_writes_nothing(cli, tmp_path: Path, db_path: Path) -> None:
    cli("contact", "list")  # the database exists
    before = table_counts(db_path)
    source = write(tmp_path / "p.csv", "Name,Email\nAna Lima,ana@lima\n")
    run = cli("import", "csv", str(source), "--dry-run")
    assert run.exit_code == 0
    assert run.stdout.splitlines() == ["2\tcreated\tAna Lima\t"]
    assert run.stderr.splitlines() == [
        f"line 2: warning: invalid email 'ana@lima' kept in the unparsed_email field: {NO_PERIOD} (Ana Lima)",
        "dry run, nothing written: 1 would be created, 0 would be updated, 0 would be skipped, 0 rejected",
    ]
    assert table_counts(db_path) == before


def test_duplicates_unite_the_addresses_they_could_not_read(cli, tmp_path: Path) -> None:
    cli("contact", "add", "Ana Lima", "--phone", "+351 912 345 678")
    first = write(tmp_path / "a.csv", "Name,Email,Phone\nAna Lima,ana@lima,+351912345678\n")
    assert (
        cli("import", "csv", str(first)).stderr.splitlines()[-1]
        == "0 created, 1 updated, 0 skipped, 0 rejected"
    )
    # a second file, and within it a second row of the same person: no address is lost
    second = write(
        tmp_path / "b.csv",
        "Name,Email,Phone\nAna Lima,ana@lima.home,+351912345678\nAna L.,ana@work,+351912345678\n",
    )
    run = cli("import", "csv", str(second))
    assert run.stderr.splitlines()[-1] == "0 created, 2 updated, 0 skipped, 0 rejected"
    assert run.stderr.splitlines()[0].startswith("line 3: warning: invalid email 'ana@work' kept in")
    [ana] = _people(cli)
    assert ana["fields"] == {"unparsed_email": "ana@lima, ana@work"}
    assert ana["emails"] == ["ana@lima.home"]


def test_a_vcard_with_an_invalid_email_warns_as_a_csv_row_does(cli, tmp_path: Path) -> None:
    card = write(
        tmp_path / "a.vcf",
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana Lima\r\nEMAIL:ana@lima\r\nTEL:+351 912 345 678\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nEMAIL:bruno@dias\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nEMAIL:carla@reis\r\nEMAIL:carla@reis.pt\r\nEND:VCARD\r\n",
    )
    run = cli("import", "vcard", str(card))
    assert run.exit_code == 0
    assert run.stderr.splitlines() == [
        f"a.vcf card 1: warning: invalid email 'ana@lima' kept in the unparsed_email field: {NO_PERIOD} "
        "(Ana Lima)",
        f"a.vcf card 2: rejected: no name, email or phone to import: invalid email 'bruno@dias': {NO_PERIOD} "
        "(bruno@dias)",
        f"a.vcf card 3: warning: invalid email 'carla@reis' kept in the unparsed_email field: {NO_PERIOD} "
        "(carla@reis.pt)",
        "2 created, 0 updated, 0 skipped, 1 rejected",
    ]
    ana, carla = _people(cli)
    assert (carla["name"], carla["emails"], carla["fields"]) == (
        "carla@reis.pt",
        ["carla@reis.pt"],
        {"unparsed_email": "carla@reis"},
    )
    assert (ana["name"], ana["emails"], ana["phones"], ana["fields"]) == (
        "Ana Lima",
        [],
        ["+351912345678"],
        {"unparsed_email": "ana@lima"},
    )
