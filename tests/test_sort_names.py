"""Names sort as people read them, not by code point: without diacritics and case, on both
backends, from an index (``sort_name``); and a one- or two-letter filter in the TUI's list
matches a name's start whatever its accents (issue 17, items 8 and 10)."""

from __future__ import annotations

import json
from pathlib import Path

from minicrm.services.contacts import browse

NAMES = ["Zoe Adams", "Łukasz Nowak", "ana Lima", "Élodie Martin", "Bruno Dias", "Müller Hans", "Mario Rossi"]
SORTED = [
    "ana Lima",
    "Bruno Dias",
    "Élodie Martin",
    "Łukasz Nowak",
    "Mario Rossi",
    "Müller Hans",
    "Zoe Adams",
]


def _listed(cli, *args: str) -> list[str]:
    return [c["name"] for c in json.loads(cli(*args, "--json").stdout)]


def test_contact_list_sorts_by_the_name_people_read(cli) -> None:
    for name in NAMES:
        assert cli("contact", "add", name).exit_code == 0
    assert _listed(cli, "contact", "list") == SORTED
    assert _listed(cli, "contact", "list", "--sort", "-name") == SORTED[::-1]
    # a rename moves the contact to its new place
    assert cli("contact", "edit", "Zoe Adams", "--name", "Ágata Adams").exit_code == 0
    assert _listed(cli, "contact", "list")[:2] == ["Ágata Adams", "ana Lima"]


def test_history_shows_what_was_typed_not_the_derived_sort_name(cli) -> None:
    cli("contact", "add", "Zoë Ärger")
    cli("company", "add", "Ölfabrik")
    cli("contact", "edit", "Zoë Ärger", "--name", "Ábaco Zed")
    cli("company", "edit", "Ölfabrik", "--name", "Öl AG")
    for entity, ref in (("contact", "Ábaco Zed"), ("company", "Öl AG")):
        entries = json.loads(cli(entity, "history", ref, "--json").stdout)
        assert [e["action"] for e in entries] == ["create", "update"]
        assert all("sort_name" not in e["changes"] for e in entries), entries
        plain = cli(entity, "history", ref, "--format", "plain").stdout
        assert "sort_name" not in plain and "→ " in plain


def test_imported_contacts_and_companies_sort_the_same(cli, tmp_path: Path) -> None:
    source = tmp_path / "people.csv"
    source.write_text("name,company\n" + "".join(f"{n},{n.split()[0]} Lda\n" for n in NAMES))
    assert cli("import", "csv", str(source)).exit_code == 0
    assert _listed(cli, "contact", "list") == SORTED
    companies = _listed(cli, "company", "list")
    assert companies == [f"{n.split()[0]} Lda" for n in SORTED]


def test_a_short_filter_matches_the_start_whatever_the_accents(cli, ctx) -> None:
    for name in NAMES:
        cli("contact", "add", name)
    assert [r.name for r in browse.contact_page(ctx, "mu")] == ["Müller Hans"]
    assert [r.name for r in browse.contact_page(ctx, "EL")] == ["Élodie Martin"]
    assert [r.name for r in browse.contact_page(ctx, "l")] == ["Łukasz Nowak"]
    assert [r.name for r in browse.contact_page(ctx, "")][:3] == SORTED[:3]


def test_an_undone_delete_comes_back_in_its_place(cli) -> None:
    for name in NAMES:
        cli("contact", "add", name)
    assert cli("contact", "rm", "Élodie Martin", "--yes").exit_code == 0
    assert cli("undo", "--yes").exit_code == 0
    assert _listed(cli, "contact", "list") == SORTED


def test_two_letters_match_the_start_of_any_word_of_the_name(cli, ctx) -> None:
    for name in NAMES:
        cli("contact", "add", name)
    cli("contact", "add", "Rui Pinto", "--email", "co@cola.example", "--company", "Costa Lda")
    assert [r.name for r in browse.contact_page(ctx, "ma")] == ["Élodie Martin", "Mario Rossi"]
    assert [r.name for r in browse.contact_page(ctx, "NO")] == ["Łukasz Nowak"]
    assert [r.name for r in browse.contact_page(ctx, "ha")] == ["Müller Hans"]
    assert browse.contact_count(ctx, "ma") == 2
    # "co" in a company or an email is not a name's word: a single letter still matches starts only
    assert browse.contact_page(ctx, "co") == []
    assert [r.name for r in browse.contact_page(ctx, "r")] == ["Rui Pinto"]
    assert [r.name for r in browse.company_page(ctx, "ld")] == ["Costa Lda"]
    assert browse.company_page(ctx, "da") == []  # inside a word
    assert [r.name for r in browse.company_page(ctx, "co")] == ["Costa Lda"]
