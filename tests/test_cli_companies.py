"""company add|list|show|edit|rm through the CLI."""

from __future__ import annotations


def test_add_prints_the_company_and_json_shape(cli) -> None:
    result = cli(
        "company",
        "add",
        "Lima Lda",
        "--domain",
        "https://www.Lima.pt/about",
        "--industry",
        "retail",
        "--tag",
        "key",
        "--field",
        "vat=PT1",
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "ID:       1\n"
        "Name:     Lima Lda\n"
        "Domain:   lima.pt\n"
        "Industry: retail\n"
        "Tags:     key\n"
        "Contacts: 0\n"
        "vat:      PT1\n"
        "Created:  2026-11-23 10:00\n"
        "Updated:  2026-11-23 10:00\n"
    )
    data = cli("company", "show", "lima.pt", "--json").json()
    for key in ("id", "name", "domain", "industry", "tags", "contacts_count", "created_at", "updated_at"):
        assert key in data, key
    assert (data["domain"], data["tags"], data["contacts_count"]) == ("lima.pt", ["key"], 0)


def test_add_refuses_a_second_company_with_the_same_name(cli, dump) -> None:
    cli("company", "add", "Lima Lda")
    before = dump()
    result = cli("company", "add", "LIMA LDA")
    assert (result.exit_code, result.stderr) == (
        1,
        "error: a company named 'LIMA LDA' already exists (id 1)\n",
    )
    assert dump() == before


def test_invalid_domain_is_refused(cli) -> None:
    result = cli("company", "add", "X", "--domain", "not a domain")
    assert (result.exit_code, result.stderr) == (1, "error: invalid domain 'not a domain'\n")


def test_list_by_name_with_contact_counts_and_filters(cli) -> None:
    cli("company", "add", "Reis SA", "--tag", "key")
    cli("company", "add", "Lima Lda", "--domain", "lima.pt")
    cli("contact", "add", "Ana", "--company", "Lima Lda")
    cli("contact", "add", "Bruno", "--company", "Lima Lda")
    assert cli("company", "list").stdout == "2\tLima Lda\tlima.pt\t\t2\t\n1\tReis SA\t\t\t0\tkey\n"
    assert [c["name"] for c in cli("company", "list", "--tag", "key", "--json").json()] == ["Reis SA"]
    assert [c["name"] for c in cli("company", "list", "--search", "lima", "--json").json()] == ["Lima Lda"]
    assert [c["id"] for c in cli("company", "list", "--limit", "1", "--json").json()] == [2]


def test_show_lists_people_and_timeline(cli) -> None:
    cli("company", "add", "Lima Lda")
    cli("contact", "add", "Ana", "--company", "Lima Lda", "--email", "ana@lima.pt")
    cli("note", "add", "--company", "Lima Lda", "renewal in March")
    result = cli("company", "show", "lima")
    assert result.stdout == (
        "ID:       1\n"
        "Name:     Lima Lda\n"
        "Contacts: 1\n"
        "Created:  2026-11-23 10:00\n"
        "Updated:  2026-11-23 10:00\n"
        "\nPeople:\n"
        "  1\tAna\tana@lima.pt\t\tLima Lda\t\tlead\n"
        "\nTimeline:\n"
        "  2026-11-23 10:00\tnote\trenewal in March\t\t\n"
    )
    data = cli("company", "show", "1", "--json").json()
    assert data["contacts"] == [{"id": 1, "name": "Ana", "email": "ana@lima.pt", "title": None}]
    assert [i["body"] for i in data["timeline"]] == ["renewal in March"]


def test_edit_renames_and_reindexes_its_people(cli, reopen) -> None:
    cli("company", "add", "Lima Lda", "--tag", "a")
    cli("contact", "add", "Ana", "--company", "Lima Lda")
    data = cli(
        "company",
        "edit",
        "lima",
        "--name",
        "Lima & Filhos",
        "--add-tag",
        "b",
        "--industry",
        "retail",
        "--json",
    ).json()
    assert (data["name"], data["tags"], data["industry"], data["version"]) == (
        "Lima & Filhos",
        ["a", "b"],
        "retail",
        2,
    )
    hits = cli("search", "filhos", "--json").json()
    assert sorted((h["type"], h["id"]) for h in hits) == [("company", 1), ("contact", 1)]
    with reopen() as c:
        assert c.db.scalar("SELECT name FROM company WHERE id = 1") == "Lima & Filhos"


def test_edit_to_an_existing_name_is_a_conflict(cli, dump) -> None:
    cli("company", "add", "A")
    cli("company", "add", "B")
    before = dump()
    result = cli("company", "edit", "B", "--name", "a")
    assert (result.exit_code, result.stderr) == (1, "error: a company named 'a' already exists (id 1)\n")
    assert dump() == before


def test_rm_unlinks_people_and_refuses_without_yes(cli, reopen, dump) -> None:
    cli("company", "add", "Lima Lda")
    cli("contact", "add", "Ana", "--company", "Lima Lda")
    before = dump()
    refused = cli("company", "rm", "lima")
    assert (refused.exit_code, refused.stderr) == (
        1,
        "error: Delete 1 company (1 Lima Lda): refusing without --yes (no terminal to ask)\n",
    )
    assert dump() == before
    result = cli("company", "rm", "lima", "--yes")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "deleted 1 Lima Lda\n")
    with reopen() as c:
        assert c.db.scalar("SELECT company_id FROM contact WHERE id = 1") is None
        assert c.db.scalar("SELECT count(*) FROM company") == 0
    assert cli("search", "lima", "--json").json() == []


def test_unknown_company_is_not_found(cli) -> None:
    result = cli("company", "show", "nope")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", "error: no company matches 'nope'\n")


def test_company_show_lists_its_deals_and_its_peoples(cli) -> None:
    """Issue 17.10: the deals linked to the company and those of its people."""
    cli("contact", "add", "Ana Lima", "--company", "Lima Lda")
    cli("contact", "add", "Bruno")
    cli("deal", "add", "Seats", "--contact", "ana", "--value", "12500")
    cli("deal", "add", "Direct", "--company", "lima lda", "--value", "99.50")
    cli("deal", "add", "Elsewhere", "--contact", "bruno")
    shown = cli("company", "show", "lima lda", "--format", "plain").stdout
    assert (
        "\nDeals:\n  1\tSeats\tlead\topen\t12,500.00 EUR\tAna Lima\n  2\tDirect\tlead\topen\t99.50 EUR\t\n"
        in shown
    )
    data = cli("company", "show", "lima lda", "--json").json()
    assert [(d["id"], d["value"], d["currency"], d["contact"]) for d in data["deals"]] == [
        (1, 12500, "EUR", "Ana Lima"),
        (2, 99.5, "EUR", None),
    ]
