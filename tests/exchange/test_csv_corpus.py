"""Every CSV of the interoperability corpus reads, maps to the right preset and record."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from minicrm.core.errors import InvalidInput
from minicrm.exchange.csvfile import read_csv
from minicrm.exchange.presets import (
    build_mapping,
    detect_preset,
    row_to_company,
    row_to_contact,
    row_to_deal,
)

# file -> (encoding, delimiter, data rows, preset, kind, expected attributes of record 1)
EXPECTED: dict[str, tuple[str, str, int, str | None, str, dict[str, Any]]] = {
    "atomic-crm_contacts_import-template.csv": ("utf-8", ",", 3, None, "contact", {
        "name": "John Doe", "emails": ["john@doe.example"],
        "phones": ["659-980-2015", "740.645.3807"], "company": "Acme",
        "title": "Sales Executive", "tags": ["influencer", "developer"]}),
    "google-contacts-legacy_gmail.csv": ("utf-8", ",", 1, "google", "contact", {
        "name": "Prefix Firstname Middle Lastname Suffix", "given_name": "Firstname",
        "family_name": "Lastname",
        "emails": ["home@aaa.pl", "work@email.pl", "unknown@email.com", "other@email.com"],
        # the pager is not the contact's phone: the first number to call is
        "phones": ["mainphone", "pager", "homephone", "homefax", "mobile", "workphone",
                   "workfax"],
        "company": "company", "title": "jobtitle", "notes": 'note"note', "tags": ["Test"],
        "birthday": "1975-12-12", "website": "test.com"}),
    "hubspot_sample-import_emails.csv": ("utf-8", ",", 10, "hubspot", "contact", {
        "name": "Test", "emails": ["test@email.com"]}),
    "krayin-crm_leads_import-sample.csv": ("utf-8", ",", 2, None, "deal", {
        "title": "Updated Urgent Requirement of Product  -> TaskMaster Pro - Advanced Project "
                 "Management Tool",
        "value": "50000", "close_date": "2024-09-02"}),
    "krayin-crm_persons_import-sample.csv": ("utf-8", ",", 2, None, "contact", {
        "name": "Wilson Fisk", "emails": ["contact@wilson.com", "contact.home@wilson.com"],
        "phones": ["5454445454"], "title": "Sales Executive"}),
    "salesforce_Account.csv": ("utf-8", ",", 22, "salesforce", "company", {
        "name": "Sample Account for Entitlements"}),
    "salesforce_Contact.csv": ("utf-8", ",", 102, "salesforce", "contact", {
        "name": "Patricia Ryan", "given_name": "Patricia", "family_name": "Ryan",
        "emails": ["patricia.ryan@example.com"], "phones": ["5987002803", "5121799009"],
        "street": "4228 Emily Walks", "city": "Anthonyton", "birthday": "2000-12-08"}),
    "salesforce_Opportunity.csv": ("utf-8", ",", 50, "salesforce", "deal", {
        "title": "Patterson-Hansen - Merchant Services - November 2024",
        "value": "1124741.15", "stage": "Qualification", "close_date": "2024-11-10",
        "probability": "10"}),
    "salesforce_Task.csv": ("utf-8", ",", 75, "salesforce", "none", {}),
    "thunderbird-export_quoted-newline_crlf.csv": ("utf-8", ",", 2, "thunderbird", "contact", {
        "name": "contact number one", "given_name": "contact", "family_name": "one",
        "emails": ["contact1@invalid"]}),
    "thunderbird-export_tab-separated.txt": ("utf-8", "\t", 2, "thunderbird", "contact", {
        "name": "contact number one", "emails": ["contact1@invalid"]}),
    "thunderbird-import_all-quoted.csv": ("utf-8", ",", 1, "thunderbird", "contact", {
        "name": "Acer America", "company": "Acer America", "phones": ["(800) 000-0000"]}),
    "thunderbird-import_semicolon.csv": ("utf-8", ";", 2, "thunderbird", "contact", {
        "name": "John Doe", "emails": ["john@doe.invalid"]}),
    "thunderbird-import_shiftjis.csv": ("cp932", ",", 1, "thunderbird", "contact", {
        "name": "名無しの権兵衛", "given_name": "権兵衛", "family_name": "名無し",
        "emails": ["名無しの権兵衛@host.invalid"]}),
    "thunderbird-import_tab-comma-mixed.csv": ("utf-8", ",", 3, None, "reject", {}),
    "thunderbird-import_utf16le_bom.csv": ("utf-16-le", ",", 1, "thunderbird", "contact", {
        "name": "John Doe", "given_name": "John", "family_name": "Doe",
        "emails": ["johndoe@host.invalid"]}),
}  # fmt: skip

CONVERTERS = {"contact": row_to_contact, "company": row_to_company, "deal": row_to_deal}


def test_every_corpus_file_is_covered(corpus: Path) -> None:
    assert sorted(p.name for p in (corpus / "csv").iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_csv(corpus: Path, name: str) -> None:
    encoding, delimiter, count, preset, kind, attrs = EXPECTED[name]
    table = read_csv(corpus / "csv" / name)
    assert (table.encoding, table.delimiter) == (encoding, delimiter)
    assert detect_preset(table.header) == preset
    rows = list(table.rows)
    assert len(rows) == count
    mapping = build_mapping(table.header, None, {})
    line, row = rows[0]
    assert line == 2
    if kind == "reject":  # headerless file: its first row becomes the header
        with pytest.raises(InvalidInput, match="line 2"):
            row_to_contact(row, mapping, line)
        return
    if kind == "none":
        return
    rec = CONVERTERS[kind](row, mapping, line)
    for attr, value in attrs.items():
        assert getattr(rec, attr) == value, (name, attr)


def test_corpus_thunderbird_quoted_cells(corpus: Path) -> None:
    rows = list(read_csv(corpus / "csv" / "thunderbird-export_quoted-newline_crlf.csv").rows)
    assert [line for line, _ in rows] == [2, 3]
    assert rows[1][1]["Custom 4"] == "custom\n4"
    assert rows[1][1]["Job Title"] == '"worker"'


def test_corpus_every_salesforce_contact_maps(corpus: Path) -> None:
    table = read_csv(corpus / "csv" / "salesforce_Contact.csv")
    mapping = build_mapping(table.header, None, {})
    records = [row_to_contact(r, mapping, n) for n, r in table.rows]
    assert len(records) == 102
    assert all(r.emails and r.name for r in records)
