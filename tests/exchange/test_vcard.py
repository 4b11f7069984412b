from __future__ import annotations

from pathlib import Path

import pytest

from minicrm.core.errors import InvalidInput
from minicrm.exchange.record import ContactRecord
from minicrm.exchange.vcard import parse_vcards, read_vcards, write_vcard


def one(path: Path) -> ContactRecord:
    recs = read_vcards(path)
    assert len(recs) == 1
    return recs[0]


def test_qp_utf8_soft_break(fixtures: Path) -> None:
    r = one(fixtures / "v21_qp_utf8.vcf")
    assert (r.name, r.given_name, r.family_name) == ("José Muñoz", "José", "Muñoz")
    assert r.notes == "line1\nline2"
    assert r.emails == ["jose@example.com"]


def test_charset_shift_jis(fixtures: Path) -> None:
    r = one(fixtures / "v21_shiftjis.vcf")
    assert (r.name, r.family_name, r.given_name, r.company) == ("山田 太郎", "山田", "太郎", "株式会社テスト")


def test_charset_windows_1252(fixtures: Path) -> None:
    r = one(fixtures / "v21_cp1252.vcf")
    assert r.name == "Zoë Müller" and r.family_name == "Müller"
    assert r.phones == ["+49 30 123456"]


@pytest.mark.parametrize(
    ("fixture", "name"),
    [("v30_utf16be_nobom.vcf", "Ångström Åsa"), ("v30_utf16le_bom.vcf", "Élodie Durand")],
)
def test_utf16(fixtures: Path, fixture: str, name: str) -> None:
    assert one(fixtures / fixture).name == name


def test_folding_and_cr_cr_lf(fixtures: Path) -> None:
    r = one(fixtures / "v30_folded_crcrlf.vcf")
    assert r.name == "Folded Name"
    assert r.notes == "a long note that is folded over two lines"


def test_fold_splitting_a_utf8_character(fixtures: Path) -> None:
    assert one(fixtures / "v30_fold_splits_utf8.vcf").name == "Жанна"


def test_grouped_lowercase_and_pref_first(fixtures: Path) -> None:
    r = one(fixtures / "v30_grouped_lowercase.vcf")
    assert r.name == "Group Person"
    assert r.emails == ["first@example.com", "second@example.com"]
    assert r.phones == ["+1 555 0100"]


def test_no_fn_no_version(fixtures: Path) -> None:
    r = one(fixtures / "no_fn_no_version.vcf")
    assert (r.name, r.given_name, r.family_name) == ("Anna Smith", "Anna", "Smith")


def test_photo_is_ignored(fixtures: Path) -> None:
    r = one(fixtures / "photo.vcf")
    assert (r.name, r.title) == ("Has Photo", "Photographer")


def test_backslash_escapes(fixtures: Path) -> None:
    r = one(fixtures / "escapes.vcf")
    assert r.name == "Doe, John"
    assert r.company == "Smith; Sons"
    assert r.notes == "one\ntwo, three; four\\five"
    assert r.website == "http://example.com"
    assert r.tags == ["vip", "friends"]


def test_rfc6868_param(fixtures: Path) -> None:
    r = one(fixtures / "rfc6868.vcf")
    assert (r.street, r.city, r.region, r.postcode, r.country) == (
        "1 Main St",
        "Springfield",
        "IL",
        "62701",
        "USA",
    )


def test_directory(tmp_path: Path) -> None:
    (tmp_path / "b.vcf").write_bytes(b"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Beta\r\nEND:VCARD\r\n")
    (tmp_path / "a.VCF").write_bytes(b"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Alpha\r\nEND:VCARD\r\n")
    (tmp_path / "notes.txt").write_text("not a card")
    assert [r.name for r in read_vcards(tmp_path)] == ["Alpha", "Beta"]


@pytest.mark.parametrize("fixture", ["truncated.vcf", "binary.bin"])
def test_bad_files(fixtures: Path, fixture: str) -> None:
    with pytest.raises(InvalidInput):
        read_vcards(fixtures / fixture)


@pytest.mark.parametrize("data", [b"", b"   \r\n", b"hello world\n"])
def test_empty_or_not_vcard(data: bytes) -> None:
    with pytest.raises(InvalidInput):
        parse_vcards(data)


def test_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput):
        read_vcards(tmp_path)


FULL = ContactRecord(
    name="Ana Lima, PhD",
    given_name="Ana",
    family_name="Lima",
    emails=["ana@lima.pt", "ana.lima@example.com"],
    phones=["+351 912 345 678", "+351 213 000 000"],
    company="Lima; Filhos, Lda",
    title="Directora",
    notes="Línea uno\nline two, with comma; semicolon \\ backslash" + " long" * 30,
    street="Rua Augusta 1, 2º",
    city="Lisboa",
    region="Lisboa",
    postcode="1100-048",
    country="Portugal",
    tags=["vip", "cliente 2024"],
    uid="urn:uuid:5a0c5b0e-3f0a-4c5e-9b1e-0d3c2a1b0f9e",
    website="https://lima.pt",
    birthday="1980-04-15",
    fields={"linkedin": "ana-lima", "note: x=y": "a;b,c"},
    line=1,
)


@pytest.mark.parametrize("version", ["4.0", "3.0"])
def test_round_trip(version: str) -> None:
    text = write_vcard(FULL, version)
    assert text.startswith(f"BEGIN:VCARD\r\nVERSION:{version}\r\n")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert parse_vcards(text.encode()) == [FULL]


@pytest.mark.parametrize("version", ["4.0", "3.0"])
def test_round_trip_minimal_and_partial_birthday(version: str) -> None:
    rec = ContactRecord(name="最小", birthday="--04-15", line=1)
    assert parse_vcards(write_vcard(rec, version).encode()) == [rec]


def test_write_pref_and_escaping() -> None:
    text = write_vcard(FULL)
    assert "EMAIL;PREF=1:ana@lima.pt\r\n" in text
    assert "ORG:Lima\\; Filhos\\, Lda\r\n" in text
    assert "CATEGORIES:vip,cliente 2024\r\n" in text
    assert "EMAIL;TYPE=INTERNET,PREF:ana@lima.pt" in write_vcard(FULL, "3.0")


def test_write_rejects_unknown_version() -> None:
    with pytest.raises(InvalidInput):
        write_vcard(FULL, "2.1")


def test_a_card_cut_off_is_skipped_and_described_when_asked() -> None:
    good = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:%s\r\nEND:VCARD\r\n"
    data = good % b"Ana" + b"BEGIN:VCARD\r\nFN:Cut\r\n" + good % b"Bruno" + b"BEGIN:VCARD\r\nFN:End"
    with pytest.raises(InvalidInput, match="line 5: truncated vCard: card 2 has no END:VCARD"):
        parse_vcards(data)  # without a list for the problems, the first is an error
    problems: list[str] = []
    records = parse_vcards(data, problems)
    assert [(r.name, r.line) for r in records] == [("Ana", 1), ("Bruno", 3)]
    assert problems == [
        "line 5: truncated vCard: card 2 has no END:VCARD",
        "line 11: truncated vCard: card 4 has no END:VCARD",
    ]
    with pytest.raises(InvalidInput, match="line 1: truncated vCard: card 1 has no END:VCARD"):
        parse_vcards(b"BEGIN:VCARD\r\nFN:Cut\r\n", [])  # nothing complete: the file is broken
