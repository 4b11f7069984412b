"""The interoperability corpus (../shared/corpus) imports through the real CLI.

Every vCard file imports without an error or a rejected card; every CSV of people, companies
or deals imports (rows that are not contacts at all are reported, not fatal). Skipped when
the corpus is not next to the repository.
"""

from __future__ import annotations

from pathlib import Path

import pytest

CSV_TYPES = {"salesforce_Account.csv": "companies", "salesforce_Opportunity.csv": "deals"}
# (file, created, rejected) for the CSVs. Rows that are not people (Salesforce tasks, Krayin
# leads) are rejected; a person whose email is not an address is imported (the address kept in
# the unparsed_email field, with a warning).
CSV_EXPECTED = {
    "atomic-crm_contacts_import-template.csv": (3, 0),
    "google-contacts-legacy_gmail.csv": (1, 0),
    "hubspot_sample-import_emails.csv": (10, 0),
    "krayin-crm_persons_import-sample.csv": (2, 0),
    "salesforce_Account.csv": (22, 0),
    "salesforce_Contact.csv": (102, 0),  # two of them share a phone, not a person
    "salesforce_Opportunity.csv": (50, 0),
    "thunderbird-export_quoted-newline_crlf.csv": (2, 0),
    "thunderbird-export_tab-separated.txt": (2, 0),
    "thunderbird-import_all-quoted.csv": (1, 0),
    "thunderbird-import_shiftjis.csv": (1, 0),
    "thunderbird-import_semicolon.csv": (2, 0),
    "thunderbird-import_utf16le_bom.csv": (1, 0),
}


def test_every_vcard_file_imports(cli, corpus_dir: Path, tmp_path: Path) -> None:
    files = sorted((corpus_dir / "vcf").iterdir())
    assert files
    for path in files:
        db = tmp_path / f"{path.stem}.db"
        run = cli("--db", str(db), "import", "vcard", str(path))
        assert run.exit_code == 0, (path.name, run.stderr)
        summary = run.stderr.splitlines()[-1]
        assert summary.endswith(" 0 rejected"), (path.name, summary)
        people = cli("--db", str(db), "contact", "list", "--json").json()
        assert people and all(p["name"] for p in people), path.name


def test_the_whole_vcard_directory_imports_in_one_go(cli, corpus_dir: Path) -> None:
    run = cli("import", "vcard", str(corpus_dir / "vcf"), "--on-duplicate", "create")
    assert run.exit_code == 0, run.stderr
    created = int(run.stderr.splitlines()[-1].split()[0])
    assert created == len(cli("contact", "list", "--json").json()) >= 29


@pytest.mark.parametrize("name", sorted(CSV_EXPECTED))
def test_corpus_csv_imports(cli, corpus_dir: Path, tmp_path: Path, name: str) -> None:
    run = cli(
        "import",
        "csv",
        str(corpus_dir / "csv" / name),
        "--type",
        CSV_TYPES.get(name, "contacts"),
        "--rejects",
        str(tmp_path / "rejects.csv"),
    )
    assert run.exit_code == 0, run.stderr
    created, rejected = CSV_EXPECTED[name]
    summary = run.stderr.splitlines()[-1]
    assert summary.startswith(f"{created} created,") and f" {rejected} rejected" in summary, summary


WARNING = (
    "line {line}: warning: invalid email 'contact{n}@invalid' kept in the unparsed_email field: "
    "The part after the @-sign is not valid. It should have a period. (contact number {word})"
)


@pytest.mark.parametrize(
    "name", ["thunderbird-export_quoted-newline_crlf.csv", "thunderbird-export_tab-separated.txt"]
)
def test_thunderbird_people_with_an_invalid_address_are_imported_with_a_warning(
    cli, corpus_dir: Path, tmp_path: Path, name: str
) -> None:
    rejects = tmp_path / "rejects.csv"
    source = str(corpus_dir / "csv" / name)
    warnings = [WARNING.format(line=2, n=1, word="one"), WARNING.format(line=3, n=2, word="two")]
    dry = cli("import", "csv", source, "--dry-run")
    assert dry.exit_code == 0
    assert dry.stdout.splitlines() == ["2\tcreated\tcontact number one\t", "3\tcreated\tcontact number two\t"]
    assert dry.stderr.splitlines() == [
        *warnings,
        "dry run, nothing written: 2 would be created, 0 would be updated, 0 would be skipped, 0 rejected",
    ]
    assert cli("contact", "list", "--json").json() == []
    run = cli("import", "csv", source, "--rejects", str(rejects))
    assert run.exit_code == 0
    assert run.stderr.splitlines() == [*warnings, "2 created, 0 updated, 0 skipped, 0 rejected"]
    assert not rejects.exists()
    people = cli("contact", "list", "--json", "--sort", "id").json()
    assert [(p["name"], p["given_name"], p["family_name"], p["emails"]) for p in people] == [
        ("contact number one", "contact", "one", []),
        ("contact number two", "contact", "two", []),
    ]
    assert people[0]["fields"] == {"unparsed_email": "contact1@invalid"}
    assert people[1]["title"] == '"worker"'
    assert people[1]["fields"] == {
        "unparsed_email": "contact2@invalid",
        "custom_1": "custom, 1",
        "custom_2": "custom\t2",
        "custom_3": "custom\r3",
        "custom_4": "custom\n4",
    }


def test_thunderbird_rows_of_tabs_after_a_comma_row_are_people_too(cli, corpus_dir: Path) -> None:
    run = cli(
        "import",
        "csv",
        str(corpus_dir / "csv" / "thunderbird-import_tab-comma-mixed.csv"),
        "--no-header",
        "--map",
        "1=given_name,2=family_name,3=name,4=nickname,5=email",
    )
    assert (run.exit_code, run.stderr) == (0, "4 created, 0 updated, 0 skipped, 0 rejected\n")
    people = cli("contact", "list", "--json", "--sort", "id").json()
    assert [(p["name"], p["given_name"], p["nickname"], p["emails"]) for p in people] == [
        (n, n, n, [f"{n}@host.invalid"]) for n in "1234"
    ]
