"""The interoperability corpus (../shared/corpus) imports through the real CLI.

Every vCard file imports without an error or a rejected card; every CSV of people, companies
or deals imports (rows that are not contacts at all are reported, not fatal). Skipped when
the corpus is not next to the repository.
"""

from __future__ import annotations

from pathlib import Path

import pytest

CSV_TYPES = {"salesforce_Account.csv": "companies", "salesforce_Opportunity.csv": "deals"}
# (file, created, rejected) for the CSVs: the rejects are rows that are not people
# (Salesforce tasks, Krayin leads) or carry an email that is not an address.
CSV_EXPECTED = {
    "atomic-crm_contacts_import-template.csv": (3, 0),
    "google-contacts-legacy_gmail.csv": (1, 0),
    "hubspot_sample-import_emails.csv": (10, 0),
    "krayin-crm_persons_import-sample.csv": (2, 0),
    "salesforce_Account.csv": (22, 0),
    "salesforce_Contact.csv": (101, 0),
    "salesforce_Opportunity.csv": (50, 0),
    "thunderbird-import_all-quoted.csv": (1, 0),
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


def test_corpus_csv_rejects_are_reported_not_fatal(cli, corpus_dir: Path, tmp_path: Path) -> None:
    rejects = tmp_path / "rejects.csv"
    run = cli(
        "import",
        "csv",
        str(corpus_dir / "csv" / "thunderbird-export_quoted-newline_crlf.csv"),
        "--rejects",
        str(rejects),
    )
    assert run.exit_code == 0
    assert run.stderr.splitlines()[0].startswith("line 2: rejected: invalid email 'contact1@invalid'")
    assert rejects.read_text(encoding="utf-8").splitlines()[0].endswith(",_error")
