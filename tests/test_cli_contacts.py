"""contact add|list|show|edit|rm|history through the CLI: output, JSON, exit codes, state."""

from __future__ import annotations

import json

from minicrm.services.contacts import commands as contacts


def test_add_prints_the_contact_as_json_and_stores_it(cli, ctx) -> None:
    result = cli(
        "contact",
        "add",
        "Ana Lima",
        "--email",
        "ana@lima.pt",
        "--phone",
        "+351 912 345 678",
        "--company",
        "Lima Lda",
        "--tag",
        "VIP",
        "--title",
        "CEO",
        "--field",
        "nif=123",
        "--json",
    )
    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert data["id"] == 1
    assert data["name"] == "Ana Lima"
    assert data["email"] == "ana@lima.pt"
    assert data["emails"] == ["ana@lima.pt"]
    assert data["phone"] == "+351912345678"
    assert data["company"] == "Lima Lda"
    assert data["company_id"] == 1
    assert data["tags"] == ["VIP"]
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
        "2\tAna Lima\tana@lima.pt\t\t\tvip\tlead\n1\tBruno Dias\tbruno@dias.pt\t\t\t\tlead\n"
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


def test_add_plain_prints_the_record_as_label_lines(cli) -> None:
    result = cli(
        "contact",
        "add",
        "Ana Lima",
        "--email",
        "ana@lima.pt",
        "--email",
        "ana@gmail.com",
        "--company",
        "Lima Lda",
        "--title",
        "CEO",
        "--tag",
        "vip",
        "--status",
        "customer",
        "--source",
        "fair",
        "--every",
        "2w",
        "--field",
        "nif=123",
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "ID:                1\n"
        "Name:              Ana Lima\n"
        "Emails:            ana@lima.pt, ana@gmail.com\n"
        "Company:           Lima Lda\n"
        "Title:             CEO\n"
        "Tags:              vip\n"
        "Status:            customer\n"
        "Source:            fair\n"
        "Keep in touch:     every 14 days\n"
        "nif:               123\n"
        "Created:           2026-11-23 10:00\n"
        "Updated:           2026-11-23 10:00\n"
    )
    assert result.stderr == ""


def test_add_normalises_and_links_an_existing_company(cli, reopen) -> None:
    cli("company", "add", "Lima Lda", "--domain", "lima.pt")
    data = cli(
        "contact",
        "add",
        "  Ana Lima ",
        "--company",
        "lima lda",
        "--tag",
        "VIP Client,hot",
        "--email",
        "Ana@LIMA.PT",
        "--phone",
        "912 345 678",
        "--json",
    ).json()
    assert data["name"] == "Ana Lima"
    assert data["company_id"] == 1 and data["company"] == "Lima Lda"
    assert data["tags"] == ["VIP Client", "hot"]
    assert data["email"] == "Ana@lima.pt"
    assert data["phone"] == "912 345 678"  # no default region configured: kept as typed
    with reopen() as c:
        assert c.db.scalar("SELECT count(*) FROM company") == 1


def test_add_with_a_region_stores_phones_as_e164(cli, tmp_path, monkeypatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text('region = "PT"\n')
    monkeypatch.setenv("MINICRM_CONFIG", str(config))
    data = cli("contact", "add", "Ana", "--phone", "912 345 678", "--json").json()
    assert data["phones"] == ["+351912345678"]


def test_a_duplicate_email_is_a_conflict_unless_allowed(cli, dump) -> None:
    cli("contact", "add", "Ana", "--email", "ana@lima.pt")
    before = dump()
    result = cli("contact", "add", "Other Ana", "--email", "ANA@lima.pt")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "error: ANA@lima.pt already belongs to contact 1 (Ana)\n"
    assert dump() == before
    assert cli("contact", "add", "Other Ana", "--email", "ana@lima.pt", "--allow-duplicate").exit_code == 0


def test_list_filters_sort_and_limit(cli) -> None:
    cli("contact", "add", "Carla Reis", "--tag", "vip", "--status", "customer", "--company", "Reis SA")
    cli("contact", "add", "Ana Lima", "--tag", "vip", "--company", "Lima Lda")
    cli("contact", "add", "Bruno Dias", "--status", "customer", "--company", "Lima Lda")

    def names(*args: str) -> list[str]:
        result = cli("contact", "list", *args, "--json")
        assert result.exit_code == 0, result.stderr
        return [c["name"] for c in result.json()]

    assert names() == ["Ana Lima", "Bruno Dias", "Carla Reis"]
    assert names("--tag", "vip") == ["Ana Lima", "Carla Reis"]
    assert names("--tag", "vip", "--status", "customer") == ["Carla Reis"]
    assert names("--company", "Lima Lda") == ["Ana Lima", "Bruno Dias"]
    assert names("--search", "dias") == ["Bruno Dias"]
    assert names("--search", "lima") == ["Ana Lima", "Bruno Dias"]  # Bruno works at Lima Lda
    assert names("--sort", "-id") == ["Bruno Dias", "Ana Lima", "Carla Reis"]
    assert names("--sort", "id", "--limit", "2") == ["Carla Reis", "Ana Lima"]
    assert names("--sort", "id", "--limit", "2", "--offset", "2") == ["Bruno Dias"]
    assert names("--owner", "nobody") == []


def test_list_stale_finds_people_not_contacted_for_that_long(cli) -> None:
    cli("contact", "add", "Old Friend", env={"MINICRM_NOW": "2026-09-01T10:00:00"})
    cli("contact", "add", "Recent", env={"MINICRM_NOW": "2026-09-01T10:00:00"})
    cli("log", "call", "Recent", "--at", "2026-11-20 10:00")
    result = cli("contact", "list", "--stale", "30d", "--format", "plain")
    assert result.stdout == "1\tOld Friend\t\t\t\t\tlead\n"


def test_list_csv_and_jsonl(cli) -> None:
    cli("contact", "add", "=cmd|' /C calc'!A0", "--email", "x@y.pt")
    cli("contact", "add", "Ana, Lima", "--tag", "a", "--tag", "b")
    assert cli("contact", "list", "--format", "csv").stdout == (
        "id,name,email,phone,company,tags,status\n"
        "1,'=cmd|' /C calc'!A0,x@y.pt,,,,lead\n"
        '2,"Ana, Lima",,,,"a, b",lead\n'
    )
    lines = cli("contact", "list", "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line)["id"] for line in lines] == [1, 2]


def test_list_nothing_prints_nothing(cli) -> None:
    result = cli("contact", "list")
    assert (result.exit_code, result.stdout) == (0, "")
    assert cli("contact", "list", "--json").json() == []


def test_show_by_id_email_and_name_with_sections(cli) -> None:
    cli("contact", "add", "Ana Lima", "--email", "ana@lima.pt")
    cli("followup", "add", "ana", "send the quote", "--due", "2026-11-27")
    cli("note", "add", "ana", "wants 20 seats")
    expected = (
        "ID:                1\n"
        "Name:              Ana Lima\n"
        "Emails:            ana@lima.pt\n"
        "Status:            lead\n"
        "Last interaction:  2026-11-23 10:00\n"
        "Created:           2026-11-23 10:00\n"
        "Updated:           2026-11-23 10:00\n"
        "\nFollow-ups:\n"
        "  1\t2026-11-27\tsend the quote\tAna Lima\t\t\n"
        "\nTimeline:\n"
        "  2026-11-23 10:00\tnote\twants 20 seats\tAna Lima\t\n"
    )
    for ref in ("1", "ana@lima.pt", "ANA@LIMA.PT", "Ana Lima", "ana lima", "lim"):
        result = cli("contact", "show", ref)
        assert (result.exit_code, result.stdout) == (0, expected), ref


def test_show_json_has_the_contact_shape_and_its_related_records(cli) -> None:
    cli("contact", "add", "Ana Lima", "--email", "ana@lima.pt")
    cli("followup", "add", "ana", "send the quote", "--due", "2026-11-27")
    cli("log", "call", "ana", "talked prices", "--at", "2026-11-22 15:00")
    data = cli("contact", "show", "ana", "--json").json()
    for key in (
        "id",
        "name",
        "email",
        "emails",
        "phone",
        "phones",
        "company",
        "company_id",
        "title",
        "tags",
        "status",
        "owner",
        "cadence_days",
        "last_interaction_at",
        "created_at",
        "updated_at",
        "fields",
    ):
        assert key in data, key
    assert data["last_interaction_at"] == "2026-11-22T15:00:00+00:00"
    assert [f["title"] for f in data["followups"]] == ["send the quote"]
    assert [(i["kind"], i["body"]) for i in data["timeline"]] == [("call", "talked prices")]
    assert data["deals"] == []


def test_exact_name_wins_over_fragments(cli) -> None:
    cli("contact", "add", "Ana")
    cli("contact", "add", "Ana Lima")
    assert cli("contact", "show", "Ana", "--json").json()["id"] == 1
    assert cli("contact", "show", "lima", "--json").json()["id"] == 2


def test_edit_changes_only_what_is_named_and_bumps_the_version(cli, reopen) -> None:
    cli("contact", "add", "Ana Lima", "--email", "ana@lima.pt", "--tag", "vip", "--title", "CTO")
    result = cli(
        "contact",
        "edit",
        "ana",
        "--title",
        "CEO",
        "--add-tag",
        "hot",
        "--remove-tag",
        "vip",
        "--add-email",
        "ana@gmail.com",
        "--status",
        "prospect",
        "--field",
        "nif=9",
        env={"MINICRM_NOW": "2026-11-24T09:30:00"},
    )
    assert result.exit_code == 0, result.stderr
    assert "Updated:           2026-11-24 09:30\n" in result.stdout
    with reopen() as c:
        from minicrm.services.contacts import commands as svc

        stored = svc.get(c, 1)
    assert stored.title == "CEO" and stored.tags == ("hot",) and stored.status == "prospect"
    assert stored.emails == ("ana@lima.pt", "ana@gmail.com") and stored.fields == {"nif": "9"}
    assert stored.version == 2 and stored.name == "Ana Lima"


def test_edit_clear_and_replace(cli) -> None:
    cli(
        "contact",
        "add",
        "Ana",
        "--email",
        "a@x.pt",
        "--company",
        "X",
        "--every",
        "30d",
        "--field",
        "k=v",
        "--tag",
        "t",
    )
    data = cli(
        "contact",
        "edit",
        "1",
        "--clear",
        "company",
        "--clear",
        "cadence",
        "--clear",
        "field:k",
        "--tag",
        "new",
        "--email",
        "b@x.pt",
        "--json",
    ).json()
    assert (data["company"], data["cadence_days"], data["fields"]) == (None, None, {})
    assert (data["tags"], data["emails"]) == (["new"], ["b@x.pt"])
    bad = cli("contact", "edit", "1", "--clear", "nonsense")
    assert bad.exit_code == 1 and bad.stderr.startswith("error: cannot clear 'nonsense'")


def test_edit_without_changes_writes_no_history(cli) -> None:
    cli("contact", "add", "Ana", "--title", "CEO")
    assert cli("contact", "edit", "ana", "--title", "CEO").exit_code == 0
    assert [e["action"] for e in cli("contact", "history", "ana", "--json").json()] == ["create"]


def test_rm_with_yes_deletes_the_contact_its_notes_and_followups(cli, reopen) -> None:
    cli("contact", "add", "Ana Lima")
    cli("contact", "add", "Bruno")
    cli("note", "add", "ana", "hello")
    cli("followup", "add", "ana", "call", "--due", "tomorrow")
    result = cli("contact", "rm", "ana", "--yes")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == "deleted 1 contact: 1 Ana Lima\n"
    with reopen() as c:
        assert c.db.scalar("SELECT count(*) FROM contact") == 1
        assert c.db.scalar("SELECT count(*) FROM interaction") == 0
        assert c.db.scalar("SELECT count(*) FROM followup") == 0
        assert c.db.scalar("SELECT count(*) FROM search_doc WHERE entity IN ('contact', 'note')") == 1
    assert cli("search", "hello", "--json").json() == []


def test_rm_without_terminal_and_without_yes_refuses_and_changes_nothing(cli, dump) -> None:
    cli("contact", "add", "Ana Lima")
    before = dump()
    result = cli("contact", "rm", "ana")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "error: Delete 1 contact (1 Ana Lima) with their notes and follow-ups: "
        "refusing without --yes (no terminal to ask)\n"
    )
    assert dump() == before


def test_history_lists_create_and_updates_with_before_and_after(cli) -> None:
    cli("contact", "add", "Ana", "--title", "CTO", env={"MINICRM_USER": "rita"})
    cli("--as", "joao", "contact", "edit", "ana", "--title", "CEO")
    entries = cli("contact", "history", "ana", "--json").json()
    assert [(e["action"], e["user"]) for e in entries] == [("create", "rita"), ("update", "joao")]
    assert entries[1]["changes"] == {"title": {"before": "CTO", "after": "CEO"}}
    plain = cli("contact", "history", "ana", "--format", "plain").stdout.splitlines()
    assert plain[1] == "2026-11-23 10:00\tjoao\tupdate\ttitle: CTO → CEO"


def test_table_format_prints_markup_and_escapes_literally(cli) -> None:
    cli("contact", "add", "[bold red]Boss[/bold red] \x1b]0;pwned\x07", "--tag", "[link=x]t[/link]")
    result = cli("contact", "list", "--format", "table", env={"NO_COLOR": "1"})
    assert result.exit_code == 0
    assert "[bold red]Boss[/bold red] \\x1b]0;pwned\\x07" in result.stdout
    assert "[link=x]t[/link]" in result.stdout
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    shown = cli("contact", "show", "1", "--format", "table")
    assert "[bold red]Boss[/bold red]" in shown.stdout and "\x1b" not in shown.stdout
