"""segment export: the Mailchimp columns, consent and email exclusions, formats, --out."""

from __future__ import annotations

import io
import json

import pytest

from minicrm.cli.campaign import write_campaign
from minicrm.services.contacts.commands import ContactQuery
from minicrm.services.customer import campaign


@pytest.fixture
def audience(cli) -> None:
    cli(
        "contact",
        "add",
        "Ana Lima",
        "--email",
        "ana@lima.pt",
        "--tag",
        "vip",
        "--tag",
        "lisboa",
        "--field",
        "city=Lisboa",
    )
    cli("contact", "add", "Bruno Dias", "--email", "bruno@dias.pt", "--tag", "vip")
    cli("contact", "edit", "bruno", "--do-not-contact")
    cli("contact", "add", "Carla", "--tag", "vip")
    cli(
        "contact",
        "add",
        "Duarte dos Reis",
        "--email",
        "duarte@reis.pt",
        "--tag",
        "vip",
        "--field",
        'city==HYPERLINK("http://x")',
    )
    cli("segment", "save", "vips", "--tag", "vip")


def test_mailchimp_csv_has_the_exact_header_and_leaves_out_no_consent_and_no_email(cli, audience) -> None:
    result = cli("segment", "export", "vips", "--preset", "mailchimp")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Email Address,First Name,Last Name,Tags",
        'ana@lima.pt,Ana,Lima,"lisboa,vip"',
        "duarte@reis.pt,Duarte dos,Reis,vip",
    ]
    assert result.stderr == (
        "exported 2 contacts\nleft out 2 contacts: 1 do-not-contact, 1 without an email\n"
    )


def test_field_extras_follow_tags_and_formulas_are_neutralised(cli, audience) -> None:
    result = cli("segment", "export", "vips", "--field", "city")
    assert result.stdout.splitlines() == [
        "Email Address,First Name,Last Name,Tags,city",
        'ana@lima.pt,Ana,Lima,"lisboa,vip",Lisboa',
        'duarte@reis.pt,Duarte dos,Reis,vip,"\'=HYPERLINK(""http://x"")"',
    ]


def test_out_writes_a_file_and_consent_changes_show_at_once(cli, audience, tmp_path) -> None:
    target = tmp_path / "campaign.csv"
    cli("contact", "edit", "bruno", "--ok-to-contact")
    result = cli("segment", "export", "vips", "--out", str(target))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == f"exported 3 contacts to {target}\nleft out 1 contact: 1 without an email\n"
    assert target.read_bytes().startswith(b"Email Address,First Name,Last Name,Tags\r\nana@lima.pt,")
    assert not (tmp_path / "campaign.csv.part").exists()


def test_json_and_vcard_formats(cli, audience) -> None:
    data = json.loads(cli("segment", "export", "vips", "--format", "json").stdout)
    assert [c["name"] for c in data] == ["Ana Lima", "Duarte dos Reis"]
    everyone = json.loads(cli("segment", "export", "vips", "--format", "json", "--preset", "none").stdout)
    assert len(everyone) == 4 and any(c["do_not_contact"] for c in everyone)
    cards = cli("segment", "export", "vips", "--format", "vcard").stdout
    assert cards.count("BEGIN:VCARD") == 2
    assert "FN:Ana Lima" in cards and "Bruno" not in cards


def test_bad_requests_are_one_error_line(cli, audience, tmp_path) -> None:
    for args, message in (
        (("nope",), "error: no segment named 'nope' (see: minicrm segment list)\n"),
        (("vips", "--preset", "sendgrid"), "error: unknown preset 'sendgrid' (choose from mailchimp)\n"),
        (("vips", "--format", "xml"), "error: invalid format 'xml' (choose from csv, json, vcard)\n"),
        (("vips", "--preset", "none"), "error: a CSV campaign export needs --preset (mailchimp)\n"),
        (("vips", "--out", str(tmp_path / "no" / "dir.csv")), None),
    ):
        result = cli("segment", "export", *args)
        assert result.exit_code == 1
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
        if message:
            assert result.stderr == message


def test_service_function_takes_a_query_too(ctx, cli, audience) -> None:
    # the service returns the contacts; the CLI's writer (cli/campaign.py) writes them
    out = io.StringIO()
    result = campaign.select_contacts(ctx, ContactQuery(tags=("lisboa",)), preset="mailchimp")
    write_campaign(result, out, ctx.clock.tz)
    assert (result.written, result.do_not_contact, result.no_email) == (1, 0, 0)
    assert result.left_out_message() == ""
    assert [c.name for c in result.contacts] == ["Ana Lima"]
    assert list(result.csv_rows()) == [["ana@lima.pt", "Ana", "Lima", "lisboa,vip"]]
    assert (
        out.getvalue() == 'Email Address,First Name,Last Name,Tags\r\nana@lima.pt,Ana,Lima,"lisboa,vip"\r\n'
    )


def test_contact_show_has_consent_and_preferred_channel(cli, audience) -> None:
    cli("contact", "edit", "bruno", "--channel", "phone")
    plain = cli("contact", "show", "bruno", "--format", "plain").stdout
    assert "Do not contact:    yes\n" in plain and "Preferred channel: phone\n" in plain
    data = cli("contact", "show", "bruno", "--json").json()
    assert (data["do_not_contact"], data["preferred_channel"]) == (True, "phone")
    bad = cli("contact", "edit", "bruno", "--channel", "pigeon")
    assert bad.exit_code == 1 and bad.stderr.startswith("error: invalid preferred channel 'pigeon'")
