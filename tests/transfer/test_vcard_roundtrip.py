"""vCard round trips that lose nothing (issue 16 items 1 and 2, issue 19's vdir UIDs).

Import → export (vdir) → import into an empty database gives the same contacts, field by
field, for every card of the corpus and for a card with every property minicrm keeps;
re-importing minicrm's own vdir updates by UID and creates nothing; two contacts with one UID
are two files; UIDs that a file name cannot hold still get a file each.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

#: what differs between two databases holding the same people
_NOT_COMPARED = ("id", "company_id", "created_at", "updated_at", "last_interaction_at", "version")

FULL_CARD = (
    "BEGIN:VCARD\r\n"
    "VERSION:4.0\r\n"
    "UID:urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1\r\n"
    "FN:Dr. Ana Maria Lima Jr.\r\n"
    "N:Lima;Ana;Maria;Dr.;Jr.\r\n"
    "NICKNAME:Aninhas\r\n"
    "EMAIL;TYPE=work;PREF=1:ana@lima.pt\r\n"
    "EMAIL;TYPE=home:ana.home@example.org\r\n"
    "item1.EMAIL:ana@club.example\r\n"
    "item1.X-ABLabel:Clube\r\n"
    "TEL;VALUE=uri;TYPE=work:tel:+351211234567;ext=102\r\n"
    "TEL;TYPE=cell:+351912345678\r\n"
    "TEL;TYPE=work,fax:+351211234568\r\n"
    "TEL;TYPE=pager:+351931234567\r\n"
    "ORG:Lima Lda;Vendas\r\n"
    "TITLE:CEO\r\n"
    "ROLE:Decision maker\r\n"
    "ADR;TYPE=work:;;Rua Augusta 1;Lisboa;;1100-048;Portugal\r\n"
    "ADR;TYPE=home:;;Rua do Ouro 2;Porto;;4000-001;Portugal\r\n"
    "ADR;TYPE=other:;;Avenida 3;Faro;;8000-001;Portugal\r\n"
    "URL:https://lima.pt\r\n"
    "URL:https://blog.lima.pt\r\n"
    "BDAY;VALUE=text:circa 1800\r\n"
    "ANNIVERSARY:--0612\r\n"
    "NOTE:Met at the fair\\, Lisbon.\\nLikes coffee.\r\n"
    "NOTE:Second note\r\n"
    "CATEGORIES:My Contacts,VIP\r\n"
    "IMPP;TYPE=work:xmpp:ana@lima.pt\r\n"
    "GEO:geo:38.7223,-9.1393\r\n"
    "RELATED;TYPE=spouse:urn:uuid:03a0e51f-d1aa-4385-8a53-e29025acd8af\r\n"
    "X-CUSTOM;X-PARAM=a:kept as it came\r\n"
    "PHOTO:data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk\r\n"
    "END:VCARD\r\n"
)


def _people(db: Path) -> list[dict[str, Any]]:
    """Every contact of ``db`` as stored (the snapshot undo uses) with its notes, by UID."""
    from minicrm.services.kernel.context import open_context
    from minicrm.store.records.contacts import snapshot

    ctx = open_context(db)
    try:
        out = []
        for r in ctx.db.all("SELECT id FROM contact ORDER BY uid, name, id"):
            snap = snapshot(ctx.db, int(r["id"]))
            assert snap is not None
            company = ctx.db.scalar("SELECT name FROM company WHERE id = ?", (snap["company_id"],))
            notes = [
                n["body"]
                for n in ctx.db.all(
                    "SELECT body FROM interaction WHERE contact_id = ? AND kind = 'note' ORDER BY at, id",
                    (r["id"],),
                )
            ]
            out.append(
                {k: v for k, v in snap.items() if k not in _NOT_COMPARED}
                | {"company": company, "notes": notes}
            )
        return out
    finally:
        ctx.close()


def _round_trip(cli: Any, source: Path, tmp_path: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    first, second, vdir = tmp_path / "first.db", tmp_path / "second.db", tmp_path / "vdir"
    run = cli("--db", str(first), "import", "vcard", str(source))
    assert run.exit_code == 0, run.stderr
    run = cli("--db", str(first), "export", "vcard", "--out", str(vdir))
    assert run.exit_code == 0, run.stderr
    run = cli("--db", str(second), "import", "vcard", str(vdir))
    assert run.exit_code == 0, run.stderr
    return _people(first), _people(second)


def test_a_card_with_every_property_comes_back_field_by_field(cli, tmp_path: Path) -> None:
    source = tmp_path / "ana.vcf"
    source.write_text(FULL_CARD, newline="")
    before, after = _round_trip(cli, source, tmp_path)
    assert after == before
    (ana,) = before
    assert ana["given_name"] == "Ana"
    assert (ana["name_prefix"], ana["middle_name"], ana["name_suffix"]) == ("Dr.", "Maria", "Jr.")
    assert (ana["nickname"], ana["department"], ana["company"]) == ("Aninhas", "Vendas", "Lima Lda")
    assert ana["emails"] == ["ana@lima.pt", "ana.home@example.org", "ana@club.example"]
    assert ana["email_labels"] == {
        "ana@lima.pt": "work",
        "ana.home@example.org": "home",
        "ana@club.example": "Clube",
    }
    assert ana["phone_labels"] == {
        "+351211234567": ["work", "102"],
        "+351912345678": ["cell", None],
        "+351211234568": ["work,fax", None],
        "+351931234567": ["pager", None],
    }
    assert (ana["address_label"], ana["street"], ana["city"]) == ("work", "Rua Augusta 1", "Lisboa")
    assert [(a["label"], a["city"]) for a in ana["addresses"]] == [("home", "Porto"), ("other", "Faro")]
    assert ana["fields"] == {
        "website": "https://lima.pt",
        "website_2": "https://blog.lima.pt",
        "birthday": "circa 1800",
        "anniversary": "--06-12",
    }
    assert ana["notes"] == ["Met at the fair, Lisbon.\nLikes coffee.", "Second note"]
    assert ana["photo"].startswith("data:image/png;base64,iVBOR")
    assert json.loads(ana["card_extra"]) == [
        "ROLE:Decision maker",
        "IMPP;TYPE=work:xmpp:ana@lima.pt",
        "GEO:geo:38.7223,-9.1393",
        "RELATED;TYPE=spouse:urn:uuid:03a0e51f-d1aa-4385-8a53-e29025acd8af",
        "X-CUSTOM;X-PARAM=a:kept as it came",
    ]


def test_the_exported_card_writes_note_a_filled_n_and_every_property_back(cli, tmp_path: Path) -> None:
    source = tmp_path / "ana.vcf"
    source.write_text(FULL_CARD, newline="")
    db, vdir = tmp_path / "a.db", tmp_path / "vdir"
    assert cli("--db", str(db), "import", "vcard", str(source)).exit_code == 0
    assert cli("--db", str(db), "export", "vcard", "--out", str(vdir)).exit_code == 0
    (card,) = vdir.iterdir()
    text = card.read_bytes().decode().replace("\r\n ", "")
    for line in (
        "N:Lima;Ana;Maria;Dr.;Jr.",
        "NOTE:Met at the fair\\, Lisbon.\\nLikes coffee.",
        "NOTE:Second note",
        "TEL;PREF=1;VALUE=uri;TYPE=work:tel:+351211234567;ext=102",
        "TEL;TYPE=work,fax:+351211234568",
        "ORG:Lima Lda;Vendas",
        "ADR;TYPE=home:;;Rua do Ouro 2;Porto;;4000-001;Portugal",
        "URL:https://blog.lima.pt",
        "BDAY;VALUE=text:circa 1800",
        "ANNIVERSARY:--0612",
        "GEO:geo:38.7223,-9.1393",
        "X-CUSTOM;X-PARAM=a:kept as it came",
        "minicrm1.X-ABLabel:Clube",
    ):
        assert f"\r\n{line}\r\n" in text, line
    import vobject

    parsed = vobject.readOne(card.read_text())
    assert parsed.n.value.family == "Lima"
    assert parsed.n.value.given == "Ana"


def test_every_corpus_card_comes_back_field_by_field(cli, corpus_dir: Path, tmp_path: Path) -> None:
    files = sorted(p for p in (corpus_dir / "vcf").rglob("*") if p.is_file())
    assert files
    for path in files:
        work = tmp_path / path.stem
        work.mkdir()
        before, after = _round_trip(cli, path, work)
        assert before, path.name
        assert after == before, path.name


def test_reimporting_our_own_vdir_updates_by_uid_and_creates_nothing(
    cli, corpus_dir: Path, tmp_path: Path
) -> None:
    db, vdir = tmp_path / "a.db", tmp_path / "vdir"
    assert cli("--db", str(db), "import", "vcard", str(corpus_dir / "vcf")).exit_code == 0
    cli("--db", str(db), "contact", "add", "No Email Person")  # neither email nor phone
    before = _people(db)
    assert cli("--db", str(db), "export", "vcard", "--out", str(vdir)).exit_code == 0
    run = cli("--db", str(db), "import", "vcard", str(vdir))
    assert run.exit_code == 0, run.stderr
    assert run.stderr.splitlines()[-1].startswith("0 created"), run.stderr
    assert _people(db) == before


def test_two_contacts_with_one_uid_export_as_two_files(cli, tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for name, email in (("Ana", "ana@x.pt"), ("Bruno", "bruno@x.pt")):
        (src / f"{name}.vcf").write_text(
            f"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:reused-uid\r\nFN:{name}\r\nEMAIL:{email}\r\nEND:VCARD\r\n"
        )
    db, vdir = tmp_path / "a.db", tmp_path / "vdir"
    run = cli("--db", str(db), "import", "vcard", str(src))
    assert run.stderr.splitlines()[-1].startswith("2 created"), run.stderr
    run = cli("--db", str(db), "export", "vcard", "--out", str(vdir))
    assert run.exit_code == 0, run.stderr
    assert "exported 2 contacts" in run.stderr
    assert sorted(p.name for p in vdir.iterdir()) == ["reused-uid-2.vcf", "reused-uid.vcf"]
    again = cli("--db", str(db), "import", "vcard", str(vdir))
    assert again.stderr.splitlines()[-1].startswith("0 created"), again.stderr


@pytest.mark.parametrize(
    "uids",
    [("dup/uid", "dup_uid"), ("x" * 300, "x" * 300 + "y"), (".hidden", "_hidden"), ("Ab", "aB")],
    ids=["slash-underscore", "300-characters", "leading-dot", "case"],
)
def test_uids_a_file_name_cannot_hold_still_get_one_file_each(
    cli, tmp_path: Path, uids: tuple[str, str]
) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for i, uid in enumerate(uids):
        (src / f"{i}.vcf").write_text(
            f"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{uid}\r\nFN:P{i}\r\nEMAIL:p{i}@x.pt\r\nEND:VCARD\r\n"
        )
    db, vdir = tmp_path / "a.db", tmp_path / "vdir"
    assert cli("--db", str(db), "import", "vcard", str(src)).exit_code == 0
    run = cli("--db", str(db), "export", "vcard", "--out", str(vdir))
    assert run.exit_code == 0, run.stderr
    files = sorted(vdir.iterdir())
    assert len(files) == 2
    assert all(len(p.name.encode()) <= 255 for p in files)
    found = sorted(
        line
        for p in files
        for line in p.read_bytes().decode().replace("\r\n ", "").splitlines()
        if line.startswith("UID:")
    )
    assert found == sorted(f"UID:{u}" for u in uids)


def test_csv_export_then_import_keeps_every_field(cli, tmp_path: Path) -> None:
    source = tmp_path / "ana.vcf"
    source.write_text(FULL_CARD, newline="")
    first, second, out = tmp_path / "first.db", tmp_path / "second.db", tmp_path / "people.csv"
    assert cli("--db", str(first), "import", "vcard", str(source)).exit_code == 0
    cli(
        "--db", str(first), "contact", "add", "=SUM(A1)", "--email", "-x@y.pt", "--phone", "+351 912 000 111",
        "--title", "@boss", "--field", "shoe=42", "--field", "plan=+gold", "--tag", "vip",
    )  # fmt: skip
    assert cli("--db", str(first), "export", "csv", "--out", str(out)).exit_code == 0
    run = cli("--db", str(second), "import", "csv", str(out))
    assert run.exit_code == 0, run.stderr
    assert run.stderr.splitlines()[-1].startswith("2 created"), run.stderr
    assert _people(second) == _people(first)  # notes included
    again = cli("--db", str(second), "import", "csv", str(out))
    assert again.stderr.splitlines()[-1].startswith("0 created"), again.stderr
    assert _people(second) == _people(first)  # no note twice
    formula = next(p for p in _people(second) if p["fields"].get("shoe"))
    assert (formula["name"], formula["title"], formula["emails"]) == ("=SUM(A1)", "@boss", ["-x@y.pt"])
    assert formula["fields"] == {"shoe": "42", "plan": "+gold"}


def test_every_corpus_card_comes_back_field_by_field_through_csv(
    cli, corpus_dir: Path, tmp_path: Path
) -> None:
    """vCard → import → ``export csv`` → import into an empty database: the same contacts, notes,
    labels, further addresses, kept card properties and custom fields included."""
    files = sorted(p for p in (corpus_dir / "vcf").rglob("*") if p.is_file())
    assert files
    for path in files:
        first, second, out = tmp_path / f"{path.stem}.db", tmp_path / f"{path.stem}-2.db", tmp_path / "p.csv"
        assert cli("--db", str(first), "import", "vcard", str(path)).exit_code == 0, path.name
        assert cli("--db", str(first), "export", "csv", "--out", str(out)).exit_code == 0, path.name
        run = cli("--db", str(second), "import", "csv", str(out))
        assert run.exit_code == 0, (path.name, run.stderr)
        before = _people(first)
        assert before, path.name
        assert _people(second) == before, path.name
