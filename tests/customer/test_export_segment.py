"""``export csv|json|vcard --segment`` and ``report service``: the campaign exporter and the
service report reached through the export and report groups (SPEC §3 conventions)."""

from __future__ import annotations

import json
from pathlib import Path


def _people(cli) -> None:
    cli("contact", "add", "Ana Lima", "--email", "ana@lima.pt", "--tag", "vip")
    cli("contact", "add", "Bruno Dias", "--tag", "vip")
    cli("contact", "add", "Carla Reis", "--email", "carla@reis.pt", "--tag", "vip")
    cli("contact", "add", "Duarte Melo", "--email", "duarte@melo.pt")
    cli("contact", "edit", "carla", "--do-not-contact")
    cli("segment", "save", "vips", "--tag", "vip")


def test_export_csv_segment_mailchimp_leaves_out_and_counts(cli) -> None:
    _people(cli)
    result = cli("export", "csv", "--segment", "vips", "--preset", "mailchimp")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Email Address,First Name,Last Name,Tags\nana@lima.pt,Ana,Lima,vip\n"
    assert result.stderr == "exported 1 contact\nleft out 2 contacts: 1 do-not-contact, 1 without an email\n"


def test_export_json_and_vcard_take_a_segment(cli, tmp_path: Path) -> None:
    _people(cli)
    result = cli("export", "json", "--segment", "vips")
    assert [c["name"] for c in json.loads(result.stdout)] == ["Ana Lima", "Bruno Dias", "Carla Reis"]
    out = tmp_path / "vdir"
    assert cli("export", "vcard", "--out", str(out), "--segment", "vips").exit_code == 0
    names = sorted(p.read_text().split("FN:")[1].splitlines()[0] for p in out.glob("*.vcf"))
    assert names == ["Ana Lima", "Bruno Dias", "Carla Reis"]


def test_preset_without_segment_and_unknown_segment_are_errors(cli) -> None:
    _people(cli)
    result = cli("export", "csv", "--preset", "mailchimp")
    assert (result.exit_code, result.stderr) == (
        1,
        "error: --preset needs --segment NAME (the contacts to export)\n",
    )
    missing = cli("export", "csv", "--segment", "nobody", "--preset", "mailchimp")
    assert missing.exit_code == 1 and missing.stderr.startswith("error: ") and missing.stderr.count("\n") == 1


def test_report_service_is_the_request_report(cli) -> None:
    _people(cli)
    cli("request", "add", "ana", "printer jams", "--priority", "urgent")
    data = cli("report", "service", "--json").json()
    assert data["open"] == 1
    assert data["open_by_priority"]["urgent"] == 1
    assert cli("report", "service", "--json").stdout == cli("request", "report", "--json").stdout
