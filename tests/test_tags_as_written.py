"""Tags are kept as written (issue 16: ``CATEGORIES:My Contacts`` is the tag ``My Contacts``, not
``my-contacts``), and every spelling of a tag finds it: case, and spaces, hyphens or underscores
between the words, do not make another tag. A database whose tags were stored the old way
(``my-contacts``) still finds them as ``My Contacts``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

CARD = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:ana-1\r\nFN:Ana Lima\r\nEMAIL:ana@lima.pt\r\n"
    "CATEGORIES:My Contacts,VIP\r\nEND:VCARD\r\n"
)


def _names(cli: Any, *args: str) -> list[str]:
    run = cli("contact", "list", *args, "--json")
    assert run.exit_code == 0, run.stderr
    return [c["name"] for c in run.json()]


def test_a_tag_is_kept_as_written_and_every_spelling_finds_it(cli) -> None:
    cli("contact", "add", "Ana Lima", "--tag", "My Contacts")
    cli("contact", "add", "Bruno Reis", "--tag", "my-contacts, vip")  # the same tag, spelt otherwise
    cli("contact", "add", "Carla Dias", "--tag", "VIP")
    assert cli("contact", "show", "2", "--json").json()["tags"] == ["My Contacts", "vip"]
    for spelling in ("My Contacts", "my contacts", "MY_CONTACTS", "  my   contacts "):
        assert _names(cli, "--tag", spelling) == ["Ana Lima", "Bruno Reis"], spelling
    assert _names(cli, "--tag", "Vip") == ["Bruno Reis", "Carla Dias"]
    run = cli("contact", "edit", "2", "--add-tag", "My-Contacts", "--add-tag", "VIP", "--json")
    assert run.exit_code == 0, run.stderr
    assert run.json()["tags"] == ["My Contacts", "vip"]  # already there: each tag once
    run = cli("contact", "edit", "2", "--remove-tag", "MY CONTACTS", "--json")
    assert run.json()["tags"] == ["vip"]


def test_a_cadence_rule_takes_any_spelling_of_its_tag(cli) -> None:
    cli("contact", "add", "Ana Lima", "--tag", "My Contacts")
    run = cli("cadence", "set", "my-contacts", "30d")
    assert run.exit_code == 0, run.stderr
    rules = cli("cadence", "list", "--json").json()
    assert [(r["tag"], r["contacts"]) for r in rules] == [("My Contacts", 1)]
    assert cli("cadence", "rm", "MY CONTACTS").exit_code == 0
    assert cli("cadence", "list", "--json").json() == []


def test_categories_come_back_as_written_in_vcard_and_csv(cli, tmp_path: Path) -> None:
    source, vdir, out = tmp_path / "ana.vcf", tmp_path / "vdir", tmp_path / "people.csv"
    source.write_text(CARD, newline="")
    assert cli("import", "vcard", str(source)).exit_code == 0
    assert cli("contact", "show", "1", "--json").json()["tags"] == ["My Contacts", "VIP"]
    assert cli("export", "vcard", "--out", str(vdir)).exit_code == 0
    (card,) = vdir.iterdir()
    assert "\r\nCATEGORIES:My Contacts,VIP\r\n" in card.read_bytes().decode()
    assert cli("export", "csv", "--out", str(out)).exit_code == 0
    second = tmp_path / "second.db"
    run = cli("--db", str(second), "import", "csv", str(out))
    assert run.exit_code == 0, run.stderr
    assert cli("--db", str(second), "contact", "show", "1", "--json").json()["tags"] == ["My Contacts", "VIP"]


def test_an_old_slug_tag_is_found_and_reused_by_its_new_spelling(cli, tmp_path: Path, reopen) -> None:
    cli("contact", "add", "Bruno Reis", "--email", "bruno@reis.pt")
    ctx = reopen()
    try:  # a tag stored before tags were kept as written
        with ctx.db.transaction() as db:
            tag = db.insert("INSERT INTO tag (name) VALUES ('my-contacts')")
            db.execute("INSERT INTO contact_tag (contact_id, tag_id) VALUES (1, ?)", (tag,))
    finally:
        ctx.close()
    assert _names(cli, "--tag", "My Contacts") == ["Bruno Reis"]
    source = tmp_path / "ana.vcf"
    source.write_text(CARD, newline="")
    assert cli("import", "vcard", str(source)).exit_code == 0
    assert _names(cli, "--tag", "My Contacts") == ["Ana Lima", "Bruno Reis"]
    assert cli("contact", "show", "2", "--json").json()["tags"] == ["VIP", "my-contacts"]
    ctx = reopen()
    try:
        assert ctx.db.scalar("SELECT count(*) FROM tag") == 2
    finally:
        ctx.close()


def test_a_tag_with_a_semicolon_comes_back_whole_through_csv(cli, tmp_path: Path) -> None:
    cli("contact", "add", "Ana Lima", "--tag", "R&D; Lisbon", "--tag", "VIP")
    out, second = tmp_path / "people.csv", tmp_path / "second.db"
    assert cli("export", "csv", "--out", str(out)).exit_code == 0
    assert cli("--db", str(second), "import", "csv", str(out)).exit_code == 0
    assert cli("--db", str(second), "contact", "show", "1", "--json").json()["tags"] == ["R&D; Lisbon", "VIP"]
