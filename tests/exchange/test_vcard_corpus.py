"""Every vCard of the interoperability corpus imports with the right values.

Expected values were checked by eye against each file (see corpus/SOURCES.md).
Skipped when ../shared/corpus is not next to the repository.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from minicrm.exchange.vcard import read_vcards

N = "Ñ"
# file -> list of (card index, expected attributes); "count" checks the number of cards.
EXPECTED: dict[str, dict[str, Any]] = {
    "android-testsuite_v21_adr_multiline_microsoft.vcf": {
        "count": 1, 0: {"name": "bogus", "family_name": "bogus", "street": "Grindelberg 999",
                        "city": "Hamburg", "country": "Deutschland", "birthday": "2008-12-03"}},
    "android-testsuite_v21_backslash.vcf": {
        "count": 1, 0: {"name": "A;B\\C\\;D:E\\\\", "given_name": "A;B\\", "family_name": None}},
    "android-testsuite_v21_complicated.vcf": {
        "count": 1, 0: {
            "name": "Joe Due", "given_name": "Forrest", "family_name": "Gump",
            "emails": ["forrestgump@walladalla.com", "cell@example.com"],
            "phones": ["(111) 555-1212", "(404) 555-1212", "0311111111", "0322222222",
                       "0333333333"],
            "company": "Gump Shrimp Co.", "title": "Shrimp Man",
            "notes": "The following note is the example from RFC 2045.",
            "more_notes": ["Now's the time for all folk to come to the aid of their country."],
            "street": "100 Waters Edge", "city": "Baytown", "region": "LA"}},
    "android-testsuite_v21_shiftjis_qp.vcf": {
        "count": 1, 0: {"name": "安藤 ロイド 1", "family_name": "安藤", "given_name": "ロイド1",
                        "notes": "メモ", "street": "東京都渋谷区桜丘町26-1セルリアンタワー6階",
                        "postcode": "150-8512"}},
    "android-testsuite_v40_sort-as_japanese.vcf": {
        "count": 1, 0: {"name": "安藤 ロイド", "family_name": "安藤", "given_name": "ロイド",
                        "company": "グーグル"}},
    "android_v21_qp_utf8_multi_nofn.vcf": {
        "count": 6,
        0: {"name": "john.doe@company.com", "emails": ["john.doe@company.com"],
            "tags": ["My Contacts"]},
        1: {"name": "jane.doe@company.com"},
        2: {"name": "Ñ Ñ Ñ Ñ Ñ", "family_name": "Ñ Ñ Ñ Ñ", "phones": ["123456789"]},
        3: {"name": " ".join([N] * 11), "phones": ["123456", "234567", "3456789", "45678901"]},
        4: {"name": "Ñ Ñ Ñ Ñ", "given_name": "Ñ Ñ Ñ", "family_name": "Ñ Ñ",
            "emails": ["bob@company.com", N * 14], "company": N * 12,
            "website": "www.company.com"},
        5: {"name": N * 4, "emails": ["henry@company.com"], "phones": ["55556666"]}},
    "apple-addressbook_company_photo_v30.vcf": {
        "count": 1, 0: {"name": "Apple Computer AG", "company": "Apple Computer AG",
                        "given_name": None, "family_name": None,
                        "city": "Wallisellen-Zürich", "website": "http://www.apple.ch"}},
    "apple-addressbook_utf16be_nobom_v30.vcf": {
        "count": 1, 0: {"name": "Ǽgean ĽdaMonté", "given_name": "Ǽgean",
                        "family_name": "ĽdaMonté", "street": "169 Mária Canal",
                        "country": "Perú"}},
    "apple-ios5-iphone_v30_photo.vcf": {
        "count": 1, 0: {"name": "Mr. John Richter James Doe Sr.", "emails": ["john.doe@ibm.com"],
                        "phones": ["905-555-1234", "905-666-1234", "905-777-1234",
                                   "905-888-1234", "905-999-1234", "905-111-1234",
                                   "905-222-1234"],
                        "company": "IBM", "title": "Money Counter", "birthday": "2012-06-06",
                        "website": "http://www.ibm.com"}},
    "apple-ios613_v30_crcrlf_photo.vcf": {
        "count": 1, 0: {"name": "Bob Smith", "emails": ["bob@smithauto.com"],
                        "phones": ["(650) 555-1212"], "company": "Smith Auto Repair",
                        "website": "www.smithauto.com"}},
    "apple-macos-addressbook_v30_photo.vcf": {
        "count": 1, 0: {"name": "Mr. John Richter,James Doe Sr.", "emails": ["john.doe@ibm.com"],
                        "company": "IBM", "title": "Money Counter",
                        "phones": ["905-777-1234", "905-666-1234", "905-555-1234",
                                   "905-888-1234", "905-999-1234", "905-111-1234",
                                   "905-222-1234"]}},
    "charset-windows1252_v21.vcf": {
        "count": 1, 0: {"name": "John Doë", "family_name": "Doë",
                        "emails": ["roundcube@gmail.com", "inbox@roundcube.net"],
                        "phones": ["+123456789", "+987654321"], "company": "roundcube.net",
                        "notes": "The notes..."}},
    "eds_no-fn_no-version.vcf": {
        "count": 1, 0: {"name": "First Name Bat", "family_name": "Bat",
                        "given_name": "First Name",
                        "emails": ["bobby@brown.org", "bobby@brown.com"],
                        "phones": ["+9999999"], "uid": "sorted-3"}},
    "evolution-syncevolution-testcases_v30_multi.vcf": {
        "count": 17,
        0: {"name": "parserbug=", "uid": "unique-id-user17",
            "notes": "triggers parser bug in Funambol 3.0: trailing = is mistaken for soft "
                     "line break="},
        1: {"name": "incomplete", "emails": []},
        3: {"notes": "ampersand entity &amp; less-than entity &lt;"},
        8: {"name": "Umlaut Ä Ö Ü ß", "street": "Umlaut Ä in Line 1\nLine 2\ntest 5"},
        9: {"notes": "Here are some special characters: comma , colon : semicolon ;"},
        11: {"name": "John Doe", "company": "Test Inc.", "title": "Senior Tester",
             "emails": ["john.doe@work.com", "john.doe@home.priv", "john.doe@other.world",
                        "john.doe@yet.another.world"],
             "website": "http://john.doe.com", "birthday": "2006-01-08"},
        14: {"name": "Mr. First ; special ; middle Last", "given_name": "First ; special ;"}},
    "evolution_v21_cjk_qp.vcf": {
        "count": 1, 0: {"name": "十城目管理大型知座", "emails": ["weird@weird.com"],
                        "company": "十城目管理大型知座", "title": "十城目管理大型知座",
                        "phones": ["十城目管理大型知座"]}},
    "ezvcard-issue114_v40_rfc6868_label.vcf": {
        "count": 1, 0: {"name": "Dummy, Dummy", "emails": ["dummy.dummy@dummy.com"],
                        "phones": ["+49 1234 56789", "+49 9876 54321"],
                        "company": "Dummy GmbH", "street": "Dummy-Dummy-Strasse 1\nBHG01:",
                        "city": "Bad Homburg", "postcode": "61352", "country": "Germany"}},
    "google-carddav-server_v30_photo.vcf": {
        "count": 1, 0: {"name": "Mr. John 1 Doe Sr.",
                        "emails": ["john.doe@home.com", "doe@work.com", "john@custom.com"],
                        "company": "at company", "title": "tester", "notes": "A test contact.",
                        "uid": "6f354d698b7ccd22", "birthday": "1970-12-30"}},
    "google-gmail-web-export_v30.vcf": {
        "count": 1, 0: {"name": "Mr. John 1 Doe Sr.",
                        "emails": ["john.doe@home.com", "doe@work.com", "john@custom.com"],
                        "phones": ["business 1", "mobile", "home", "main", "work fax",
                                   "home fax", "google voice", "pager", "custom"],
                        "company": "at company", "title": "tester",
                        "notes": "A test contact.\ncustom-field: custom field value",
                        "website": "http://profile.com"}},
    "google-gmail_johndoe_v30.vcf": {
        "count": 1, 0: {"name": "Mr. John Richter, James Doe Sr.", "given_name": "John",
                        "family_name": "Doe", "emails": ["john.doe@ibm.com"],
                        "phones": ["905-555-1234", "905-666-1234"], "company": "IBM",
                        "title": "Money Counter", "birthday": "1980-03-22"}},
    "kde-bugreport_v21_qp_utf8_multi.vcf": {
        "count": 5,
        0: {"name": "Bike Shop", "company": "Bike Shop",
            "street": "DDDDDDDDDDDDDDD-Staße 2\n00000 DDDDDDDDDD"},
        1: {"name": "Field after Address broken", "street": "AAAAAAA-AäAAAAA 11",
            "city": "Urt", "website": "http://some-webseite.com"},
        3: {"name": "Dr. med. Surname Name", "title": "Facharzt für Allgemeinmedizin",
            "notes": "Sprechzeiten:\nMo   8–12, 15–18\nDi     8–12\nMi    8–12, 14–15\n"
                     "Do 14–19\nFr     8–12"},
        4: {"name": "Second Doctor", "title": "Dentist", "company": None}},
    "khard_v40_korean_fn-only.vcf": {"count": 1, 0: {"name": "최유림", "family_name": None}},
    "netscape-mozilla_v21_lowercase.vcf": {
        "count": 1, 0: {"name": "ian geiser", "emails": ["geiseri@yahoo.com"],
                        "company": "Source eXtreme", "title": "VP of Engineering"}},
    "outlook2003_v21_qp_key.vcf": {
        "count": 1, 0: {"name": "John Doe III", "emails": ["jdoe@hotmail.com"],
                        "company": "Company, The", "title": "The Job Title",
                        "notes": "This is the note field!!\nSecond line\n\nThird line is empty",
                        "phones": ["BusinessPhone", "HomePhone", "MobilePhone",
                                   "BusinessFaxPhone"]}},
    "outlook_v21_qp_photo.vcf": {
        "count": 1, 0: {"name": "Mr. John Richter James Doe Sr.", "emails": ["john.doe@ibm.cm"],
                        "phones": ["(905) 555-1234", "(905) 666-1234"], "company": "IBM",
                        "title": "Money Counter", "street": "Cresent moon drive"}},
    "owncloud-contacts03_v30_fold_splits_utf8.vcf": {
        "count": 1, 0: {"family_name": "123ㄓㄕㄖbcdeαβγδαβγδαβγδαβγδαβγδαβγδαβㄤㄓㄕㄖ",
                        "uid": "20140316T155019.877e370c11@martin"}},
    "thebat_v21_qp_no-charset.vcf": {
        "count": 1, 0: {"name": "Piotr Iksiński", "family_name": "Iksiński",
                        "emails": ["piotr.iksinski@somedomain.com"]}},
    "thunderbird-export_v40.vcf": {
        "count": 2,
        0: {"name": "contact number one", "emails": ["contact1@invalid"]},
        1: {"name": "contact number two", "title": '"worker"',
            "notes": "here's some unicode text…"}},
    "thunderbird-mffab-extension_v30_charset.vcf": {
        "count": 1, 0: {"name": "John Doe", "company": "TheOrganization", "title": "TheTitle",
                        "tags": ["category1", "category2", "category3"],
                        "notes": 'This is the notes field.\nSecond Line\n\nFourth Line\nYou '
                                 'can put anything in the "note" field; even curse words.',
                        "emails": ["doe.john@hotmail.com", "additional-email@company.com",
                                   "additional-email1@company.com",
                                   "additional-email2@company.com",
                                   "additional-email3@company.com"]}},
    "ximian-evolution_bare-fn_no-version.vcf": {
        "count": 1, 0: {"name": "Ximian, Inc.", "company": "Ximian, Inc.",
                        "emails": ["hello@ximian.com"],
                        "phones": ["(617) 236-0442", "(617) 236-8630"],
                        "notes": "Welcome to the Ximian Addressbook."}},
}  # fmt: skip


def test_every_corpus_file_is_covered(corpus: Path) -> None:
    assert sorted(p.name for p in (corpus / "vcf").glob("*.vcf")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_vcard(corpus: Path, name: str) -> None:
    records = read_vcards(corpus / "vcf" / name)
    expected = EXPECTED[name]
    assert len(records) == expected["count"]
    for index, attrs in expected.items():
        if index == "count":
            continue
        rec = records[index]
        assert rec.line == index + 1
        for attr, value in attrs.items():
            assert getattr(rec, attr) == value, (name, index, attr)
    for rec in records:
        assert rec.name.strip(), name


def test_corpus_owncloud_long_greek_name(corpus: Path) -> None:
    rec = read_vcards(corpus / "vcf" / "owncloud-contacts03_v30_fold_splits_utf8.vcf")[0]
    assert rec.name.startswith("βγδεαβγδ1βγδεαβγδ1")
    assert "\ufffd" not in rec.name
    assert rec.notes is not None and rec.notes.startswith("Длинный комментарий на русском языке,")


def test_corpus_directory(corpus: Path) -> None:
    assert len(read_vcards(corpus / "vcf")) == sum(v["count"] for v in EXPECTED.values())
