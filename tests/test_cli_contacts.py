"""contact add|list|show|edit|rm|history through the CLI: output, JSON, exit codes, state."""

from __future__ import annotations

from minicrm.services import contacts


def test_add_prints_the_contact_as_json_and_stores_it(cli, ctx) -> None:
    result = cli("contact", "add", "Ana Lima", "--email", "ana@lima.pt", "--phone", "+351 912 345 678",
                 "--company", "Lima Lda", "--tag", "VIP", "--title", "CEO", "--field", "nif=123", "--json")
    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert data["id"] == 1
    assert data["name"] == "Ana Lima"
    assert data["email"] == "ana@lima.pt"
    assert data["emails"] == ["ana@lima.pt"]
    assert data["phone"] == "+351912345678"
    assert data["company"] == "Lima Lda"
    assert data["company_id"] == 1
    assert data["tags"] == ["vip"]
    assert data["status"] == "lead"
    assert data["fields"] == {"nif": "123"}
    assert data["created_at"] == "2026-11-23T10:00:00+00:00"
    stored = contacts.get(ctx, 1)
    assert stored.title == "CEO" and stored.company == "Lima Lda"


def test_list_plain_is_one_tab_separated_line_per_contact(cli) -> None:
    cli("contact", "add", "Bruno Dias", "--email", "bruno@dias.pt")
    cli("contact", "add", "Ana Lima", "--email", "ana@lima.pt", "--tag", "vip")
    result = cli("contact", "list", "--format", "plain")
    assert result.stdout == (
        "2\tAna Lima\tana@lima.pt\t\t\tvip\tlead\n"
        "1\tBruno Dias\tbruno@dias.pt\t\t\t\tlead\n"
    )


def test_invalid_email_is_one_error_line_exit_1_and_nothing_stored(cli, ctx) -> None:
    result = cli("contact", "add", "Ana", "--email", "not-an-email")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: invalid email 'not-an-email'")
    assert result.stderr.count("\n") == 1
    assert contacts.list_contacts(ctx) == []


def test_ambiguous_name_lists_the_candidates(cli) -> None:
    cli("contact", "add", "Ana Lima", "--email", "ana@lima.pt")
    cli("contact", "add", "Ana Costa")
    result = cli("contact", "show", "ana")
    assert result.exit_code == 1
    assert result.stderr == "error: 'ana' matches 2 contacts: 1 Ana Lima <ana@lima.pt>; 2 Ana Costa\n"


def test_markup_in_a_name_is_printed_literally(cli) -> None:
    cli("contact", "add", "[red]x[/red] \x1b[31mEvil")
    result = cli("contact", "list", "--format", "plain")
    assert result.stdout == "1\t[red]x[/red] \\x1b[31mEvil\t\t\t\t\tlead\n"
